"""`manage.py restore_database FILE [--force]`: restore a backup of backup_database."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from backups.dumps import BackupError, restore


class Command(BaseCommand):
    """Restore a backup into the database, which must be new and empty unless --force.

    On PostgreSQL create the database first (createdb); on SQLite the file is made. Stop the
    server while restoring, and run `migrate` afterwards when the backup is older than the code.
    """

    help = ("Restore a backup made by backup_database into the database of the settings. The "
            "database must be empty (a new one) unless --force replaces what it holds.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup file of backup_database")
        parser.add_argument("--force", action="store_true",
                            help="replace what the database holds (the tables the backup has)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS,
                            help="the database alias of the settings (default: %(default)s)")
        parser.add_argument("--bin-dir", metavar="FOLDER",
                            help="the folder of pg_restore when it is not the one on PATH")

    def handle(self, *args, file, force, database, bin_dir, **options):
        """Restore the backup and say into which database."""
        connection = connections[database]
        try:
            restore(connection, file, force=force, bin_dir=bin_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            _("Restored %(file)s into the database %(database)s. Run migrate if the backup is "
              "older than this version of Vastuu.") % {
                "file": file, "database": connection.settings_dict["NAME"]}))
