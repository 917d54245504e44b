"""`manage.py make_organisation_admin USERNAME ORGANISATION`: an organisation's admin login."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from units.models import Organisation
from units.services import organisation_administrator_appoint


class Command(BaseCommand):
    """Make a login the administrator of an organisation and of everything below it.

    The login becomes staff, joins the group of organisation administrators and is granted
    the organisation; the admin then shows it that organisation's objects and nothing else.
    """

    help = ("Make a login the administrator of an organisation (and of the organisations and "
            "units below it) in the admin.")

    def add_arguments(self, parser):
        parser.add_argument("username", help="an existing login")
        parser.add_argument("organisation", help="the organisation's slug")

    def handle(self, *args, username, organisation, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("Unknown login: %(value)s.") % {"value": username})
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(_("Unknown organisation: %(value)s.") % {"value": organisation})
        organisation_administrator_appoint(user=user, organisation=found)
        self.stdout.write(self.style.SUCCESS(
            _("%(user)s now administers %(organisation)s.") % {
                "user": username, "organisation": found.name}))
