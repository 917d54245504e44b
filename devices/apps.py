from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    """Each unit's device register."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "devices"
    verbose_name = _("Device register")
