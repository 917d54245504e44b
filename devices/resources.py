"""The device sheet: one row per device, recognised by its asset tag.

The columns are defined once here. The register's streamed exports (devices.views.exports), the
admin's export (DeviceResource) and the importer (devices.importing) all use them, so an export
re-imports unchanged. Headers are translated; an import accepts them in any site language.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from devices.models import Device, Loan
from units.resources import VastuuResource, escape_formula


def _label(name, model=Device):
    """Return the model's translatable name of the field `name`."""
    return model._meta.get_field(name).verbose_name


def _yes_no(value):
    return gettext("yes") if value else gettext("no")


def _related(name, key):
    """Return a cell reader that gives the natural key `key` of the related object `name`."""
    def cell(device):
        related = getattr(device, name)
        return "" if related is None else getattr(related, key)
    return cell


def _attribute(name):
    def cell(device):
        value = getattr(device, name)
        return "" if value is None else value
    return cell


# (key, header, cell): the key is the Device field the column sets; the cell reads the value an
# export writes. Related objects go by natural key: unit slug, holder email, cart name in the unit.
COLUMNS = [
    ("unit", _label("unit"), _related("unit", "slug")),
    ("category", _label("category"), _attribute("category")),
    ("asset_tag", _label("asset_tag"), _attribute("asset_tag")),
    ("serial_number", _label("serial_number"), _attribute("serial_number")),
    ("manufacturer", _label("manufacturer"), _attribute("manufacturer")),
    ("model", _label("model"), _attribute("model")),
    ("number", _label("number"), _attribute("number")),
    ("use", _label("use"), _attribute("use")),
    ("location", _label("location"), _attribute("location")),
    ("ownership", _label("ownership"), _attribute("ownership")),
    ("lease_ends_on", _label("lease_ends_on"), _attribute("lease_ends_on")),
    ("billed_monthly", _label("billed_monthly"), lambda device: _yes_no(device.billed_monthly)),
    ("monthly_cost", _label("monthly_cost"), _attribute("monthly_cost")),
    ("status", _label("status"), _attribute("status")),
    ("holder", _("holder email"), _related("holder", "email")),
    ("pupil_code", _label("pupil_code", Loan), _attribute("pupil_code")),
    ("cart", _label("cart"), _related("cart", "name")),
    ("cart_slot", _("cart slot"), _attribute("cart_slot")),
    ("last_seen", _label("last_seen"), _attribute("last_seen")),
    ("notes", _label("notes"), _attribute("notes")),
]
KEYS = [key for key, _header, _cell in COLUMNS]



def for_sheet(devices):
    """Return `devices` with what their rows show: unit and cart joined, open loans fetched."""
    return devices.select_related("unit", "cart").with_loan()

# Headers an older sheet used, still accepted.
OLD_HEADERS = {"holder": _label("holder", Loan), "cart_slot": _label("cart_slot")}


def headers():
    """Return the sheet's column headers in the active language."""
    return [str(header) for _key, header, _cell in COLUMNS]


def header_keys():
    """Return {header as typed, casefolded: column key} for the headers in every site language.

    The keys themselves (asset_tag) are accepted too, for sheets written by scripts.
    """
    known = {key: key for key in KEYS}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for key, header, _cell in COLUMNS:
                known[str(header).casefold()] = key
            for key, header in OLD_HEADERS.items():
                known.setdefault(str(header).casefold(), key)
    return known


def device_cells(device):
    """Return the cells of `device`'s row: text, numbers and dates, None for nothing."""
    return [cell(device) for _key, _header, cell in COLUMNS]


def csv_cell(value):
    """Return `value` as CSV text: dates as 2025-08-01, decimals with a point."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return "" if value is None else str(value)


def csv_row(device):
    """Return `device`'s row as CSV text cells, formulas neutralised."""
    return [escape_formula(csv_cell(cell)) for cell in device_cells(device)]


class DeviceResource(VastuuResource):
    """The device sheet as the admin exports it, in the columns of `COLUMNS`.

    Devices are imported through devices.services.devices_import, which checks the whole file
    in a few queries and saves it all or nothing; this resource only exports.
    """

    class Meta(VastuuResource.Meta):
        model = Device
        fields = tuple(KEYS)
        import_id_fields = ("asset_tag",)

    def __init__(self, **kwargs):
        """Give every column its header in the active language and its cell from `COLUMNS`."""
        super().__init__(**kwargs)
        for key, header, cell in COLUMNS:
            self.fields[key] = Field(attribute=key, column_name=str(header),
                                     dehydrate_method=_as_sheet_cell(cell))

    def filter_export(self, queryset, **kwargs):
        """Return the devices with their units, holders and carts."""
        return for_sheet(queryset)

    def import_data(self, dataset, **kwargs):
        """Refuse: devices are imported through devices.importing, all or nothing."""
        raise NotImplementedError("Import devices with devices.services.devices_import().")


def _as_sheet_cell(cell):
    """Return `cell` writing dates and decimals as text, the way a CSV export writes them."""
    return lambda device: csv_cell(cell(device))
