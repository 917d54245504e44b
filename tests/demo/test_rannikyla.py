"""Rannikylä – Kustby: a bilingual municipality whose matrix is written in Finnish and Swedish."""

import pytest
from django.core.management.base import CommandError
from django.utils import translation

from roles.models import Duty, Level, Role
from units.models import Organisation


def test_rannikyla_is_bilingual_with_a_small_matrix(demo):
    organisation = Organisation.objects.get(slug="rannikyla")

    assert organisation.name == "Rannikylä – Kustby"
    assert organisation.language == Organisation.Language.BILINGUAL
    assert Level.objects.filter(organisation=organisation).count() == 2
    assert Role.objects.of_organisation(organisation).count() == 4
    assert Duty.objects.filter(role__level__organisation=organisation).count() == 10


def test_every_text_of_rannikyla_is_in_finnish_and_swedish(demo):
    duties = Duty.objects.filter(role__level__organisation__slug="rannikyla")
    roles = Role.objects.filter(level__organisation__slug="rannikyla")

    assert all(level.name_fi and level.name_sv
               for level in Level.objects.filter(organisation__slug="rannikyla"))
    assert all(role.name_fi and role.name_sv and role.responsible_title_sv for role in roles)
    assert all(duty.text_fi and duty.text_sv for duty in duties)
    assert all(bool(duty.recurrence_fi) == bool(duty.recurrence_sv) for duty in duties)


def test_swedish_texts_are_what_swedish_readers_get(demo):
    principal = Role.objects.select_related("level").get(
        level__organisation__slug="rannikyla", slug="rehtori")
    duty = principal.duties.get(months=[5])

    with translation.override("sv"):
        assert (principal.level.name, principal.name, principal.responsible_title) == (
            "Verksamhetsenheter", "Rektor", "rektor")
        assert principal.supporting_title_list() == ["biträdande rektor"]
        assert (duty.text, duty.recurrence) == (
            "Vi granskar apparatregistret tillsammans med digitutorn.", "1 gång/läsår")
    with translation.override("en"):
        assert (principal.name, duty.text) == (
            "Rehtori", "Tarkastamme laiterekisterin yhdessä digitutorin kanssa.")


def test_finnish_matrices_have_no_swedish_texts(demo):
    assert Organisation.objects.get(slug="salmela").language == Organisation.Language.FINNISH
    assert not Role.objects.filter(level__organisation__slug="salmela",
                                   name_sv__isnull=False).exists()


MATRIX = """\
organisation: {name: Testby, slug: testby, language: %s}
levels:
  - name: Toimintayksiköt
    name_sv: Verksamhetsenheter
    roles:
      - name: Rehtori
        name_sv: Rektor
        slug: rehtori
        duties:
          - %s
"""


def load_matrix(load, tmp_path, language, duty):
    """Load a one-role matrix of `language` whose duty is `duty`; return the command's output."""
    (tmp_path / "testby.yaml").write_text(MATRIX % (language, duty), encoding="utf-8")
    return load("--fixtures", str(tmp_path))


def test_swedish_keys_load_and_reload_in_place(load, tmp_path):
    load_matrix(load, tmp_path, "sv", "{text: Vi leder skolan., text_sv: Vi leder skolan.}")
    load_matrix(load, tmp_path, "sv", "{text: Johdamme koulua., text_sv: Vi leder skolan.}")

    duty = Duty.objects.get(role__level__organisation__slug="testby")
    assert (duty.text_fi, duty.text_sv) == ("Johdamme koulua.", "Vi leder skolan.")
    assert Organisation.objects.get(slug="testby").language == Organisation.Language.SWEDISH


def test_loading_after_a_swedish_request_still_writes_finnish(load, tmp_path):
    with translation.override("sv"):
        load_matrix(load, tmp_path, "bilingual", "{text: Johdamme koulua., text_sv: Vi leder.}")

    level = Level.objects.get(organisation__slug="testby")
    assert (level.name_fi, level.name_sv) == ("Toimintayksiköt", "Verksamhetsenheter")


@pytest.mark.parametrize(("language", "duty", "error"), [
    ("swedish", "Johdamme koulua.", "unknown language 'swedish'"),
    ("fi", "{text: Johdamme koulua., text_se: Vi leder skolan.}", "unknown key 'text_se'"),
])
def test_mistakes_in_the_languages_are_named(load, tmp_path, language, duty, error):
    with pytest.raises(CommandError) as raised:
        load_matrix(load, tmp_path, language, duty)
    assert error in str(raised.value)


def test_the_bilingual_municipality_has_units_and_people_in_its_roles(demo):
    from matrix.models import Assignment
    from units.models import Unit

    assert Unit.objects.filter(organisation__slug="rannikyla").count() == 2
    assert set(Assignment.objects.filter(role__level__organisation__slug="rannikyla")
               .values_list("role__slug", flat=True)) == {"rehtori", "digitutor",
                                                           "tvt-koordinaattori"}
