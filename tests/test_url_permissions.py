"""Every URL pattern the project serves, admin included, requested as every kind of user.

The patterns come from the URL resolver itself, so a page added tomorrow is requested too: each
pattern must be matched by exactly one rule of PATTERNS, or the suite fails. A rule names the
parameters the pattern is filled with (objects of municipality A, where the principal of unit A,
its tutor and device manager, and the organisation administrator work) and the answer each user
gets. Then every forbidden user's POST is refused the same way and writes nothing.

Rights come as in real life: the tutor, the principals and the device manager hold roles at their
units (computed access, no rows); the organisation administrator is a staff user with grants on
municipality A only (units.services.organisation_administrator_appoint); unit B belongs to
municipality B. tests/admin/test_scoped.py shows the administrator refused B's objects.
"""

import datetime
from fnmatch import fnmatchcase

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from devices import services as device_services
from devices.models import ChargingCart, Device, DeviceEvent, InventoryRound, Loan
from guard.models import FailedLogin, SuccessfulLogin
from imports.models import ImportJob
from matrix import services as matrix_services
from matrix.models import Assignment
from plans.models import Action, ActionPlan, Goal
from privacy.models import PrivacyNotice
from roles.models import Duty, Level, Role
from tests.factories import (
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from tests.matrix.grants import unit_permissions
from units.models import (
    Organisation,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
    Person,
    Sector,
    Unit,
    UnitGroupObjectPermission,
    UnitUserObjectPermission,
)
from units.services import organisation_administrator_appoint

USERS = ("anonymous", "nobody", "tutor", "principal_a", "principal_b", "device_manager_a",
         "organisation_admin", "superuser")


def walk(resolver=None, prefix="", namespace=""):
    """Yield (name, route) of every URL pattern below `resolver`, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name or ""]))
            yield name, prefix + str(pattern.pattern)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build municipality A with a unit, roles, people, devices and a plan; B with a unit."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = _build_world()
        world["sessions"] = {user: _session_of(login) for user, login in world["users"].items()
                             if login}
        yield world
        transaction.set_rollback(True)


def _session_of(user):
    """Return the key of a new session logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_of(world, user):
    """Return a new client logged in as the world's `user` (one of USERS) in its own session.

    The sessions are made once a module: a page that logs out ends one for its test only.
    """
    client = Client()
    if user in world["sessions"]:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][user]
    return client


