"""The background tasks are followed on each import's own page, not in the admin.

django-tasks-db registers its task results in the admin, tracebacks and all; an import's
traceback goes to the server's log instead, and no page shows one.
"""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
