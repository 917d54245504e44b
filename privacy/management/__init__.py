"""What the data-protection commands share."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from units.models import Person


def find_person(value):
    """Return the person whose id or e-mail address is `value`; raise CommandError if none."""
    found = (Person.objects.filter(pk=int(value)) if value.isdigit()
             else Person.objects.filter(email__iexact=value.strip()))
    person = found.select_related("organisation", "user").first()
    if person is None:
        raise CommandError(_("Unknown person: %(value)s.") % {"value": value})
    return person
