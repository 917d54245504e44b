from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Action plans: an organisation's goals for a year and the actions that reach them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = _("Action plans")
