"""Copying a matrix to another organisation: what is copied, refusing, overwriting, queries.

The module loads the demo once (Kuopio: 3 levels, 13 roles, 105 duties); every test's writes are
rolled back, and the tests that build their own matrices use slugs the demo does not.
"""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from matrix import services
from matrix.copying import MatrixSize, matrix_copy, matrix_size
from matrix.models import Assignment
from roles.models import Duty, Level, Role
from tests.factories import (
    AssignmentFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
    UnitFactory,
)
from tests.matrix.grants import fresh, granting_role, person_with_login
from units.models import Organisation

REMAPPED = {"id", "organisation_id", "level_id", "role_id", "copied_from_id"}


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def kuopio(demo):
    return Organisation.objects.get(slug="kuopio")


@pytest.fixture
def newcomer(db):
    """A new municipality with no matrix of its own."""
    return OrganisationFactory(name="Uusikunta", slug="uusikunta")


def of(organisation):
    """Return the levels, roles and duties of `organisation`'s own matrix."""
    return (Level.objects.filter(organisation=organisation),
            Role.objects.filter(level__organisation=organisation),
            Duty.objects.filter(role__level__organisation=organisation))


def links(organisation):
    """Return the number of rows in each many-to-many table of `organisation`'s matrix."""
    role_path, duty_path = "level__organisation", "role__level__organisation"
    return {
        "role sectors": Role.sectors.through.objects.filter(**{f"role__{role_path}": organisation}),
        "supporting": Role.supporting_roles.through.objects.filter(
            **{f"from_role__{role_path}": organisation}),
        "permissions": Role.unit_permissions.through.objects.filter(
            **{f"role__{role_path}": organisation}),
        "duty sectors": Duty.sectors.through.objects.filter(**{f"duty__{duty_path}": organisation}),
        "collaborating": Duty.collaborating_roles.through.objects.filter(
            **{f"duty__{duty_path}": organisation}),
    }


def link_counts(organisation):
    return {name: rows.count() for name, rows in links(organisation).items()}


def columns(obj):
    """Return every concrete column of `obj` but its id and the keys a copy remaps."""
    return {column.attname: getattr(obj, column.attname) for column in obj._meta.concrete_fields
            if column.attname not in REMAPPED}


def build_matrix(organisation, *, levels=1, roles=2, duties=3, outside=None):
    """Give `organisation` a matrix with every kind of link, `levels`×`roles`×`duties` big.

    Each role is supported by the previous one, limited to a sector and grants a permission;
    each duty has a sector, months and a partner; with `outside`, the first role is supported by
    it and the first duty works together with it too.
    """
    permission = granting_role(OrganisationFactory(), "view_unit").unit_permissions.get()
    previous = None
    for level_number in range(levels):
        level = LevelFactory(organisation=organisation, name=f"Taso {level_number}")
        for _role_number in range(roles):
            role = RoleFactory(level=level, sectors=["perusopetus"],
                               supporting_titles="koulun digitiimi")
            role.unit_permissions.add(permission)
            if previous:
                role.supporting_roles.add(previous)
            for _duty_number in range(duties):
                duty = DutyFactory(role=role, sectors=["perusopetus"], months=[9, 2],
                                   recurrence="1 krt/lukuvuosi", development_area="services")
                duty.collaborating_roles.add(previous or role)
            previous = role
    if outside:
        first = Role.objects.filter(level__organisation=organisation).order_by("pk").first()
        first.supporting_roles.add(outside)
        first.duties.order_by("pk").first().collaborating_roles.add(outside)
    return organisation


# The copy of the demo's Kuopio


def test_copy_of_kuopio_has_as_many_levels_roles_duties_and_links(kuopio, newcomer):
    result = matrix_copy(source=kuopio, target=newcomer)

    levels, roles, duties = of(newcomer)
    assert (levels.count(), roles.count(), duties.count()) == (3, 13, 105)
    assert (result.levels, result.roles, result.duties) == (3, 13, 105)
    assert link_counts(newcomer) == link_counts(kuopio)
    assert result.supporting_links == link_counts(kuopio)["supporting"] > 0
    assert result.collaborating_links == link_counts(kuopio)["collaborating"]
    assert result.replaced is None
    newcomer.refresh_from_db()
    assert newcomer.template == kuopio


