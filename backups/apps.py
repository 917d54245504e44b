from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    """Backing up the whole database to one file and restoring it: no models of its own."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "backups"
    verbose_name = _("Backups")
