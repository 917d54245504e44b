"""Salmela's matrix: sector-specific duties, recurrences and collaborating roles stored as data."""

from roles.models import Duty, Role


def digitutor_duties():
    """Return the Salmela unit digitutor's duties with their sector codes."""
    duties = Duty.objects.filter(role__level__organisation__slug="salmela",
                                 role__slug="yksikon-digitutor").prefetch_related("sectors")
    return {duty.text: {sector.code for sector in duty.sectors.all()} for duty in duties}


def test_unit_digitutor_duties_differ_between_ecec_and_basic_education(demo):
    duties = digitutor_duties()
    assert duties["Arjen digituki ja -apu omassa toimintayksikössä"] == {"varhaiskasvatus",
                                                                         "esiopetus"}
    assert duties["Digitutor-tuntien pitäminen"] == {"perusopetus"}
    vaka = [text for text, codes in duties.items() if codes == {"varhaiskasvatus", "esiopetus"}]
    basic = [text for text, codes in duties.items() if codes == {"perusopetus"}]
    assert len(vaka) == 9
    assert len(basic) == 8


def test_a_text_in_both_columns_is_one_duty_for_every_sector(demo):
    duties = digitutor_duties()
    assert duties["Sovellusten pyytäminen etähallintajärjestelmään tietohallinnolta"] == set()
    assert len([text for text in duties if text.startswith("Sovellusten pyytäminen")]) == 1


def test_recurrence_and_months_are_data_not_text(demo):
    duty = Duty.objects.get(role__slug="yksikon-digitutor",
                            text="Osallistuminen digitutorkokouksiin")
    assert duty.recurrence == "n. 3–4 krt/lukuvuodessa"
    assert duty.months == [9, 11, 2, 4]
    once = Duty.objects.get(role__slug="yksikon-digitutor",
                            text="Osallistuminen digitutortoiminnan kehittämispäivään")
    assert (once.recurrence, once.months) == ("1 krt/lukuvuodessa", [10])
    salmela = Duty.objects.filter(role__level__organisation__slug="salmela")
    assert not salmela.filter(text__contains="krt").exists()
    assert not salmela.exclude(recurrence="").filter(months=[]).exists()


def test_collaborating_roles_are_links(demo):
    duty = Duty.objects.get(role__slug="yksikon-digitutor",
                            text="AD-salasanojen resetointi yhdessä koulusihteerin ja "
                                 "tietohallinnon kanssa")
    assert {role.slug for role in duty.collaborating_roles.all()} == {"koulusihteeri",
                                                                      "tietohallinto"}
    assert [s.code for s in duty.sectors.all()] == ["perusopetus"]
    with_tutor = Duty.objects.filter(role__slug="yksikon-digitutor",
                                     collaborating_roles__slug="sivistyspalveluiden-digitutor")
    assert with_tutor.count() == 5
    assert all("yhdessä sivistyksen digitutorin kanssa" in duty.text for duty in with_tutor)


def test_device_manager_duty_is_done_with_it_administration_and_the_head(demo):
    duty = Duty.objects.get(role__slug="laitevastaava", text__startswith="Laitteiden hoito")
    assert {role.slug for role in duty.collaborating_roles.all()} == {"tietohallinto", "rehtori"}
    assert duty.development_area == Duty.Area.INFRASTRUCTURE


def test_salmela_roles_have_their_scope_and_permissions(demo):
    roles = {role.slug: role for role in Role.objects.filter(level__organisation__slug="salmela")}
    assert {slug for slug, role in roles.items() if role.scope == Role.Scope.ORGANISATION} == {
        "tvt-koordinaattori", "sivistyspalveluiden-digitutor", "tietohallinto"}

    def codenames(slug):
        return set(roles[slug].unit_permissions.values_list("codename", flat=True))

    assert codenames("yksikon-digitutor") == {"view_unit"}
    assert codenames("laitevastaava") == {"view_unit", "manage_devices"}
    assert codenames("rehtori") == {"view_unit", "manage_assignments", "manage_devices"}
    assert {s.code for s in roles["yksikon-digitutor"].sectors.all()} == {
        "varhaiskasvatus", "esiopetus", "perusopetus"}
