"""`manage.py erase_person PERSON [--yes]`: remove a person's personal data (GDPR art. 17)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from privacy.management import find_person
from privacy.services import person_erase


class Command(BaseCommand):
    """Erase one person: their roles end, their login goes, their name leaves the history."""

    help = ("Erase a person (by id or e-mail): end their roles, delete their login and remove "
            "them from loans, events and history. Refused while they hold a device.")

    def add_arguments(self, parser):
        parser.add_argument("person", help="the person's id or e-mail address")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, person, yes=False, **options):
        found = find_person(person)
        if not yes:
            answer = input(_("Erase %(person)s for good? Type yes: ") % {"person": found.name})
            if answer.strip().lower() not in ("yes", _("yes")):
                raise CommandError(_("Nothing was erased."))
        name = found.name
        try:
            erased = person_erase(person=found)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(
            _("%(person)s was erased; what remains is %(remains)s.") % {
                "person": name, "remains": erased.name}))
