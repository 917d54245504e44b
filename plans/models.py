"""Action plans (toimintasuunnitelma): per organisation and year or period, goals with their
actions; and the funding and meetings of a plan or of a group."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from roles.models import Duty, Role, validate_months
from units.history import History
from units.models import Organisation
from units.years import YearKind, year_label, year_months, year_span, year_start

# The years a plan may be for: a typo such as 20266 is refused rather than stored.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ActionPlan(models.Model):
    """An organisation's action plan for one year, or for a period of several years.

    The year is a school year (starting in August of `year`) or a calendar year: the
    organisation's kind, unless the plan says otherwise. A period runs from `year` to
    `end_year`, the last year it reaches into: a school-year period 2024–2026 runs from
    1.8.2024 to 31.7.2026, a calendar-year one from 1.1.2024 to 31.12.2026.
    """

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="action_plans")
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The year the plan is for, or the first year of its period. A "
                               "school year is named by the year it starts in."))
    end_year = models.PositiveSmallIntegerField(
        _("until year"), null=True, blank=True,
        help_text=_("For a plan of several years: the last year of its period. Leave empty "
                    "for a plan of one year."))
    year_kind = models.CharField(
        _("kind of year"), max_length=10, choices=YearKind.choices, blank=True,
        help_text=_("Leave empty to follow the organisation's."))
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
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(end_year__gt=models.F("year"), end_year__lte=LAST_YEAR),
                name="action_plan_period_after_year"),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.title or self.years}"

    def get_absolute_url(self):
        """Return the page of the organisation's plans, opened at this plan's year."""
        return f"{reverse('plans:plan_list', args=[self.organisation.slug])}?year={self.year}"

    @property
    def kind(self):
        """Return the kind of year the plan follows: its own, or its organisation's."""
        return self.year_kind or self.organisation.year_kind

    @property
    def years(self):
        """Return the plan's year or period as the plan picker shows it: "2025", "2024–2026"."""
        return f"{self.year}–{self.end_year}" if self.end_year else str(self.year)

    @property
    def label(self):
        """Return the plan's year as its page names it: "School year 2025–2026", "Year 2025",
        "Period 2024–2026"."""
        return year_label(self.year, self.kind, self.end_year)

    @property
    def span(self):
        """Return the plan's year or period as dates would: "2025–2026" for a school year."""
        return self.years if self.end_year else year_span(self.year, self.kind)

    def year_months(self):
        """Return the month numbers of the plan's year in order."""
        return year_months(self.kind)

    def start_years(self):
        """Return the range of the years (as years of its kind are named) the plan covers."""
        if not self.end_year:
            return range(self.year, self.year + 1)
        # A school-year period ends in July of `end_year`: its last school year starts before.
        last = self.end_year - 1 if self.kind == YearKind.SCHOOL else self.end_year
        return range(self.year, max(last, self.year) + 1)

    def covers(self, day):
        """Return whether the date `day` falls in the plan's year or period."""
        return year_start(day, self.kind) in self.start_years()

    def clean(self):
        super().clean()
        if self.end_year is not None and self.year is not None and self.end_year <= self.year:
            raise ValidationError({"end_year": _(
                "The period must end after the year it starts in; leave it empty for a plan "
                "of one year.")})
        if not self.organisation_id or self.year is None:
            return
        others = ActionPlan.objects.filter(organisation_id=self.organisation_id).exclude(
            pk=self.pk).select_related("organisation")
        mine = set(self.start_years())
        for other in others:
            if other.year != self.year and mine & set(other.start_years()):
                raise ValidationError({"year": _(
                    "The organisation already has a plan for %(years)s, which overlaps this "
                    "one.") % {"years": other.years}})


