"""The device reports of a unit and of an organisation: four findings, each with its own limit.

The limits come from the query string through a form, so a link keeps them. A limit that is not
a number in range falls back to its default and the form says why: a report never fails.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from devices import reports
from devices.models import Device
from units.access import organisation_or_404, unit_or_404
from units.models import Unit


class ReportLimitsForm(forms.Form):
    """The limits of the reports; an empty or wrong one means its default."""

    days = forms.IntegerField(
        label=_("Billed devices not seen in use for more than (days)"),
        min_value=1, max_value=3650, required=False, initial=30)
    fault_days = forms.IntegerField(
        label=_("Faults open for more than (days)"),
        min_value=1, max_value=3650, required=False, initial=14)
    lease_months = forms.IntegerField(
        label=_("Leases ending within (months)"),
        min_value=0, max_value=120, required=False, initial=3)

    def limits(self):
        """Return every limit: the value given where it is valid, else the default.

        A wrong value keeps its error for the page but shows the default it fell back to.
        """
        if not self.is_bound:
            return {name: field.initial for name, field in self.fields.items()}
        self.is_valid()
        limits, shown = {}, self.data.copy()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            limits[name] = field.initial if value is None else value
            shown[name] = limits[name]
        self.data = shown
        return limits


def _limits_form(request):
    # Unbound without parameters, so the inputs show the defaults and no error.
    return ReportLimitsForm(request.GET if request.GET else None)


def _run(devices, limits):
    """Return the four reports over `devices` with `limits`, in the order the page shows them."""
    return {
        "unseen": reports.unseen_billed(devices, days=limits["days"]),
        "faults": reports.old_faults(devices, days=limits["fault_days"]),
        "leases": reports.ending_leases(devices, months=limits["lease_months"]),
        "missing": reports.not_found_in_last_round(devices),
    }


@login_required
def unit_reports(request, slug):
    """Show the unit's billed devices not in use, old faults, ending leases and missing devices."""
    unit = unit_or_404(request.user, slug, "view")
    form = _limits_form(request)
    limits = form.limits()
    found = _run(Device.objects.in_unit(unit), limits)
    return render(request, "devices/reports.html", {
        "unit": unit,
        "current": "reports",
        "form": form,
        "limits": limits,
        **found,
        "unseen_cost": reports.monthly_cost(found["unseen"]),
        "last_round": reports.with_tally(unit.inventory_rounds.closed())
        .order_by("-closed_at", "-pk").first(),
    })


@login_required
def organisation_reports(request, slug):
    """Show the four reports across the organisation's units the user may view, by unit."""
    organisation = organisation_or_404(request.user, slug)
    units = list(Unit.objects.for_user(request.user).in_organisation(organisation)
                 .order_by("name"))
    form = _limits_form(request)
    limits = form.limits()
    found = _run(Device.objects.filter(unit__in=[unit.pk for unit in units]), limits)
    counts = {key: reports.count_by_unit(rows) for key, rows in found.items()}
    summary = [
        {"unit": unit, **{key: counts[key][unit.pk] for key in found}}
        for unit in units
    ]
    return render(request, "devices/organisation_reports.html", {
        "organisation": organisation,
        "form": form,
        "limits": limits,
        **found,
        "unseen_cost": reports.monthly_cost(found["unseen"]),
        "summary": [row for row in summary if any(row[key] for key in found)],
        "unit_count": len(units),
    })
