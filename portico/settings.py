"""Portico settings: everything comes from the environment (portico.core.env).

Defaults are safe for production (DEBUG off, secure cookies, HSTS, a SECRET_KEY is
required). `make run` sets DEBUG=1 and a local secret for the embedded SQLite set-up.
"""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portico.core.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE).")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (envstr("SITE_URL") or ("http://127.0.0.1:8000" if DEBUG else "")).rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off: links in mail are built from it.")

INSTALLED_APPS = [
    # Portico's apps, lowest layer first (docs/architecture.md; import-linter enforces the order).
    "portico.core",
    "portico.audit",
    "portico.accounts",
    "portico.outbox",
    "portico.orgs",
    "portico.jobs",
    "portico.clients",
    "portico.notifications",
    "portico.portal",
    "portico.invitations",
    "portico.requests",
    "portico.leads",
    "portico.bookings",
    "portico.estimates",
    "portico.agreements",
    "portico.payments",
    "portico.work",
    "portico.journey",
    "portico.sat69b",
    "portico.customers",
    "portico.metrics",
    "portico.freshbooks",
    "portico.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "template_partials",
    "anymail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portico.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portico.core.middleware.PorticoErrorMiddleware",
]

ROOT_URLCONF = "portico.web.urls"
WSGI_APPLICATION = "portico.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portico" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portico.web.context_processors.portico",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portico.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web + worker) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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

# --- django-allauth: every sign-in path (docs/decisions.md) ---
# Actions check that every write they make has its audit row (portico.audit.decorators): in
# development and tests, where a missing one should fail loudly; production skips the SQL watch.
PORTICO_ACTION_CHECKS = envbool("PORTICO_ACTION_CHECKS", DEBUG)
# Public forms (contact form, referral page, booking widget; leads/public.py): posts per hour per
# IP address and per organization, and the least time a person takes to fill one in.
PORTICO_PUBLIC_FORM_RATE_PER_IP = envint("PORTICO_PUBLIC_FORM_RATE_PER_IP", 20)
PORTICO_PUBLIC_FORM_RATE_PER_ORG = envint("PORTICO_PUBLIC_FORM_RATE_PER_ORG", 500)
PORTICO_PUBLIC_FORM_MIN_SECONDS = envint("PORTICO_PUBLIC_FORM_MIN_SECONDS", 3)
# Booking confirmations to the booker (bookings/actions.py): at most this many a day to one address
# or number (no mail bombing of a stranger), and this many SMS a day per organization (no toll fraud).
PORTICO_BOOKING_MESSAGES_PER_DESTINATION = envint("PORTICO_BOOKING_MESSAGES_PER_DESTINATION", 3)
PORTICO_BOOKING_SMS_PER_ORG = envint("PORTICO_BOOKING_SMS_PER_ORG", 100)

ACCOUNT_ADAPTER = "portico.web.adapter.PorticoAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portico] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": envstr("RATE_LIMIT_LOGIN_FAILED") or "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portico"
# Sessions are recorded at sign-in (for the Sessions page and for ending them); not touched on
# every request, which would cost five queries per page.
USERSESSIONS_TRACK_ACTIVITY = False

# Rate limits (allauth) must be shared by every web process: a database cache by default
# (its table is created by a migration), or any Django cache backend via CACHE_BACKEND.
CACHES = {
    "default": {
        "BACKEND": envstr("CACHE_BACKEND") or "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": envstr("CACHE_LOCATION") or "portico_cache",
    }
}

