from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    """Who holds which role where, and the views composed from units and roles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "matrix"
    verbose_name = _("Responsibility matrix")

    def ready(self):
        """Connect the signals that keep role-granted permissions in step."""
        from matrix import signals  # noqa: F401