def test_every_copy_points_to_its_original_and_says_the_same(kuopio, newcomer):
    matrix_copy(source=kuopio, target=newcomer)

    for copies in of(newcomer):
        originals = {obj.pk: obj for obj in copies.model.objects.filter(
            pk__in=copies.values("copied_from"))}
        assert len(originals) == copies.count()  # one copy per original, none missed
        for copy in copies.prefetch_related(*(
                ["sectors", "supporting_roles", "unit_permissions"] if copies.model is Role
                else ["sectors", "collaborating_roles"] if copies.model is Duty else [])):
            original = originals[copy.copied_from_id]
            assert columns(copy) == columns(original)
            if copies.model is Level:
                assert original.organisation == kuopio
            if copies.model is Role:
                assert copy.level.copied_from_id == original.level_id
                assert set(copy.sectors.all()) == set(original.sectors.all())
                assert set(copy.unit_permissions.all()) == set(original.unit_permissions.all())
                assert {role.copied_from_id for role in copy.supporting_roles.all()} == {
                    role.pk for role in original.supporting_roles.all()}
            if copies.model is Duty:
                assert copy.role.copied_from_id == original.role_id
                assert set(copy.sectors.all()) == set(original.sectors.all())
                assert {role.copied_from_id for role in copy.collaborating_roles.all()} == {
                    role.pk for role in original.collaborating_roles.all()}


def test_links_between_copied_roles_point_to_the_copies(kuopio, newcomer):
    matrix_copy(source=kuopio, target=newcomer)

    rows = links(newcomer)
    assert not rows["supporting"].exclude(to_role__level__organisation=newcomer).exists()
    assert not rows["collaborating"].exclude(role__level__organisation=newcomer).exists()


def test_translated_columns_are_copied(kuopio, newcomer):
    duty = Duty.objects.filter(role__level__organisation=kuopio).first()
    translated = [column.attname for column in Duty._meta.concrete_fields
                  if getattr(column, "translated_field", None) is not None]
    if not translated:
        pytest.skip("the duties have no translated columns")
    for attname in translated:
        setattr(duty, attname, f"{attname}: Vi ansvarar för enhetens enhetsregister.")
    duty.save()

    matrix_copy(source=kuopio, target=newcomer)

    copy = Duty.objects.get(copied_from=duty)
    assert columns(copy) == columns(Duty.objects.get(pk=duty.pk))


def test_assignments_are_not_copied(kuopio, newcomer):
    holder = AssignmentFactory(role=Role.objects.filter(level__organisation=kuopio).first())

    matrix_copy(source=kuopio, target=newcomer)

    assert Assignment.objects.filter(role__level__organisation=newcomer).count() == 0
    assert Assignment.objects.filter(pk=holder.pk).exists()


# Links that leave the source


def test_links_to_a_role_outside_the_source_stay_on_that_role(db):
    region = OrganisationFactory(name="Malliseutu", slug="malliseutu",
                                 kind=Organisation.Kind.REGION)
    group = RoleFactory(level=LevelFactory(organisation=region), name="Seudullinen TVT-ryhmä")
    template = build_matrix(OrganisationFactory(slug="pohja", parent=region), outside=group)
    kopiola = OrganisationFactory(slug="kopiola", parent=region)

    matrix_copy(source=template, target=kopiola)

    first = Role.objects.filter(level__organisation=kopiola).order_by("pk").first()
    assert group in first.supporting_roles.all()
    assert group in first.duties.order_by("pk").first().collaborating_roles.all()
    # The region's role is linked, not copied.
    assert not Role.objects.filter(copied_from=group).exists()
    assert link_counts(kopiola) == link_counts(template)


# Refusing and overwriting


def test_refuses_a_target_that_has_a_matrix_and_names_it(db):
    source = build_matrix(OrganisationFactory(slug="lahde"))
    target = build_matrix(OrganisationFactory(name="Vanhala", slug="vanhala"), levels=2, roles=2)
    before = matrix_size(target)

    with pytest.raises(ValidationError) as refused:
        matrix_copy(source=source, target=target)

    message = " ".join(refused.value.messages)
    assert "Vanhala already has a matrix: 2 levels and 4 roles" in message
    assert "overwrite" in message
    assert matrix_size(target) == before
    target.refresh_from_db()
    assert target.template is None


def test_refuses_to_copy_onto_itself_or_from_an_empty_matrix(db):
    source = build_matrix(OrganisationFactory(slug="lahde"))
    with pytest.raises(ValidationError, match="onto itself"):
        matrix_copy(source=source, target=source)
    with pytest.raises(ValidationError, match="Tyhjä has no matrix to copy"):
        matrix_copy(source=OrganisationFactory(name="Tyhjä"), target=OrganisationFactory())


def test_overwrite_replaces_the_matrix_and_its_assignments(db):
    source = build_matrix(OrganisationFactory(slug="lahde"), levels=1, roles=2, duties=3)
    target = build_matrix(OrganisationFactory(name="Korvala", slug="korvala"), levels=2)
    school = UnitFactory(organisation=target)
    old_role = granting_role(target, "manage_devices")
    sanna = person_with_login(target, "sanna")
    services.assignment_create(person=sanna, role=old_role, unit=school)
    assert fresh(sanna.user).has_perm("units.manage_devices", school)
    old_levels = list(Level.objects.filter(organisation=target))

    result = matrix_copy(source=source, target=target, overwrite=True)

    assert not Level.objects.filter(pk__in=[level.pk for level in old_levels]).exists()
    assert result.replaced.levels == 3 and result.replaced.assignments == 1
    assert result.replaced.roles == 5
    assert matrix_size(target) == MatrixSize(levels=1, roles=2, duties=6, assignments=0)
    assert (result.levels, result.roles, result.duties) == (1, 2, 6)
    assert not Assignment.objects.filter(role__level__organisation=target).exists()
    # The permission the deleted role granted was taken back with it.
    assert not fresh(sanna.user).has_perm("units.manage_devices", school)
    assert link_counts(target) == link_counts(source)


