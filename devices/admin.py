"""Admin for the device register."""

from django.contrib import admin

from devices.models import Device
from devices.resources import DeviceResource
from units.admin import SheetAdmin


@admin.register(Device)
class DeviceAdmin(SheetAdmin):
    """Devices, imported and exported by asset tag."""

    resource_classes = [DeviceResource]
    list_display = ["asset_tag", "category", "model", "unit", "status", "holder"]
    list_filter = ["status", "category", ("unit__organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["asset_tag", "serial_number", "model", "unit__name", "holder__name"]
    list_select_related = ["unit", "holder"]
    autocomplete_fields = ["unit", "holder"]
