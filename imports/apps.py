from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Uploaded sheets: their limits, their one-time confirmation and their background jobs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = _("Imports")
