"""The pages of the device register."""

from django.urls import path

from devices.views import exports, handout, inventory, labels, register, reports

app_name = "devices"

unit = "units/<slug:slug>/devices/"
device = unit + "<str:tag>/"

urlpatterns = [
    path(unit, register.device_list, name="device_list"),
    path(unit + "add/", register.device_add, name="device_add"),
    path(unit + "carts/", register.cart_list, name="cart_list"),
    path(unit + "export/<str:fmt>/", exports.unit_export, name="unit_export"),
    path(unit + "reports/", reports.unit_reports, name="unit_reports"),
    path(unit + "inventory/", inventory.inventory_list, name="inventory_list"),
    path(unit + "inventory/<int:pk>/", inventory.inventory, name="inventory"),
    path(unit + "inventory/<int:pk>/close/", inventory.inventory_close, name="inventory_close"),
    path(unit + "handout/", handout.handout, name="handout"),
    path(unit + "receipt/", handout.receipt, name="receipt"),
    path(unit + "labels/", labels.labels, name="labels"),
    path(device, register.device, name="device"),
    path(device + "edit/", register.device_edit, name="device_edit"),
    path(device + "<str:action>/", register.device_action, name="device_action"),
    path("organisations/<slug:slug>/devices/reports/", reports.organisation_reports,
         name="organisation_reports"),
    path("organisations/<slug:slug>/devices/export/<str:fmt>/", exports.organisation_export,
         name="organisation_export"),
]