def test_overwrite_of_an_empty_target_is_a_plain_copy(db):
    source = build_matrix(OrganisationFactory(slug="lahde"))
    target = OrganisationFactory(slug="tyhja")

    result = matrix_copy(source=source, target=target, overwrite=True)

    assert result.replaced is None
    assert result.duties == 6


def test_a_failure_half_way_leaves_the_target_unchanged(db, monkeypatch):
    source = build_matrix(OrganisationFactory(slug="lahde"))
    target = build_matrix(OrganisationFactory(slug="kohde"), levels=2)
    AssignmentFactory(role=Role.objects.filter(level__organisation=target).first())
    before = (matrix_size(target), link_counts(target), Level.objects.count(),
              Role.objects.count(), Duty.objects.count())

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The last insert of all: the levels, roles and duties are in by then.
    monkeypatch.setattr(Duty.collaborating_roles.through.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        matrix_copy(source=source, target=target, overwrite=True)

    assert (matrix_size(target), link_counts(target), Level.objects.count(),
            Role.objects.count(), Duty.objects.count()) == before
    target.refresh_from_db()
    assert target.template is None


# A fixed number of queries (the history included: one insert a model, and one for the target).
# Overwriting deletes the target's roles, and with them their groups' funding and meetings (2).


@pytest.mark.parametrize("overwrite, queries", [(False, 25), (True, 49)])
def test_same_queries_for_a_ten_times_larger_matrix(db, django_assert_num_queries, overwrite,
                                                     queries):
    for scale in (1, 10):
        source = build_matrix(OrganisationFactory(), levels=scale, roles=2, duties=3)
        target = OrganisationFactory()
        if overwrite:  # a matrix as large to delete, with someone holding each role
            build_matrix(target, levels=scale, roles=2, duties=3)
            for role in Role.objects.filter(level__organisation=target):
                AssignmentFactory(role=role)
        with django_assert_num_queries(queries):
            result = matrix_copy(source=source, target=target, overwrite=overwrite)
        assert result.duties == 6 * scale
        assert result.collaborating_links == 6 * scale


# manage.py copy_matrix


def copy_matrix(*args, **options):
    """Run copy_matrix and return what it wrote to stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command("copy_matrix", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_command_copies_and_prints_the_counts(kuopio, newcomer):
    out, err = copy_matrix("kuopio", "uusikunta")

    assert "Copied the matrix of Kuopion kaupunki to Uusikunta: 3 levels, 13 roles and 105 " \
           "duties" in out
    assert err == ""
    assert Duty.objects.filter(role__level__organisation=newcomer).count() == 105


def test_command_names_an_unknown_slug(kuopio):
    with pytest.raises(CommandError, match="No organisation has the slug 'ei-ole'"):
        copy_matrix("kuopio", "ei-ole")


def test_command_refuses_a_target_with_a_matrix_without_overwrite(db):
    build_matrix(OrganisationFactory(slug="lahde"))
    build_matrix(OrganisationFactory(name="Vanhala", slug="vanhala"))

    with pytest.raises(CommandError, match="Vanhala already has a matrix: 1 level and 2 roles"):
        copy_matrix("lahde", "vanhala")


def test_command_overwrites_loudly(db):
    build_matrix(OrganisationFactory(slug="lahde"), roles=3)
    target = build_matrix(OrganisationFactory(name="Vanhala", slug="vanhala"))
    AssignmentFactory(role=Role.objects.filter(level__organisation=target).first())

    out, err = copy_matrix("lahde", "vanhala", "--overwrite", "--no-input")

    assert "WARNING" in err and "deletes 1 level, 2 roles, 6 duties and 1 assignment" in err
    assert "Deleted the previous matrix of Vanhala: 1 level, 2 roles, 6 duties and 1 assignment" \
        in out
    assert "3 roles and 9 duties" in out
    assert matrix_size(target) == MatrixSize(levels=1, roles=3, duties=9, assignments=0)


def test_command_asks_before_overwriting(db, monkeypatch):
    build_matrix(OrganisationFactory(slug="lahde"), roles=3)
    target = build_matrix(OrganisationFactory(name="Vanhala", slug="vanhala"))
    before = matrix_size(target)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing was copied"):
        copy_matrix("lahde", "vanhala", "--overwrite")

    assert matrix_size(target) == before
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    copy_matrix("lahde", "vanhala", "--overwrite")
    assert matrix_size(target).roles == 3
