"""The annual clock (vuosikello): recurring duties and meetings by month of the year, and its wheel.

The year is a school year (August first) or a calendar year (January first), as the
organisation, group or plan keeps it (units.years). The grouping and the geometry are pure
functions, so any page can draw a clock of any duties: the organisation's clock shows the duties
of its roles, "my duties" a person's. Only `clock_duties` and `clock_meetings` query the database.
"""

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q
from django.utils.dates import MONTHS

from plans.models import Meeting
from roles.models import SCHOOL_YEAR_MONTHS, Duty, school_year_label, school_year_start
from units.years import year_span, year_start

# The wheel's proportions, as fractions of its radius: the hole in the middle holds the school
# year, the count badges sit in the middle of the ring and the month names near the rim, where a
# sector is widest, so that the longest month name ("maaliskuu", "september") fits inside its
# sector without touching the badge, even in the sectors at three and nine o'clock.
HOLE = 0.3
BADGE_AT = 0.47
BADGE_SIZE = 0.085
LABEL_AT = 0.78
# Font sizes, as fractions of the wheel's size.
FONT = 0.034
SMALL_FONT = 0.028
# How many shades the sectors take from the busiest month down to a quiet one.
SHADES = 3


def clock_duties(organisation):
    """Return the duties with months of the roles of `organisation` and of its ancestors.

    One query for the duties with their roles' levels and organisations, one for their sectors,
    however many duties there are. Ancestors' roles come first, as on a unit's matrix.
    """
    lineage_ids = organisation.lineage_ids()
    depth = {organisation_id: index for index, organisation_id in enumerate(lineage_ids)}
    duties = (Duty.objects.filter(role__level__organisation__in=lineage_ids)
              .exclude(months=[])
              .select_related("role__level__organisation")
              .prefetch_related("sectors"))
    return sorted(duties, key=lambda duty: (
        -depth[duty.role.level.organisation_id], duty.role.level.order, duty.role.level_id,
        duty.role.order, duty.role_id, duty.order, duty.pk,
    ))


@dataclass
class ClockRole:
    """A role on a clock: the key that names it in URLs and anchors, and where it links to."""

    role: object
    key: str
    href: str
    is_inherited: bool = False
    months: list = field(default_factory=list)

    @property
    def anchor(self):
        """Return the id of the role's entry in the roles list."""
        return f"role-{self.key}"

    @property
    def name(self):
        """Return the role's name."""
        return self.role.name

    @property
    def named_months(self):
        """Return (number, name) of the role's months on the clock, August first."""
        return [(month, MONTHS[month]) for month in self.months]

    @property
    def organisation(self):
        """Return the organisation whose matrix the role belongs to."""
        return self.role.level.organisation


@dataclass
class ClockDuty:
    """A duty on a clock, with its ClockRole."""

    duty: Duty
    role: ClockRole

    @property
    def months(self):
        """Return the duty's months, for `months_with_duties`."""
        return self.duty.months


def clock_meetings(organisation, plan=None):
    """Return the meetings of the group roles of `organisation` and its ancestors, and of `plan`.

    One query, with the roles' levels and organisations; ancestors' groups first, as their duties.
    """
    lineage_ids = organisation.lineage_ids()
    depth = {organisation_id: index for index, organisation_id in enumerate(lineage_ids)}
    of_groups = Q(role__level__organisation__in=lineage_ids, role__is_group=True)
    meetings = (Meeting.objects.filter(of_groups | Q(plan=plan) if plan is not None
                                       else of_groups)
                .select_related("role__level__organisation", "plan__organisation"))
    return sorted(meetings, key=lambda meeting: (
        (0, -depth[meeting.role.level.organisation_id], meeting.role.level.order,
         meeting.role.order, meeting.role_id) if meeting.role_id else (1, 0, 0, 0, 0),
        meeting.order, meeting.pk,
    ))


@dataclass
class ClockMeeting:
    """A meeting on a clock, with its group's ClockRole (None for a plan's meeting)."""

    meeting: Meeting
    role: object = None

    @property
    def months(self):
        """Return the meeting's months, for `months_with_duties`."""
        return self.meeting.months


