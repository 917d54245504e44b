"""The year an organisation, a group or a plan counts in: a school year or a calendar year.

A school year (lukuvuosi) runs from 1 August to 31 July and is named by the year it starts in
("2025–2026"); a calendar year runs from January to December ("2025"). The annual clock, the
month picker and the action plans follow the kind of year of whoever they belong to.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class YearKind(models.TextChoices):
    """The kinds of year: the school year is the default, as in Finnish education."""

    SCHOOL = "school", _("School year (1 August – 31 July)")
    CALENDAR = "calendar", _("Calendar year (January – December)")


SCHOOL_YEAR_MONTHS = (8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7)
CALENDAR_YEAR_MONTHS = tuple(range(1, 13))


def year_months(kind):
    """Return the month numbers of a year of `kind` in order: August first for a school year."""
    return CALENDAR_YEAR_MONTHS if kind == YearKind.CALENDAR else SCHOOL_YEAR_MONTHS


def year_start(today, kind):
    """Return the year `today` falls in, as a year of `kind` is named (by its first month)."""
    first = year_months(kind)[0]
    return today.year if today.month >= first else today.year - 1


def year_span(year, kind):
    """Return the year of `kind` named by `year` as text: "2025–2026" or "2025"."""
    return str(year) if kind == YearKind.CALENDAR else f"{year}–{year + 1}"


def year_label(year, kind, end_year=None):
    """Return the year or period as a plan's page names it.

    One school year: "School year 2025–2026"; one calendar year: "Year 2025"; a period of
    several years (`end_year`, the last year it reaches into): "Period 2024–2026".
    """
    if end_year:
        return _("Period %(first)s–%(last)s") % {"first": year, "last": end_year}
    if kind == YearKind.CALENDAR:
        return _("Year %(year)s") % {"year": year}
    return _("School year %(years)s") % {"years": year_span(year, kind)}
