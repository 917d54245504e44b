"""Levels, roles and duties: what a responsibility matrix says, independent of who holds it."""

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from units.models import Organisation, Sector
from units.years import SCHOOL_YEAR_MONTHS, year_months


def school_year_start(today):
    """Return the year of the most recent August: the year of the school year `today` is in."""
    return today.year if today.month >= SCHOOL_YEAR_MONTHS[0] else today.year - 1


def school_year_label(year):
    """Return the school year starting in August of `year`, as "2025–2026"."""
    return f"{year}–{year + 1}"


def title_lines(titles):
    """Return supporting titles, stored one per line, as a list (no text: an empty list)."""
    return [line.strip() for line in (titles or "").splitlines() if line.strip()]


class Level(models.Model):
    """A level of an organisation's matrix: administration, units, the wider community."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="levels",
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="copies", editable=False,
    )

    class Meta:
        ordering = ["organisation__name", "order", "pk"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="level_name_unique_in_organisation"),
        ]

    def __str__(self):
        return f"{self.organisation}: {self.name}"


class RoleQuerySet(models.QuerySet):
    """Queries over roles."""

    def of_organisation(self, organisation):
        """Return the roles defined by `organisation` itself."""
        return self.filter(level__organisation=organisation)

    def for_sectors(self, sectors):
        """Return the roles that exist in any of `sectors` (a role with no sectors: in all)."""
        return self.filter(Q(sectors__isnull=True) | Q(sectors__in=sectors)).distinct()

    def reaching(self, organisation):
        """Return the roles of `organisation` and of its ancestors: the roles its units see."""
        return self.filter(level__organisation__in=organisation.lineage_ids())


class Role(models.Model):
    """An actor in the matrix (principal, digital tutor, ICT coordinator, the IT company…).

    A unit-scoped role has its own holder in every unit; an organisation-scoped role has holders
    for the whole organisation. Its holders get `unit_permissions` on the units they hold it in.
    """

    class Scope(models.TextChoices):
        UNIT = "unit", _("Unit: each unit has its own holder")
        ORGANISATION = "organisation", _("Organisation: holders for the whole organisation")

    level = models.ForeignKey(Level, verbose_name=_("level"), on_delete=models.CASCADE,
                              related_name="roles")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices,
                             default=Scope.UNIT)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="roles", blank=True,
        help_text=_("The sectors this role exists in. Leave empty for all sectors."),
    )
    responsible_title = models.CharField(
        _("responsible title"), max_length=300, blank=True,
        help_text=_("Vastuuhenkilö: the title of the person who leads this role."),
    )
    supporting_roles = models.ManyToManyField(
        "self", verbose_name=_("supporting roles"), symmetrical=False, blank=True,
        related_name="supported_roles",
    )
    supporting_titles = models.TextField(
        _("supporting titles"), blank=True,
        help_text=_("Tukena: supporting titles that are not roles of their own, one per line."),
    )
    named_holders = models.BooleanField(
        _("named holders"), default=True,
        help_text=_("Untick for groups everyone belongs to, such as teaching staff, pupils or "
                    "guardians: nobody is assigned to them by name and they are never a gap."),
    )
    unit_permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions of holders"), blank=True,
        limit_choices_to={"content_type__app_label": "units", "content_type__model": "unit"},
        help_text=_("What holding this role allows on the unit, e.g. managing its devices."),
    )
    is_group = models.BooleanField(
        _("group or network"), default=False,
        help_text=_("A working group or network: its members may come from other "
                    "organisations, and one of them can be the chair."),
    )
    description = models.TextField(
        _("purpose"), blank=True,
        help_text=_("What the group or role is for, in a sentence or two."),
    )
    joining = models.TextField(
        _("who may join"), blank=True,
        help_text=_("Who may be a member, e.g. one librarian from each member town."),
    )
    min_holders = models.PositiveSmallIntegerField(
        _("holders at least"), null=True, blank=True,
        help_text=_("How many people the role needs at least, at each place it is held."),
    )
    max_holders = models.PositiveSmallIntegerField(
        _("holders at most"), null=True, blank=True,
        help_text=_("How many people the role may have at most, at each place it is held."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="copies", editable=False,
    )

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["level__organisation__name", "level__order", "order", "pk"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["level", "slug"], name="role_slug_unique_in_level"),
            models.UniqueConstraint(fields=["level", "name"], name="role_name_unique_in_level"),
            models.CheckConstraint(
                condition=(Q(min_holders__isnull=True) | Q(max_holders__isnull=True)
                           | Q(max_holders__gte=F("min_holders"))),
                name="role_holders_max_not_below_min",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def organisation(self):
        return self.level.organisation

    @property
    def year_kind(self):
        """Return the kind of year the role (a group's meetings, its clock) follows: its
        organisation's."""
        return self.level.organisation.year_kind

    def holders_needed(self):
        """Return how many holders the role needs, as "1–2", "at least 4", "at most 2" or ""."""
        low, high = self.min_holders, self.max_holders
        if low is not None and high is not None:
            return str(low) if low == high else f"{low}–{high}"
        if low is not None:
            return _("at least %(count)d") % {"count": low}
        if high is not None:
            return _("at most %(count)d") % {"count": high}
        return ""

    def holders_off_by(self, count):
        """Return "short" if `count` holders are fewer than the minimum, "over" if more than the
        maximum, else ""."""
        if self.min_holders is not None and count < self.min_holders:
            return "short"
        if self.max_holders is not None and count > self.max_holders:
            return "over"
        return ""

    def supporting_title_list(self):
        """Return the free-text supporting titles as a list."""
        return title_lines(self.supporting_titles)

    def clean(self):
        super().clean()
        if (self.min_holders is not None and self.max_holders is not None
                and self.max_holders < self.min_holders):
            raise ValidationError({"max_holders": _(
                "The most holders cannot be fewer than the fewest (%(min)d).")
                % {"min": self.min_holders}})
        if self.level_id and self.slug:
            clash = Role.objects.filter(
                level__organisation_id=self.level.organisation_id, slug=self.slug
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {"slug": _("Another role of this organisation already has this slug.")}
                )


def validate_months(value):
    """Raise ValidationError unless `value` is a list of distinct month numbers 1–12."""
    if not isinstance(value, list) or not all(
        isinstance(month, int) and not isinstance(month, bool) and 1 <= month <= 12
        for month in value
    ):
        raise ValidationError(_("Months must be a list of numbers from 1 to 12."))
    if len(set(value)) != len(value):
        raise ValidationError(_("A month can be listed only once."))


class DutyQuerySet(models.QuerySet):
    """Queries over duties."""

    def for_sectors(self, sectors):
        """Return the duties that apply in any of `sectors` (no sectors: applies in all)."""
        return self.filter(Q(sectors__isnull=True) | Q(sectors__in=sectors)).distinct()


class Duty(models.Model):
    """One thing a role does, as the matrix words it ("Vastaamme koulun laiterekisteristä")."""

    class Area(models.TextChoices):
        COMPETENCE = "competence", _("Competence")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        SERVICES = "services", _("Services")
        CONTENT = "content", _("Content")

    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.CASCADE,
                             related_name="duties")
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="duties", blank=True,
        help_text=_("Leave empty when the duty applies in all of its role's sectors."),
    )
    collaborating_roles = models.ManyToManyField(
        Role, verbose_name=_("together with"), related_name="collaborating_duties", blank=True,
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=100, blank=True,
        help_text=_('How often, as the matrix says it, e.g. "1 krt/lukuvuosi".'),
    )
    months = models.JSONField(
        _("months"), default=list, blank=True, validators=[validate_months],
        help_text=_("The months of the school year the duty falls in, for the annual clock."),
    )
    development_area = models.CharField(_("development area"), max_length=20, blank=True,
                                        choices=Area.choices)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="copies", editable=False,
    )

    objects = DutyQuerySet.as_manager()

    class Meta:
        ordering = ["role", "order", "pk"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        constraints = [
            models.UniqueConstraint(fields=["role", "text"], name="duty_text_unique_in_role"),
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else f"{self.text[:77]}…"

    def month_names(self):
        """Return the names of the duty's months, in the order stored (the school year's)."""
        return [str(MONTHS[month]) for month in self.months]

    def clean(self):
        super().clean()
        # Each language's column is trimmed on its own: going through `text` would write the
        # active language's column, copying the Finnish fallback into Swedish.
        texts = [name for name in ("text_fi", "text_sv") if hasattr(self, name)] or ["text"]
        for name in texts:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, value.strip())
        if not any(getattr(self, name) for name in texts):
            raise ValidationError({"text": _("A duty needs a text.")})
        try:
            validate_months(self.months)
        except ValidationError:
            return  # clean_fields() reports it
        # Kept in the order of the organisation's year, so the clock and the exports read
        # August (or, for a calendar year, January) first.
        order = (year_months(self.role.level.organisation.year_kind) if self.role_id
                 else SCHOOL_YEAR_MONTHS)
        self.months = sorted(self.months, key=order.index)