def meeting_entries(meetings, roles, *, lineage_ids=(), role_href=None,
                    year_order=SCHOOL_YEAR_MONTHS):
    """Return a ClockMeeting for each of `meetings`, adding their groups to `roles` if missing.

    `roles` are the ClockRoles of clock_entries(); a group with meetings but no duties in the
    clock joins them, keyed by its slug (or "<organisation slug>.<slug>" when the slug is taken).
    """
    by_pk = {clock_role.role.pk: clock_role for clock_role in roles}
    taken = {clock_role.key for clock_role in roles}
    entries = []
    for meeting in meetings:
        role = meeting.role if meeting.role_id else None
        clock_role = None
        if role is not None:
            clock_role = by_pk.get(role.pk)
            if clock_role is None:
                key = role.slug if role.slug not in taken else (
                    f"{role.level.organisation.slug}.{role.slug}")
                taken.add(key)
                anchor = f"role-{key}"
                clock_role = ClockRole(
                    role=role, key=key,
                    href=role_href(role, anchor) if role_href else f"#{anchor}",
                    is_inherited=bool(lineage_ids)
                    and role.level.organisation_id != lineage_ids[0])
                by_pk[role.pk] = clock_role
                roles.append(clock_role)
            clock_role.months.extend(month for month in meeting.months
                                     if month not in clock_role.months)
        entries.append(ClockMeeting(meeting=meeting, role=clock_role))
    for clock_role in roles:
        clock_role.months.sort(key=year_order.index)
    return entries


def clock_entries(duties, *, lineage_ids=(), role_href=None, year_order=SCHOOL_YEAR_MONTHS):
    """Return (entries, roles): a ClockDuty for each of `duties` and the ClockRoles among them.

    The duties need their roles' levels and organisations loaded. A role's key is its slug; when
    roles of several organisations share a slug, the one nearest in `lineage_ids` (nearest first)
    keeps the slug and the others become "<organisation slug>.<slug>" (a slug has no dots, so
    keys never clash). `role_href(role, anchor)` returns where a role links to; by default its
    entry in the roles list, "#role-<key>". Roles come in the order of the duties; each role's
    months in the order of `year_order` (the year's, August first by default).
    """
    lineage_ids = list(lineage_ids)
    order = {organisation_id: index for index, organisation_id in enumerate(lineage_ids)}
    roles = list({duty.role_id: duty.role for duty in duties}.values())
    nearest_first = sorted(roles, key=lambda role: order.get(role.level.organisation_id,
                                                             len(order)))
    keys, taken = {}, set()
    for role in nearest_first:
        key = role.slug if role.slug not in taken else (
            f"{role.level.organisation.slug}.{role.slug}")
        taken.add(role.slug)
        keys[role.pk] = key
    clock_roles = {}
    for role in roles:
        anchor = f"role-{keys[role.pk]}"
        clock_roles[role.pk] = ClockRole(
            role=role, key=keys[role.pk],
            href=role_href(role, anchor) if role_href else f"#{anchor}",
            is_inherited=bool(lineage_ids) and role.level.organisation_id != lineage_ids[0],
        )
    for duty in duties:
        months = clock_roles[duty.role_id].months
        months.extend(month for month in duty.months if month not in months)
    for clock_role in clock_roles.values():
        clock_role.months.sort(key=year_order.index)
    return [ClockDuty(duty=duty, role=clock_roles[duty.role_id]) for duty in duties], list(
        clock_roles.values())


class MonthDuties(NamedTuple):
    """One month of the year with the duties (and meetings) that fall in it."""

    number: int
    name: str
    duties: list
    is_current: bool = False

    @property
    def anchor(self):
        """Return the id of the month's entry in the list."""
        return f"month-{self.number}"


def months_with_duties(duties, today=None, year_order=SCHOOL_YEAR_MONTHS):
    """Return a MonthDuties for each month of the year, in the order of `year_order`.

    `year_order` are the year's month numbers (units.years.year_months(): August first for a
    school year, the default; January first for a calendar year). `duties` are anything with a
    `months` list (duties, ClockDuty and ClockMeeting entries); each appears under every month
    it names, in the order given; those without months appear nowhere. The month of `today` (a
    date), if given, is marked current.
    """
    by_month = {month: [] for month in year_order}
    for duty in duties:
        for month in duty.months:
            by_month[month].append(duty)
    current = today.month if today else None
    return [MonthDuties(month, MONTHS[month], by_month[month], month == current)
            for month in year_order]


def school_year(today):
    """Return the school year `today` falls in, as "2025–2026" (it turns on 1 August)."""
    return school_year_label(school_year_start(today))


