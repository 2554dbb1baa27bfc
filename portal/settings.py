"""Settings for the diagnostic portal, read from the environment.

The defaults give a working SQLite portal for development (`DEBUG=true`); in production set
`SECRET_KEY`, `ALLOWED_HOSTS` and `DATABASE_URL` (or put them in local.env). Bad values stop
the portal at start-up.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off", ""}


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (or 1/0, on/off), not {value!r}.")


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


# `make run` writes local.env: a generated secret key and the choices of a portal on this
# machine (git-ignored), so `manage.py` works as the README says without typing them. The
# environment wins over the file; LOCAL_ENV names another file, or none when empty.
LOCAL_ENV = os.environ.get("LOCAL_ENV", str(BASE_DIR / "local.env"))
if LOCAL_ENV:
    load_dotenv(LOCAL_ENV, override=False)

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=true to develop).")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # search: tsvector field and trigram functions (on PostgreSQL)
    "django_htmx",
    "django_otp",
    "portal.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "portal.apps.BackupCodesConfig",  # django_otp.plugins.otp_static
    "portal.apps.SignInLockoutsConfig",  # axes
    "portal.apps.TaskQueueConfig",  # django_tasks_db
    "diagnostics",
]

# Background work (webhook deliveries, retention) goes through a task queue kept in the
# database: it survives restarts and any app server can add to it. `manage.py db_worker`
# runs it; `manage.py schedule_jobs` starts the portal's once-a-minute clock.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are small but compress well; Django pads gzip output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view (and the CSRF check) reads a form: refuse what is not UTF-8.
    "diagnostics.errors.RefuseUndecodableInput",
    "django_otp.middleware.OTPMiddleware",
    "diagnostics.staff.second_factor.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
CSRF_FAILURE_VIEW = "diagnostics.errors.csrf_failure"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "diagnostics.staff.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
# Our tuning below is a default: options given in DATABASE_URL (`?sslmode=require`) win.
_OPTIONS = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare a statement after a few runs, so PostgreSQL
    # plans each query once per connection: planning the case page's joins took 1.7 ms a
    # request against 0.14 ms to run it.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5,
        **_OPTIONS,
        # Search's near misses ("boilr presure"): the trigram index answers `%>` at this word
        # similarity (content/search.py, TRIGRAM_THRESHOLD), lower than pg_trgm's 0.6.
        "options": " ".join(
            ["-c pg_trgm.word_similarity_threshold=0.5", _OPTIONS.get("options", "")]
        ).strip(),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tuned for a web server: WAL lets readers run beside the writer, writers wait for the
    # lock (busy timeout) instead of failing, and IMMEDIATE takes the write lock at BEGIN so a
    # transaction never has to upgrade (the upgrade is what fails with "database is locked").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **_OPTIONS,
    }
    # Tests on a file, not shared-cache memory, whose table locks ignore the busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in: axes first, so a locked-out username never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "diagnostics:symptom_index"
LOGOUT_REDIRECT_URL = "diagnostics:symptom_index"

# Password attempts: lock a username from one address after 5 failures, for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "diagnostics.http.client_address"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = os.environ.get("OTP_ISSUER", "Diagnostic portal")

# E-mail (password resets): printed to the console unless an SMTP host is set.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In production (DEBUG off) static files are collected with content hashes in their names and
# precompressed, so whitenoise can serve them compressed and cache them for a year. Tests and
# `make run` serve them straight from the app folders: no collectstatic step.
if env_bool("STATIC_FILES_HASHED", default=not DEBUG):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    WHITENOISE_USE_FINDERS = True

# No inline script or style anywhere: htmx is configured through a <meta> tag.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# Production (DEBUG off): HTTPS only, secure cookies, HSTS. Each can be turned off from the
# environment, e.g. SECURE_SSL_REDIRECT=false behind a proxy that already redirects.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "diagnostics.errors.NoTracebackBelow500"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_traceback_below_500"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


# Anonymous customers may start this many diagnoses an hour from one address.
DIAGNOSIS_STARTS_PER_HOUR = env_int("DIAGNOSIS_STARTS_PER_HOUR", 30)
# Password reset e-mails one client address may ask for per hour, and one e-mail address may
# be sent per hour (counted whether or not an account has it).
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 10)
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = env_int("PASSWORD_RESETS_PER_EMAIL_PER_HOUR", 3)
# Trusted reverse proxies in front of the portal (they set X-Forwarded-For and
# X-Forwarded-Proto); 0 when none.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Webhooks: the address the portal is reached at (for case links in payloads), the delays
# between attempts (seconds; one retry per entry), and how many failures in a row disable an
# endpoint. Private, loopback and link-local receivers are refused unless allowed here.
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
WEBHOOK_RETRY_DELAYS = [
    float(seconds)
    for seconds in os.environ.get("WEBHOOK_RETRY_DELAYS", "5,30,120,600,3600,21600,86400").split(
        ","
    )
]
WEBHOOK_MAX_CONSECUTIVE_FAILURES = env_int("WEBHOOK_MAX_CONSECUTIVE_FAILURES", 20)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# `manage.py purge_stale_sessions` deletes sessions never saved after this many days.
STALE_SESSION_DAYS = env_int("STALE_SESSION_DAYS", 30)

# Public pages for visitors not signed in: rendered once per published revision and kept in
# this cache (see diagnostics/content/shared.py); shared caches may keep them for a minute.
SHARED_PAGE_CACHE = os.environ.get("SHARED_PAGE_CACHE", "default")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},  # tests; to turn off
}
SHARED_PAGE_SECONDS_CACHED = env_int("SHARED_PAGE_SECONDS_CACHED", 24 * 3600)
SHARED_PAGE_MAX_AGE = env_int("SHARED_PAGE_MAX_AGE", 60)
