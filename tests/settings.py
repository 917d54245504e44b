"""Settings for the test suite: the project's own, with what a test run needs instead.

The suite runs with DEBUG off, as production does, over the test client's plain HTTP, and
without `collectstatic`: static files are found where they are written.
"""

import os

# Before the project's settings read the environment.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-key-never-used-outside-the-test-suite")
os.environ.setdefault("DJANGO_HTTPS", "0")

from config.settings import *  # noqa: E402, F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise answers from the apps' and the project's static folders, looked up per request.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The slow default hasher would dominate the suite's time, module-scoped fixtures' users too.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
