"""Builders shared by the assignment tests: roles that grant unit permissions, and fresh users."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from tests.factories import LevelFactory, PersonFactory, RoleFactory, UserFactory
from units.models import UnitUserObjectPermission


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
    """Return `user` read again: guardian caches a user's object permissions on the instance."""
    return get_user_model().objects.get(pk=user.pk)


def role_rows(user):
    """Return the codenames and unit slugs `user` holds through roles, as a set of pairs."""
    return set(UnitUserObjectPermission.objects.filter(user=user, via_role=True)
               .values_list("permission__codename", "content_object__slug"))
