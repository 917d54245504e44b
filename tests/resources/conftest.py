"""A small matrix, and helpers to snapshot the matrix and to run a sheet through a file."""

import pytest

from roles.models import Duty, Level, Role
from tests.factories import DutyFactory, LevelFactory, OrganisationFactory, RoleFactory
from units.models import Organisation
from units.resources import CSV, XLSX

FORMATS = {"csv": CSV, "xlsx": XLSX}


@pytest.fixture
def region(db):
    """Return a region with a role of its own that its municipalities' roles can refer to."""
    organisation = OrganisationFactory(name="Pohjois-Savo", slug="pohjois-savo",
                                       kind=Organisation.Kind.REGION)
    level = LevelFactory(organisation=organisation, name="Seutu", order=0)
    RoleFactory(level=level, name="Seudullinen TVT-ryhmä", slug="tvt-ryhma",
                scope="organisation")
    return organisation


@pytest.fixture
def matrix(region):
    """Two levels, three roles (one with no duties), duties with everything a row can say.

    Some texts are in Swedish too, some only in Finnish.
    """
    kuopio = OrganisationFactory(name="Kuopio", slug="kuopio", parent=region)
    administration = LevelFactory(organisation=kuopio, name="Hallinto ja tukipalvelut", order=1)
    units = LevelFactory(organisation=kuopio, name="Yksikön taso", name_sv="Enhetsnivå", order=2)
    coordinator = RoleFactory(
        level=administration, name="TVT-koordinaattori", slug="tvt-koordinaattori",
        name_sv="IKT-koordinator", scope="organisation", sectors=["perusopetus", "lukio"],
        responsible_title="TVT-koordinaattori", supporting_titles="IT-palvelut\nOpetuspalvelut",
        supporting_titles_sv="IT-tjänster\nUndervisningstjänster", order=3)
    principal = RoleFactory(level=units, name="Rehtori", slug="rehtori", order=5,
                            responsible_title="rehtori")
    tutor = RoleFactory(level=units, name="Digitutor", slug="digitutor", order=7,
                        sectors=["perusopetus"], responsible_title="tutoropettaja",
                        responsible_title_sv="tutorlärare")
    # The coordinator's row comes first in the sheet: it refers to a role further down.
    coordinator.supporting_roles.set([tutor, principal])
    tutor.supporting_roles.set([Role.objects.get(slug="tvt-ryhma")])
    plan = DutyFactory(role=coordinator, text="Laadimme TVT-suunnitelman.", sectors=["lukio"],
                       text_sv="Vi gör upp IKT-planen.", recurrence="1 krt/lukuvuosi",
                       recurrence_sv="1 gång/läsår", months=[9, 11, 2], order=4,
                       development_area=Duty.Area.SERVICES)
    plan.collaborating_roles.set([principal, tutor, Role.objects.get(slug="tvt-ryhma")])
    DutyFactory(role=coordinator, text="=Seuraamme\nlaitekantaa.", order=9, months=[8])
    DutyFactory(role=tutor, text="-Tuemme opettajia.", recurrence="3–4 krt/lukuvuodessa",
                months=[10, 1, 4], development_area=Duty.Area.COMPETENCE)
    return kuopio


@pytest.fixture(autouse=True)
def in_english(english):
    """Run every test of this folder in English (tests/conftest.py)."""


def texts(obj, *names):
    """Return the Finnish and Swedish texts of `names` on `obj`; no text and an empty one alike."""
    return tuple(getattr(obj, f"{name}_{language}") or "" for name in names
                 for language in ("fi", "sv"))


def snapshot(with_order=True):
    """Return every level, role and duty as plain values, to compare before and after."""
    levels = sorted((level.organisation.slug, *texts(level, "name"), level.order)
                    for level in Level.objects.select_related("organisation"))
    roles = sorted(
        (role.level.organisation.slug, role.slug, role.level.name_fi, role.scope,
         role.order if with_order else None,
         *texts(role, "name", "responsible_title", "supporting_titles"),
         role.named_holders,
         sorted(s.code for s in role.sectors.all()),
         sorted(r.slug for r in role.supporting_roles.all()))
        for role in Role.objects.select_related("level__organisation"))
    duties = sorted(
        (duty.role.slug, *texts(duty, "text", "recurrence"), duty.order if with_order else None,
         duty.months, duty.development_area, sorted(s.code for s in duty.sectors.all()),
         sorted(r.slug for r in duty.collaborating_roles.all()))
        for duty in Duty.objects.select_related("role"))
    return {"levels": levels, "roles": roles, "duties": duties}


def matrix_order():
    """Return the role slugs of each level and the duty texts of each role, in their order."""
    return {
        "roles": [list(level.roles.order_by("order").values_list("slug", flat=True))
                  for level in Level.objects.order_by("organisation__name", "order")],
        "duties": [list(role.duties.order_by("order").values_list("text", flat=True))
                   for role in Role.objects.all()],
    }


def through_file(dataset, format_name):
    """Return `dataset` written to a file of `format_name` and read back, as an upload would be."""
    file_format = FORMATS[format_name](encoding="utf-8-sig")
    if format_name == "xlsx":
        file_format = XLSX()
    data = file_format.export_data(dataset)
    if isinstance(data, str):
        data = data.encode("utf-8-sig")
    return file_format.create_dataset(data)


def invalid_lines(result):
    """Return {line: {column: messages}} for the rows of `result` that failed validation."""
    return {row.number: row.error_dict for row in result.invalid_rows}