class Goal(models.Model):
    """A goal of an action plan, in one of the development areas."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.CASCADE,
                             related_name="goals")
    text = models.TextField(_("goal"))
    development_area = models.CharField(_("development area"), max_length=20, blank=True,
                                        choices=Duty.Area.choices)
    target = models.TextField(_("result or target level"), blank=True,
                              help_text=_("What the goal is reached with, or how it is measured."))
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


class FundingOrMeetingQuerySet(models.QuerySet):
    """Queries over the funding and meetings of plans and groups."""

    def of_organisation(self, organisation):
        """Return the rows of `organisation`'s plans and of its groups' roles."""
        return self.filter(models.Q(plan__organisation=organisation)
                           | models.Q(role__level__organisation=organisation))


def belongs_to_one():
    """Return the condition that a row belongs to a plan or a role, not to both or neither."""
    return (models.Q(plan__isnull=False, role__isnull=True)
            | models.Q(plan__isnull=True, role__isnull=False))


class PlanOrGroup(models.Model):
    """What belongs to an action plan or to a group role: its funding, its meetings."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="%(class)ss")
    role = models.ForeignKey(Role, verbose_name=_("group"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="%(class)ss")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FundingOrMeetingQuerySet.as_manager()

    class Meta:
        abstract = True

    def owner(self):
        """Return the plan or the role the row belongs to (either may be unsaved)."""
        plan_known = self.plan_id or self._meta.get_field("plan").is_cached(self)
        role_known = self.role_id or self._meta.get_field("role").is_cached(self)
        return (self.plan if plan_known else None), (self.role if role_known else None)

    def clean(self):
        super().clean()
        plan, role = self.owner()
        if (plan is None) == (role is None):
            raise ValidationError(_("Choose an action plan or a group, one of them."))
        if role is not None and not role.is_group:
            # Not tied to the role field: an inline row's form has none, and would fail on it.
            raise ValidationError(_(
                "Only a working group or network records its funding and meetings: tick "
                "“group or network” on the role first."), code="not_a_group")


class Funding(PlanOrGroup):
    """Money for a plan or a group: who gives it, for what, how much and for how long."""

    funder = models.CharField(_("funder"), max_length=200,
                              help_text=_("Who gives the money, e.g. the Finnish National Agency "
                                          "for Education."))
    grant = models.CharField(_("grant"), max_length=200, blank=True,
                             help_text=_("The name of the grant or programme."))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    starts = models.DateField(_("from"), null=True, blank=True)
    ends = models.DateField(_("until"), null=True, blank=True)
    covers = models.TextField(_("what it covers"), blank=True,
                              help_text=_("What the money pays for, e.g. travel and the "
                                          "activity day."))

    history = History()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [
            models.CheckConstraint(condition=belongs_to_one(), name="funding_of_plan_or_role"),
            models.CheckConstraint(
                condition=models.Q(starts__isnull=True) | models.Q(ends__isnull=True)
                | models.Q(ends__gte=models.F("starts")), name="funding_ends_after_start"),
            models.CheckConstraint(condition=models.Q(amount__isnull=True)
                                   | models.Q(amount__gte=0), name="funding_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.funder}: {self.grant}" if self.grant else self.funder

    def clean(self):
        super().clean()
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": _("The funding must end on or after its first day.")})
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("The amount cannot be negative.")})


class Meeting(PlanOrGroup):
    """A recurring meeting of a group or plan: how often, how, where, and in which months."""

    class Mode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        ON_SITE = "on_site", _("On site")
        BOTH = "both", _("On site and remote")

    name = models.CharField(_("meeting"), max_length=200, blank=True,
                            help_text=_("E.g. the network's meeting, the annual activity day. "
                                        "Empty: a meeting."))
    per_year = models.PositiveSmallIntegerField(_("times a year"), default=1)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices, default=Mode.BOTH)
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("workspace or meeting link"), max_length=500, blank=True)
    months = models.JSONField(
        _("months"), default=list, blank=True, validators=[validate_months],
        help_text=_("The months it meets in, when known: then it shows in the annual clock."))

    history = History()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=belongs_to_one(), name="meeting_of_plan_or_role"),
            models.CheckConstraint(condition=models.Q(per_year__gte=1),
                                   name="meeting_at_least_once_a_year"),
        ]

    def __str__(self):
        return self.name or str(_("Meeting"))

    def month_names(self):
        """Return the names of the meeting's months, in the order stored (its year's)."""
        return [str(MONTHS[month]) for month in self.months]

    def year_kind(self):
        """Return the kind of year its months are in: its plan's, or its group's organisation's."""
        plan, role = self.owner()
        if plan is not None:
            return plan.kind
        return role.year_kind if role is not None else YearKind.SCHOOL

    def clean(self):
        super().clean()
        try:
            validate_months(self.months)
        except ValidationError:
            return  # clean_fields() reports it
        if self.per_year is not None and self.per_year >= 1 and len(self.months) > self.per_year:
            raise ValidationError({"months": _(
                "It meets %(count)s times a year but %(months)s months are ticked.") % {
                    "count": self.per_year, "months": len(self.months)}})
        self.months = sorted(self.months, key=year_months(self.year_kind()).index)
