"""`manage.py purge_personal_data [--dry-run]`: remove the personal data kept too long."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from privacy.services import personal_data_purge


class Command(BaseCommand):
    """Remove the pupil codes and notes of old loans and end the links of people who left.

    Run it daily (README: "Data protection"); it only removes what is past the retention
    period (settings.VASTUU_RETENTION_MONTHS), so running it again changes nothing.
    """

    help = ("Remove pupil codes and notes of loans returned more than VASTUU_RETENTION_MONTHS "
            "months ago and end the roles and logins of people who left.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would be removed and change nothing")

    def handle(self, *args, dry_run=False, **options):
        purge = personal_data_purge(dry_run=dry_run)
        for line in purge.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Dry run: nothing was changed.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Personal data purged.")))
