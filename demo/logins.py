"""Load the demo logins: users with known passwords, for trying Vastuu out and never for production.

The format is described in demo.loader. Every load resets the passwords to the file's, so the
printed logins always work.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from guardian.shortcuts import assign_perm

from units.models import Organisation, Person, Unit
from units.services import organisation_administrator_appoint

from .common import boolean, fields, pick, save, string, strings, upsert


def load_logins(entries, where, report):
    """Create or update the demo users, link them to their people and grant unit permissions."""
    permissions = set(Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(Unit)).values_list("codename", flat=True))
    for order, data in enumerate(entries):
        login_where = where / f"login {order + 1}"
        fields(data, login_where, required=("username", "password"),
               optional=("superuser", "person", "unit_permissions", "administers"))
        username = string(data, "username", login_where)
        _load_login(data, username, where / f"login {username!r}", permissions, report)


def _load_login(data, username, where, permissions, report):
    """Create or update one user; add it to the report with its password."""
    password = string(data, "password", where)
    superuser = boolean(data, "superuser", where, False)
    email = string(data, "person", where).lower()
    person = Person.objects.filter(email=email).first() if email else None
    if email and person is None:
        raise where.error(f"unknown person {email!r}: name someone from the directory by email")
    first_name, _space, last_name = person.name.rpartition(" ") if person else ("", "", "")
    values = {"username": username, "password": make_password(password), "is_active": True,
              "is_staff": superuser, "is_superuser": superuser, "email": email,
              "first_name": first_name, "last_name": last_name}
    user_model = get_user_model()
    user = upsert(user_model, where, report, lookup={"username": username}, values=values)
    if person is not None and person.user_id != user.pk:
        # A login belongs to one person: take it from whoever the file named before.
        Person.objects.filter(user=user).update(user=None)
        person.user = user
        save(person, where)
    units = _grant(user, data.get("unit_permissions") or {}, permissions, where)
    administers = string(data, "administers", where)
    if administers:
        organisation = Organisation.objects.filter(slug=administers).first()
        if organisation is None:
            raise where.error(f"unknown organisation {administers!r} to administer")
        # The upsert made the login no staff; appointing makes it so again.
        organisation_administrator_appoint(user=user, organisation=organisation)
    if superuser:
        who = "administrator"
    elif administers:
        who = f"administrator of {organisation.name}"
    else:
        who = ", ".join(filter(None, [person and person.name, *(unit.name for unit in units)]))
    report.logins.append((username, password, who))


def _grant(user, grants, permissions, where):
    """Grant `user` the permissions `grants` maps unit slugs to; return the units."""
    if not isinstance(grants, dict):
        raise where.error("'unit_permissions' should map unit slugs to lists of permissions")
    units = []
    for slug, codenames in grants.items():
        grant_where = where / f"unit {slug!r}"
        unit = Unit.objects.filter(slug=slug).first()
        if unit is None:
            raise grant_where.error("unknown unit slug")
        codenames = strings({"unit_permissions": codenames}, "unit_permissions", grant_where)
        pick({codename: codename for codename in permissions}, codenames, grant_where,
             "unit permission")
        for codename in codenames:
            assign_perm(f"units.{codename}", user, unit)
        units.append(unit)
    return units
