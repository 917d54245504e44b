"""How a copied matrix differs from its template: the computation, the page, its access, queries."""


import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from matrix.copying import matrix_copy, matrix_differences
from roles.models import Duty, Level, Role
from tests.conftest import words
from tests.factories import (
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
)
from units.models import Organisation

pytestmark = pytest.mark.usefixtures("english")


def url(organisation):
    return reverse("matrix:copy_differences", args=[organisation.slug])


def viewer_of(organisation, **kwargs):
    user = UserFactory(**kwargs)
    assign_perm("units.view_organisation", user, organisation)
    return user


@pytest.fixture
def template(db):
    """A region's template: two levels, three roles, six duties."""
    region = OrganisationFactory(name="Malliseutu", slug="malliseutu",
                                 kind=Organisation.Kind.REGION)
    administration = LevelFactory(organisation=region, name="Hallinto", order=1)
    units = LevelFactory(organisation=region, name="Yksiköt", order=2)
    coordinator = RoleFactory(level=administration, name="TVT-koordinaattori",
                              slug="tvt-koordinaattori", order=1)
    principal = RoleFactory(level=units, name="Rehtori", slug="rehtori", order=1)
    tutor = RoleFactory(level=units, name="Digitutor", slug="digitutor", order=2)
    for role, texts in [(coordinator, ["Laadimme TVT-suunnitelman.", "Seuraamme laitekantaa."]),
                        (principal, ["Johdamme koulun digitaalista kehittämistä.",
                                     "Nimeämme koulun digitutorin."]),
                        (tutor, ["Tuemme opettajia.", "Osallistumme digitutorkokouksiin."])]:
        for order, text in enumerate(texts):
            DutyFactory(role=role, text=text, order=order)
    return region


@pytest.fixture
def copy(template):
    """Kopiola, a municipality of the region that copied its template."""
    kopiola = OrganisationFactory(name="Kopiola", slug="kopiola", parent=template)
    matrix_copy(source=template, target=kopiola)
    kopiola.refresh_from_db()
    return kopiola


def copied(model, organisation, **original):
    """Return the copy in `organisation` of the template's object that matches `original`."""
    path = {Level: "organisation", Role: "level__organisation",
            Duty: "role__level__organisation"}[model]
    return model.objects.get(**{path: organisation},
                             **{f"copied_from__{key}": value for key, value in original.items()})


@pytest.fixture
def changed_copy(copy):
    """Kopiola after its own edits: every kind of difference once."""
    reworded = copied(Duty, copy, text="Tuemme opettajia.")
    reworded.text = "Tuemme opettajia ja oppilaita."
    reworded.save()
    copied(Duty, copy, text="Seuraamme laitekantaa.").delete()
    tutor = copied(Role, copy, slug="digitutor")
    tutor.name = "Tutoropettaja"
    tutor.save()
    DutyFactory(role=tutor, text="Pidämme tutortunnin joka viikko.")
    moved = copied(Duty, copy, text="Nimeämme koulun digitutorin.")
    moved.role = copied(Role, copy, slug="tvt-koordinaattori")
    moved.save()
    copied(Role, copy, slug="rehtori").delete()
    community = LevelFactory(organisation=copy, name="Kasvuyhteisö", order=3)
    RoleFactory(level=community, name="Huoltajat", slug="huoltajat")
    units = copied(Level, copy, name="Yksiköt")
    units.name = "Yksikön taso"
    units.save()
    copied(Level, copy, name="Hallinto").delete()  # with it the coordinator and its duties
    return copy


# The computation


def test_a_fresh_copy_has_no_differences(copy, template):
    differences = matrix_differences(copy)

    assert differences.template == template
    assert not differences.has_changes
    assert differences.roles == []
    assert set(differences.counts().values()) == {0}


def test_an_organisation_that_is_not_a_copy_has_none(template):
    assert matrix_differences(template) is None


def test_duties_reworded_added_removed_and_a_role_renamed(copy):
    tutor = copied(Role, copy, slug="digitutor")
    reworded = copied(Duty, copy, text="Tuemme opettajia.")
    reworded.text = "Tuemme opettajia ja oppilaita."
    reworded.save()
    added = DutyFactory(role=tutor, text="Pidämme tutortunnin joka viikko.")
    copied(Duty, copy, text="Osallistumme digitutorkokouksiin.").delete()
    tutor.name = "Tutoropettaja"
    tutor.save()

    differences = matrix_differences(copy)

    [entry] = differences.roles
    assert entry.role == tutor and entry.original.name == "Digitutor"
    assert entry.is_renamed and not entry.is_added and not entry.is_removed
    assert entry.added == [added]
    assert [duty.text for duty in entry.removed] == ["Osallistumme digitutorkokouksiin."]
    assert [(change.original.text, change.current.text) for change in entry.reworded] == [
        ("Tuemme opettajia.", "Tuemme opettajia ja oppilaita.")]
    assert differences.counts() == {
        "levels_added": 0, "levels_removed": 0, "levels_renamed": 0,
        "roles_added": 0, "roles_removed": 0, "roles_renamed": 1,
        "duties_added": 1, "duties_removed": 1, "duties_reworded": 1, "duties_moved": 0}


