"""The REST API: page sizes, rate limits and the OpenAPI schema.

Imported by base.py after auth.py, whose REST_FRAMEWORK and SPECTACULAR_SETTINGS it extends.
"""

import orjson

from .auth import REST_FRAMEWORK as _REST_FRAMEWORK_BASE
from .auth import SPECTACULAR_SETTINGS as _SPECTACULAR_BASE
from .env import env

# Every list is paginated; a client may ask for up to DOMI_API_MAX_PAGE_SIZE rows with ?page_size=.
DOMI_API_PAGE_SIZE = env.int("DOMI_API_PAGE_SIZE", default=20)
DOMI_API_MAX_PAGE_SIZE = 100

# Rates ("<count>/<s|m|h|d>") over sliding windows (domi/api/ratelimit.py), counted in the default cache
# (Redis when REDIS_URL is set). Behind a proxy set RATELIMIT_IP_META_KEY so the client's address, not the
# proxy's, is counted.
DOMI_RATELIMITS = {
    # Sign-in (the API's and the back office's, domi/accounts/signin_throttle.py): attempts from one address,
    # failures at one account from one address, and failures at one account from addresses it never
    # signed in from.
    "token_per_ip": env("DOMI_RATELIMIT_TOKEN_PER_IP", default="20/m"),
    "token_per_account": env("DOMI_RATELIMIT_TOKEN_PER_ACCOUNT", default="5/m"),
    "token_failures_per_account": env("DOMI_RATELIMIT_TOKEN_FAILURES_PER_ACCOUNT", default="30/h"),
    "token_refresh_per_ip": env("DOMI_RATELIMIT_TOKEN_REFRESH_PER_IP", default="60/m"),
    # New maintenance requests by one person.
    "request_create_per_user": env("DOMI_RATELIMIT_REQUEST_CREATE_PER_USER", default="20/h"),
    # Upload calls by one person (each may carry several files).
    "upload_per_user": env("DOMI_RATELIMIT_UPLOAD_PER_USER", default="60/h"),
    # Joining by invitation (reading and accepting one: the only way to sign up) from one address.
    "signup_per_ip": env("DOMI_RATELIMIT_SIGNUP_PER_IP", default="20/h"),
    # Password-reset mail asked for from one address, and for one e-mail address from anywhere.
    "password_reset_per_ip": env("DOMI_RATELIMIT_PASSWORD_RESET_PER_IP", default="10/h"),
    "password_reset_per_email": env("DOMI_RATELIMIT_PASSWORD_RESET_PER_EMAIL", default="3/h"),
    # New passwords set with a reset link from one address (each checks a link's key).
    "password_reset_confirm_per_ip": env("DOMI_RATELIMIT_PASSWORD_RESET_CONFIRM_PER_IP", default="10/h"),
    # Verification mail (resent, or for a new address) asked for by one person.
    "verification_send_per_user": env("DOMI_RATELIMIT_VERIFICATION_SEND_PER_USER", default="5/h"),
    # Password changes tried by one person (each checks the current password).
    "password_change_per_user": env("DOMI_RATELIMIT_PASSWORD_CHANGE_PER_USER", default="10/h"),
    # Invitations sent (new or resent) by one staff member.
    "invitation_send_per_user": env("DOMI_RATELIMIT_INVITATION_SEND_PER_USER", default="50/h"),
}

# How long an address that signed in to an account stays exempt from that account's failures from elsewhere.
DOMI_SIGNIN_KNOWN_ADDRESS_DAYS = env.int("DOMI_SIGNIN_KNOWN_ADDRESS_DAYS", default=30)

# Bounds of a JSON body (domi/api/parsers.py): larger or deeper is a 400.
DOMI_API_MAX_JSON_BYTES = env.int("DOMI_API_MAX_JSON_BYTES", default=64 * 1024)
DOMI_API_MAX_JSON_DEPTH = 32

REST_FRAMEWORK = {
    **_REST_FRAMEWORK_BASE,
    # JSON written by orjson (Rust): ten times faster than the standard library on a page of 50 requests.
    # Keys that are not strings are written as strings, as json.dumps does.
    # No browsable HTML API: its forms need a serializer class that the thin views do not have (a 500 for
    # any GET with Accept: text/html or ?format=api). Swagger UI (/api/docs/) is the API's web page; HTML
    # asked for is 406, ?format=api 404.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "DEFAULT_PARSER_CLASSES": ["domi.api.parsers.BoundedJSONParser"],
    # Documents the error responses of every operation in the one error shape.
    "DEFAULT_SCHEMA_CLASS": "domi.api.schema.DomiAutoSchema",
}

SPECTACULAR_SETTINGS = {
    **_SPECTACULAR_BASE,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The schema and its Swagger UI are public: they describe the API, not anyone's data.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files, not a CDN: no internet needed.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the online validator (validator.swagger.io), which the page would otherwise fetch.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "maintenance.models.Status",
        "AppointmentStatusEnum": "maintenance.models.Appointment.Status",
        "CategoryEnum": "domi.taxonomy.Category",
        "PriorityEnum": "domi.taxonomy.Priority",
        "RoleEnum": "domi.accounts.models.User.Role",
        "NotificationEventEnum": "notifications.events.Event",
        "ChannelEnum": "notifications.events.Channel",
        "PreferenceEventEnum": "notifications.models.NotificationPreference.EVENT_CHOICES",
        "AttachmentKindEnum": "maintenance.models.Attachment.Kind",
        "JobLineKindEnum": "maintenance.models.JobLine.Kind",
        "InvoiceStatusEnum": "maintenance.models.Invoice.Status",
        "PaymentStatusEnum": "maintenance.models.Payment.Status",
        "InvitationStatusEnum": "domi.accounts.models.Invitation.Status",
        "InvitationRoleEnum": "domi.accounts.models.Invitation.Role",
    },
}
