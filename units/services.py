"""Writes that touch several models: making someone an organisation's administrator; finding
the person a line of a sheet or a pasted list means.

An organisation administrator is a staff login in the group of organisation administrators,
whose model permissions let it use the admin, with grants on one organisation (and so on the
organisations and units below it): the admin keeps them to it (units.admin.ScopedAdmin).
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from units.models import ACTIONS, Organisation, Person

ORGANISATION_ADMINISTRATORS = "Organisaation pääkäyttäjät"

# The model permissions of an organisation administrator, by app and model: the actions on
# everything of their organisations that the admin offers. Devices are retired, never deleted;
# the event log, loans and inventory rounds are records to read.
ADMINISTRATOR_PERMISSIONS = {
    "units": {"organisation": ("view", "add", "change"), "unit": ("view", "add", "change",
                                                                   "delete"),
              "person": ("view", "add", "change", "delete"), "sector": ("view",)},
    "roles": {"level": ("view", "add", "change", "delete"),
              "role": ("view", "add", "change", "delete"),
              "duty": ("view", "add", "change", "delete")},
    "matrix": {"assignment": ("view", "add", "change", "delete")},
    "devices": {"device": ("view", "add", "change"),
                "chargingcart": ("view", "add", "change", "delete"),
                "deviceevent": ("view",), "loan": ("view",), "inventoryround": ("view",)},
    "plans": {"actionplan": ("view", "add", "change", "delete"),
              "goal": ("view", "add", "change", "delete"),
              "action": ("view", "add", "change", "delete")},
}


def administrators_group(**kwargs):
    """Return the group of organisation administrators, its permissions brought up to date.

    Connected to post_migrate, so a new database has it; it creates the permissions it needs
    first, whichever app's migrations ran last.
    """
    for label in ADMINISTRATOR_PERMISSIONS:
        create_permissions(apps.get_app_config(label), verbosity=0)
    group, _created = Group.objects.get_or_create(name=ORGANISATION_ADMINISTRATORS)
    wanted = [Permission.objects.get(content_type__app_label=label,
                                     content_type__model=model, codename=f"{action}_{model}")
              for label, models in ADMINISTRATOR_PERMISSIONS.items()
              for model, actions in models.items() for action in actions]
    group.permissions.set(wanted)
    return group


@transaction.atomic
def organisation_administrator_appoint(*, user, organisation):
    """Make `user` an administrator of `organisation`: staff, in the group, with its grants."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(administrators_group())
    for action in ACTIONS.values():
        assign_perm(f"units.{action.organisation}", user, organisation)
    return user


def organisation_by_code_or_name(value):
    """Return the organisation whose slug or name is `value` (any case), or None."""
    value = (value or "").strip()
    if not value:
        return None
    return (Organisation.objects.filter(slug__iexact=value).first()
            or Organisation.objects.filter(name__iexact=value).first())


def find_person(*, name, organisation, email=""):
    """Return the person a line means, or None when there is no such person yet.

    By e-mail when one is given; otherwise, or when nobody has that e-mail, by name within
    `organisation` (the person's home) among those with no e-mail of their own. Raise
    ValidationError, saying why, when the name fits more than one person there.
    """
    email = (email or "").strip().lower()
    name = " ".join((name or "").split())
    if email:
        person = Person.objects.filter(email=email).first()
        if person is not None:
            return person
    if organisation is None or not name:
        return None
    people = Person.objects.filter(name__iexact=name, organisation=organisation)
    if email:
        people = people.filter(email="")
    matches = list(people[:2])
    if len(matches) > 1:
        raise ValidationError(_(
            "%(organisation)s has more than one person named %(name)s: give the e-mail to "
            "tell them apart.") % {"organisation": organisation.name, "name": name})
    return matches[0] if matches else None