def test_roles_and_levels_added_removed_renamed_and_a_duty_moved(copy):
    coordinator = copied(Role, copy, slug="tvt-koordinaattori")
    moved = copied(Duty, copy, text="Nimeämme koulun digitutorin.")
    moved.role = coordinator
    moved.save()
    copied(Role, copy, slug="rehtori").delete()
    community = LevelFactory(organisation=copy, name="Kasvuyhteisö", order=3)
    guardians = RoleFactory(level=community, name="Huoltajat", slug="huoltajat")
    DutyFactory(role=guardians, text="Tuemme lasta.")
    units = copied(Level, copy, name="Yksiköt")
    units.name = "Yksikön taso"
    units.save()

    differences = matrix_differences(copy)

    by_name = {entry.name: entry for entry in differences.roles}
    assert list(by_name) == ["TVT-koordinaattori", "Huoltajat", "Rehtori"]
    assert [change.current for change in by_name["TVT-koordinaattori"].moved] == [moved]
    assert by_name["Huoltajat"].is_added
    assert [duty.text for duty in by_name["Huoltajat"].added] == ["Tuemme lasta."]
    # The moved duty has a copy, so only the principal's other duty went with the role.
    assert by_name["Rehtori"].is_removed
    assert [duty.text for duty in by_name["Rehtori"].removed] == [
        "Johdamme koulun digitaalista kehittämistä."]
    assert differences.levels_added == [community]
    assert [(c.original.name, c.current.name) for c in differences.levels_renamed] == [
        ("Yksiköt", "Yksikön taso")]
    counts = differences.counts()
    assert (counts["roles_added"], counts["roles_removed"], counts["duties_moved"]) == (1, 1, 1)
    assert counts["duties_added"] == 1 and counts["duties_removed"] == 1


def test_a_level_removed_takes_its_roles_and_duties(copy):
    copied(Level, copy, name="Hallinto").delete()

    differences = matrix_differences(copy)

    assert [level.name for level in differences.levels_removed] == ["Hallinto"]
    [entry] = differences.roles
    assert entry.is_removed and entry.name == "TVT-koordinaattori"
    assert len(entry.removed) == 2


def test_a_duty_the_template_adds_later_is_missing_from_the_copy(copy, template):
    principal = Role.objects.get(level__organisation=template, slug="rehtori")
    DutyFactory(role=principal, text="Hyväksymme koulun TVT-suunnitelman.")

    [entry] = matrix_differences(copy).roles

    assert entry.role == copied(Role, copy, slug="rehtori")
    assert [duty.text for duty in entry.removed] == ["Hyväksymme koulun TVT-suunnitelman."]


def test_a_duty_added_then_copied_from_elsewhere_counts_as_added(copy, template):
    other = OrganisationFactory(slug="muualta")
    stranger = DutyFactory(role=RoleFactory(level=LevelFactory(organisation=other)))
    own = DutyFactory(role=copied(Role, copy, slug="rehtori"), copied_from=stranger)

    [entry] = matrix_differences(copy).roles

    assert entry.added == [own]


def test_a_translation_reworded_counts_as_reworded(copy):
    translated = [column.attname for column in Duty._meta.concrete_fields
                  if getattr(column, "translated_field", None) is not None
                  and column.translated_field.name == "text" and column.attname != "text_fi"]
    if not translated:
        pytest.skip("the duties have no translated texts")
    duty = copied(Duty, copy, text="Tuemme opettajia.")
    setattr(duty, translated[0], "Vi stöder lärarna.")
    duty.save()

    [entry] = matrix_differences(copy).roles

    assert [change.current for change in entry.reworded] == [duty]


def test_the_kuopio_demo_copied_then_changed(demo):
    kuopio = Organisation.objects.get(slug="kuopio")
    jatkola = OrganisationFactory(name="Jatkola", slug="jatkola")
    matrix_copy(source=kuopio, target=jatkola)
    jatkola.refresh_from_db()
    duties = Duty.objects.filter(role__level__organisation=jatkola).order_by("pk")
    reworded, removed = duties[0], duties[1]
    reworded.text += " Kerran kuussa."
    reworded.save()
    removed.delete()
    role = Role.objects.filter(level__organisation=jatkola).order_by("pk").last()
    role.name = "Uusi nimi"
    role.save()
    DutyFactory(role=role, text="Uusi tehtävä.")

    counts = matrix_differences(jatkola).counts()

    assert (counts["duties_reworded"], counts["duties_removed"], counts["duties_added"],
            counts["roles_renamed"]) == (1, 1, 1, 1)
    assert sum(counts.values()) == 4


# The page


