"""Settings for Vastuu.

Everything that differs between a developer's machine and production comes from the environment:
SECRET_KEY, DEBUG, ALLOWED_HOSTS and DATABASE_URL. The defaults are safe: DEBUG is off unless asked
for, and without DATABASE_URL an SQLite file beside the code is used.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Return the environment variable `name` read as a boolean."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG")

# The fallback is a development key: `manage.py check --deploy` flags it, production sets its own.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-vastuu-development-key-change-me"  # noqa: S105
)

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    # Before the admin, so that its translated-field widgets take over.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "import_export",
    "simple_history",
    "units",
    "roles",
    "matrix",
    "devices",
    "plans",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.FinnishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each change is recorded with the user who made it and whether on a page or in the admin.
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.HistoryHowMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Requests that write at once wait for each other instead of failing with "database is
    # locked": write-ahead logging lets readers go on beside a writer, a write transaction takes
    # the write lock when it begins (so it never has to upgrade a read lock and give up), and a
    # writer waits up to 20 seconds for the one before it.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions on units and organisations: the choke point, roles included.
    "units.backends.UnitAccessBackend",
]
# Guardian keeps the grants made by hand; units.backends answers for them, so guardian's own
# backend, which would not count the roles people hold, is left out on purpose.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
# Vastuu never grants permissions to anonymous users, so guardian's anonymous user is not needed.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "matrix:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fi"
LANGUAGES = [
    ("fi", _("Finnish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Matrix content (level, role and duty texts, sector names) is stored in Finnish and Swedish
# (roles/translation.py, units/translation.py). English pages show the Finnish text, and a
# Swedish page falls back to Finnish where no Swedish text is given.
MODELTRANSLATION_LANGUAGES = ("fi", "sv")
MODELTRANSLATION_DEFAULT_LANGUAGE = "fi"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fi",)
# Slugs are made from the Finnish name, whichever language the editor reads the admin in.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "fi"
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# django-import-export: imports run in one transaction and need the model's add permission.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Data protection: the pupil codes and notes of loans returned this many months ago, and the links
# of people who left, are removed by `manage.py purge_personal_data` (privacy.services).
VASTUU_RETENTION_MONTHS = int(os.environ.get("VASTUU_RETENTION_MONTHS", "12"))

# Spreadsheet formulas in exported cells are neutralised (see vastuu's resources).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# django-simple-history: the admin shows history but never reverts to it, since a revert would
# save around the services; how a change came can be long ("import of roolit.xlsx").
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

SESSION_COOKIE_HTTPONLY = True
# On by default behind HTTPS in production; off where the site is served over plain HTTP locally.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Uploads, imports and the background worker ----------------------------------------------
# Every import (the admin's sheets of every model, the device import, `manage.py import_devices`)
# refuses a file over these limits, naming the limit (imports.sheets).
VASTUU_IMPORT_MAX_BYTES = int(os.environ.get("VASTUU_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
VASTUU_IMPORT_MAX_ROWS = int(os.environ.get("VASTUU_IMPORT_MAX_ROWS", "200000"))
# An .xlsx file is a zip archive. It is refused before anything parses it when its parts would
# unpack to more than this many bytes, or one of them to more than this many times its packed
# size: a real sheet packs about 5–15 times, a zip bomb a thousand.
VASTUU_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("VASTUU_IMPORT_MAX_UNZIPPED_BYTES", str(200 * 1024 * 1024)))
VASTUU_IMPORT_MAX_ZIP_RATIO = int(os.environ.get("VASTUU_IMPORT_MAX_ZIP_RATIO", "100"))
# A file of more rows than this is checked and imported by the background worker, with its
# progress and result on a page of its own; a smaller one in the request, as before.
VASTUU_IMPORT_BACKGROUND_ROWS = int(os.environ.get("VASTUU_IMPORT_BACKGROUND_ROWS", "5000"))
# How long a checked upload waits for its one-time confirmation, in seconds.
VASTUU_IMPORT_CONFIRM_SECONDS = int(os.environ.get("VASTUU_IMPORT_CONFIRM_SECONDS", "3600"))
# Uploads above 2.5 MB go to a temporary file rather than memory; the first handler stops
# storing a file once it passes VASTUU_IMPORT_MAX_BYTES, so the form can refuse it by its size.
# The rest of a request body (its fields) is held to 2.5 MB, Django's default.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "imports.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Background tasks: django-tasks with its database backend, run by `manage.py db_worker`.
# VASTUU_TASKS_IMMEDIATE=1 runs them at once in the request instead (development without a
# worker).
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "imports"]
TASKS = {"default": {"BACKEND": (
    "django_tasks.backends.immediate.ImmediateBackend" if env_bool("VASTUU_TASKS_IMMEDIATE")
    else "django_tasks_db.DatabaseBackend")}}
