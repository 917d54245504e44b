from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    """Levels, roles and their duties: the content of a responsibility matrix."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "roles"
    verbose_name = _("Roles and duties")
