"""Constellation settings: one module, read from the environment.

Defaults are safe for a laptop (SQLite and a file broker under ``var/``,
a per-install secret key); production hardening switches on with
``DEBUG`` off and ``HTTPS=true``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool) -> bool:
    """Strict boolean: an unknown value is an error, never a silent False."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from error


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return os.environ.get(name) or None


def _laptop_secret_key() -> str:
    # A random key per installation, kept under var/, so no key is ever committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = envbool("DEBUG", False)
HTTPS = envbool("HTTPS", False)
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if HTTPS:
        # Several containers must share one key, so production never invents its own.
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) when HTTPS is on.")
    SECRET_KEY = _laptop_secret_key()


def _laptop_case_keys() -> str:
    # Like the laptop's SECRET_KEY: made once per installation, kept under var/ (never in
    # the database it protects, never committed).
    from cryptography.fernet import Fernet

    path = VAR_DIR / "case_keys"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


# Conflict cases' texts are encrypted with these Fernet keys (rituals.sealing), kept outside
# the database: comma-separated, the first encrypts, every one decrypts (to rotate, put a new
# key first, run `manage.py reseal_cases`, then drop the old one).
CASE_KEYS = envsecret("CASE_KEYS")
if not CASE_KEYS:
    if HTTPS:
        raise ImproperlyConfigured(
            "Set CASE_KEYS (or CASE_KEYS_FILE): conflict cases are encrypted with a key kept "
            'outside the database. Make one with `python -c "from cryptography.fernet import '
            'Fernet; print(Fernet.generate_key().decode())"`.'
        )
    CASE_KEYS = _laptop_case_keys()
CASE_KEYS = [key.strip() for key in CASE_KEYS.split(",") if key.strip()]


def _check_case_keys(keys):
    # A damaged key would start fine and fail at the first case: refuse it now, in words.
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"CASE_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded "
                "bytes, as Fernet.generate_key() makes)."
            ) from None


_check_case_keys(CASE_KEYS)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Links in e-mails and calendar feeds. Unset, it follows the port `make run` serves on.
SITE_URL = (
    os.environ.get("SITE_URL", "").strip() or f"http://localhost:{envint('PORT', 8000)}"
).rstrip("/")
# `make bench` only: mounts the two floor views (constellation/bench_views.py). Never on by default.
BENCH_FLOOR_VIEWS = envbool("BENCH_FLOOR_VIEWS", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "pgtrigger",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "movement",
    "circles",
    "commons",
    "rituals",
    "constellation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "movement.sessions.AuthenticationMiddleware",
    "constellation.middleware.person_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "movement.submissions.once_per_form",
    "constellation.middleware.private_pages",
]

ROOT_URLCONF = "constellation.urls"
WSGI_APPLICATION = "constellation.wsgi.application"

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
                "movement.context_processors.header",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 600),
        # A reused connection is checked (one `SELECT 1`) before each request uses it, so a
        # database restart costs no request an error. CONN_HEALTH_CHECKS=false saves that
        # round trip (about 0.2 ms a request, measured by `make bench`).
        conn_health_checks=envbool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Broker, cache and sessions ------------------------------------------------
# Redis is an accelerator, never a single point of failure. It carries the Celery broker
# only: sessions live in the database (a Redis that comes back after an outage can never
# hand out a session that was logged out meanwhile), and the default cache, which holds
# allauth's rate limits, is a database table shared by every process (so limits still hold,
# and logging in still works, while Redis is away). With the broker down, a publish fails
# in about a second and the outbox keeps the message for the next drain.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cache_entries",
        # Django's default (300 entries, then a third culled by key) would let a burst of
        # other log-ins wipe an account's failed-login count. Rate-limit entries expire
        # within minutes, and a cull removes expired rows first.
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 200_000)},
    },
    # Derived data keyed by what it derives from (a pool's newest entry, say), so a kept
    # value is never stale: each process keeps its own, no server involved.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 5_000},
    },
}
# Database sessions whose row carries its user: one query, not two, before a logged-in
# view runs (movement/sessions.py).
SESSION_ENGINE = "movement.sessions"

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
BROKER_DIR = VAR_DIR / "broker"

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A broker that is down must fail a publish in about a second, not hang a request.
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
        "max_retries": 0,
    }
