"""factory_boy factories for every model; tests build their state from these."""

import factory
from django.contrib.auth import get_user_model

from devices.models import Device, Loan
from matrix.models import Assignment
from roles.models import Duty, Level, Role
from units.models import Organisation, Person, Sector, Unit


def sector(code):
    """Return the sector with `code` (the five sectors come from a migration)."""
    return Sector.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.fi")
    password = factory.django.Password("salasana-123")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kunta {n}")
    slug = factory.Sequence(lambda n: f"kunta-{n}")
    kind = Organisation.Kind.MUNICIPALITY


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Koulu {n}")
    slug = factory.Sequence(lambda n: f"koulu-{n}")

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        """Give the unit the sectors named by code (basic education by default)."""
        if create:
            self.sectors.set([sector(code) for code in (extracted or ["perusopetus"])])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Henkilö {n}")
    title = "opettaja"
    email = factory.Sequence(lambda n: f"henkilo{n}@example.fi")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Taso {n}")
    order = factory.Sequence(lambda n: n)


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    level = factory.SubFactory(LevelFactory)
    name = factory.Sequence(lambda n: f"Rooli {n}")
    slug = factory.Sequence(lambda n: f"rooli-{n}")
    scope = Role.Scope.UNIT
    responsible_title = "rehtori"
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        """Limit the role to the sectors named by code (none: all sectors)."""
        if create and extracted:
            self.sectors.set([sector(code) for code in extracted])


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty
        skip_postgeneration_save = True

    role = factory.SubFactory(RoleFactory)
    text = factory.Sequence(lambda n: f"Huolehdimme asiasta {n}.")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        """Limit the duty to the sectors named by code (none: all of its role's)."""
        if create and extracted:
            self.sectors.set([sector(code) for code in extracted])


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    role = factory.SubFactory(RoleFactory)
    unit = factory.SubFactory(
        UnitFactory, organisation=factory.SelfAttribute("..role.level.organisation"))
    person = factory.SubFactory(
        PersonFactory, organisation=factory.SelfAttribute("..unit.organisation"))
    is_lead = True


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    unit = factory.SubFactory(UnitFactory)
    category = Device.Category.PUPIL_LAPTOP
    asset_tag = factory.Sequence(lambda n: f"KUO-{n:05d}")
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    model = "Lenovo 300e"

    @classmethod
    def _create(cls, model_class, *args, holder=None, pupil_code="", **kwargs):
        """Save the device; check it out to `holder` or `pupil_code` as a check-out leaves it."""
        if holder or pupil_code:
            kwargs["status"] = Device.Status.IN_USE
        device = super()._create(model_class, *args, **kwargs)
        if holder or pupil_code:
            Loan.objects.create(device=device, holder=holder, pupil_code=pupil_code.upper())
            device.__dict__.pop("open_loan", None)
        return device


class ChargingCartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "devices.ChargingCart"

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"Vaunu {n}")
    slots = 30


class ActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.ActionPlan"
        django_get_or_create = ("organisation", "year")

    organisation = factory.SubFactory(OrganisationFactory)
    year = 2025
    title = factory.LazyAttribute(lambda plan: f"Toimintasuunnitelma {plan.year}")


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.Goal"

    plan = factory.SubFactory(ActionPlanFactory)
    text = factory.Sequence(lambda n: f"Tavoite {n}")
    development_area = "competence"
    order = factory.Sequence(lambda n: n)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plans.Action"

    goal = factory.SubFactory(GoalFactory)
    text = factory.Sequence(lambda n: f"Toimenpide {n}")
    target = "Kaikki opettajat osallistuvat."
    status = "planned"
    order = factory.Sequence(lambda n: n)
