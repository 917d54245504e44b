"""django-axes's records of logins, under names the admin shows in Finnish, Swedish and English.

Proxies only: the rows are axes's own (its tables, its `axes_reset` command). A failed login
attempt is one username's failures from one address (and browser); it locks the login when its
failures reach the limit within the cool-off.
"""

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FailedLogin(AccessAttempt):
    """One username's failed logins from one address, counted towards the lock-out."""

    class Meta:
        proxy = True
        verbose_name = _("failed login attempt")
        verbose_name_plural = _("failed login attempts")

    def __str__(self):
        return _("%(username)s from %(address)s") % {
            "username": self.username, "address": self.ip_address}

    def is_locked(self):
        """Return whether these failures lock the login now: at the limit, within the cool-off."""
        return (self.failures_since_start >= settings.AXES_FAILURE_LIMIT
                and self.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME)


class SuccessfulLogin(AccessLog):
    """One login that succeeded: who, from which address, when, and when they logged out."""

    class Meta:
        proxy = True
        verbose_name = _("successful login")
        verbose_name_plural = _("successful logins")

    def __str__(self):
        return _("%(username)s from %(address)s") % {
            "username": self.username, "address": self.ip_address}