def _build_world():
    municipality = OrganisationFactory(name="Kunta A", slug="kunta-a")
    elsewhere = OrganisationFactory(name="Kunta B", slug="kunta-b")
    unit_a = UnitFactory(organisation=municipality, slug="koulu-a")
    unit_b = UnitFactory(organisation=elsewhere, slug="koulu-b")
    level = LevelFactory(organisation=municipality)
    level_b = LevelFactory(organisation=elsewhere)

    def role(level, slug, *codenames, **kwargs):
        made = RoleFactory(level=level, slug=slug, **kwargs)
        made.unit_permissions.set(unit_permissions(*codenames))
        return made

    principal = role(level, "rehtori", "view_unit", "manage_assignments", "manage_devices")
    principal_b = role(level_b, "rehtori-b", "view_unit", "manage_assignments",
                       "manage_devices")
    tutor = role(level, "digitutor", "view_unit")
    device_manager = role(level, "laitevastaava", "view_unit", "manage_devices")
    group = role(level, "digiryhma", scope=Role.Scope.ORGANISATION, is_group=True)
    duty = DutyFactory(role=tutor, months=[9])

    users = {"anonymous": None, "nobody": UserFactory(username="nobody"),
             "superuser": UserFactory(username="root", is_staff=True, is_superuser=True)}
    people = {}
    for name, held, unit in (("tutor", tutor, unit_a), ("principal_a", principal, unit_a),
                             ("principal_b", principal_b, unit_b),
                             ("device_manager_a", device_manager, unit_a)):
        user = UserFactory(username=name)
        person = PersonFactory(organisation=unit.organisation, user=user)
        matrix_services.assignment_create(person=person, role=held, unit=unit)
        users[name], people[name] = user, person
    users["organisation_admin"] = organisation_administrator_appoint(
        user=UserFactory(username="organisation_admin"), organisation=municipality)
    member = matrix_services.assignment_create(person=people["tutor"], role=group,
                                               organisation=municipality, is_chair=True)

    cart = ChargingCart.objects.create(unit=unit_a, name="Vaunu 1", slots=10)
    device = device_services.device_register(by=None, unit=unit_a, category="tablet",
                                             asset_tag="A-1")
    device_services.device_check_out(device=device, by=None, holder=people["tutor"])
    inventory = device_services.inventory_start(unit=unit_a, by=None)
    plan = ActionPlan.objects.create(organisation=municipality, year=2025, title="Suunnitelma")
    goal = Goal.objects.create(plan=plan, text="Tavoite", development_area="competence")
    action = Action.objects.create(goal=goal, text="Toimenpide", responsible_role=tutor)
    group_of_people = Group.objects.create(name="Tukihenkilöt")
    login_record = {"username": "nobody", "ip_address": "192.0.2.1", "user_agent": "Selain",
                    "http_accept": "text/html", "path_info": "/login/"}
    failed_login = FailedLogin.objects.create(**login_record, get_data="", post_data="",
                                              failures_since_start=5)
    successful_login = SuccessfulLogin.objects.create(**login_record)
    job = ImportJob.objects.create(user=users["organisation_admin"], target="devices.device",
                                   file_name="laitteet.csv", status=ImportJob.Status.DONE)
    admin_objects = {
        Organisation: municipality, Unit: unit_a, Person: people["tutor"],
        Sector: Sector.objects.get(code="perusopetus"), Level: level, Role: tutor, Duty: duty,
        Assignment: member, Device: device, ChargingCart: cart, DeviceEvent: device.events.first(),
        Loan: device.loans.first(), InventoryRound: inventory, ActionPlan: plan, Goal: goal,
        Action: action, get_user_model(): users["nobody"], Group: group_of_people,
        PrivacyNotice: PrivacyNotice.current(), FailedLogin: failed_login,
        SuccessfulLogin: successful_login,
    }
    return {
        "users": users, "unit": unit_a, "organisation": municipality, "device": device,
        "assignment": Assignment.objects.get(role=principal, unit=unit_a),
        "inventory": inventory, "group": group, "plan": plan, "admin_objects": admin_objects,
        "job": job,
        "day": datetime.date.today(),
    }


# What a page needs in its query string to be a real request of it, filled from `world`.
QUERIES = {
    "admin/autocomplete/": "?app_label=units&model_name=unit&field_name=organisation",
    "admin/plans/action/role-autocomplete/": (
        "?app_label=plans&model_name=action&field_name=responsible_role"
        "&organisation={organisation.pk}"),
}
# The end of the pattern of one version of an object in the admin's history.
HISTORY_VERSION = "^([^/]+)/history/([^/]+)/$"
# Patterns written as regular expressions (by their start), and the address each one is
# requested at.
REGEX_ROUTES = {"admin/^(?P<app_label>": "/admin/units/",
                "admin/(?P<url>.*)$": "/admin/no-such-page/"}

