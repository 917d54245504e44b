"""Forms of the device register: the filter of the list, a device's details, and each step.

The forms only parse input. devices.services decides what is allowed and says why not; its
ValidationError lands on the field it names, or above the form.
"""

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from devices.models import PUPIL_CODE_HELP, ChargingCart, Device
from units.forms import SEARCH_MAX_LENGTH, DateInput, ServiceErrorsMixin, VersionedForm
from units.models import Person, Unit

# Free text is kept for a year (purge_personal_data), and it is not the place for anyone's name.
NO_NAMES = _("No names of pupils or other personal data.")
NO_NAMES_CONDITION = _("E.g. scratches, missing charger. No names or other personal data.")


class ServiceForm(ServiceErrorsMixin):
    """A form whose labels stand above the fields and which takes a service's errors."""

    def __init__(self, *args, **kwargs):
        """Drop the colon after labels: they stand above their fields, or after a checkbox."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def service_arguments(self):
        """Return the keyword arguments of the service the form is for."""
        return dict(self.cleaned_data)


class DeviceFilterForm(ServiceForm, forms.Form):
    """Narrow a unit's register: by category, status, use, cart, holder, and free text."""

    # Retired, handed-on and lost devices stay in the register but out of the way.
    ACTIVE, ALL = "", "all"

    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX_LENGTH,
                        widget=forms.SearchInput,
                        help_text=_("Asset tag, serial number, school number or model."))
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    use = forms.ChoiceField(label=_("Use"), required=False)
    cart = forms.ModelChoiceField(label=_("Charging cart"), required=False, queryset=None,
                                  empty_label=_("Any"))
    holder = forms.ModelChoiceField(label=_("Holder"), required=False, queryset=None,
                                    empty_label=_("Anyone"))

    def __init__(self, *args, unit, **kwargs):
        """Offer the carts of `unit` and the staff who hold its devices."""
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        self.fields["category"].choices = any_choice + Device.Category.choices
        self.fields["status"].choices = [(self.ACTIVE, _("Active")),
                                         *Device.Status.choices, (self.ALL, _("All"))]
        self.fields["use"].choices = any_choice + Device.Use.choices
        self.fields["cart"].queryset = ChargingCart.objects.filter(unit=unit)
        self.fields["holder"].queryset = (Person.objects.filter(
            loans__returned_at__isnull=True, loans__device__unit=unit)
            .distinct().order_by("name", "pk"))

    def filter(self, devices):
        """Return `devices` narrowed by the valid filters; a broken one is ignored, not fatal."""
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status", self.ACTIVE)
        if status == self.ACTIVE:
            devices = devices.active()
        elif status != self.ALL:
            devices = devices.filter(status=status)
        for name in ("category", "use", "cart"):
            if data.get(name):
                devices = devices.filter(**{name: data[name]})
        if data.get("holder"):
            devices = devices.held_by(data["holder"])
        if query := data.get("q", "").strip():
            devices = devices.filter(Q(asset_tag__icontains=query)
                                     | Q(serial_number__icontains=query)
                                     | Q(number__icontains=query) | Q(model__icontains=query))
        return devices

    @property
    def is_narrowed(self):
        """Return whether any filter other than the default is in force."""
        return any(self.cleaned_data.get(name) for name in self.fields)


