from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    """Who holds which role where, and the views composed from units and roles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "matrix"
    verbose_name = _("Responsibility matrix")

    def ready(self):
        """Let the choke point count the unit permissions of the roles people hold today.

        Only unit assignments grant anything: a role held in a whole organisation (the ICT
        coordinator, the IT company) grants nothing on units, so an organisation's roles cannot
        quietly open every unit below it. Nothing is stored: an assignment grants from its
        start date to its end date, and not a moment after it ends or is deleted. Being a
        member of a group lets one view the group's organisation, by the same reckoning.
        """
        from matrix.models import Assignment
        from units.models import ORGANISATION_VIEW_SOURCES, UNIT_GRANT_SOURCES

        if Assignment.objects.unit_ids_granting not in UNIT_GRANT_SOURCES:
            UNIT_GRANT_SOURCES.append(Assignment.objects.unit_ids_granting)
        # A group's members see its home organisation, computed the same way (view only).
        if Assignment.objects.group_organisation_ids not in ORGANISATION_VIEW_SOURCES:
            ORGANISATION_VIEW_SOURCES.append(Assignment.objects.group_organisation_ids)