def year_of(today, kind):
    """Return the year of `kind` that `today` falls in: "2025–2026", or "2025" for a calendar
    year."""
    return year_span(year_start(today, kind), kind)


def point(cx, cy, radius, angle):
    """Return the (x, y) at `radius` from the centre, `angle` degrees clockwise from the top.

    SVG's y axis points down, so the top of the circle is at cy - radius.
    """
    radians = math.radians(angle)
    return cx + radius * math.sin(radians), cy - radius * math.cos(radians)


def number(value):
    """Return `value` written for SVG: a dot as decimal point whatever the language, 2 decimals.

    Django's templates would localise a float ("12,5" in Finnish), which SVG cannot read.
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Sector:
    """One month's slice of the wheel, with its path and where its texts go."""

    month: MonthDuties
    start_angle: float
    end_angle: float
    start_point: tuple
    end_point: tuple
    path: str
    label: tuple
    now: tuple | None
    badge: tuple
    shade: int

    @property
    def count(self):
        """Return how many duties fall in the sector's month."""
        return len(self.month.duties)

    @property
    def href(self):
        """Return the link to the month's entry in the list."""
        return f"#{self.month.anchor}"


@dataclass(frozen=True)
class Wheel:
    """The geometry of a clock: sectors and the sizes the template draws them with.

    Coordinates and sizes are strings already written for SVG (see `number`).
    """

    size: int
    centre: str
    radius: str
    hole: str
    badge_radius: str
    font_size: str
    small_font_size: str
    sectors: list
    separators: str

    @property
    def view_box(self):
        """Return the SVG viewBox: the wheel scales to whatever width the page gives it."""
        return f"0 0 {self.size} {self.size}"

    @property
    def total(self):
        """Return how many duty-months the wheel shows: a duty in two months counts twice."""
        return sum(sector.count for sector in self.sectors)

    @property
    def current(self):
        """Return the sector of the current month, or None."""
        return next((sector for sector in self.sectors if sector.month.is_current), None)


def wheel(months, size=400):
    """Return the Wheel drawing `months` (from `months_with_duties`) in a `size` square.

    The first month's sector starts at the top and the sectors go clockwise, each an arc path
    "M cx cy L x1 y1 A r r 0 0 1 x2 y2 Z" from the centre; a sector's shade grows with its
    number of duties relative to the busiest month (0: none).
    """
    cx = cy = size / 2
    radius = size / 2 - size / 100  # a margin for the strokes of the rim
    span = 360 / len(months)
    busiest = max((len(month.duties) for month in months), default=0)
    sectors = []
    for index, month in enumerate(months):
        start, end = index * span, (index + 1) * span
        middle = (start + end) / 2
        x1, y1 = point(cx, cy, radius, start)
        x2, y2 = point(cx, cy, radius, end)
        large_arc = 1 if span > 180 else 0
        path = (f"M {number(cx)} {number(cy)} L {number(x1)} {number(y1)} "
                f"A {number(radius)} {number(radius)} 0 {large_arc} 1 {number(x2)} {number(y2)} Z")
        count = len(month.duties)
        label_x, label_y = point(cx, cy, radius * LABEL_AT, middle)
        now = None
        if month.is_current:
            # The word "now" goes under the month's name, the two lines centred where one was.
            now = _written((label_x, label_y + size * SMALL_FONT * 0.6))
            label_y -= size * FONT * 0.55
        sectors.append(Sector(
            month=month, start_angle=start, end_angle=end,
            start_point=(x1, y1), end_point=(x2, y2), path=path,
            label=_written((label_x, label_y)), now=now,
            badge=_written(point(cx, cy, radius * BADGE_AT, middle)),
            shade=math.ceil(SHADES * count / busiest) if count else 0,
        ))
    return Wheel(
        size=size, centre=number(cx), radius=number(radius), hole=number(radius * HOLE),
        badge_radius=number(radius * BADGE_SIZE), font_size=number(size * FONT),
        small_font_size=number(size * SMALL_FONT), sectors=sectors,
        # Drawn over the sectors: a sector's own outline would be half hidden by its neighbour.
        separators=" ".join(f"M {number(cx)} {number(cy)} L {number(sector.start_point[0])} "
                            f"{number(sector.start_point[1])}" for sector in sectors),
    )


def _written(xy):
    """Return the point `xy` written for SVG."""
    return number(xy[0]), number(xy[1])
