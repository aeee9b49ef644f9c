"""Jianyan settings: one file, driven by the environment.

DATABASE_URL   sqlite:////abs/path.sqlite3 or postgres://user@host:5432/name (default: var/jianyan.sqlite3)
SECRET_KEY     required when DEBUG is off
DEBUG          1/0 (default 1 for the local demo; production sets 0)
ALLOWED_HOSTS  comma-separated
JIANYAN_ALLOW_DEMO  1 lets the demo accounts log in when DEBUG is off
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIANYAN_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_flag("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-demo-key-only-for-debug-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]
JIANYAN_ALLOW_DEMO = env_flag("JIANYAN_ALLOW_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jianyan.core",
    "jianyan.people",
    "jianyan.proposals",
    "jianyan.handling",
    "jianyan.supervision",
    "jianyan.notifications",
    "jianyan.workdays",
    "jianyan.reports",
    "jianyan.documents",
    "jianyan.assist",
    "jianyan.api",
    "jianyan.leads",
    "jianyan.disclosure",
    "jianyan.portal",
    "jianyan.workspace",
    "jianyan.exchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jianyan.core.security.AuditDownloadsMiddleware",
    "jianyan.core.security.IdleSessionMiddleware",
    "jianyan.core.otp.SecondFactorMiddleware",
    "jianyan.core.outage.DatabaseUnavailableMiddleware",  # a database outage: a 503, not a 500 (issue 8)
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "jianyan.urls"
WSGI_APPLICATION = "jianyan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jianyan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jianyan.workspace.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jianyan.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A persistent connection (CONN_MAX_AGE > 0) that a database restart broke is checked and replaced
        # before a request uses it, instead of failing that request (issue 8, tests/test_faults.py).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web server and the worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = "template0"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security (issue 8): Argon2id first, with OWASP's parameters (jianyan/core/hashers.py; older hashes are
# upgraded at the next login); the messages of the validators come in Chinese from Django's zh-hans locale.
PASSWORD_HASHERS = [
    "jianyan.core.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["jianyan.core.auth.LockoutBackend", "jianyan.core.auth.DemoAwareModelBackend"]
# Lockout: 5 failures lock the account, and 5 failures lock the address, for 30 minutes. Admins unlock at
# /admin/axes/accessattempt/ (delete the rows) or with `manage.py axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jianyan.core.security.lockout_response"
AXES_VERBOSE = False
# The client address: REMOTE_ADDR, unless the site runs behind a reverse proxy that sets X-Forwarded-For
# (AXES_PROXY_COUNT=1); never trust a header a client could forge.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"])
# Idle timeout: a session ends after 30 minutes without a request (core.security.IdleSessionMiddleware
# renews an active session at most once a minute instead of saving it on every request).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # cached_db with REDIS_URL (below)
# Second factor (TOTP): optional for everyone with a confirmed device; JIANYAN_OTP_REQUIRED=1 makes it
# mandatory for staff, leaders and admins.
JIANYAN_OTP_REQUIRED = env_flag("JIANYAN_OTP_REQUIRED", False)
OTP_TOTP_ISSUER = "建言 Jianyan"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/workspace/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "jianyan" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "jianyan" / "static"]
MEDIA_ROOT = VAR_DIR / "media"  # uploaded attachments; served only through access-checked views, never as static
JIANYAN_MAX_UPLOAD_BYTES = int(os.environ.get("JIANYAN_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))

# API rate limits, "requests/seconds" per fixed window: per token (or logged-in user), per IP when anonymous.
# Public lead submissions are limited per IP. Counted in the cache JIANYAN_RATE_LIMIT_CACHE (jianyan/api/ratelimit.py).
JIANYAN_API_RATE_LIMITS = {
    "token": os.environ.get("JIANYAN_API_RATE_TOKEN", "600/60"),
    "anonymous": os.environ.get("JIANYAN_API_RATE_ANONYMOUS", "60/60"),
}
JIANYAN_LEAD_RATE_LIMIT = os.environ.get("JIANYAN_LEAD_RATE_LIMIT", "10/3600")
JIANYAN_RATE_LIMIT_CACHE = "default"
# With several server processes the cache must be shared, or each process keeps its own rate-limit counters
# and its own copy of the public site's cached counts: REDIS_URL (e.g. redis://127.0.0.1:6379/0) selects
# Redis. Without it, each process has its own memory cache (one process: `make run`).
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "jianyan.core.redis_cache.SharedClientRedisCache",
                          "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "jianyan"}}
    # Sessions are read from the shared cache and written through to the database: one query less on every
    # logged-in request (bench/load_bench.py). Without a shared cache, processes would disagree on a logout.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
JIANYAN_NUM_PROXIES = int(os.environ.get("JIANYAN_NUM_PROXIES", "0"))  # trusted reverse proxies adding X-Forwarded-For

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The demo prints mail to the console; production sends through SMTP (EMAIL_HOST, EMAIL_PORT).
if DEBUG and "EMAIL_HOST" not in os.environ:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": os.environ.get("EMAIL_HOST", "localhost"), "port": int(os.environ.get("EMAIL_PORT", "25"))},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "jianyan@localhost")
# SMS (jianyan/notifications/sms.py): "logging" writes messages to the log (demo); "http" posts JSON
# {"to", "text", "sign"} to SMS_GATEWAY_URL with "Authorization: Bearer SMS_GATEWAY_KEY".
SMS = {
    "BACKEND": os.environ.get("SMS_BACKEND", "logging"),
    "URL": os.environ.get("SMS_GATEWAY_URL", ""),
    "KEY": os.environ.get("SMS_GATEWAY_KEY", ""),
    "SIGN": os.environ.get("SMS_SIGN", "建言"),
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy: every script is a local file (no inline script, no eval). Style attributes stay
# allowed (style-src-attr): they cannot run code, and a few templates set a width from data.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
