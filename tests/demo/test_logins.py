"""Demo logins have public passwords: they exist only with DEBUG on or --with-logins."""

from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory

from units.models import Person, Unit

User = get_user_model()


def test_without_debug_or_flag_no_logins_are_created(load):
    output = load()
    assert not User.objects.exists()
    assert not Person.objects.filter(user__isnull=False).exists()
    assert "Logins skipped" in output
    assert "vastuu-admin" not in output


def test_with_debug_on_the_logins_are_created(load):
    output = load(debug=True)
    assert set(User.objects.values_list("username", flat=True)) == {
        "admin", "rehtori", "tutor", "kuopio-admin"}
    assert "rehtori / vastuu-rehtori" in output


def test_the_printed_logins_work(demo_with_logins):
    for username in ("admin", "rehtori", "tutor", "kuopio-admin"):
        assert f"{username} / vastuu-{username}" in demo_with_logins
        # django-axes counts each attempt by the request it came with.
        assert authenticate(RequestFactory().post("/login/"), username=username,
                            password=f"vastuu-{username}") is not None
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_the_principal_login_manages_only_its_basic_school(demo_with_logins):
    principal = User.objects.get(username="rehtori")
    school = Unit.objects.get(slug="kivikallion-koulu")
    assert principal.person.email == "sanna.tervo@example.fi"
    assert principal.person.assignments.filter(role__slug="koulun-johto", unit=school).exists()
    for codename in ("view_unit", "manage_assignments", "manage_devices"):
        assert principal.has_perm(f"units.{codename}", school)
    assert list(Unit.objects.for_user(principal)) == [school]


def test_the_tutor_login_views_its_salmela_school(demo_with_logins):
    tutor = User.objects.get(username="tutor")
    school = Unit.objects.get(slug="salmelan-kirkonkylan-koulu")
    assert tutor.person.assignments.filter(role__slug="yksikon-digitutor", unit=school).exists()
    assert tutor.has_perm("units.view_unit", school)
    assert not tutor.has_perm("units.manage_devices", school)
    assert list(Unit.objects.for_user(tutor)) == [school]


def test_the_demo_principal_manages_the_school_through_the_role_alone(demo_with_logins, load):
    from django.contrib.auth import get_user_model

    from units.models import Unit, UnitUserObjectPermission

    UnitUserObjectPermission.objects.all().delete()
    load("--with-logins")
    principal = get_user_model().objects.get(username="rehtori")
    school = Unit.objects.get(slug="kivikallion-koulu")
    assert principal.has_perm("units.manage_assignments", school)
    assert not UnitUserObjectPermission.objects.filter(user=principal).exists()


def test_the_kuopio_administrator_keeps_to_kuopio_in_the_admin(demo_with_logins, client):
    administrator = User.objects.get(username="kuopio-admin")
    assert administrator.is_staff and not administrator.is_superuser
    client.force_login(administrator)
    units = client.get("/admin/units/unit/").context["cl"].queryset
    assert units.exists()
    assert set(units.values_list("organisation__slug", flat=True)) == {"kuopio"}
    assert "Kuopio" in demo_with_logins
