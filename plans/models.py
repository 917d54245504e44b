"""Action plans (toimintasuunnitelma): per organisation and year, goals with their actions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from roles.models import Duty, Role
from units.history import History
from units.models import Organisation

# The years a plan may be for: a typo such as 20266 is refused rather than stored.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ActionPlan(models.Model):
    """An organisation's action plan for one year (e.g. the school year starting in August)."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="action_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = History()

    class Meta:
        ordering = ["organisation__name", "-year"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"],
                                    name="action_plan_one_per_year"),
            models.CheckConstraint(condition=models.Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                                   name="action_plan_year_in_range"),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.title or self.year}"

    def get_absolute_url(self):
        """Return the page of the organisation's plans, opened at this plan's year."""
        return f"{reverse('plans:plan_list', args=[self.organisation.slug])}?year={self.year}"


class Goal(models.Model):
    """A goal of an action plan, in one of the development areas."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.CASCADE,
                             related_name="goals")
    text = models.TextField(_("goal"))
    development_area = models.CharField(_("development area"), max_length=20, blank=True,
                                        choices=Duty.Area.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = History()

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:77]}…"


class Action(models.Model):
    """One action towards a goal: who is responsible, the result or target level, its status."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        POSTPONED = "postponed", _("Postponed")

    goal = models.ForeignKey(Goal, verbose_name=_("goal"), on_delete=models.CASCADE,
                             related_name="actions")
    text = models.TextField(_("action"))
    responsible_role = models.ForeignKey(Role, verbose_name=_("responsible role"),
                                         on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="plan_actions")
    target = models.TextField(_("result or target level"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PLANNED)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = History()

    class Meta:
        ordering = ["goal", "order", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:77]}…"

    def clean(self):
        super().clean()
        # In the admin a new goal's actions come with the goal unsaved (no id yet, but set).
        goal_known = self.goal_id or self._meta.get_field("goal").is_cached(self)
        if self.responsible_role_id and goal_known and self.goal.plan_id:
            plan_org = self.goal.plan.organisation
            if self.responsible_role.level.organisation_id not in plan_org.lineage_ids():
                raise ValidationError({"responsible_role": _(
                    "The role belongs to another organisation's matrix.")})
