from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuardConfig(AppConfig):
    """The site's guards: login lock-out (django-axes), bad input refused, security.txt.

    It guards the doors of every app and needs none of them, but for the admin's rule that
    what belongs to no organisation is the superusers' (units.admin.SuperuserOnly).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "guard"
    verbose_name = _("Login security")

    def ready(self):
        """Register the deployment check of the security contact."""
        from guard import checks  # noqa: F401 (registers the check)
