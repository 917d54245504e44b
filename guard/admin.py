"""The login records of django-axes in the admin, for superusers only.

Login attempts belong to no organisation, so an organisation's administrator must not read
them (nor anyone's addresses). A superuser releases a lock by deleting its failed login
attempts, one by one or with the action "Release the selected locks". The columns are the
admin's own, so that their names are translated with the site's.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from guard.models import FailedLogin, SuccessfulLogin
from units.admin import SuperuserOnly
from units.admin_input import CappedSearchMixin


class LockedFilter(admin.SimpleListFilter):
    """Filter the failed attempts by whether they lock the login now."""

    title = _("locked")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        """Offer locked and not locked."""
        return [("yes", _("Locked")), ("no", _("Not locked"))]

    def queryset(self, request, queryset):
        """Return the attempts that lock the login now, or those that do not."""
        locking = {"failures_since_start__gte": settings.AXES_FAILURE_LIMIT,
                   "attempt_time__gte": timezone.now() - settings.AXES_COOLOFF_TIME}
        if self.value() == "yes":
            return queryset.filter(**locking)
        if self.value() == "no":
            return queryset.exclude(**locking)
        return queryset


class LoginRecordAdmin(SuperuserOnly, CappedSearchMixin, admin.ModelAdmin):
    """Records axes writes: read and deleted by superusers, never added or changed here."""

    date_hierarchy = "attempt_time"
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]

    def has_add_permission(self, request):
        """Refuse: axes writes these records as people log in."""
        return False

    def has_change_permission(self, request, obj=None):
        """Refuse: a record says what happened."""
        return False

    @admin.display(description=_("Username"), ordering="username")
    def login_name(self, record):
        """Return the username that was given."""
        return record.username

    @admin.display(description=_("IP address"), ordering="ip_address")
    def address(self, record):
        """Return the address the login came from."""
        return record.ip_address

    @admin.display(description=_("browser"))
    def browser(self, record):
        """Return the browser's own description of itself (its user agent)."""
        return record.user_agent

    @admin.display(description=_("page"), ordering="path_info")
    def page(self, record):
        """Return the login page: the site's or the admin's."""
        return record.path_info

    @admin.display(description=_("time"), ordering="attempt_time")
    def time(self, record):
        """Return when the login (the last failed one) was tried."""
        return record.attempt_time


@admin.register(FailedLogin)
class FailedLoginAdmin(LoginRecordAdmin):
    """One username's failed logins from one address; deleting them releases the lock."""

    list_display = ["login_name", "address", "failures", "time", "is_locked", "page"]
    list_filter = [LockedFilter]
    fields = ["login_name", "address", "browser", "page", "failures", "time", "is_locked"]
    readonly_fields = fields
    actions = ["release"]

    @admin.display(description=_("failed attempts"), ordering="failures_since_start")
    def failures(self, attempt):
        """Return how many times the password was wrong."""
        return attempt.failures_since_start

    @admin.display(description=_("locked"), boolean=True)
    def is_locked(self, attempt):
        """Return whether these failures lock the login now."""
        return attempt.is_locked()

    @admin.action(description=_("Release the selected locks"), permissions=["delete"])
    def release(self, request, queryset):
        """Delete the chosen failed attempts, so that their users may log in again."""
        count = queryset.count()
        queryset.delete()
        self.message_user(request, ngettext(
            "Deleted %(count)d failed login attempt: its user may log in again.",
            "Deleted %(count)d failed login attempts: their users may log in again.",
            count) % {"count": count}, messages.SUCCESS)


@admin.register(SuccessfulLogin)
class SuccessfulLoginAdmin(LoginRecordAdmin):
    """The logins that succeeded, from where, and until when."""

    list_display = ["login_name", "address", "time", "logged_out", "page"]
    fields = ["login_name", "address", "browser", "page", "time", "logged_out"]
    readonly_fields = fields

    @admin.display(description=_("logged out"), ordering="logout_time")
    def logged_out(self, login):
        """Return when the user logged out, if they did."""
        return login.logout_time
