"""Authentication and the REST framework."""

from datetime import timedelta

from .env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "domi.accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "domi.api.exceptions.exception_handler",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

# How long a process may answer API calls from a user's row before reading it again (domi/accounts/
# authentication.py): a change saved by another process applies within this many seconds; 0 reads every call.
DOMI_AUTH_USER_SECONDS = env.float("DOMI_AUTH_USER_SECONDS", default=5)

SPECTACULAR_SETTINGS = {
    "TITLE": "Domi API",
    "DESCRIPTION": "AI-assisted property maintenance.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGIN_URL = "admin:login"

# django-allauth: only its account machinery is used (e-mail addresses and their confirmation keys,
# password-reset tokens, password validation, the adapter that sends the mail); the account flows
# themselves are the REST API's (/api/v1/auth/...), and the links in the mail lead to the portal.
ACCOUNT_ADAPTER = "domi.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
# A confirmed new address replaces the old one as the login.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_HMAC = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Domi] "
ACCOUNT_PREVENT_ENUMERATION = True
# No "someone asked to reset the password of an unknown account" mail: people join by invitation only.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Rate limits are the API's own (DOMI_RATELIMITS), counted per address, e-mail and user.
ACCOUNT_RATE_LIMITS = False
# A password-reset link works once (the token signs the password hash) and for this many seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_HOURS", default=24) * 60 * 60
# An invitation to join as a tenant or a contractor can be accepted once, for this many days.
DOMI_INVITATION_EXPIRE_DAYS = env.int("DOMI_INVITATION_EXPIRE_DAYS", default=7)
