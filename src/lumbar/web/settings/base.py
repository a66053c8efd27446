"""Settings shared by every deployment. Secrets and deployment choices come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from lumbar.web.datadir import CACHE_SUBDIR, DATABASE_FILE, data_dir, secret_key
from lumbar.web.security.email import email_settings
from lumbar.web.security.proxy import parse_trusted_proxies

WEB_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("LUMBAR_DEBUG", default=False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("LUMBAR_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LUMBAR_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# The reverse proxies in front of Lumbar (addresses or networks): only from them are X-Forwarded-For
# (the client's address, for sign-in throttling) and X-Forwarded-Proto (HTTPS) believed.
# See lumbar.web.security.proxy; empty (the default) believes nobody.
LUMBAR_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("LUMBAR_TRUSTED_PROXIES", ""))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # django-ninja for the REST API; listed so that its docs page uses the Swagger UI files in its
    # wheel (static files) instead of a CDN.
    "ninja",
    "lumbar.web.security",
    "lumbar.web.core",
    "lumbar.web.library",
    "lumbar.web.records",
    "lumbar.web.accounts",
    "lumbar.web.onboarding",
    "lumbar.web.formcheck",
    "lumbar.web.care",
    "lumbar.web.outcomes",
    "lumbar.web.outputs",
    "lumbar.web.clinic",
    "lumbar.web.api",
]

MIDDLEWARE = [
    # First: the real client address and scheme, from trusted proxies only.
    "lumbar.web.security.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get X-Frame-Options and Referrer-Policy too.
    "lumbar.web.security.middleware.SecurityHeadersMiddleware",
    # The Content-Security-Policy (CONTENT_SECURITY_POLICY below), static files included.
    "lumbar.web.security.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every response to a signed-in person.
    "lumbar.web.security.middleware.PrivatePagesMiddleware",
    # /healthz stops saying "read-only" once a write succeeds again after a full disk.
    "lumbar.web.security.middleware.WriteRecoveryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lumbar.web.urls"
# Our widget templates (pain scale, answer chips) live in the project's template folder.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "lumbar.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lumbar.web.core.context.site",
            ],
        },
    },
]

# SQLite in the data directory unless DATABASE_URL names another database (PostgreSQL for a clinic).
# WAL lets readers and the task worker run while a request writes; IMMEDIATE takes the write lock at
# the start of a transaction so concurrent writers queue instead of failing with "database is locked".
# secure_delete overwrites deleted rows with zeros, so a deleted account leaves no trace in the file
# (account_services.erase_deleted_data also empties the WAL after a deletion).
SQLITE_PATH = DATA_DIR / DATABASE_FILE
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{SQLITE_PATH}", conn_max_age=60),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            "PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# At least 10 characters, not only spaces, not a common password, not like the email address, not
# only digits, not made of the site's own words (lumbar.web.security.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "lumbar.web.security.passwords.NotOnlyWhitespaceValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "lumbar.web.security.passwords.SiteWordsValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out sign-in is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, except that the email (the user name) matches whatever its case.
    "lumbar.web.accounts.backends.EmailBackend",
]
# The lock is kept under the address in lower case, so changing its case does not reset the count.
AXES_USERNAME_CALLABLE = "lumbar.web.accounts.backends.axes_username"
# ... and under the real client address behind LUMBAR_TRUSTED_PROXIES (never a forged X-Forwarded-For).
AXES_CLIENT_IP_CALLABLE = "lumbar.web.security.proxy.axes_client_address"
# Sign-in throttling (django-axes): after 5 wrong passwords for one account from one address,
# that account cannot sign in from there for 15 minutes, even with the right password. Keyed on
# user name and address together, so a stranger cannot lock a person out from elsewhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Failed sign-ins are still logged; the start-up banner and per-request chatter are not.
AXES_VERBOSE = False
# Sign-in logs (django-axes) are kept this many days, then deleted by the daily housekeeping task
# (lumbar.web.security.tasks), with expired sessions.
try:
    LUMBAR_LOGIN_LOG_DAYS = int(os.environ.get("LUMBAR_LOGIN_LOG_DAYS", "30"))
except ValueError:
    raise ImproperlyConfigured("LUMBAR_LOGIN_LOG_DAYS must be a whole number of days") from None
# Password-reset emails: at most this many an hour for one email address (more are silently not
# sent) and for one client address (more are refused with 429).
LUMBAR_RESET_LIMIT_PER_ADDRESS = 3
LUMBAR_RESET_LIMIT_PER_CLIENT = 10
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "home"

# The morning check-in (product policy, not a clinical number): offered on the Today page from the
# opening hour (local time) on the evening of a session day until the closing hour the next day.
# A check-in is always taken, but one given at or after the closing hour on its own day (the same
# afternoon or evening) is not a morning reading: its warning signs count, its pain is not read as
# the next-morning pain by the progression review (lumbar.web.records.selectors.is_next_morning_reading).
LUMBAR_CHECKIN_OPENS_HOUR = 18
LUMBAR_CHECKIN_CLOSES_HOUR = 12

# Sign-up: a new account works once its emailed link is followed, within this many seconds.
LUMBAR_SIGNUP_LINK_MAX_AGE = 3 * 24 * 60 * 60
# When the server answers only on loopback (every allowed host is 127.0.0.1, localhost or [::1], the
# embedded default) and the request came to a loopback host, the "check your email" page also shows
# the emailed link, so a person on their own computer need not look for it in the server's console.
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
LUMBAR_LOOPBACK_ONLY = all(host in _LOOPBACK_HOSTS for host in ALLOWED_HOSTS)
LUMBAR_SHOW_LINKS_ON_LOOPBACK = (
    env_flag("LUMBAR_SHOW_LINKS_ON_LOOPBACK", default=True) and LUMBAR_LOOPBACK_ONLY
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("LUMBAR_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [WEB_DIR / "static"]
# The embedded server serves static files straight from the package (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The cache every server process shares: `lumbar serve` runs several gunicorn workers, and a
# per-process cache (Django's default) would draw each chart once per worker and keep one copy in
# each. Files in the data directory (mode 700, files 600) need no extra service and survive a
# restart; a write is a rename, so a worker never reads half an entry. It holds drawn charts, one per
# person (lumbar.web.core.charts, deleted with the account); MAX_ENTRIES bounds it (past it, a
# quarter of the entries are dropped). `cache/figures/` beside it is the exercise figures' own.
CACHE_DIR = DATA_DIR / CACHE_SUBDIR
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(CACHE_DIR),
        "TIMEOUT": 60 * 60 * 24 * 7,
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    }
}

# LUMBAR_EMAIL_URL: smtp://user:password@host:587 (STARTTLS), smtps://...:465 or console://.
# Unset: the console on a loopback-only server (the embedded default), else nothing is sent and no
# link is logged (lumbar.web.security.email).
globals().update(email_settings(os.environ.get("LUMBAR_EMAIL_URL"), loopback_only=LUMBAR_LOOPBACK_ONLY))
if os.environ.get("LUMBAR_EMAIL_BACKEND"):  # a Django backend's dotted path, for special cases
    EMAIL_BACKEND = os.environ["LUMBAR_EMAIL_BACKEND"]
DEFAULT_FROM_EMAIL = os.environ.get("LUMBAR_FROM_EMAIL", "Lumbar <no-reply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts, styles, images and requests from
# this site only; no inline script or style (templates carry none: tests/test_hardening_csp.py), no
# eval, no plugins, no <base>, forms post here only, and the site is never framed. Anything not named
# (fonts, media, frames, workers, manifests) is refused by default-src 'none'. docs/web.md, "Headers
# and caching", says why each one is there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# Paths whose page needs a little more, added to the policy above for them alone: the REST API's
# docs page (django-ninja's Swagger UI, served from its wheel) draws its icons from data: URLs.
LUMBAR_CSP_ADDITIONS = {
    "/api/v1/docs": {"img-src": ["data:"]},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LUMBAR_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
