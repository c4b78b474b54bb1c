"""Settings shared by every environment. Integrations live in their own modules."""

from .env import BASE_DIR, env

DEVELOPMENT_SECRET_KEY = "django-insecure-domi-development-key-never-use-in-production"  # noqa: S105

SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "domi.apps.DomiConfig",
    "domi.admin_site.DomiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's own files, served from here: no CDN
    "auditlog",
    "django_celery_beat",
    "django_structlog",
    # django-allauth's account machinery (e-mail addresses, confirmation keys, reset tokens, the adapter);
    # before domi.accounts, whose admin replaces allauth's unscoped e-mail address admin.
    "allauth",
    "allauth.account",
    "domi.accounts",
    "properties",
    "contractors",
    "maintenance",
    "notifications",
    "agents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "domi.urls"
WSGI_APPLICATION = "domi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "domi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL names a real one (PostgreSQL in production).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _postgresql and env.bool("DB_PREPARED_STATEMENTS", default=True):
    # Parameters bound by the server, and a query run five times on a connection prepared there: PostgreSQL
    # then plans the API's hot queries once per connection, not on every request (planning cost more than
    # running the requests list's queries). A pooler in transaction mode that cannot keep prepared
    # statements (PgBouncer before 1.21, or without max_prepared_statements) needs DB_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer lock rather than failing when the web process and a task write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))

# Cache: local memory unless Redis is configured.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "domi",
            # A Redis that does not answer costs a call a second at most, not the balancer's whole timeout;
            # the rate limits then count in each process's memory (domi/api/ratelimit.py).
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CACHE_CONNECT_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "domi"}}

# E-mail: the console unless an SMTP host is given.
EMAIL_HOST = env("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Domi <no-reply@domi.local>")

# SMS: the console unless Twilio's keys are set.
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
DOMI_SMS_BACKEND = "twilio" if TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN else "console"

# Services a deployment must have; tests turn a skip for a missing one into a failure.
DOMI_REQUIRE_SERVICES = env.bool("DOMI_REQUIRE_SERVICES", default=False)

# Public base URL used in links sent to people.
DOMI_BASE_URL = env("DOMI_BASE_URL", default="http://localhost:8000")
DOMI_PORTAL_URL = env("DOMI_PORTAL_URL", default="http://localhost:8501")

# Content-Security-Policy (django-csp) on every answer: the back office and Swagger UI load scripts only
# from this site (no inline script runs: Swagger UI's set-up script is a file of its own, see domi/urls.py),
# talk only to it and may not be framed. Inline styles stay allowed: Swagger UI sets them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# isort: off
# api.py extends the REST_FRAMEWORK and SPECTACULAR_SETTINGS that auth.py sets, so it comes after it.
from .ai import *  # noqa: E402, F403
from .auth import *  # noqa: E402, F403
from .api import *  # noqa: E402, F403

# isort: on
from .celery import *  # noqa: E402, F403
from .contractors import *  # noqa: E402, F403
from .logging import *  # noqa: E402, F403
from .notifications import *  # noqa: E402, F403
from .storages import *  # noqa: E402, F403
