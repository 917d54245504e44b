"""Matrix texts in Finnish and Swedish: what readers see, what editors are asked for."""

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from guardian.shortcuts import assign_perm

from roles.models import Duty, Level, Role
from tests.admin.test_role_forms import change_form_data
from tests.factories import (
    AssignmentFactory,
    DutyFactory,
    LevelFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Organisation, Sector

pytestmark = pytest.mark.usefixtures("english")


def speaking(client, language):
    """Return `client` with the language cookie set to `language`."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def bilingual(db):
    return OrganisationFactory(name="Rannikylä – Kustby", slug="rannikyla",
                               language=Organisation.Language.BILINGUAL)


@pytest.fixture
def matrix(bilingual):
    """A bilingual school's matrix: the principal's texts in both languages, the tutor's not."""
    school = UnitFactory(organisation=bilingual, name="Rannikylän koulu", slug="rannikylan-koulu",
                         sectors=["perusopetus"])
    level = LevelFactory(organisation=bilingual, name="Yksikön taso", name_sv="Enhetsnivå")
    principal = RoleFactory(level=level, name="Rehtori", name_sv="Rektor", slug="rehtori",
                            responsible_title="rehtori", responsible_title_sv="rektor")
    tutor = RoleFactory(level=level, name="Digitutor", slug="digitutor",
                        responsible_title="tutoropettaja")
    DutyFactory(role=principal, text="Johdamme koulun digitaalista kehittämistä.",
                text_sv="Vi leder skolans digitala utveckling.", recurrence="1 krt/lukuvuosi",
                recurrence_sv="1 gång/läsår", months=[9])
    DutyFactory(role=tutor, text="Pidämme digitutor-tunteja.", months=[9])
    person = PersonFactory(organisation=bilingual, name="Maja Lind",
                           user=UserFactory(username="maja"))
    AssignmentFactory(role=principal, unit=school, person=person)
    AssignmentFactory(role=tutor, unit=school, person=person)
    assign_perm("units.view_unit", person.user, school)
    assign_perm("units.view_organisation", person.user, bilingual)
    return school


@pytest.fixture
def reader(client, matrix):
    """The principal, logged in."""
    client.force_login(matrix.assignments.first().person.user)
    return client


PAGES = {
    "unit": lambda unit: reverse("matrix:unit", args=[unit.slug]),
    "grid": lambda unit: reverse("matrix:unit_grid", args=[unit.slug]),
    "my duties": lambda unit: reverse("matrix:my_duties"),
    "coverage": lambda unit: reverse("matrix:coverage", args=[unit.organisation.slug]),
    "clock": lambda unit: reverse("matrix:clock", args=[unit.organisation.slug]),
}
SWEDISH = {
    "unit": ["Enhetsnivå", "Rektor", "rektor", "Vi leder skolans digitala utveckling.",
             "1 gång/läsår", "Grundläggande utbildning"],
    "grid": ["Rektor", "Vi leder skolans digitala utveckling.", "1 gång/läsår"],
    "my duties": ["Rektor", "Vi leder skolans digitala utveckling.", "1 gång/läsår"],
    "coverage": ["Rektor", "Grundläggande utbildning"],
    "clock": ["Rektor", "Vi leder skolans digitala utveckling.", "1 gång/läsår"],
}
FINNISH = {
    "unit": ["Yksikön taso", "Rehtori", "Johdamme koulun digitaalista kehittämistä.",
             "1 krt/lukuvuosi", "Perusopetus"],
    "grid": ["Rehtori", "Johdamme koulun digitaalista kehittämistä.", "1 krt/lukuvuosi"],
    "my duties": ["Rehtori", "Johdamme koulun digitaalista kehittämistä.", "1 krt/lukuvuosi"],
    "coverage": ["Rehtori", "Perusopetus"],
    "clock": ["Rehtori", "Johdamme koulun digitaalista kehittämistä.", "1 krt/lukuvuosi"],
}


@pytest.mark.parametrize("page", PAGES)
def test_swedish_reader_sees_swedish_texts_and_finnish_where_none(reader, matrix, page):
    text = speaking(reader, "sv").get(PAGES[page](matrix)).text

    for swedish in SWEDISH[page]:
        assert swedish in text
    assert "Rehtori" not in text and "Johdamme koulun" not in text
    # The tutor's texts have no Swedish: the Finnish ones stand in.
    assert "Digitutor" in text
    if page != "coverage":
        assert "Pidämme digitutor-tunteja." in text


@pytest.mark.parametrize("language", ["fi", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_finnish_and_english_readers_see_finnish_texts(reader, matrix, page, language):
    text = speaking(reader, language).get(PAGES[page](matrix)).text

    for finnish in FINNISH[page]:
        assert finnish in text
    assert "Rektor" not in text and "Vi leder" not in text


@pytest.mark.parametrize("page", ["unit", "grid", "my duties"])
def test_swedish_texts_cost_no_query(reader, matrix, page, django_assert_num_queries):
    speaking(reader, "sv")
    reader.get(PAGES[page](matrix))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as finnish_only:
        reader.get(PAGES[page](matrix))
    with translation.override("en"):
        for level in Level.objects.all():
            level.name_sv = level.name_sv or f"{level.name_fi} (sv)"
            level.save()
        for role in Role.objects.all():
            role.name_sv = role.name_sv or f"{role.name_fi} (sv)"
            role.responsible_title_sv = f"{role.responsible_title_fi} (sv)"
            role.save()
        for duty in Duty.objects.all():
            duty.text_sv, duty.recurrence_sv = f"{duty.text_fi} (sv)", "varje vecka"
            duty.save()

    with django_assert_num_queries(len(finnish_only)):
        text = reader.get(PAGES[page](matrix)).text
    assert "Pidämme digitutor-tunteja. (sv)" in text


# Editing in the admin


def add_role(client, level, **texts):
    """Post the admin's add form of a role of `level` with `texts`; return the response."""
    data = change_form_data(client.get(reverse("admin:roles_role_add")))
    data.update({"level": level.pk, "slug": "rooli", "scope": "unit", "order": 0,
                 "named_holders": "on", **texts})
    return client.post(reverse("admin:roles_role_add"), data)


@pytest.fixture
def editor(admin_client):
    """An administrator reading the admin in English."""
    return speaking(admin_client, "en")


@pytest.mark.parametrize(("language", "texts", "errors"), [
    ("fi", {"name_fi": "Rehtori"}, {}),
    ("fi", {"name_sv": "Rektor"},
     {"name_fi": ["Write this in Finnish: Koulu is a Finnish-speaking organisation."]}),
    ("fi", {"name_fi": "Rehtori", "responsible_title_sv": "rektor"},
     {"responsible_title_fi": [
         "Write this in Finnish: Koulu is a Finnish-speaking organisation."]}),
    ("bilingual", {"name_fi": "Rehtori", "name_sv": "Rektor"}, {}),
    ("bilingual", {"name_fi": "Rehtori"},
     {"name_sv": ["Write this in Finnish and in Swedish: Koulu is bilingual."]}),
    ("bilingual", {"name_fi": "Rehtori", "name_sv": "Rektor", "responsible_title_fi": "rehtori"},
     {"responsible_title_sv": ["Write this in Finnish and in Swedish: Koulu is bilingual."]}),
    ("sv", {"name_sv": "Rektor"}, {}),
    ("sv", {"name_fi": "Rehtori"},
     {"name_sv": ["Write this in Swedish: Koulu is a Swedish-speaking organisation."]}),
])
def test_role_is_asked_for_in_the_organisations_languages(editor, language, texts, errors):
    level = LevelFactory(organisation=OrganisationFactory(name="Koulu", language=language))

    response = add_role(editor, level, **texts)

    if errors:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors == errors
        assert not Role.objects.exists()
    else:
        assert response.status_code == 302
        assert Role.objects.get().name_fi


def test_swedish_organisations_role_gets_its_swedish_texts_in_finnish_too(editor):
    level = LevelFactory(organisation=OrganisationFactory(language="sv"), name="Enhetsnivå")

    add_role(editor, level, name_sv="Rektor", responsible_title_sv="rektor",
             supporting_titles_sv="biträdande rektor")

    role = Role.objects.get()
    assert (role.name_fi, role.name_sv) == ("Rektor", "Rektor")
    assert (role.responsible_title_fi, role.supporting_titles_fi) == ("rektor",
                                                                     "biträdande rektor")


def test_swedish_organisations_copied_finnish_follows_a_new_swedish_text(editor):
    level = LevelFactory(organisation=OrganisationFactory(language="sv"))
    role = RoleFactory(level=level, name="Rektor", name_sv="Rektor")
    url = reverse("admin:roles_role_change", args=[role.pk])
    data = change_form_data(editor.get(url))

    editor.post(url, {**data, "name_sv": "Skolans rektor"})

    role.refresh_from_db()
    assert (role.name_fi, role.name_sv) == ("Skolans rektor", "Skolans rektor")


def test_form_tells_which_languages_are_asked(editor):
    form = editor.get(reverse("admin:roles_role_add")).context["adminform"].form

    assert "Swedish text is then copied here" in str(form.fields["name_fi"].help_text)
    assert "required in Swedish-speaking and bilingual" in str(form.fields["name_sv"].help_text)
    assert str(form.fields["responsible_title_sv"].help_text).startswith("Vastuuhenkilö")
    assert not form.fields["name_fi"].required and not form.fields["name_sv"].required


def test_new_duty_of_a_bilingual_role_needs_its_swedish_text_in_the_inline(editor, bilingual):
    role = RoleFactory(level=LevelFactory(organisation=bilingual), name_sv="Rektor")
    DutyFactory(role=role, text="Vanha tehtävä.")  # no Swedish yet: left alone unless edited
    url = reverse("admin:roles_role_change", args=[role.pk])
    data = change_form_data(editor.get(url))
    data.update({"duties-1-order": "1", "duties-1-text_fi": "Uusi tehtävä."})

    response = editor.post(url, data)

    [_old, new, *_extra] = response.context["inline_admin_formsets"][0].formset.forms
    assert new.errors == {
        "text_sv": ["Write this in Finnish and in Swedish: Rannikylä – Kustby is bilingual."]}
    data["duties-1-text_sv"] = "Ny uppgift."
    assert editor.post(url, data).status_code == 302
    assert role.duties.get(text_fi="Uusi tehtävä.").text_sv == "Ny uppgift."


def test_duty_page_asks_a_bilingual_organisation_for_swedish(editor, bilingual):
    role = RoleFactory(level=LevelFactory(organisation=bilingual))

    response = editor.post(reverse("admin:roles_duty_add"), {
        "role": role.pk, "order": 0, "text_fi": "Tuemme opettajia.",
        "recurrence_fi": "viikoittain", "recurrence_sv": "varje vecka"})

    assert response.context["adminform"].form.errors == {
        "text_sv": ["Write this in Finnish and in Swedish: Rannikylä – Kustby is bilingual."]}


def test_level_of_a_bilingual_organisation_needs_a_swedish_name(editor, bilingual):
    response = editor.post(reverse("admin:roles_level_add"), {
        "organisation": bilingual.pk, "name_fi": "Yksikön taso", "order": 1})

    assert response.context["adminform"].form.errors == {
        "name_sv": ["Write this in Finnish and in Swedish: Rannikylä – Kustby is bilingual."]}


def test_editor_reading_swedish_does_not_copy_finnish_into_swedish(admin_client):
    duty = DutyFactory(text="Tuemme opettajia.")
    url = reverse("admin:roles_duty_change", args=[duty.pk])
    speaking(admin_client, "sv")
    data = change_form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "order": 7})

    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.order, duty.text_fi, duty.text_sv) == (7, "Tuemme opettajia.", None)


