"""A coordinator enters a network of two regions alone, through the admin's forms and sheets only.

The network of the issue: public libraries of eight towns in two regions, a working group of 18
members with a chair, two meetings a calendar year and an annual activity day, and a plan for
the calendar year paid from a grant. The coordinator's browser counts every form it submits
(at most 15); then a member, who was granted nothing by hand, sees the group, the clock, their
duties and the plan.
"""


import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.text import slugify

from matrix.models import Assignment
from plans.models import ActionPlan
from roles.models import Role
from tests.conftest import words
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.test_stale_forms import form_of
from units.models import (
    Organisation,
    OrganisationUserObjectPermission,
    Person,
    UnitUserObjectPermission,
)

pytestmark = pytest.mark.usefixtures("english")

TOWNS = {"Päijät-Häme": ["Lahti", "Heinola", "Hollola", "Orimattila"],
         "Pohjois-Savo": ["Kuopio", "Siilinjärvi", "Iisalmi", "Varkaus"]}
ACTIVITY_DAY = "Järjestämme kirjastojen yhteisen toimintapäivän."
MATERIALS = "Kokoamme digiopastuksen materiaalit yhteen."
ACTION = "Jokainen kirjasto pitää digiopastusta viikoittain."
GOAL_RESULT = "Kaikissa kirjastoissa on digiopastaja."
CSV_FORMAT = "0"


def csv(headers, *rows):
    """Return a CSV file of `rows` under `headers`, as a spreadsheet program saves it."""
    lines = [headers, *rows]
    return "\n".join(";".join(f'"{cell}"' for cell in line) for line in lines).encode()


def errors_of(response):
    """Return the errors an admin change form shows, its inlines' too."""
    context = response.context
    return [context["adminform"].form.errors, context["errors"],
            *(inline.formset.errors for inline in context["inline_admin_formsets"]),
            *(inline.formset.non_form_errors() for inline in context["inline_admin_formsets"])]


class Browser:
    """The coordinator's browser: it reads pages and counts every form it submits."""

    def __init__(self, client):
        self.client, self.submissions = client, 0

    def get(self, url):
        response = self.client.get(url)
        assert response.status_code == 200, url
        return response

    def post(self, url, data):
        self.submissions += 1
        return self.client.post(url, data)

    def sheet(self, model_path, name, content):
        """Upload a sheet to the admin's import of `model_path`, then confirm it."""
        checked = self.post(f"/admin/{model_path}/import/", {
            "resource": "0", "format": CSV_FORMAT,
            "import_file": SimpleUploadedFile(name, content)})
        assert checked.status_code == 200
        assert not checked.context.get("problems"), checked.context.get("problems")
        confirmed = self.post(f"/admin/{model_path}/process_import/",
                              checked.context["confirm_form"].initial)
        assert confirmed.status_code == 302, words(confirmed)[:2000]


@pytest.fixture
def towns(db):
    """The eight towns, already in Vastuu under their two regions."""
    made = []
    for region_name, names in TOWNS.items():
        region = OrganisationFactory(name=region_name, slug=slugify(region_name),
                                     kind=Organisation.Kind.REGION)
        made += [OrganisationFactory(name=name, slug=slugify(name), parent=region)
                 for name in names]
    return made


@pytest.fixture
def liisa(towns):
    """A librarian of Lahti with a login, who will chair the group."""
    return PersonFactory(organisation=Organisation.objects.get(slug="lahti"), name="Liisa Laine",
                         email="liisa.laine@lahti.fi", user=UserFactory(username="liisa"))


