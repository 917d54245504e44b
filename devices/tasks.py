"""The background task of the device import, run by `manage.py db_worker`."""

from django_tasks import task

from devices import services
from devices.models import Device
from imports import jobs
from units.history import log_import
from units.models import Unit


@task()
def import_devices(job_id):
    """Check and save the confirmed device sheet of job `job_id`, all rows or none."""
    return jobs.run(job_id, run_import)


def run_import(job, data, progress):
    """Import the job's device sheet by the user who confirmed it, with their rights today."""
    plan = services.devices_import(
        data=data, name=job.file_name, by=job.user, progress=progress,
        units=Unit.objects.for_user(job.user, "manage_devices"))
    return outcome(job, plan)


def outcome(job, plan):
    """Return the job outcome of `plan`; a saved import is logged in the admin's log."""
    if not plan.is_valid:
        return jobs.Outcome(problems=[jobs.problem(problem.line, problem.column, problem.message)
                                      for problem in plan.problems])
    log_import(job.user, Device, job.file_name, plan.summary())
    return jobs.Outcome(summary=plan.summary())