else:
    for folder in ("out", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Beat only triggers sweeps; every deadline lives in the database.
    "sweep-timers": {"task": "rituals.tasks.sweep_timers", "schedule": 60.0},
    "drain-outbox": {"task": "movement.tasks.drain_outbox", "schedule": 60.0},
    "tell-waiting-deciders": {"task": "commons.tasks.tell_waiting_deciders", "schedule": 60.0},
    "schedule-gatherings": {"task": "rituals.tasks.schedule_gatherings", "schedule": 3600.0},
    "forget-old-submissions": {
        "task": "movement.tasks.forget_old_submissions",
        "schedule": 86400.0,
    },
    "forget-expired-sessions": {
        "task": "movement.tasks.forget_expired_sessions",
        "schedule": 86400.0,
    },
    "purge-closed-cases": {"task": "rituals.tasks.purge_closed_cases", "schedule": 86400.0},
    "build-waiting-exports": {"task": "movement.tasks.build_waiting_exports", "schedule": 60.0},
    "purge-expired-exports": {"task": "movement.tasks.purge_expired_exports", "schedule": 3600.0},
}
TIMER_SWEEP_STALE_AFTER = envint("TIMER_SWEEP_STALE_AFTER", 300)
# A facilitator may start a gathering from this many minutes before it begins until it ends.
GATHERING_OPENS_MINUTES_BEFORE = envint("GATHERING_OPENS_MINUTES_BEFORE", 60)
# A sweep claims due timers until none is due or this many seconds are spent: less than
# beat's minute, so sweeps do not pile up behind each other.
TIMER_SWEEP_BUDGET = envint("TIMER_SWEEP_BUDGET", 45)
# The same for a drain of the outbox: what is left waits for the next drain.
OUTBOX_DRAIN_BUDGET = envint("OUTBOX_DRAIN_BUDGET", 45)

# --- Auth (django-allauth) -----------------------------------------------
AUTH_USER_MODEL = "movement.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "movement.forms.SignupForm"
ACCOUNT_ADAPTER = "movement.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Constellation] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Constellation"

# --- E-mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Constellation <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is named in itself: someone who reads only Spanish must find "Español".
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
# Dates follow the language (Django's formats); English's are set in constellation/formats.
FORMAT_MODULE_PATH = ["constellation.formats"]
USE_TZ = True

# --- Static files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Hashed, compressed file names need `collectstatic` first: production images turn
# STATIC_MANIFEST on; a laptop and the tests serve straight from static/.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Uploaded files (a sprint's artifact) -------------------------------------------
# Kept under MEDIA_ROOT with random names and served only by a view that checks who asks
# (rituals.views.artifact_file): no URL serves MEDIA_ROOT, so MEDIA_URL stays unset. In
# production MEDIA_ROOT must be a volume every web container shares.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", "").strip() or VAR_DIR / "media")
ARTIFACT_MAX_BYTES = envint("ARTIFACT_MAX_BYTES", 10 * 1024 * 1024)
# The first handler stops keeping a file past ARTIFACT_MAX_BYTES (rituals/uploads.py), so
# an oversized upload never fills the disk and the form can still say it was too large.
FILE_UPLOAD_HANDLERS = [
    "rituals.uploads.ArtifactSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger files wait in a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # a form's fields, its files not counted
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Security ------------------------------------------------------------------
from csp.constants import NONE, SELF  # noqa: E402

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
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# htmx reads the token from the page (hx-headers on <body>), so no script needs the cookie.
CSRF_COOKIE_HTTPONLY = True
# Everything this app never asks the browser for.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