def test_the_page_shows_the_counts_and_every_difference(client, changed_copy):
    client.force_login(viewer_of(changed_copy))

    response = client.get(url(changed_copy))

    assert response.status_code == 200
    assert response.templates[0].name == "matrix/copy_differences.html"
    text = words(response)
    assert "Differences from the template" in text
    assert "copied from the matrix of Malliseutu" in text
    counts = response.context["counts"]
    assert counts["duties_added"] == 1 and counts["duties_reworded"] == 1
    assert counts["roles_renamed"] == 1 and counts["roles_removed"] == 2
    assert counts["levels_added"] == 1 and counts["levels_removed"] == 1
    assert "Duties added 1" in text and "Roles removed 2" in text
    assert "Template: Tuemme opettajia. Here: Tuemme opettajia ja oppilaita." in text
    assert "Pidämme tutortunnin joka viikko." in text
    assert "Tutoropettaja Renamed" in text and "called “Digitutor” in the template" in text
    assert "Rehtori Removed" in text and "TVT-koordinaattori Removed" in text
    assert "Seuraamme laitekantaa." in text
    assert "Template: Yksiköt Here: Yksikön taso" in text
    assert "Kasvuyhteisö" in text and "Huoltajat Added" in text
    # Nobody who is not staff gets links into the admin.
    assert "/admin/" not in response.content.decode()


def test_the_template_links_to_its_page_only_for_those_who_may_see_it(client, copy, template):
    client.force_login(viewer_of(copy))
    assert reverse("matrix:organisation", args=[template.slug]) not in \
        client.get(url(copy)).content.decode()

    client.force_login(viewer_of(template))  # a grant on the region reaches Kopiola too
    assert reverse("matrix:organisation", args=[template.slug]) in \
        client.get(url(copy)).content.decode()


def test_a_fresh_copy_says_there_are_no_differences(client, copy):
    client.force_login(viewer_of(copy))

    text = words(client.get(url(copy)))

    assert "No differences: the matrix is the same as its template's." in text


def test_an_organisation_that_is_not_a_copy_gets_a_note_not_a_404(client, template):
    client.force_login(viewer_of(template))

    response = client.get(url(template))

    assert response.status_code == 200
    assert "The matrix of Malliseutu is not a copy of another organisation's matrix" in \
        words(response)


def test_a_copy_whose_template_was_deleted_is_no_copy_any_more(client, copy, template):
    copy.parent = None
    copy.save()
    template.delete()
    client.force_login(viewer_of(copy))

    response = client.get(url(copy))

    assert response.status_code == 200
    assert "is not a copy" in words(response)


def test_staff_get_links_to_the_admin(client, changed_copy):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    content = client.get(url(changed_copy)).content.decode()

    tutor = Role.objects.get(level__organisation=changed_copy, name="Tutoropettaja")
    added = Duty.objects.get(text="Pidämme tutortunnin joka viikko.")
    removed_role = Role.objects.get(level__organisation__slug="malliseutu", slug="rehtori")
    assert reverse("admin:roles_role_change", args=[tutor.pk]) in content
    assert reverse("admin:roles_duty_change", args=[added.pk]) in content
    assert reverse("admin:roles_role_change", args=[removed_role.pk]) in content
    assert "Edit in the template" in content


# Who may see it


def test_anonymous_users_are_sent_to_log_in(client, copy):
    response = client.get(url(copy))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_a_grant_gets_404(client, copy, template):
    client.force_login(viewer_of(OrganisationFactory()))

    assert client.get(url(copy)).status_code == 404
    assert client.get(reverse("matrix:copy_differences", args=["ei-ole"])).status_code == 404


def test_a_viewer_of_the_copy_only_may_see_it(client, copy, template):
    client.force_login(viewer_of(copy))

    assert client.get(url(copy)).status_code == 200
    assert client.get(url(template)).status_code == 404


# Queries


def grow_differences(copy, template, times):
    """Make `times` more roles and duties added to `copy` and duties added to `template`."""
    level = LevelFactory(organisation=copy)
    existing = Role.objects.filter(level__organisation=copy).first()
    originals = list(Role.objects.filter(level__organisation=template))
    for number in range(times):
        DutyFactory(role=RoleFactory(level=level))
        DutyFactory(role=existing)
        DutyFactory(role=originals[number % len(originals)])


@pytest.mark.parametrize("staff, queries", [(False, 9), (True, 6)])
def test_same_queries_for_ten_times_the_differences(client, copy, template, staff, queries,
                                                    django_assert_num_queries):
    user = (UserFactory(is_staff=True, is_superuser=True) if staff else viewer_of(copy))
    client.force_login(user)
    grow_differences(copy, template, 1)
    client.get(url(copy))  # warm the session and permission caches alike
    with django_assert_num_queries(queries):
        small = client.get(url(copy)).context["counts"]
    grow_differences(copy, template, 9)
    with django_assert_num_queries(queries):
        large = client.get(url(copy)).context["counts"]
    assert (small["roles_added"], small["duties_added"], small["duties_removed"]) == (1, 2, 1)
    assert (large["roles_added"], large["duties_added"], large["duties_removed"]) == (10, 20, 10)
