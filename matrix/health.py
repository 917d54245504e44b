"""The health check: what is missing or wrong in an organisation's matrix, and where to fix it.

`findings` returns plain Finding objects; the pages group and count them. Like the rest of
`matrix`, nothing here checks permissions: callers pass units already through the choke point.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matrix.coverage import build_coverage, staffing
from roles.models import Duty, Role
from units.models import Organisation, Sector

# An assignment ending this many days from today or sooner is worth a reminder.
ENDING_WITHIN_DAYS = 30


class Severity:
    """How urgent a finding is: an error breaks the matrix, a warning leaves a hole."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Every kind of finding, in the order the page lists them: (heading, label of the fixing link).
KINDS = {
    "empty_duty": (gettext_lazy("Duties without a text"), gettext_lazy("Edit the duty")),
    "duties_nowhere": (gettext_lazy("Roles whose duties apply nowhere"),
                       gettext_lazy("Edit the role")),
    "role_without_duties": (gettext_lazy("Roles without duties"), gettext_lazy("Edit the role")),
    "unit_gap": (gettext_lazy("Roles nobody holds at a unit"), gettext_lazy("Open the unit")),
    "organisation_gap": (gettext_lazy("Organisation roles nobody holds"),
                         gettext_lazy("Add a holder")),
    "too_many_lead_roles": (gettext_lazy("People leading too many roles"),
                            gettext_lazy("See their assignments")),
    "ending_soon": (gettext_lazy("Assignments ending within 30 days"),
                    gettext_lazy("Edit the assignment")),
    "partner_missing": (gettext_lazy("Partners missing from a sector"),
                        gettext_lazy("Edit the duty")),
    "holders_short": (gettext_lazy("Roles with fewer holders than they need"),
                      gettext_lazy("Add a holder")),
    "holders_over": (gettext_lazy("Roles with more holders than they may have"),
                     gettext_lazy("See their assignments")),
}


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the matrix: what it is, in words, and the page that fixes it."""

    kind: str
    message: str
    url: str
    severity: str = Severity.WARNING

    @property
    def in_admin(self):
        """Return whether the fix is in the admin, which only staff can open."""
        return self.url.startswith(reverse("admin:index"))

    @property
    def link_label(self):
        """Return the words of the link to the fix, by kind."""
        return KINDS[self.kind][1]


@dataclass
class Group:
    """The findings of one kind, under the kind's heading."""

    kind: str
    heading: str
    findings: list


def group_findings(findings):
    """Return a Group for each kind that has findings, in the order of KINDS."""
    by_kind = defaultdict(list)
    for finding in findings:
        by_kind[finding.kind].append(finding)
    return [Group(kind=kind, heading=heading, findings=by_kind[kind])
            for kind, (heading, _label) in KINDS.items() if by_kind[kind]]


def findings(organisation, units, *, on=None):
    """Return the Findings of `organisation`'s matrix at `units` (its units the user may see).

    The matrix checks (duties, roles, partners) cover the roles of the organisation and of those
    below it; the staffing checks cover the units and the organisations below.
    """
    on = on or timezone.localdate()
    coverage = build_coverage(organisation, units, on=on)
    roles = list(_own_roles(organisation))
    all_sectors = list(Sector.objects.all())
    return [
        *_duty_findings(roles),
        *_unit_gap_findings(coverage),
        *_organisation_gap_findings(roles, coverage.assignments),
        *_lead_load_findings(coverage.assignments),
        *_ending_findings(coverage.assignments, on),
        *_partner_findings(roles, all_sectors),
        *_staffing_findings(staffing(organisation, units, on=on)),
    ]


def _staffing_findings(entries):
    """Report the roles held by fewer people than their minimum or more than their maximum."""
    for entry in entries:
        values = {"role": entry.role.name, "place": entry.place, "count": entry.count,
                  "needed": entry.role.holders_needed()}
        url = entry.url or (reverse("admin:matrix_assignment_changelist") + "?"
                            + urlencode({"role__id__exact": entry.role.pk}))
        if entry.off_by == "short":
            yield Finding("holders_short", _(
                "The role “%(role)s” has %(count)d holders at %(place)s; it needs %(needed)s."
            ) % values, url, Severity.WARNING)
        else:
            yield Finding("holders_over", _(
                "The role “%(role)s” has %(count)d holders at %(place)s; it may have %(needed)s."
            ) % values, url, Severity.INFO)


def _own_roles(organisation):
    """Return the roles of `organisation` and those below it, with duties, partners and sectors."""
    duties = Duty.objects.order_by("order", "pk").prefetch_related(
        "sectors", Prefetch("collaborating_roles",
                            queryset=Role.objects.prefetch_related("sectors")))
    return (Role.objects
            .filter(level__organisation__in=Organisation.objects.descendants_of(organisation))
            .select_related("level__organisation")
            .prefetch_related("sectors", Prefetch("duties", queryset=duties))
            .order_by("level__organisation__name", "level__order", "level_id", "order", "pk"))


def _codes(sectors):
    """Return the codes of `sectors`."""
    return {sector.code for sector in sectors}