@pytest.fixture
def coordinator(towns):
    client = Client()
    client.force_login(UserFactory(username="koordinaattori", is_staff=True,
                                   is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return Browser(client)


def enter_the_network(browser, towns):
    """Enter the network, its group, members, plan, funding and meetings; return the group."""
    # 1. The network, with its eight member towns.
    add = reverse("admin:units_organisation_add")
    data = form_of(browser.get(add), "organisation_form")
    data.update({"name": "Kirjastoverkosto", "slug": "kirjastot",
                 "kind": Organisation.Kind.JOINT_AUTHORITY, "year_kind": "calendar",
                 "member_links-TOTAL_FORMS": str(len(towns))})
    data.update({f"member_links-{n}-member": str(town.pk) for n, town in enumerate(towns)})
    response = browser.post(add, data)
    assert response.status_code == 302, errors_of(response)
    # 2–3. The group and its duties, from the matrix sheet.
    headers = ["organisation", "level", "level order", "role", "role slug", "scope",
               "group or network", "purpose", "who may join", "holders at least",
               "holders at most", "duty", "recurrence", "months"]
    group = ["kirjastot", "Verkosto", "1", "Kirjastojen digiopastajat", "digiopastajat",
             "organisation", "yes", "Kirjastojen digiopastuksen yhteistyö.",
             "Yksi tai kaksi kirjastonhoitajaa kustakin jäsenkunnasta.", "16", "20"]
    browser.sheet("roles/role", "ryhma.csv", csv(
        headers, [*group, ACTIVITY_DAY, "kerran vuodessa", "11"],
        [*group, MATERIALS, "jatkuvasti", ""]))
    role = Role.objects.get(slug="digiopastajat")
    # 4–5. The 18 members from a pasted list, previewed then saved: Liisa chairs.
    lines = ["Liisa Laine; Lahti; kirjastonhoitaja; liisa.laine@lahti.fi; puheenjohtaja"]
    lines += [f"Jäsen {n}; {towns[n % len(towns)].name}; kirjastonhoitaja;;"
              for n in range(1, 18)]
    members = reverse("admin:roles_role_members", args=[role.pk])
    preview = browser.post(members, {"lines": "\n".join(lines), "preview": "1"})
    assert preview.status_code == 200 and not Assignment.objects.exists()
    saved = browser.post(members, {"lines": "\n".join(lines), "save": "1"})
    assert saved.status_code == 302, words(saved)[:2000]
    # 6–7. The plan for calendar year 2026, from the plan sheet: a goal with an action of the
    # group, and a goal with a result of its own and no action yet.
    browser.sheet("plans/actionplan", "suunnitelma.csv", csv(
        ["organisation", "year", "kind of year", "plan title", "plan notes", "goal",
         "goal result or target level", "goal order", "action", "responsible role", "status",
         "action order"],
        ["kirjastot", "2026", "Calendar year", "Kirjastojen digiopastus", "Avustuksella.",
         "Digiopastus on säännöllistä.", "", "1", ACTION, "digiopastajat", "Planned", "1"],
        ["kirjastot", "2026", "Calendar year", "Kirjastojen digiopastus", "Avustuksella.",
         "Jokaisessa kirjastossa on opastaja.", GOAL_RESULT, "2", "", "", "", ""]))
    plan = ActionPlan.objects.get(organisation__slug="kirjastot")
    # 8. The grant that pays the plan.
    change = reverse("admin:plans_actionplan_change", args=[plan.pk])
    data = form_of(browser.get(change), "actionplan_form")
    data.update({"fundings-TOTAL_FORMS": "1", "fundings-0-order": "0",
                 "fundings-0-funder": "Opetushallitus",
                 "fundings-0-grant": "Yleisten kirjastojen kehittämisavustus",
                 "fundings-0-amount": "12000", "fundings-0-covers": "Matkat ja tilat"})
    response = browser.post(change, data)
    assert response.status_code == 302, errors_of(response)
    # 9. The group's two remote meetings a year, in March and September.
    change = reverse("admin:roles_role_change", args=[role.pk])
    data = form_of(browser.get(change), "role_form")
    data.update({"meetings-TOTAL_FORMS": "1", "meetings-0-order": "0",
                 "meetings-0-name": "Verkoston kokous",
                 "meetings-0-per_year": "2", "meetings-0-mode": "remote",
                 "meetings-0-link": "https://teams.example.fi/kirjastot", "meetings-0-months":
                 ["3", "9"]})
    response = browser.post(change, data)
    assert response.status_code == 302, errors_of(response)
    return role


def test_a_coordinator_enters_the_network_alone_in_at_most_15_submissions(coordinator, towns,
                                                                         liisa):
    group = enter_the_network(coordinator, towns)

    assert coordinator.submissions <= 15
    assert Assignment.objects.filter(role=group).count() == 18
    assert set(Person.objects.filter(assignments__role=group)
               .values_list("organisation__slug", flat=True)) == {town.slug for town in towns}
    # Liisa was found by her e-mail, not made again, and chairs.
    assert Person.objects.filter(name="Liisa Laine").count() == 1
    assert Assignment.objects.get(person=liisa).is_chair
    assert not OrganisationUserObjectPermission.objects.filter(user=liisa.user).exists()
    assert not UnitUserObjectPermission.objects.filter(user=liisa.user).exists()

    member = Client()
    member.force_login(liisa.user)
    member.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = member.get(reverse("matrix:group", args=["kirjastot", group.slug]))
    assert page.status_code == 200
    text = words(page)
    assert "Liisa Laine" in text and "Jäsen 17" in text and "Verkoston kokous" in text

    clock = member.get(reverse("matrix:clock", args=["kirjastot"]) + f"?role={group.slug}")
    assert clock.status_code == 200
    clock_text = words(clock)
    assert ACTIVITY_DAY in clock_text and "Verkoston kokous" in clock_text
    # A calendar year: January comes before August.
    assert clock_text.index("January") < clock_text.index("August")

    mine = member.get(reverse("matrix:my_duties"))
    assert mine.status_code == 200
    assert reverse("matrix:group", args=["kirjastot", group.slug]) in mine.content.decode()
    mine_text = words(mine)
    assert "chair" in mine_text.lower() and ACTION in mine_text

    plans = member.get(reverse("plans:plan_list", args=["kirjastot"]) + "?year=2026")
    assert plans.status_code == 200
    plan_text = words(plans)
    assert "Year 2026" in plan_text and "2026–2027" not in plan_text
    assert "Opetushallitus" in plan_text and GOAL_RESULT in plan_text and ACTION in plan_text

    # In Finnish and in Swedish, the same pages in the member's words.
    member.cookies[settings.LANGUAGE_COOKIE_NAME] = "fi"
    assert "Vuosi 2026" in words(member.get(reverse("plans:plan_list", args=["kirjastot"])
                                            + "?year=2026"))
    assert "puheenjohtaja" in words(member.get(reverse("matrix:my_duties"))).lower()
    member.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    assert "År 2026" in words(member.get(reverse("plans:plan_list", args=["kirjastot"])
                                         + "?year=2026"))