# The answer each of USERS gets, in USERS' order:
#   anonymous, nobody, tutor A, principal A, principal B, device manager A, organisation admin A,
#   superuser. 302 for the anonymous (and non-staff in the admin) is the way to the login page.
LOGIN_PAGE = (200, 302, 302, 302, 302, 302, 302, 302)
# Public pages, such as the privacy notice: everyone reads them, logged in or not.
PUBLIC = (200,) * 8
POST_ONLY = (405,) * 8
ALWAYS_REDIRECTS = (302,) * 8
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200, 200)
UNIT_VIEWERS = (302, 404, 200, 200, 404, 200, 200, 200)
UNIT_ASSIGNMENT_MANAGERS = (302, 404, 404, 200, 404, 404, 200, 200)
UNIT_DEVICE_MANAGERS = (302, 404, 404, 200, 404, 200, 200, 200)
# The tutor is a member of municipality A's working group: being a member lets one view the
# group's organisation (computed, view only; its device pages list only the units one may view).
ORGANISATION_VIEWERS = (302, 404, 200, 404, 404, 404, 200, 200)
# Roles, duties and plans without names: anyone who may view a unit of the organisation.
ORGANISATION_UNIT_VIEWERS = (302, 404, 200, 200, 404, 200, 200, 200)
ADMIN_LOGIN = (200, 200, 200, 200, 200, 200, 302, 302)
ADMIN_STAFF = (302, 302, 302, 302, 302, 302, 200, 200)
# The organisation administrator, for the objects of their municipality, and the superuser.
ADMIN_ORGANISATION = (302, 302, 302, 302, 302, 302, 200, 200)
# What belongs to no organisation, or what an organisation's administrator may not do.
ADMIN_SUPERUSER = (302, 302, 302, 302, 302, 302, 403, 200)
# Records and fixed rows that nobody adds or deletes in the admin, not even the superuser.
ADMIN_NOBODY = (302, 302, 302, 302, 302, 302, 403, 403)
ADMIN_NOT_FOUND = (302, 302, 302, 302, 302, 302, 404, 404)
ADMIN_POST_ONLY = (302, 302, 302, 302, 302, 302, 405, 405)
# An import's page: the user who started it (here the organisation administrator), no one else.
IMPORT_STARTER = (302, 404, 404, 404, 404, 404, 200, 404)

