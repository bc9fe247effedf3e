"""Django settings for JoinedUp: one module, driven by environment variables.

DATABASE_URL     PostgreSQL in production (postgres://user@host:5432/name); when unset,
                 an embedded SQLite database in WAL mode at var/joinedup.sqlite3 under
                 the working directory.
SECRET_KEY       required in production; the demo keeps a generated one in var/.
JOINEDUP_DEBUG   "1" for development error pages (never in production).
JOINEDUP_ALLOWED_HOSTS        comma-separated host names (default: localhost names).
JOINEDUP_SESSION_IDLE_MINUTES sign-out after this much inactivity (default 30).
JOINEDUP_DATA_DIR             where the embedded database and generated files live
                              (default: ./var).
JOINEDUP_FRONTEND_DIR         the node_modules folder holding nhsuk-frontend and htmx.
JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES  the most entries one FHIR Bundle may hold when
                              ingested (default 100000).
JOINEDUP_CSV_MAPPINGS_DIR     a folder of CSV extract mappings (<source>.yaml), looked
                              in before the built-in ones.
JOINEDUP_BASE_URL             this service's address, for links in emails
                              (e.g. https://joinedup.example.nhs.uk).
EMAIL_URL                     where notification emails go: smtp://user:pass@host:587
                              (smtp+tls://, smtps://), or console: / dummy: (default:
                              console: in debug, dummy: otherwise).
DEFAULT_FROM_EMAIL            the sender of notification emails.
JOINEDUP_HL7_MAX_BYTES        the largest HL7 v2 message accepted (default 10485760,
                              10 MB); a larger one is refused with an AR.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("JOINEDUP_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = _env_bool("JOINEDUP_DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # Embedded/demo use only: keep a generated key beside the embedded database so
    # sessions survive a restart. `joinedup check --deploy` flags this in production.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
SECRET_KEY_FROM_ENVIRONMENT = "SECRET_KEY" in os.environ

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "JOINEDUP_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "joinedup.governance",
    "joinedup.people",
    "joinedup.record",
    "joinedup.coordination",
    "joinedup.interop",
    "joinedup.discharge",
    "joinedup.funding",
    "joinedup.population",
    "joinedup.web",
]

MIDDLEWARE = [
    "joinedup.web.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "joinedup.web.middleware.AuditedRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "joinedup.web.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lock-out into our lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Throttles and locks out repeated failed logins (per username and address).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("JOINEDUP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor authentication (TOTP) for every login; `joinedup demo` turns it off.
JOINEDUP_REQUIRE_2FA = _env_bool("JOINEDUP_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "JoinedUp"

# Content-Security-Policy: our own scripts and styles only, inline scripts by nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "joinedup.config.urls"
WSGI_APPLICATION = "joinedup.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "joinedup.web.context_processors.acting_as",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
        config["CONN_HEALTH_CHECKS"] = True
        return {"default": config}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "joinedup.sqlite3"),
            "OPTIONS": {
                # WAL lets readers carry on while one writer commits; IMMEDIATE makes
                # a writing transaction take the lock up front instead of failing
                # half-way with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": str(DATA_DIR / "test_joinedup.sqlite3")},
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "governance.User"
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: signed out after a period of inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("JOINEDUP_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if _env_bool("JOINEDUP_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FRONTEND_DIR = Path(os.environ.get("JOINEDUP_FRONTEND_DIR", REPO_DIR / "node_modules"))
STATICFILES_DIRS = [
    (prefix, folder)
    for prefix, folder in (
        ("nhsuk", FRONTEND_DIR / "nhsuk-frontend/dist/nhsuk"),
        ("htmx", FRONTEND_DIR / "htmx.org/dist"),
        # frontend/joinedup.scss compiled by `npm run build` (the Makefile runs it)
        ("joinedup", FRONTEND_DIR.parent / "frontend/dist"),
    )
    if folder.is_dir()
]
# Served by WhiteNoise straight from the finders: no CDN, the pages work offline.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "joinedup": {"level": os.environ.get("JOINEDUP_LOG_LEVEL", "INFO")},
        # Request logs carry URLs with search terms: keep them out of the logs.
        "django.request": {"level": "ERROR"},
    },
}

# The first page of a person's timeline, and a page of search results.
JOINEDUP_PAGE_SIZE = int(os.environ.get("JOINEDUP_PAGE_SIZE", "25"))

# HL7 v2 (MLLP and files): a message over this many bytes is refused (AR).
JOINEDUP_HL7_MAX_BYTES = int(os.environ.get("JOINEDUP_HL7_MAX_BYTES", "10485760"))

# The most entries one FHIR Bundle may hold (ingest refuses larger ones whole).
JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES = int(
    os.environ.get("JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES", "100000")
)

# A folder of CSV column mappings (<source>.yaml) looked in before the built-in ones.
JOINEDUP_CSV_MAPPINGS_DIR = os.environ.get("JOINEDUP_CSV_MAPPINGS_DIR", "")

# Notifications by email hold no personal data: a line and a link.
JOINEDUP_BASE_URL = os.environ.get("JOINEDUP_BASE_URL", "").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "JoinedUp <noreply@localhost>"
)


def _email_settings(url: str) -> dict[str, object]:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "dummy":
        return {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ValueError(
            "EMAIL_URL: use smtp://, smtp+tls://, smtps://, console: or dummy:"
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_TIMEOUT": 10,
    }


globals().update(
    _email_settings(os.environ.get("EMAIL_URL", "console:" if DEBUG else "dummy:"))
)
