"""Admin of the privacy notice: one site-wide text that superusers alone edit."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from privacy.models import PrivacyNotice
from units.admin import VersionedAdmin


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(VersionedAdmin, TranslationAdmin):
    """The privacy notice in Finnish and Swedish, with its change history; a stale save is
    refused.

    It speaks for the whole site, not one organisation, so only superusers read or change it
    here (everyone reads it on its page); a migration creates it, and nobody adds or deletes it.
    """

    list_display = ["title", "updated_on"]
    readonly_fields = ["updated_on"]
    fields = ["title", "controller", "body", "updated_on"]
    # The history page lists how each change came: in the admin, by a command.
    history_list_display = ["history_change_reason"]

    def has_module_permission(self, request):
        """Show the app on the admin index to superusers alone."""
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        """Let superusers alone open the notice here."""
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        """Let superusers alone change the notice every organisation's users read."""
        return request.user.is_superuser

    def has_add_permission(self, request):
        """Refuse: there is one notice, created by a migration."""
        return False

    def has_delete_permission(self, request, obj=None):
        """Refuse: the footer of every page links the one notice."""
        return False
