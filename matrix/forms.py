"""Forms for a unit's assignments, as a principal adds, changes and ends them on the unit page."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from matrix.compose import sector_ids
from matrix.models import Assignment
from roles.models import Role
from units.forms import DateInput, ServiceErrorsMixin, VersionedForm
from units.models import Person


class LocalChoiceField(forms.ModelChoiceField):
    """People or roles by name, with their organisation when it is not the unit's own.

    A region's digitutor and a municipality's can share a name; the organisation tells them
    apart without cluttering the common case.
    """

    def __init__(self, *args, home, **kwargs):
        """Remember `home`, the unit's organisation, to name only the others."""
        super().__init__(*args, **kwargs)
        self.home = home

    def label_from_instance(self, obj):
        """Return the choice's name, and its organisation if that is not the unit's."""
        if obj.organisation.pk == self.home.pk:
            return str(obj)
        return f"{obj} · {obj.organisation}"


class AssignmentForm(ServiceErrorsMixin, VersionedForm, forms.ModelForm):
    """Add or change an assignment at a unit: who, which role, lead or support, and when.

    The choices follow the rules of Assignment.clean, so a principal sees only people who may
    hold a role here and roles that exist here; the model still checks everything, and its
    errors land on the field they are about. The chair box is there only when a working group
    is among the roles: the model refuses a chair for any other role, or a second chair.
    """

    class Meta:
        model = Assignment
        fields = ["person", "role", "is_lead", "is_chair", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, unit, **kwargs):
        """Offer the people and roles of `unit`; the unit comes with its lineage and sectors."""
        # Labels stand above their fields, or after a checkbox: a colon would only dangle.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.instance.unit = unit
        self.instance.organisation = None
        current = self.instance if self.instance.pk else None
        home = unit.organisation
        for name, queryset in (("person", self._people(home, current)),
                               ("role", self._roles(unit, current))):
            model_field = self.fields[name]
            self.fields[name] = LocalChoiceField(queryset=queryset, home=home,
                                                 label=model_field.label,
                                                 help_text=model_field.help_text)
        if not self.instance.is_chair and not self.fields["role"].queryset.filter(
                is_group=True).exists():
            # A chair belongs to a working group; without one here the box would only puzzle.
            del self.fields["is_chair"]
        self.fields["start_date"].help_text = _("Leave empty if the assignment is already in "
                                                "force.")
        self.fields["end_date"].help_text = _("Leave empty until the end is known.")

    @staticmethod
    def _people(organisation, current):
        """Return the people who may hold a role at a unit of `organisation`.

        They work for the organisation, one above it or one below it, as Assignment.clean
        requires; the person the assignment already names stays, so an edit can say why not.
        """
        people = Person.objects.related_to(organisation)
        if current is not None:
            people = people | Person.objects.filter(pk=current.person_id)
        return people.select_related("organisation").order_by("name", "pk")

    @staticmethod
    def _roles(unit, current):
        """Return the roles a person can be named to at `unit`.

        Unit-scoped roles with named holders, of the unit's organisation or one above it, that
        exist in one of the unit's sectors; the role the assignment already has stays.
        """
        roles = (Role.objects.reaching(unit.organisation).for_sectors(sector_ids(unit))
                 .filter(scope=Role.Scope.UNIT, named_holders=True))
        if current is not None:
            roles = Role.objects.filter(Q(pk__in=roles.values("pk")) | Q(pk=current.role_id))
        return roles.select_related("level__organisation")


class EndAssignmentForm(ServiceErrorsMixin, VersionedForm):
    """End an assignment: the last day it is in force, today unless said otherwise."""

    end_date = forms.DateField(label=capfirst(_("end date")), widget=DateInput(),
                               initial=timezone.localdate,
                               help_text=_("The last day of the assignment. A day in the past "
                                           "is fine."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
