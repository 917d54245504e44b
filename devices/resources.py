"""Import and export of the device register, a device per row recognised by its asset tag."""

from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from devices.models import Device
from units.models import Person, Unit
from units.resources import KeyWidget, VastuuResource, text_field


class DeviceResource(VastuuResource):
    """Devices by asset tag, with their unit's slug and their holder's email address."""

    asset_tag = text_field("asset_tag", _("asset tag"))
    unit = Field("unit", _("unit"), widget=KeyWidget(Unit, "slug", _("Unknown unit: %(value)s.")))
    category = text_field("category", _("category"))
    model = text_field("model", _("model"))
    serial_number = text_field("serial_number", _("serial number"))
    status = Field("status", _("status"), widget=widgets.CharWidget(),
                   default=Device.Status.IN_STOCK)
    holder = Field("holder", _("holder"), widget=KeyWidget(
        Person, "email", _("Unknown person: %(value)s."), normalise=lambda v: str(v).lower()))

    class Meta(VastuuResource.Meta):
        model = Device
        fields = ("asset_tag", "unit", "category", "model", "serial_number", "status", "holder")
        import_id_fields = ("asset_tag",)

    def filter_export(self, queryset, **kwargs):
        """Return the devices with their units and holders."""
        return queryset.select_related("unit", "holder")
