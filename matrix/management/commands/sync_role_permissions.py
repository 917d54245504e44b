"""Bring the unit permissions that roles grant in step with the assignments in force today."""

from django.core.management.base import BaseCommand

from matrix.services import sync_all_role_permissions


class Command(BaseCommand):
    """Regrant every role-granted unit permission; run daily, e.g. from cron shortly after midnight.

    Assignments written through the pages and the admin regrant at once; this catches the ones
    that start or end by date, and anything written around the services (an import, the shell).
    """

    help = ("Grant the unit permissions that current assignments' roles give, and take back "
            "those of assignments that have ended. Run daily.")

    def handle(self, *args, **options):
        """Synchronise and report how many permissions were granted and taken back."""
        granted, revoked = sync_all_role_permissions()
        self.stdout.write(f"Granted {granted}, revoked {revoked} role permissions.")
