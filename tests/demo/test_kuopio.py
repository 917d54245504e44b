"""Kuopio's matrix is loaded from its seed completely and word for word."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from roles.models import Duty, Level, Role

# The seeds live beside the repository (../shared/seeds); VASTUU_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("VASTUU_SEEDS", Path(settings.BASE_DIR).parent / "shared" / "seeds"))
MARKER = re.compile(r"\s*\((lukio|perusopetus)\)$")


def seed_duties():
    """Return (text without marker, marked sector or None) for every bullet of seed 001."""
    paths = sorted(SEEDS.glob("001_*.txt"))
    if not paths:
        pytest.skip("seed 001 (Kuopio's matrix) is not available")
    duties = []
    for line in paths[0].read_text(encoding="utf-8").splitlines():
        if line.startswith("·"):
            text = line[1:].strip()
            marker = MARKER.search(text)
            duties.append((text[:marker.start()], marker.group(1)) if marker else (text, None))
    return duties


def kuopio_duties():
    """Return Kuopio's duties in matrix order."""
    return (Duty.objects.filter(role__level__organisation__slug="kuopio")
            .order_by("role__level__order", "role__order", "order").prefetch_related("sectors"))


def test_kuopio_has_the_three_levels_of_the_seed(demo):
    assert list(Level.objects.filter(organisation__slug="kuopio").values_list("name", flat=True)) \
        == ["Hallinto- ja tukipalveluiden taso",
            "Varhaiskasvatus-, perusopetus- ja lukiokoulutusyksiköiden taso",
            "Muun kasvuyhteisön taso"]


def test_kuopio_has_the_thirteen_roles_of_the_seed(demo):
    names = list(
        Role.objects.filter(level__organisation__slug="kuopio").values_list("name", flat=True))
    assert names == [
        "Kasvun ja oppimisen palvelualue", "Kasvun ja oppimisen palvelualueen tietohallinto",
        "Istekki", "Koulun johto", "Pedagoginen tuki", "Tekninen tuki", "Opetushenkilöstö",
        "Oppija", "Varhaiskasvatuksen johto", "Varhaiskasvatuksen pedagoginen ja tekninen tuki",
        "Varhaiskasvatushenkilöstö", "Lapsi/oppija",
        "Huoltajat, muut varhaiskasvatuksen ja koulun aikuiset",
    ]


def test_kuopio_has_every_seed_duty_word_for_word_in_seed_order(demo):
    expected = [text for text, _sector in seed_duties()]
    assert len(expected) == 105
    texts = [duty.text for duty in kuopio_duties()]
    assert texts == expected
    assert set(texts) == set(expected)


def test_marked_duties_have_only_their_sector_and_no_marker(demo):
    marked = {text: sector for text, sector in seed_duties() if sector}
    assert len(marked) == 5
    for duty in kuopio_duties():
        codes = [sector.code for sector in duty.sectors.all()]
        assert codes == ([marked[duty.text]] if duty.text in marked else [])
        assert not MARKER.search(duty.text)


def test_upper_secondary_exam_duty_applies_to_lukio_only(demo):
    text = "Turvaamme riittävät resurssit ylioppilastutkinnon toteuttamiseksi."
    duty = Duty.objects.get(role__slug="koulun-johto", text=text)
    assert [sector.code for sector in duty.sectors.all()] == ["lukio"]


def test_non_breaking_spaces_inside_duties_are_kept(demo):
    assert Duty.objects.filter(role__level__organisation__slug="kuopio",
                               text__contains="sekä\u00a0 järjestämme").count() == 3


def test_kuopio_roles_have_scope_sectors_and_holders_as_the_matrix_groups_them(demo):
    roles = {role.slug: role for role in Role.objects.filter(level__organisation__slug="kuopio")}
    assert roles["istekki"].scope == Role.Scope.ORGANISATION
    assert roles["koulun-johto"].scope == Role.Scope.UNIT
    assert roles["huoltajat"].scope == Role.Scope.ORGANISATION
    assert {s.code for s in roles["koulun-johto"].sectors.all()} == {"perusopetus", "lukio"}
    assert {s.code for s in roles["lapsi-oppija"].sectors.all()} == {"varhaiskasvatus",
                                                                    "esiopetus"}
    collective = {slug for slug, role in roles.items() if not role.named_holders}
    assert collective == {"opetushenkilosto", "oppija", "varhaiskasvatushenkilosto",
                          "lapsi-oppija", "huoltajat"}


def test_kuopio_roles_keep_responsible_and_supporting_titles(demo):
    role = Role.objects.get(level__organisation__slug="kuopio", slug="koulun-johto")
    assert role.responsible_title == "rehtori"
    assert role.supporting_title_list()[:2] == ["koulun apulaisjohtaja", "koulun apulaisrehtori"]
    vaka = Role.objects.get(level__organisation__slug="kuopio", slug="varhaiskasvatuksen-johto")
    assert [r.slug for r in vaka.supporting_roles.all()] == ["varhaiskasvatuksen-tuki"]


@pytest.mark.parametrize(("slug", "codenames"), [
    ("koulun-johto", {"view_unit", "manage_assignments", "manage_devices"}),
    ("varhaiskasvatuksen-johto", {"view_unit", "manage_assignments", "manage_devices"}),
    ("tekninen-tuki", {"view_unit", "manage_devices"}),
    ("pedagoginen-tuki", {"view_unit"}),
    ("oppija", set()),
])
def test_kuopio_roles_grant_unit_permissions(demo, slug, codenames):
    role = Role.objects.get(level__organisation__slug="kuopio", slug=slug)
    assert set(role.unit_permissions.values_list("codename", flat=True)) == codenames
