"""The page of an import job, and the little JSON document its script follows it by.

Only the user who started a job sees it: anyone else is answered 404, as for any object they
may not see.
"""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from imports.models import ImportJob


def _job_or_404(request, pk):
    """Return the job `pk` if the user started it, else raise Http404."""
    return get_object_or_404(ImportJob.objects.started_by(request.user), pk=pk)


@login_required
@require_GET
def job(request, pk):
    """Show an import: its progress while it runs, what it did or every bad line when done."""
    found = _job_or_404(request, pk)
    return render(request, "imports/job.html", {
        "job": found, "count": _count(found), "links": _links(found)})


@login_required
@require_GET
def job_status(request, pk):
    """Return the job's state as JSON, for the page to follow without reloading."""
    found = _job_or_404(request, pk)
    return JsonResponse({
        "status": found.status, "status_label": found.get_status_display(),
        "phase_label": found.get_phase_display(), "done": found.done, "total": found.total,
        "count": _count(found), "finished": found.is_finished,
    })


def _count(job):
    """Return how many rows of the phase are done, in words ("" while unknown)."""
    if not job.total:
        return ""
    return _("%(done)s of %(total)s rows") % {
        "done": number_format(job.done, force_grouping=True),
        "total": number_format(job.total, force_grouping=True)}


def _links(job):
    """Return the admin's list and import page of what the job imports, if they exist."""
    app_label, _dot, model_name = job.target.partition(".")
    try:
        return {"list": reverse(f"admin:{app_label}_{model_name}_changelist"),
                "upload": reverse(f"admin:{app_label}_{model_name}_import")}
    except NoReverseMatch:
        return {}
