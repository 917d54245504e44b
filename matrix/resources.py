"""Import and export of assignments: who holds which role, where, from when."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from matrix import services
from matrix.models import Assignment
from roles.models import Role
from units.models import Person, Unit
from units.resources import (
    DayWidget,
    KeyWidget,
    VastuuResource,
    YesNoWidget,
    folded,
    organisation_widget,
)
from units.services import find_person, organisation_by_code_or_name


class RoleWidget(KeyWidget):
    """Find a role by its slug within the organisation named in the row's role organisation."""

    def __init__(self, organisation_column):
        """Read the role's organisation from the column `organisation_column`."""
        super().__init__(Role, "slug", _("Unknown role: %(value)s."))
        self.organisation_column = organisation_column

    def get_queryset(self, value, row, *args, **kwargs):
        """Return the roles of the organisation the row names."""
        slug = str((row or {}).get(str(self.organisation_column)) or "").strip()
        return Role.objects.filter(level__organisation__slug=slug)

    def clean(self, value, row=None, **kwargs):
        """Return the role named by `value` in the row's role organisation."""
        role = super().clean(value, row, **kwargs)
        if value and not str((row or {}).get(str(self.organisation_column)) or "").strip():
            raise ValueError(_("Give the organisation of the role too."))
        return role


class PersonWidget(KeyWidget):
    """Find the person by the e-mail in the cell, else by name within their home organisation.

    The name and the home organisation are read from their own columns; an unknown person is
    refused with why (units.services.find_person).
    """

    def __init__(self, name_column, home_column):
        """Read the name and the home organisation from `name_column` and `home_column`."""
        super().__init__(Person, "email", _("Unknown person: %(value)s."))
        self.name_column, self.home_column = name_column, home_column

    def clean(self, value, row=None, **kwargs):
        """Return the person the row means, or raise ValueError saying why there is none."""
        row = row or {}
        email = str(value or "").strip().lower()
        name = " ".join(str(row.get(str(self.name_column)) or "").split())
        home_value = str(row.get(str(self.home_column)) or "").strip()
        if not email and not name:
            return None
        home = organisation_by_code_or_name(home_value)
        if home_value and home is None:
            raise ValueError(_("Unknown home organisation: %(value)s.") % {"value": home_value})
        try:
            person = find_person(name=name, organisation=home, email=email)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        if person is not None:
            return person
        if email and name and home:
            raise ValueError(_("Nobody has the e-mail %(email)s, and nobody named %(name)s "
                               "without an e-mail works for %(home)s.")
                             % {"email": email, "name": name, "home": home.name})
        if email:
            raise ValueError(_("Nobody has the e-mail %(email)s. Add the person first, or give "
                               "their name and home organisation.") % {"email": email})
        if home is None:
            raise ValueError(_("Give %(name)s's e-mail or home organisation: a name alone "
                               "does not tell who is meant.") % {"name": name})
        raise ValueError(_("Nobody named %(name)s works for %(home)s. Add the person first.")
                         % {"name": name, "home": home.name})


class AssignmentResource(VastuuResource):
    """Assignments by person, role (organisation and slug), place and start date.

    The person is found by e-mail, or by name within their home organisation. A unit role is
    held at a unit (the unit column); an organisation role in an organisation (the
    organisation column), which may lie below the organisation of the role.
    """

    person = Field("person", _("person"), widget=PersonWidget(_("person name"),
                                                              _("home organisation")))
    person_name = Field(column_name=_("person name"),
                        dehydrate_method=lambda assignment: assignment.person.name)
    home_organisation = Field(
        column_name=_("home organisation"),
        dehydrate_method=lambda assignment: assignment.person.organisation.slug)
    role_organisation = Field(column_name=_("role organisation"))
    role = Field("role", _("role"), widget=RoleWidget(_("role organisation")))
    unit = Field("unit", _("unit"), widget=KeyWidget(Unit, "slug", _("Unknown unit: %(value)s.")))
    organisation = Field("organisation", _("organisation"), widget=organisation_widget())
    is_lead = Field("is_lead", _("lead"), widget=YesNoWidget(), default=True)
    is_chair = Field("is_chair", _("chair"), widget=YesNoWidget(), default=False)
    start_date = Field("start_date", _("start date"), widget=DayWidget())
    end_date = Field("end_date", _("end date"), widget=DayWidget())

    organisation_paths = ("unit__organisation", "organisation")

    class Meta(VastuuResource.Meta):
        model = Assignment
        fields = ("person", "person_name", "home_organisation", "role_organisation", "role",
                  "unit", "organisation", "is_lead", "is_chair", "start_date", "end_date")
        import_id_fields = ("person", "role", "unit", "organisation", "start_date")

    def examples(self):
        """Return up to two assignments of people of the user's organisations to its roles.

        They name stored people and roles, so a sheet of people (units.resources.PersonResource)
        and a matrix must be imported first; with none, the rows show only the shape.
        """
        organisation = self.example_organisation()
        if organisation is None:
            return []
        lineage = organisation.lineage_ids()
        people = list(Person.objects.filter(organisation=organisation).order_by("pk")[:2])
        unit = Unit.objects.filter(organisation=organisation).order_by("name").first()
        roles = Role.objects.filter(level__organisation__in=lineage).select_related(
            "level__organisation").order_by("level__order", "order", "pk")
        if unit is None:
            roles = roles.filter(scope=Role.Scope.ORGANISATION)
        rows = []
        for person, role in zip(people, roles[:2], strict=False):
            by_unit = role.scope == Role.Scope.UNIT
            rows.append({"person": person.email,
                         "role_organisation": role.level.organisation.slug, "role": role.slug,
                         "unit": unit.slug if by_unit else "",
                         "organisation": "" if by_unit else organisation.slug,
                         "is_lead": str(_("yes")), "start_date": date.today().isoformat()})
        return rows

    def before_import(self, dataset, **kwargs):
        """Accept a sheet that names people only by name and home organisation."""
        person = self.column("person")
        headers = [self.header_aliases.get(folded(header), header)
                   for header in dataset.headers or []]
        if person not in headers and self.column("person_name") in headers:
            dataset.append_col([""] * dataset.height, header=str(person))
        super().before_import(dataset, **kwargs)

    def filter_export(self, queryset, **kwargs):
        """Return the assignments with everything the sheet shows."""
        return queryset.select_related("person__organisation", "role__level__organisation",
                                       "unit", "organisation")

    def do_instance_save(self, instance, is_create):
        """Save the row's assignment through matrix.services, as every writer does."""
        values = {name: getattr(instance, name) for name in services.EDITABLE_FIELDS}
        try:
            if is_create:
                saved = services.assignment_create(**values)
                instance.pk, instance._state = saved.pk, saved._state
            else:
                services.assignment_update(assignment=instance, **values)
        except ValidationError as error:
            raise self.by_column(error) from None

    def dehydrate_role_organisation(self, assignment):
        """Return the slug of the organisation the role belongs to."""
        return assignment.role.level.organisation.slug if assignment.role_id else ""