def test_duty_without_a_finnish_text_is_refused_on_its_finnish_field(editor):
    role = RoleFactory()

    response = editor.post(reverse("admin:roles_duty_add"), {"role": role.pk, "order": 0})

    organisation = role.level.organisation.name
    assert response.context["adminform"].form.errors == {
        "text_fi": [f"Write this in Finnish: {organisation} is a Finnish-speaking organisation."]}


def test_sector_names_are_edited_in_both_languages(editor):
    basic = Sector.objects.get(code="perusopetus")
    url = reverse("admin:units_sector_change", args=[basic.pk])
    data = change_form_data(editor.get(url))
    assert (data["name_fi"], data["name_sv"]) == ("Perusopetus", "Grundläggande utbildning")

    editor.post(url, {**data, "name_sv": "Grundskola"})

    basic.refresh_from_db()
    assert (basic.name_fi, basic.name_sv) == ("Perusopetus", "Grundskola")


# The Finnish column and the constraints


def test_original_column_keeps_the_finnish_text_whoever_saves(db):
    role = RoleFactory(name="Rehtori")
    with translation.override("sv"):
        role.name = "Rektor"  # the active language's column
        role.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, name_fi, name_sv FROM roles_role WHERE id = %s", [role.pk])
        assert cursor.fetchone() == ("Rehtori", "Rehtori", "Rektor")


def test_finnish_names_stay_unique_and_missing_swedish_ones_never_clash(db):
    level = LevelFactory()
    RoleFactory(level=level, name="Rehtori")
    RoleFactory(level=level, name="Digitutor")  # neither has a Swedish name

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleFactory(level=level, name="Rehtori", name_sv="Rektor")
    RoleFactory(level=level, name="Apulaisrehtori", name_sv="Biträdande rektor")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleFactory(level=level, name="Vararehtori", name_sv="Biträdande rektor")
