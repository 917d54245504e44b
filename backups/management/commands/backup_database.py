"""`manage.py backup_database FILE`: a consistent copy of the whole database in one file."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from backups.dumps import BackupError, backup


class Command(BaseCommand):
    """Back up the database: pg_dump's custom format on PostgreSQL, a copy of the file on SQLite.

    The server may go on running: the copy is one consistent moment either way. Schedule it
    (README: "Backups") and keep the files, with the secret key, away from the server.
    """

    help = ("Back up the whole database to FILE while the server runs: pg_dump --format=custom "
            "on PostgreSQL, SQLite's online backup on SQLite. Restore with restore_database.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write (replaced if it exists)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS,
                            help="the database alias of the settings (default: %(default)s)")
        parser.add_argument("--bin-dir", metavar="FOLDER",
                            help="the folder of pg_dump when it is not the one on PATH")

    def handle(self, *args, file, database, bin_dir, **options):
        """Write the backup and say where and how big it is."""
        connection = connections[database]
        try:
            size = backup(connection, file, bin_dir=bin_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            _("Backed up the database %(database)s to %(file)s (%(size).1f MB).") % {
                "database": connection.settings_dict["NAME"], "file": file,
                "size": size / 1e6}))