# --- background work: django-tasks with the database backend ---
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "outbox"],
    }
}
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_RETRY_BASE_SECONDS = envint("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_LEASE_SECONDS = envint("OUTBOX_LEASE_SECONDS", 120)
OUTBOX_BATCH_SIZE = envint("OUTBOX_BATCH_SIZE", 200)  # messages per delivery task (bulk sends)
STAFF_INVITATION_DAYS = envint("STAFF_INVITATION_DAYS", 7)
PHONE_DEFAULT_REGION = envstr("PHONE_DEFAULT_REGION") or "MX"  # phones typed without +country

# --- mail: Django's mail backends; EMAIL_URL chooses one ---
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL") or "Portico <no-reply@portico.localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Old SECRET_KEYs still accepted (signatures, sessions, and core.crypto's derived keys) after a rotation.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])
# --- secrets at rest (core.crypto): Fernet keys, the first encrypts; empty: derived from SECRET_KEY ---
SECRETS_KEYS = envlist("SECRETS_KEYS", [])

# --- agreements: the installation's seal, a PDF signature on every signed agreement (agreements.seal) ---
# A PKCS#12 file with its passphrase (what certificate vendors sell), or PEM files; `manage.py
# seal_certificate` makes a self-signed pair for development at the PEM defaults.
AGREEMENT_SEAL_PKCS12_FILE = envstr("AGREEMENT_SEAL_PKCS12_FILE") or ""
AGREEMENT_SEAL_PASSPHRASE = envstr("AGREEMENT_SEAL_PASSPHRASE") or ""
AGREEMENT_SEAL_CERT_FILE = Path(envstr("AGREEMENT_SEAL_CERT_FILE") or (VAR_DIR / "seal" / "cert.pem"))
AGREEMENT_SEAL_KEY_FILE = Path(envstr("AGREEMENT_SEAL_KEY_FILE") or (VAR_DIR / "seal" / "key.pem"))
# Earlier seal certificates (comma-separated PEM paths): copies sealed before a renewal still verify.
AGREEMENT_SEAL_PREVIOUS_CERT_FILES = envstr("AGREEMENT_SEAL_PREVIOUS_CERT_FILES") or ""
# An RFC 3161 time-stamp authority; empty: sealed with the server's time only.
AGREEMENT_TSA_URL = envstr("AGREEMENT_TSA_URL") or ""
# Trusted time-stamp authority roots (comma-separated PEM paths); without them a timestamp is shown
# as intact but its authority as not verified.
AGREEMENT_TSA_ROOTS = envstr("AGREEMENT_TSA_ROOTS") or ""

# --- payments (Stripe): each organization connects its own account in Settings ---
# Production always loads Stripe.js from Stripe; browser tests point this at a local stand-in.
STRIPE_JS_URL = envstr("STRIPE_JS_URL") or "https://js.stripe.com/v3/"
# Empty: Stripe's API. Tests point the official client at a local fake Stripe server.
STRIPE_API_BASE = envstr("STRIPE_API_BASE") or ""

# --- FreshBooks: one FreshBooks app for the installation (its OAuth client id and secret); each
# organization connects its own FreshBooks account in Settings. The official SDK reads its addresses
# from FRESHBOOKS_API_URL / FRESHBOOKS_AUTH_URL (environment only: tests point them at a local fake).
FRESHBOOKS_CLIENT_ID = envstr("FRESHBOOKS_CLIENT_ID") or ""
FRESHBOOKS_CLIENT_SECRET = envstr("FRESHBOOKS_CLIENT_SECRET") or ""
# Empty: SITE_URL + /freshbooks/callback/ (it must be registered, exactly, in the FreshBooks app).
FRESHBOOKS_REDIRECT_URI = envstr("FRESHBOOKS_REDIRECT_URI") or ""
FRESHBOOKS_TIMEOUT = envint("FRESHBOOKS_TIMEOUT", 20)  # seconds per call to FreshBooks

# --- SAT 69-B list (Mexico): the worker downloads it from SAT69B_URL every SAT69B_EVERY_HOURS ---
# Empty: no scheduled download (import with `manage.py sat69b_import FILE_OR_URL` or Settings → SAT 69-B).
SAT69B_URL = envstr("SAT69B_URL") or ""
SAT69B_EVERY_HOURS = envint("SAT69B_EVERY_HOURS", 24)

# --- Web Push (staff phone notifications): a VAPID key pair; `manage.py vapid_keys` makes one ---
VAPID_PRIVATE_KEY_FILE = Path(envstr("VAPID_PRIVATE_KEY_FILE") or (VAR_DIR / "vapid_private.pem"))
VAPID_SUBJECT = envstr("VAPID_SUBJECT") or "mailto:" + parseaddr(DEFAULT_FROM_EMAIL)[1]
_email_url = envstr("EMAIL_URL") or ("console:" if DEBUG else "smtp://localhost:25")
EMAIL_TIMEOUT = 15
if _email_url in ("console:", "locmem:"):  # short forms for development and tests
    EMAIL_BACKEND = f"django.core.mail.backends.{_email_url[:-1]}.EmailBackend"
elif "://" in _email_url:
    # django-environ reads the URL: smtp://, smtp+tls:// (STARTTLS), smtp+ssl:// (TLS from the
    # start, port 465), smtps:// (STARTTLS, as django-environ defines it), consolemail://, ...
    _email = environ.Env.email_url_config(_email_url)
    if _email.get("OPTIONS"):
        raise ImproperlyConfigured(
            f"EMAIL_URL: query options {sorted(_email['OPTIONS'])} are not read; use smtp+tls:// or smtp+ssl://"
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or (465 if _email.get("EMAIL_USE_SSL") else 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
elif "." in _email_url and ":" not in _email_url:
    # A dotted path to any Django mail backend, e.g. an anymail ESP backend.
    EMAIL_BACKEND = _email_url
else:
    raise ImproperlyConfigured(
        f"EMAIL_URL={_email_url!r}: use console:, locmem:, smtp://, smtp+tls://, smtp+ssl:// or a backend path"
    )
# anymail ESPs (EMAIL_URL=anymail.backends.mailgun.EmailBackend) and their tracking webhooks at
# /anymail/<esp>/tracking/ (Basic auth with ANYMAIL_WEBHOOK_SECRET "user:password", plus the ESP's signature).
ANYMAIL: dict[str, str] = {}
for _key, _env_name in (
    ("WEBHOOK_SECRET", "ANYMAIL_WEBHOOK_SECRET"),
    ("MAILGUN_API_KEY", "MAILGUN_API_KEY"),
    ("MAILGUN_API_URL", "MAILGUN_API_URL"),
    ("MAILGUN_SENDER_DOMAIN", "MAILGUN_SENDER_DOMAIN"),
    ("MAILGUN_WEBHOOK_SIGNING_KEY", "MAILGUN_WEBHOOK_SIGNING_KEY"),
):
    _value = envstr(_env_name)
    if _value:
        ANYMAIL[_key] = _value

# --- SMS: "console" (printed and kept in the development mailbox) or "twilio" ---
SMS_BACKEND = (envstr("SMS_BACKEND") or "console").strip().lower()
TWILIO_ACCOUNT_SID = envstr("TWILIO_ACCOUNT_SID") or ""
TWILIO_AUTH_TOKEN = envstr("TWILIO_AUTH_TOKEN") or ""
TWILIO_FROM = envstr("TWILIO_FROM") or ""  # when the organization has no SMS sender of its own
TWILIO_API_BASE = (envstr("TWILIO_API_BASE") or "").rstrip("/")  # e.g. http://127.0.0.1:9999: a local fake only

# --- i18n: English and Spanish, chosen per user ---
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "portico" / "locale"]
USE_I18N = True
TIME_ZONE = envstr("TIME_ZONE") or "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "portico" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files are private: served only through views that check permissions (core/files.py),
# never at a public URL, so there is no MEDIA_URL.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT") or VAR_DIR / "media")

# --- security: safe unless told otherwise ---
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise to browsers that is slow to undo: only when the operator opts in.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# Django's deploy check asks for preload (security.W021); off by default is a decision, not an oversight.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL") or "INFO"},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "twilio.http_client": {"level": "WARNING"},  # it logs every request's headers at INFO
        "stripe": {"level": "WARNING"},  # two lines per API call at INFO
        "weasyprint.progress": {"level": "WARNING"},  # a line per layout step of every PDF at INFO
    },
}
