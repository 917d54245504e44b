"""`manage.py import_devices FILE`: import the device sheet, all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from devices.importing import SheetError, no_progress
from devices.services import devices_import
from imports.sheets import check_size
from units.models import Organisation, Unit


class Command(BaseCommand):
    """Import devices from a CSV or Excel file in the columns of the register's export.

    Every row is checked first; one bad row and nothing is saved, and every bad row is listed
    with its line (the header is line 1) and reason. A device already registered (by asset tag)
    is updated, not duplicated. The limits of every import hold (VASTUU_IMPORT_MAX_BYTES,
    VASTUU_IMPORT_MAX_ROWS, and what an .xlsx may unpack to). The exit status is 1 when the file
    is refused.
    """

    help = ("Import devices from a .csv or .xlsx file in the columns of the register's export. "
            "All rows or none are saved; every bad row is listed by its line.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and report what would change; save nothing")
        parser.add_argument("--unit", metavar="SLUG",
                            help="import only devices of this unit; rows may leave the unit empty")
        parser.add_argument("--organisation", metavar="SLUG",
                            help="import only devices of units of this organisation (or below)")

    def handle(self, *args, file, dry_run, unit, organisation, verbosity, **options):
        """Check the file, list its bad rows or save it, and say what was done."""
        path = Path(file)
        try:
            # The limits of every import apply here too: the size before the file is read.
            check_size(path.stat().st_size)
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {
                "file": file, "error": error.strerror}) from error
        except SheetError as error:
            raise CommandError(str(error)) from error
        units = Unit.objects.all()
        if organisation:
            found = Organisation.objects.filter(slug=organisation).first()
            if found is None:
                raise CommandError(_("Unknown organisation: %(value)s.") % {"value": organisation})
            units = units.in_organisation(found)
        default_unit = None
        if unit:
            default_unit = (Unit.objects.select_related("organisation__parent__parent")
                            .filter(slug=unit).first())
            if default_unit is None:
                raise CommandError(_("Unknown unit: %(value)s.") % {"value": unit})
        try:
            plan = devices_import(data=data, name=path.name, units=units, unit=default_unit,
                                  dry_run=dry_run, progress=self._progress(verbosity))
        except SheetError as error:
            raise CommandError(str(error)) from error
        if not plan.is_valid:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            lines = len({problem.line for problem in plan.problems})
            raise CommandError(ngettext(
                "%(count)d line has problems: nothing was saved.",
                "%(count)d lines have problems: nothing was saved.", lines) % {"count": lines})
        if dry_run:
            self.stdout.write(_("The file is valid: %(summary)s Nothing was saved (dry run).")
                              % {"summary": plan.summary()})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported: %(summary)s") % {
                "summary": plan.summary()}))

    def _progress(self, verbosity):
        """Return a tqdm progress bar factory writing to stderr, or none at verbosity 0."""
        if verbosity == 0:
            return no_progress
        stream = getattr(self.stderr, "_out", self.stderr)

        def progress(iterable=None, **kwargs):
            return tqdm(iterable, file=stream, mininterval=0.5, **kwargs)

        return progress
