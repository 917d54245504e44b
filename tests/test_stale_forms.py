"""No lost updates: a form saved after someone else saved the same object is refused.

Each test opens a form, lets someone else save the object meanwhile, then submits the form as
it was read: the save is refused with what changed meanwhile, nothing is overwritten, and the
form, now carrying the newer version, can be saved again on purpose.
"""

from html.parser import HTMLParser

import pytest

from devices import services as device_services
from matrix import services as matrix_services
from matrix.models import Assignment
from plans.models import ActionPlan, Goal, Meeting
from privacy.models import PrivacyNotice
from roles.models import Duty, Role
from tests.factories import (
    DeviceFactory,
    DutyFactory,
    LevelFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)
from tests.matrix.grants import granting_role
from units.history import recording


class _Form(HTMLParser):
    """Collect what a browser would post from the first form with a `name`d control."""

    def __init__(self, form_id=None):
        super().__init__()
        self.data, self.form_id, self.inside = {}, form_id, False
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.textarea:
                self.data[self.textarea][0] = self.data[self.textarea][0].lstrip("\n")
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


def form_of(response, form_id=None):
    """Return the data the page's form would post, as read."""
    parser = _Form(form_id)
    parser.feed(response.content.decode())
    return {name: values if len(values) > 1 else values[0]
            for name, values in parser.data.items() if values}


def refused_as_stale(response):
    """Assert the save was refused as stale; return the form."""
    assert response.status_code == 200
    form = response.context["adminform"].form if "adminform" in response.context else (
        response.context["form"])
    assert any("after you opened it" in str(error) for error in form.non_field_errors()), (
        form.errors)
    return form




@pytest.fixture
def principal_role(organisation):
    return granting_role(organisation, "view_unit", "manage_assignments", "manage_devices",
                         sectors=["perusopetus"])


@pytest.fixture
def assignment(school, principal_role):
    person = PersonFactory(organisation=school.organisation, name="Sanna Tervo",
                           user=UserFactory(username="sanna"))
    return matrix_services.assignment_create(person=person, role=principal_role, unit=school)


def someone_else(**kwargs):
    """Return what recording() needs to say another user saved."""
    return recording("page", UserFactory(username="toinen", first_name="Toni", **kwargs))


# Pages


def test_an_ended_assignment_is_not_brought_back_by_a_stale_edit(english, principal_client,
                                                                 school, assignment):
    url = f"/units/{school.slug}/assignments/{assignment.pk}/edit/"
    data = form_of(principal_client.get(url))
    with someone_else():
        matrix_services.assignment_end(assignment=Assignment.objects.get(pk=assignment.pk),
                                       end_date=school_day(-1))
    data["start_date"] = "2020-08-01"
    form = refused_as_stale(principal_client.post(url, data))
    assignment.refresh_from_db()
    assert (assignment.start_date, assignment.end_date) == (None, school_day(-1))
    assert "Toni" in " ".join(form.non_field_errors())
    # The form now knows the newer version: saving again is deliberate, and works.
    data["version"] = form["version"].value()
    data["end_date"] = ""
    assert principal_client.post(url, data).status_code == 302
    assignment.refresh_from_db()
    assert (str(assignment.start_date), assignment.end_date) == ("2020-08-01", None)


def school_day(offset):
    import datetime

    from django.utils import timezone
    return timezone.localdate() + datetime.timedelta(days=offset)


def test_a_stale_end_of_an_assignment_is_refused(english, principal_client, school, assignment):
    url = f"/units/{school.slug}/assignments/{assignment.pk}/end/"
    data = form_of(principal_client.get(url))
    with someone_else():
        matrix_services.assignment_update(assignment=Assignment.objects.get(pk=assignment.pk),
                                          end_date=school_day(30))
    data["end_date"] = school_day(5).isoformat()
    refused_as_stale(principal_client.post(url, data))
    assignment.refresh_from_db()
    assert assignment.end_date == school_day(30)


def test_a_stale_edit_of_a_devices_details_is_refused(english, principal_client, school):
    device = DeviceFactory(unit=school, model="Alkuperäinen")
    url = f"/units/{school.slug}/devices/{device.asset_tag}/edit/"
    data = form_of(principal_client.get(url))
    with someone_else():
        device_services.device_update(device=device, by=None, model="Toisen muutos")
    data["model"] = "Minun muutokseni"
    form = refused_as_stale(principal_client.post(url, data))
    device.refresh_from_db()
    assert device.model == "Toisen muutos"
    assert "Alkuperäinen → Toisen muutos" in " ".join(form.non_field_errors())


# Admin


