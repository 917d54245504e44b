"""`manage.py export_person_data PERSON [--format json|xlsx] [--output FILE]`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from privacy.management import find_person
from privacy.services import personal_data_export


class Command(BaseCommand):
    """Write everything stored about one person, for their access request (GDPR art. 15)."""

    help = "Export everything stored about one person (by id or e-mail) as XLSX or JSON."

    def add_arguments(self, parser):
        parser.add_argument("person", help="the person's id or e-mail address")
        parser.add_argument("--format", choices=["xlsx", "json"], default="json")
        parser.add_argument("--output", help="the file to write (JSON: standard output by default)")

    def handle(self, *args, person, format, output=None, **options):
        if format == "xlsx" and not output:
            raise CommandError(_("An XLSX workbook needs --output FILE."))
        found = find_person(person)
        data = personal_data_export(found, format)
        if output:
            with open(output, "wb") as file:
                file.write(data)
            self.stderr.write(self.style.SUCCESS(
                _("Everything stored about %(person)s is in %(file)s.") % {
                    "person": found.name, "file": output}))
        else:
            self.stdout.write(data.decode())
