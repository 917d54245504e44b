"""Builders shared by the assignment tests: roles that grant unit permissions, and fresh users."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from tests.factories import LevelFactory, PersonFactory, RoleFactory, UserFactory


def unit_permissions(*codenames):
    """Return the permissions on units named by `codenames`."""
    return Permission.objects.filter(content_type__app_label="units",
                                     content_type__model="unit", codename__in=codenames)


def granting_role(organisation, *codenames, **kwargs):
    """Return a unit role of `organisation` whose holders get `codenames` on their unit."""
    role = RoleFactory(level=LevelFactory(organisation=organisation), **kwargs)
    role.unit_permissions.set(unit_permissions(*codenames))
    return role


def person_with_login(organisation, username):
    """Return a person of `organisation` with a login called `username`."""
    return PersonFactory(organisation=organisation, user=UserFactory(username=username))


def fresh(user):
    """Return `user` read again: a user object remembers its permissions for its lifetime."""
    return get_user_model().objects.get(pk=user.pk)
