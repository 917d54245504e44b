"""Sessions that end after an idle time, without a database write on every request.

A session's expiry is SESSION_COOKIE_AGE after it was last saved. SESSION_SAVE_EVERY_REQUEST would
restart that time by saving the session on every request, a write (and on SQLite the database's
write lock) for every page anyone opens. Here a request saves it only when its expiry is a few
minutes old, so a login still ends after the idle time, give or take those minutes.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

# How stale the saved expiry may grow before a request saves it again.
MOST_STALE = timedelta(minutes=5)


class SessionStore(DatabaseSessionStore):
    """Django's database session store, remembering when the session it loaded expires."""

    expires_at = None

    def _get_session_from_db(self):
        """Return the session's row, if it has not expired, and note its expiry date."""
        row = super()._get_session_from_db()
        self.expires_at = row.expire_date if row else None
        return row


def refresh_after():
    """Return how stale an expiry may be: five minutes, or a tenth of a shorter idle time."""
    return min(MOST_STALE, timedelta(seconds=settings.SESSION_COOKIE_AGE) / 10)


class IdleTimeoutMiddleware:
    """Restart a session's idle time on a request, saving it when its expiry has gone stale."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        expires_at = getattr(session, "expires_at", None)
        if expires_at is not None and not session.modified:
            renewed = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if renewed - expires_at >= refresh_after():
                session.modified = True  # SessionMiddleware saves it, with a new expiry
        return response