# (route pattern, answers): the first rule whose pattern (fnmatch, "*" spans slashes) matches a
# route decides its answers. Every route needs a rule, and every rule must match some route.
PATTERNS = [
    ("login/", LOGIN_PAGE),
    ("logout/", POST_ONLY),
    ("i18n/setlang/", ALWAYS_REDIRECTS),
    ("tietosuojaseloste/", PUBLIC),
    # The health check answers monitoring, which logs in nowhere.
    ("healthz", PUBLIC),
    (".well-known/security.txt", PUBLIC),
    ("", SIGNED_IN),
    ("me/", SIGNED_IN),
    ("units/<slug:slug>/", UNIT_VIEWERS),
    ("units/<slug:slug>/grid/", UNIT_VIEWERS),
    ("units/<slug:slug>/export/<str:fmt>/", UNIT_VIEWERS),
    ("units/<slug:slug>/assignments/*", UNIT_ASSIGNMENT_MANAGERS),
    ("units/<slug:slug>/devices/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/add/", UNIT_DEVICE_MANAGERS),
    ("units/<slug:slug>/devices/carts/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/export/<str:fmt>/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/reports/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/inventory/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/inventory/<int:pk>/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/inventory/<int:pk>/close/", UNIT_DEVICE_MANAGERS),
    ("units/<slug:slug>/devices/handout/", UNIT_DEVICE_MANAGERS),
    ("units/<slug:slug>/devices/receipt/", UNIT_DEVICE_MANAGERS),
    ("units/<slug:slug>/devices/labels/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/<str:tag>/", UNIT_VIEWERS),
    ("units/<slug:slug>/devices/<str:tag>/edit/", UNIT_DEVICE_MANAGERS),
    ("units/<slug:slug>/devices/<str:tag>/<str:action>/", UNIT_DEVICE_MANAGERS),
    ("organisations/<slug:slug>/", ORGANISATION_VIEWERS),
    ("organisations/<slug:slug>/coverage/*", ORGANISATION_VIEWERS),
    ("organisations/<slug:slug>/health/", ORGANISATION_VIEWERS),
    ("organisations/<slug:slug>/clock/", ORGANISATION_UNIT_VIEWERS),
    ("organisations/<slug:slug>/copy-differences/", ORGANISATION_VIEWERS),
    ("organisations/<slug:slug>/groups/<slug:role>/", ORGANISATION_UNIT_VIEWERS),
    ("organisations/<slug:slug>/devices/*", ORGANISATION_VIEWERS),
    ("organisations/<slug:slug>/plans/*", ORGANISATION_UNIT_VIEWERS),
    ("imports/<int:pk>/*", IMPORT_STARTER),
    ("admin/login/", ADMIN_LOGIN),
    ("admin/logout/", ADMIN_POST_ONLY),
    ("admin/", ADMIN_STAFF),
    ("admin/jsi18n/", ADMIN_STAFF),
    ("admin/password_change/*", ADMIN_STAFF),
    ("admin/autocomplete/", ADMIN_ORGANISATION),
    ("admin/r/<path:content_type_id>/<path:object_id>/", ADMIN_NOT_FOUND),
    ("admin/^(?P<app_label>*", ADMIN_ORGANISATION),
    ("admin/(?P<url>.*)$", ADMIN_NOT_FOUND),
    ("admin/*/<object_pk>/permissions/", ADMIN_ORGANISATION),
    # Granting to one user (here one who works nowhere) or to a group: the superuser's.
    ("admin/*/<object_pk>/permissions/*-manage/*", ADMIN_SUPERUSER),
    # The event log, loans and inventory rounds are records; sectors and the privacy notice
    # come from a migration; devices are retired, never deleted.
    ("admin/devices/deviceevent/add/", ADMIN_NOBODY),
    ("admin/devices/loan/add/", ADMIN_NOBODY),
    ("admin/devices/inventoryround/add/", ADMIN_NOBODY),
    ("admin/units/sector/add/", ADMIN_NOBODY),
    ("admin/privacy/privacynotice/add/", ADMIN_NOBODY),
    # Logins are recorded by django-axes as people log in.
    ("admin/guard/*/add/", ADMIN_NOBODY),
    ("admin/*/<path:object_id>/delete/", None),  # decided below, by model
    ("admin/plans/action/role-autocomplete/", ADMIN_ORGANISATION),
    # Confirming an import answers a GET by going back to the upload.
    ("admin/devices/device/process_import/", ALWAYS_REDIRECTS),
    ("admin/*/process_import/", ADMIN_POST_ONLY),
    # The old address of a change page only redirects to it.
    # Adding a group's members from a list: for those who may change the role.
    ("admin/roles/role/<path:object_id>/members/", ADMIN_ORGANISATION),
    ("admin/*/<path:object_id>/", ALWAYS_REDIRECTS),
    ("admin/auth/*", ADMIN_SUPERUSER),
    # The privacy notice speaks for the whole site: the superuser's to read and change here.
    ("admin/privacy/*", ADMIN_SUPERUSER),
    # Login attempts and the lock-out belong to no organisation.
    ("admin/guard/*", ADMIN_SUPERUSER),
    ("admin/*", ADMIN_ORGANISATION),
]
UNDELETABLE = {"devices/device", "devices/deviceevent", "devices/loan", "devices/inventoryround",
               "units/sector", "privacy/privacynotice"}
# Deleted by the superuser only: logins, groups, organisations (not by their own admins), and
# login records (deleting a failed attempt releases its lock).
SUPERUSERS_DELETE = {"auth/user", "auth/group", "units/organisation", "guard/failedlogin",
                     "guard/successfullogin"}


def expected(route):
    """Return the rule of PATTERNS that decides `route`, and the answers it gives."""
    for pattern, answers in PATTERNS:
        if fnmatchcase(route, pattern):
            if answers is None:  # a delete page: refused for records, else the admin's rule
                model = "/".join(route.split("/")[1:3])
                answers = (ADMIN_NOBODY if model in UNDELETABLE else ADMIN_SUPERUSER
                           if model in SUPERUSERS_DELETE else ADMIN_ORGANISATION)
            return pattern, answers
    return None, None


