from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    """Organisations, sectors, units and the people who work in them."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "units"
    verbose_name = _("Organisations and units")

    def ready(self):
        """Keep the group of organisation administrators up to date after every migration."""
        from django.db.models.signals import post_migrate

        from units.services import administrators_group

        post_migrate.connect(administrators_group, sender=self)
