"""Assignments: which person holds which role, at which unit or in which organisation."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roles.models import Role
from units.history import History
from units.models import Organisation, Person, Unit


class AssignmentQuerySet(models.QuerySet):
    """Queries over assignments."""

    def current(self, on=None):
        """Return the assignments in force on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=on),
                           Q(end_date__isnull=True) | Q(end_date__gte=on))

    def unit_ids_granting(self, user, codename, on=None):
        """Return the units where `user` holds a role granting `codename` on `on` (today).

        The unit ids as a lazy subquery, for the choke point; `codename` is a unit permission's.
        """
        return (self.current(on)
                .filter(person__user=user, unit__isnull=False,
                        role__unit_permissions__codename=codename,
                        role__unit_permissions__content_type__app_label="units",
                        role__unit_permissions__content_type__model="unit")
                .values("unit"))

    def group_organisation_ids(self, user, on=None):
        """Return the organisations of the groups `user` is a member of on `on` (today).

        The ids as a lazy subquery, for the choke point: a member may view the group's home
        organisation (its page, its group page, its plans), and nothing more.
        """
        return (self.current(on).filter(person__user=user, role__is_group=True)
                .values("role__level__organisation"))

    def overlapping(self, start, end):
        """Return the assignments whose period meets the period `start`–`end` (None: open)."""
        condition = Q()
        if end is not None:
            condition &= Q(start_date__isnull=True) | Q(start_date__lte=end)
        if start is not None:
            condition &= Q(end_date__isnull=True) | Q(end_date__gte=start)
        return self.filter(condition)


class Assignment(models.Model):
    """A person holding a role: at a unit for unit-scoped roles, in an organisation otherwise.

    The lead holder is the responsible person (vastuuhenkilö); others support. A unit-scoped role
    has at most one lead holder at a unit at a time.
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="assignments")
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.CASCADE,
                             related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="assignments")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="assignments",
    )
    is_lead = models.BooleanField(_("lead"), default=True,
                                  help_text=_("The responsible person; untick for support."))
    is_chair = models.BooleanField(
        _("chair"), default=False,
        help_text=_("The chair of a working group or network (puheenjohtaja)."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["role", "-is_lead", "person__name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False, organisation__isnull=True)
                           | Q(unit__isnull=True, organisation__isnull=False)),
                name="assignment_unit_xor_organisation",
            ),
            models.CheckConstraint(
                condition=(Q(start_date__isnull=True) | Q(end_date__isnull=True)
                           | Q(end_date__gte=F("start_date"))),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person.name}: {self.role} ({self.place})"

    @property
    def place(self):
        """Return the unit or organisation where the role is held."""
        return self.unit if self.unit_id else self.organisation

    def is_current(self, on=None):
        """Return whether the assignment is in force on `on` (today by default)."""
        on = on or timezone.localdate()
        return ((self.start_date is None or self.start_date <= on)
                and (self.end_date is None or self.end_date >= on))

    def end(self, end_date):
        """End the assignment on `end_date`, the last day it is in force; do not save.

        Ending in the past is fine. Shortening a period cannot break any other rule, so it works
        even after the person, the role's sectors or the unit's sectors have changed since the
        assignment was made; a later end than before is a change of period like any edit, and
        every rule is checked. Raise ValidationError when the end is before the start.
        """
        extends = self.end_date is not None and end_date > self.end_date
        self.end_date = end_date
        if extends:
            self.full_clean()
            return
        self.clean_fields()
        self._check_period()

    def _check_period(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})

    def clean(self):
        super().clean()
        self._check_period()
        if not self.role_id or not self.person_id:
            return
        errors = {}
        role = self.role
        if role.scope == Role.Scope.UNIT:
            if self.unit_id is None:
                errors["unit"] = _("This role is held at a unit: choose the unit.")
            if self.organisation_id is not None:
                errors["organisation"] = _("A unit role is not held in an organisation.")
        else:
            if self.organisation_id is None:
                errors["organisation"] = _("This role is held in an organisation: choose it.")
            if self.unit_id is not None:
                errors["unit"] = _("An organisation role is not held at a unit.")
        if errors:
            raise ValidationError(errors)

        place_org = self.unit.organisation if self.unit_id else self.organisation
        if role.level.organisation_id not in place_org.lineage_ids():
            errors["role"] = _("This role belongs to %(org)s, which does not reach %(place)s.") % {
                "org": role.level.organisation, "place": self.place}
        if self.unit_id:
            role_sectors = set(role.sectors.values_list("pk", flat=True))
            unit_sectors = set(self.unit.sectors.values_list("pk", flat=True))
            if role_sectors and not role_sectors & unit_sectors:
                errors["role"] = _("This role does not exist in the sectors of %(unit)s.") % {
                    "unit": self.unit}
        person_org = self.person.organisation
        # A working group or network gathers members from other organisations by design.
        if not place_org.is_related_to(person_org) and not role.is_group:
            errors["person"] = _("%(person)s works for %(org)s, not for %(place)s.") % {
                "person": self.person.name, "org": person_org, "place": self.place}
        if self.is_chair and not role.is_group:
            errors["is_chair"] = _("Only a working group or network has a chair.")
        if errors:
            raise ValidationError(errors)
        if self.is_chair:
            # A unit-scoped group has a chair at each unit; an organisation's group has one.
            chair = (Assignment.objects.filter(role=role, unit=self.unit,
                                               organisation=self.organisation, is_chair=True)
                     .overlapping(self.start_date, self.end_date).exclude(pk=self.pk)
                     .select_related("person").first())
            if chair:
                raise ValidationError({"is_chair": _(
                    "%(person)s already chairs this group for that period."
                ) % {"person": chair.person.name}})
        if self.is_lead and role.scope == Role.Scope.UNIT:
            clash = (Assignment.objects.filter(role=role, unit=self.unit, is_lead=True)
                     .overlapping(self.start_date, self.end_date).exclude(pk=self.pk)
                     .select_related("person").first())
            if clash:
                raise ValidationError({"is_lead": _(
                    "%(person)s is already the lead holder of this role here for that period."
                ) % {"person": clash.person.name}})