ROUTES = sorted({route for _name, route in walk()})


def _admin_model(route):
    """Return the model an admin route such as admin/units/unit/… is about, or None."""
    parts = route.split("/")
    if len(parts) > 3 and parts[0] == "admin":
        try:
            return apps.get_model(parts[1], parts[2])
        except LookupError:
            return None
    return None


def address(route, world):
    """Return the address of the pattern `route`, filled with objects of municipality A."""
    for start, url in REGEX_ROUTES.items():
        if route.startswith(start):
            return url
    model = _admin_model(route)
    obj = world["admin_objects"].get(model) if model else None
    if route.endswith(HISTORY_VERSION):  # one version of an object, in its history
        version = obj.history.order_by("history_id").first()
        return f"/{route.removesuffix(HISTORY_VERSION)}{obj.pk}/history/{version.history_id}/"
    on_unit = route.startswith("units/")
    values = {
        "slug": world["unit"].slug if on_unit else world["organisation"].slug,
        "tag": world["device"].asset_tag,
        "pk": (world["inventory"].pk if "inventory" in route
               else world["job"].pk if route.startswith("imports/")
               else world["assignment"].pk),
        "fmt": "csv", "action": "return", "role": world["group"].slug,
        "year": world["plan"].year, "object_id": obj.pk if obj else "",
        "object_pk": obj.pk if obj else "", "id": world["users"]["nobody"].pk,
        "user_id": world["users"]["nobody"].pk, "group_id": world["admin_objects"][Group].pk,
        "content_type_id": ContentType.objects.get_for_model(Unit).pk,
    }
    url = "/" + route
    while "<" in url:
        start, end = url.index("<"), url.index(">")
        url = url[:start] + str(values[url[start + 1:end].split(":")[-1]]) + url[end + 1:]
    return url + QUERIES.get(route, "").format(organisation=world["organisation"])


def answers(world, url, method="get"):
    """Return the status each of USERS gets for `url`."""
    return tuple(getattr(client_of(world, user), method)(url).status_code for user in USERS)


def test_every_route_has_a_rule_and_every_rule_a_route():
    missing = [route for route in ROUTES if expected(route)[0] is None]
    assert not missing, f"Add these routes to PATTERNS: {missing}"
    used = {expected(route)[0] for route in ROUTES}
    assert [pattern for pattern, _answers in PATTERNS if pattern not in used] == []


# What a refused request may answer: the way to a login page, refused, not found, wrong method.
REFUSALS = {302, 403, 404, 405}
# Every table a refused write could touch.
WRITTEN = [Organisation, Unit, Person, Level, Role, Duty, Assignment, Device, Loan, DeviceEvent,
           ChargingCart, InventoryRound, ActionPlan, Goal, Action, PrivacyNotice, Group,
           get_user_model(),
           UnitUserObjectPermission, UnitGroupObjectPermission, OrganisationUserObjectPermission,
           OrganisationGroupObjectPermission]


def row_counts():
    """Return how many rows each table of WRITTEN has."""
    return [model.objects.count() for model in WRITTEN]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_each_user_gets_the_declared_answer(world, route):
    _pattern, declared = expected(route)
    url = address(route, world)
    assert answers(world, url) == declared, url


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_a_refused_user_cannot_write_through_a_post_either(world, route):
    _pattern, declared = expected(route)
    url = address(route, world)
    before = row_counts()
    for user, answer in zip(USERS, declared, strict=True):
        refused = answer in (403, 404) or (user == "anonymous" and answer == 302)
        if not refused:
            continue
        assert client_of(world, user).post(url, {"note": "x"}).status_code in REFUSALS, (
            user, url)
    assert row_counts() == before