def test_a_stale_assignment_in_the_admin_is_refused(english, admin_client, assignment, school):
    url = f"/admin/matrix/assignment/{assignment.pk}/change/"
    data = form_of(admin_client.get(url), "assignment_form")
    with someone_else():
        matrix_services.assignment_end(assignment=Assignment.objects.get(pk=assignment.pk),
                                       end_date=school_day(-1))
    refused_as_stale(admin_client.post(url, data))
    assignment.refresh_from_db()
    assert assignment.end_date == school_day(-1)


def test_a_stale_device_in_the_admin_is_refused(english, admin_client, school):
    device = DeviceFactory(unit=school, model="Alkuperäinen")
    url = f"/admin/devices/device/{device.pk}/change/"
    data = form_of(admin_client.get(url), "device_form")
    with someone_else():
        device_services.device_update(device=device, by=None, notes="Laturi puuttuu")
    data["model"] = "Minun muutokseni"
    refused_as_stale(admin_client.post(url, data))
    device.refresh_from_db()
    assert (device.model, device.notes) == ("Alkuperäinen", "Laturi puuttuu")


def test_a_role_whose_duty_changed_meanwhile_is_refused_with_its_duties(english, admin_client,
                                                                        organisation):
    duty = DutyFactory(role__level__organisation=organisation, text="Alkuperäinen tehtävä")
    role = duty.role
    url = f"/admin/roles/role/{role.pk}/change/"
    data = form_of(admin_client.get(url), "role_form")
    with someone_else():
        duty.text_fi = "Toisen tehtävä"
        duty.save()
    data["name_fi"] = "Uusi nimi"
    refused_as_stale(admin_client.post(url, data))
    role.refresh_from_db()
    assert role.name_fi != "Uusi nimi"
    assert Duty.objects.get(pk=duty.pk).text_fi == "Toisen tehtävä"


def test_a_duty_changed_meanwhile_is_seen_whatever_ids_the_roles_history_has_reached(
        english, admin_client, organisation):
    """Each history table counts its own ids: the role's may run far ahead of its duties'."""
    duty = DutyFactory(role__level__organisation=organisation, text="Alkuperäinen tehtävä")
    role = duty.role
    newest = Duty.history.order_by("-history_id").first().history_id
    while Role.history.order_by("-history_id").first().history_id <= newest + 1:
        role.save()
    url = f"/admin/roles/role/{role.pk}/change/"
    data = form_of(admin_client.get(url), "role_form")
    with someone_else():
        duty.text_fi = "Toisen tehtävä"
        duty.save()
    refused_as_stale(admin_client.post(url, data))
    assert Duty.objects.get(pk=duty.pk).text_fi == "Toisen tehtävä"


def test_a_group_whose_meeting_changed_meanwhile_is_refused(english, admin_client, organisation):
    group = RoleFactory(level=LevelFactory(organisation=organisation), is_group=True,
                        scope=Role.Scope.ORGANISATION)
    meeting = Meeting.objects.create(role=group, name="Kokous", per_year=2, mode="remote")
    url = f"/admin/roles/role/{group.pk}/change/"
    data = form_of(admin_client.get(url), "role_form")
    with someone_else():
        meeting.per_year = 4
        meeting.save()
    data["name_fi"] = "Uusi nimi"
    refused_as_stale(admin_client.post(url, data))
    assert Role.objects.get(pk=group.pk).name_fi != "Uusi nimi"
    assert Meeting.objects.get(pk=meeting.pk).per_year == 4


def test_an_unchanged_role_with_its_duties_saves(english, admin_client, organisation):
    duty = DutyFactory(role__level__organisation=organisation)
    url = f"/admin/roles/role/{duty.role.pk}/change/"
    data = form_of(admin_client.get(url), "role_form")
    data["name_fi"] = "Uusi nimi"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Role.objects.get(pk=duty.role.pk).name_fi == "Uusi nimi"


def test_a_plan_whose_goal_changed_meanwhile_is_refused(english, admin_client, organisation):
    plan = ActionPlan.objects.create(organisation=organisation, year=2025, title="Alku")
    goal = Goal.objects.create(plan=plan, text="Tavoite")
    url = f"/admin/plans/actionplan/{plan.pk}/change/"
    data = form_of(admin_client.get(url), "actionplan_form")
    with someone_else():
        goal.text = "Toisen tavoite"
        goal.save()
    data["title"] = "Minun otsikkoni"
    refused_as_stale(admin_client.post(url, data))
    plan.refresh_from_db()
    assert plan.title == "Alku"



def test_a_stale_privacy_notice_is_refused(english, admin_client):
    notice = PrivacyNotice.current()
    url = f"/admin/privacy/privacynotice/{notice.pk}/change/"
    data = form_of(admin_client.get(url), "privacynotice_form")
    assert data["version"]
    with someone_else():
        notice.body_fi = "Toisen teksti"
        notice.save()
    data["body_fi"] = "Minun tekstini"
    refused_as_stale(admin_client.post(url, data))
    notice.refresh_from_db()
    assert notice.body_fi == "Toisen teksti"
