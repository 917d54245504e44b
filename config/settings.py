"""Settings for Vastuu.

Everything that differs between a developer's machine and production comes from the environment;
README's "Going live" lists every variable. The defaults are production's: DEBUG is off unless
asked for, a secret key must be given, and the site is taken to be served over HTTPS through a TLS
proxy. Without DATABASE_URL an SQLite file beside the code is used.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Return the environment variable `name` read as a boolean."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    """Return the environment variable `name` read as an integer; unset or empty is `default`."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name, default=""):
    """Return the environment variable `name` read as a comma-separated list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

# --- The secret key -----------------------------------------------------------------------------
development_secret_key = "django-insecure-vastuu-development-key-change-me"  # noqa: S105
# The command that makes a secret key, for the message that asks for one.
key_command = ("python -c 'from django.core.management.utils import "
               "get_random_secret_key; print(get_random_secret_key())'")


def secret_key(debug):
    """Return DJANGO_SECRET_KEY, else the contents of the file DJANGO_SECRET_KEY_FILE names.

    Outside DEBUG one of them is required: with the public development key anyone could forge
    a session, so starting without a key is refused rather than quietly insecure.
    """
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    path = os.environ.get("DJANGO_SECRET_KEY_FILE", "").strip()
    if not key and path:
        try:
            key = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"DJANGO_SECRET_KEY_FILE names {path}, which cannot be read: {error}") from error
    if key:
        return key
    if debug:
        return development_secret_key
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE, the path of a file that holds it): "
        "without DJANGO_DEBUG=1 a secret key is required. Generate one with:\n"
        f"    {key_command}")


SECRET_KEY = secret_key(DEBUG)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# --- HTTPS behind a TLS proxy -------------------------------------------------------------------
# Production serves Vastuu over HTTPS through a proxy (nginx) on the same machine, which passes
# the scheme on in X-Forwarded-Proto. DJANGO_HTTPS=0 is for plain HTTP: `make run` (DEBUG)
# and the loopback trial of `make serve`. Each setting below can also be set on its own.
https = env_bool("DJANGO_HTTPS", default=not DEBUG)
proxy_ssl_header = os.environ.get("DJANGO_PROXY_SSL_HEADER",
                                  "X-Forwarded-Proto" if https else "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https") if proxy_ssl_header else None)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=https)
# The health check answers monitoring on loopback over plain HTTP too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=https)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A form's origin is trusted when it is the site's own address. Over HTTPS that is https:// and
# each allowed host, so that a POST is accepted even if the proxy forgets X-Forwarded-Proto.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS") or [
    "https://" + ("*" + host if host.startswith(".") else host)
    for host in (ALLOWED_HOSTS if https else []) if host != "*"
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
    "csp",
    "guardian",
    "import_export",
    "simple_history",
    "units",
    "roles",
    "matrix",
    "devices",
    "plans",
    "privacy",
    "backups",
    "demo",
    # Login lock-out (django-axes) and the guards of guard/: bad input, security.txt.
    "axes",
    "guard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions and the headers of pages below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "config.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.sessions.IdleTimeoutMiddleware",
    "config.middleware.FinnishFirstLocaleMiddleware",
    # Early, and after the language is chosen: a NUL byte or an overlong value answers 400 in the
    # user's language before any view or query reads it.
    "guard.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Each change is recorded with the user who made it and whether on a page or in the admin.
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.HistoryHowMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
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

# A connection is kept for DJANGO_CONN_MAX_AGE seconds and checked before it is reused, instead
# of one per request. The development server starts a thread per request, so DEBUG keeps none.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
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
    # First: refuses a locked-out username and address before any backend checks a password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions on units and organisations: the choke point, roles included.
    "units.backends.UnitAccessBackend",
]
# Guardian keeps the grants made by hand; units.backends answers for them, so guardian's own
# backend, which would not count the roles people hold, is left out on purpose.
SILENCED_SYSTEM_CHECKS = [
    "guardian.W001",
    # The HSTS preload list takes whole registered domains (a municipality's kuopio.fi), not one
    # service on it: a decision for the domain's owner. DJANGO_HSTS_PRELOAD=1 sends the directive.
    "security.W021",
]
# Vastuu never grants permissions to anonymous users, so guardian's anonymous user is not needed.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
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
# --- Static files in production (WhiteNoise) ----------------------------------------------------
# Outside DEBUG, `collectstatic` (deploy/serve runs it) writes compressed copies with hashed
# names, cached by browsers for a year; DEBUG serves the files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    if DEBUG else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

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

# --- Login lock-out (django-axes) -------------------------------------------------------------
# A username is locked out from one address after VASTUU_LOGIN_FAILURE_LIMIT wrong passwords
# for VASTUU_LOGIN_COOLOFF_MINUTES; a failure while locked starts the wait again. The lock is per
# username *and* address: a school's staff share one NAT address, and one person's typos must
# not lock the whole school out, nor can someone elsewhere lock a user out of their own school.
# The login page and the admin's login both go through it. Superusers release a lock in the
# admin ("Failed login attempts") or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("VASTUU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("VASTUU_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The right password after a typo or two starts the count again.
AXES_RESET_ON_SUCCESS = True
# 429 Too Many Requests: the request was fine, there were too many of them; 403 would read as
# "you may not", which is not what a lock-out means and not what the site answers elsewhere.
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "guard.lockout.locked_out"
# guard/admin.py shows axes's records to superusers only, in the site's languages.
AXES_ENABLE_ADMIN = False
# Behind a reverse proxy every request comes from the proxy's address: given the number of
# proxies in front (VASTUU_PROXY_COUNT), the client's address is read from X-Forwarded-For.
# With HTTPS on, the site is taken to be behind one TLS proxy (see above), so one by default.
VASTUU_PROXY_COUNT = env_int("VASTUU_PROXY_COUNT", 1 if https else 0)
AXES_CLIENT_IP_CALLABLE = "guard.lockout.client_address"
# axes keeps usernames of at most 255 characters: a longer one is recorded cut.
AXES_USERNAME_CALLABLE = "guard.lockout.username"

# --- Bad input (guard.middleware) and security.txt (guard.views) -----------------------------
# A path, or a query-string key or value, longer than these answers 400 (as does a control
# character in any of them, or in a form's field).
VASTUU_MAX_PATH_LENGTH = int(os.environ.get("VASTUU_MAX_PATH_LENGTH", "2000"))
VASTUU_MAX_QUERY_VALUE_LENGTH = int(os.environ.get("VASTUU_MAX_QUERY_VALUE_LENGTH", "2000"))
# Whom to tell of a vulnerability (a mailto: or https: URI), in /.well-known/security.txt;
# unset, the privacy notice, which names the controller and its contacts.
VASTUU_SECURITY_CONTACT = os.environ.get("VASTUU_SECURITY_CONTACT", "")

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Sessions on shared computers ---------------------------------------------------------------
# A school's computer is shared: the login ends when the browser closes, and after
# DJANGO_SESSION_IDLE_HOURS without a request (config.sessions: a request starts the time again).
SESSION_ENGINE = "config.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = round(float(os.environ.get("DJANGO_SESSION_IDLE_HOURS") or 8) * 3600)

# --- Content-Security-Policy (django-csp) and Permissions-Policy (config.headers) ----------------
# Scripts and styles come from the site's own static files only: no inline code, so an injected
# <script> or style attribute does nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Features no page of Vastuu uses are turned off for it and anything it could be made to embed.
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}

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
