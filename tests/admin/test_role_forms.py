"""Role and duty editing: months as checkboxes, duties kept within their role's sectors."""

import pytest
from django.urls import reverse
from django.utils import translation

from roles.forms import DutyForm
from roles.models import Duty
from tests.factories import DutyFactory, RoleFactory, sector

SCHOOL_YEAR_IN_FINNISH = ["elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu", "tammikuu",
                          "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu"]


def change_form_data(response):
    """Return the POST data that submits the admin change form in `response` unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


@pytest.fixture
def role(db):
    """Return a role of two sectors with two duties, one of them for upper secondary only."""
    role = RoleFactory(sectors=["perusopetus", "lukio"])
    DutyFactory(role=role, text="Ensimmäinen", order=0, sectors=["lukio"])
    DutyFactory(role=role, text="Toinen", order=1)
    return role


def test_months_are_checkboxes_in_school_year_order_in_finnish():
    with translation.override("fi"):
        labels = [str(label) for _month, label in DutyForm().fields["months"].choices]

    assert labels == SCHOOL_YEAR_IN_FINNISH


def test_duty_add_page_shows_twelve_month_checkboxes(admin_client, role):
    page = admin_client.get(reverse("admin:roles_duty_add")).content.decode()

    assert page.count('type="checkbox" name="months"') == 12


def test_checked_months_are_saved_in_school_year_order(admin_client, role):
    response = admin_client.post(reverse("admin:roles_duty_add"), {
        "role": role.pk, "order": 5, "text_fi": "Päivitämme laiterekisterin.",
        "months": ["2", "9"], "sectors": [sector("perusopetus").pk],
    })

    assert response.status_code == 302
    assert Duty.objects.get(text="Päivitämme laiterekisterin.").months == [9, 2]


def test_duty_cannot_apply_outside_its_roles_sectors(admin_client):
    role = RoleFactory(sectors=["perusopetus"])

    response = admin_client.post(reverse("admin:roles_duty_add"), {
        "role": role.pk, "order": 0, "text_fi": "Hoidamme lukion koneet.",
        "sectors": [sector("lukio").pk],
    })

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["sectors"]
    assert "A duty can only apply in its role's sectors" in error
    assert not Duty.objects.exists()


def test_role_inline_reorders_duties_and_keeps_their_months(admin_client, role):
    role.duties.filter(text="Toinen").update(months=[8, 5])
    url = reverse("admin:roles_role_change", args=[role.pk])
    page = admin_client.get(url)
    assert "August, May" in page.content.decode()
    data = change_form_data(page)
    data["duties-0-order"], data["duties-1-order"] = "1", "0"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert list(role.duties.order_by("order").values_list("text", "months")) == [
        ("Toinen", [8, 5]), ("Ensimmäinen", [])]


def test_role_sectors_cannot_shrink_below_its_duties_in_the_inline(admin_client, role):
    url = reverse("admin:roles_role_change", args=[role.pk])
    data = change_form_data(admin_client.get(url))
    data["sectors"] = [sector("perusopetus").pk]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    [first_duty_form] = [form for form in response.context["inline_admin_formsets"][0].formset
                         if form.instance.text == "Ensimmäinen"]
    [error] = first_duty_form.errors["sectors"]
    assert "A duty can only apply in its role's sectors" in error
    assert {s.code for s in role.sectors.all()} == {"perusopetus", "lukio"}
