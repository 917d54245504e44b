"""The background task of the admin's sheet imports, run by `manage.py db_worker`."""

from django.apps import apps
from django.contrib import admin
from django_tasks import task

from imports import jobs


@task()
def import_sheet(job_id):
    """Check and import the confirmed admin sheet of job `job_id`, all rows or none."""
    return jobs.run(job_id, run_import)


def run_import(job, data, progress):
    """Import the job's sheet through the admin of its model, as the request would."""
    model_admin = admin.site.get_model_admin(apps.get_model(job.target))
    result = model_admin.import_sheet(data=data, options=job.options, file_name=job.file_name,
                                      user=job.user, progress=progress)
    return model_admin.outcome(result)