class DeviceForm(ServiceForm, VersionedForm, forms.ModelForm):
    """Register a device or change its details; status, holder and place have their own steps."""

    class Meta:
        model = Device
        fields = ["category", "asset_tag", "serial_number", "manufacturer", "model", "number",
                  "use", "location", "ownership", "lease_ends_on", "billed_monthly",
                  "monthly_cost", "notes"]
        widgets = {"lease_ends_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, unit, **kwargs):
        """Tie the device to `unit`; an existing device's asset tag is fixed."""
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        if self.instance.pk:
            # The tag is on the label and in every link: a new tag is a new device.
            del self.fields["asset_tag"]


class PeopleChoiceField(forms.ModelChoiceField):
    """Staff by name, with their organisation when it is not the unit's own."""

    def __init__(self, *args, home, **kwargs):
        """Remember `home`, the unit's organisation, to name only the others."""
        super().__init__(*args, **kwargs)
        self.home = home

    def label_from_instance(self, obj):
        """Return the person's name and title, and the organisation if not the unit's."""
        if obj.organisation_id == self.home.pk:
            return str(obj)
        return f"{obj} · {obj.organisation}"


class StepForm(ServiceForm, forms.Form):
    """The form of one step in a device's life; it knows the device and who takes the step."""

    def __init__(self, *args, device, user, **kwargs):
        """Remember `device` (its unit already checked) and `user`."""
        super().__init__(*args, **kwargs)
        self.device, self.user = device, user


class CheckOutForm(StepForm):
    """Hand a device to a member of staff or to a pupil, who is named by code only."""

    holder = PeopleChoiceField(label=_("Member of staff"), required=False, queryset=None,
                               home=None, empty_label=_("Not a member of staff"))
    pupil_code = forms.CharField(
        label=capfirst(_("pupil code")), required=False, max_length=20,
        help_text=PUPIL_CODE_HELP,
    )
    condition = forms.CharField(label=_("Condition"), required=False, max_length=200,
                                help_text=NO_NAMES_CONDITION)

    def __init__(self, *args, **kwargs):
        """Offer the staff of the unit's organisation, those above it and those below it."""
        super().__init__(*args, **kwargs)
        home = self.device.unit.organisation
        field = self.fields["holder"]
        field.home = home
        field.queryset = (Person.objects.related_to(home).select_related("organisation")
                          .order_by("name", "pk"))


class ReturnForm(StepForm):
    """Take a device back, noting the condition it came back in."""

    condition = forms.CharField(label=_("Condition"), required=False, max_length=200,
                                help_text=NO_NAMES_CONDITION)


class MoveForm(StepForm):
    """Move a device to another unit, room or charging-cart slot."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label=None)
    location = forms.CharField(label=_("Room or place"), required=False, max_length=100)
    cart = forms.ModelChoiceField(label=_("Charging cart"), required=False, queryset=None,
                                  empty_label=_("No cart"),
                                  help_text=_("A cart of this unit; not when moving elsewhere."))
    cart_slot = forms.IntegerField(label=_("Slot"), required=False, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, help_text=NO_NAMES)

    def __init__(self, *args, device, **kwargs):
        """Offer the units the user manages devices at and the carts of the device's unit."""
        kwargs.setdefault("initial", {"unit": device.unit, "location": device.location,
                                      "cart": device.cart, "cart_slot": device.cart_slot})
        super().__init__(*args, device=device, **kwargs)
        self.fields["unit"].queryset = (Unit.objects.for_user(self.user, "manage_devices")
                                        .order_by("name", "pk"))
        self.fields["cart"].queryset = ChargingCart.objects.filter(unit=device.unit_id)

    def service_arguments(self):
        """Return device_move's arguments: the cart chosen is of this unit, so only if staying."""
        data = dict(self.cleaned_data)
        if data["unit"] != self.device.unit:
            del data["cart"], data["cart_slot"]
        return data



class FaultForm(StepForm):
    """Report a device's fault with its helpdesk ticket."""

    ticket = forms.CharField(label=capfirst(_("helpdesk ticket")), required=False, max_length=50,
                             help_text=_("The ticket number from the IT helpdesk, if there is "
                                         "one yet."))
    note = forms.CharField(label=_("What is wrong"), required=False, help_text=NO_NAMES,
                           widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(StepForm):
    """Confirm a step that needs nothing but an optional note."""

    note = forms.CharField(label=_("Note"), required=False, help_text=NO_NAMES,
                           widget=forms.Textarea(attrs={"rows": 3}))


class HandOnForm(NoteForm):
    """Confirm handing a device on; the register must say to whom."""

    note = forms.CharField(label=_("To whom, and why"),
                           help_text=_("E.g. the recycling company, or the buying company and the "
                                       "price. No private persons' names."),
                           widget=forms.Textarea(attrs={"rows": 3}))