def _duty_findings(roles):
    """Report duties without a text, roles without duties and roles whose duties apply nowhere."""
    for role in roles:
        duties = list(role.duties.all())
        role_url = reverse("admin:roles_role_change", args=[role.pk])
        if not duties:
            yield Finding("role_without_duties", _(
                "The role “%(role)s” has no duties: the matrix does not say what it does."
            ) % {"role": role.name}, role_url, Severity.WARNING)
            continue
        for duty in duties:
            if not duty.text.strip():
                yield Finding("empty_duty", _(
                    "A duty of the role “%(role)s” has no text: nobody can tell what it asks."
                ) % {"role": role.name}, reverse("admin:roles_duty_change", args=[duty.pk]),
                    Severity.ERROR)
        role_codes = _codes(role.sectors.all())
        if role_codes and all(duty.sectors.all() and not _codes(duty.sectors.all()) & role_codes
                              for duty in duties):
            yield Finding("duties_nowhere", _(
                "Every duty of the role “%(role)s” is limited to sectors the role does not exist "
                "in, so none of them applies anywhere."
            ) % {"role": role.name}, role_url, Severity.ERROR)


def _unit_gap_findings(coverage):
    """Report each unit where a named unit role exists and nobody holds it."""
    for row in coverage.rows:
        for role, cell in zip(coverage.roles, row.cells, strict=True):
            if cell.is_gap:
                yield Finding("unit_gap", _("Nobody holds the role “%(role)s” at %(unit)s.") % {
                    "role": role.name, "unit": row.unit.name,
                }, reverse("matrix:unit", args=[row.unit.slug]), Severity.WARNING)


def _organisation_gap_findings(roles, assignments):
    """Report organisation-wide named roles with nobody currently in them."""
    held = {assignment.role_id for assignment in assignments if assignment.organisation_id}
    for role in roles:
        if (role.scope == Role.Scope.ORGANISATION and role.named_holders
                and role.pk not in held):
            url = reverse("admin:matrix_assignment_add") + "?" + urlencode({
                "role": role.pk, "organisation": role.level.organisation_id})
            yield Finding("organisation_gap", _(
                "Nobody holds the organisation-wide role “%(role)s” in %(organisation)s."
            ) % {"role": role.name, "organisation": role.level.organisation.name},
                url, Severity.WARNING)


def _lead_load_findings(assignments):
    """Report people who lead more roles than their own organisation's limit allows."""
    leads = defaultdict(list)
    for assignment in assignments:
        if assignment.is_lead:
            leads[assignment.person_id].append(assignment)
    for held in leads.values():
        person = held[0].person
        # The employer decides how much one person may carry, so its limit applies everywhere.
        limit = person.organisation.max_lead_roles
        if len(held) > limit:
            url = reverse("admin:matrix_assignment_changelist") + "?" + urlencode({
                "person__id__exact": person.pk})
            yield Finding("too_many_lead_roles", _(
                "%(person)s is the lead holder of %(count)d roles; %(organisation)s allows "
                "%(limit)d."
            ) % {"person": person.name, "count": len(held),
                 "organisation": person.organisation.name, "limit": limit},
                url, Severity.WARNING)


def _ending_findings(assignments, on):
    """Report current assignments that end within ENDING_WITHIN_DAYS days."""
    last_day = on + datetime.timedelta(days=ENDING_WITHIN_DAYS)
    ending = [assignment for assignment in assignments
              if assignment.end_date and assignment.end_date <= last_day]
    for assignment in sorted(ending, key=lambda assignment: (assignment.end_date, assignment.pk)):
        yield Finding("ending_soon", _(
            "%(person)s holds the role “%(role)s” at %(place)s until %(date)s."
        ) % {"person": assignment.person.name, "role": assignment.role.name,
             "place": assignment.place, "date": date_format(assignment.end_date, "j.n.Y")},
            reverse("admin:matrix_assignment_change", args=[assignment.pk]), Severity.INFO)


def _partner_findings(roles, all_sectors):
    """Report once per duty and partner role the sectors the duty applies in and the partner not.

    A duty applies in its own sectors, else in its role's, else everywhere; sectors outside its
    role's are left to `_duty_findings`. A role without sectors exists in all.
    """
    everywhere = [sector.code for sector in all_sectors]
    names = {sector.code: sector.name for sector in all_sectors}
    for role in roles:
        role_codes = _codes(role.sectors.all()) or set(everywhere)
        for duty in role.duties.all():
            applies = (_codes(duty.sectors.all()) or role_codes) & role_codes
            for partner in duty.collaborating_roles.all():
                partner_codes = _codes(partner.sectors.all()) or set(everywhere)
                missing = [code for code in everywhere if code in applies - partner_codes]
                if missing:
                    yield Finding("partner_missing", _(
                        "The duty “%(duty)s” of “%(role)s” is done together with “%(partner)s”, "
                        "which does not exist in: %(sectors)s."
                    ) % {"duty": duty, "role": role.name, "partner": partner.name,
                         "sectors": ", ".join(names[code] for code in missing)},
                        reverse("admin:roles_duty_change", args=[duty.pk]), Severity.WARNING)
