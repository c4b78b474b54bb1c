"""The REST API: page sizes, rate limits and the OpenAPI schema.

Imported by base.py after auth.py, whose REST_FRAMEWORK and SPECTACULAR_SETTINGS it extends.
"""

from .auth import REST_FRAMEWORK as _REST_FRAMEWORK_BASE
from .auth import SPECTACULAR_SETTINGS as _SPECTACULAR_BASE
from .env import env

# Every list is paginated; a client may ask for up to DOMI_API_MAX_PAGE_SIZE rows with ?page_size=.
DOMI_API_PAGE_SIZE = env.int("DOMI_API_PAGE_SIZE", default=20)
DOMI_API_MAX_PAGE_SIZE = 100

# django-ratelimit rates ("<count>/<s|m|h|d>"), counted in the default cache (Redis when REDIS_URL is set).
# Behind a proxy set RATELIMIT_IP_META_KEY so the client's address, not the proxy's, is counted.
DOMI_RATELIMITS = {
    # Sign-in attempts from one address, and against one account from anywhere.
    "token_per_ip": env("DOMI_RATELIMIT_TOKEN_PER_IP", default="20/m"),
    "token_per_account": env("DOMI_RATELIMIT_TOKEN_PER_ACCOUNT", default="5/m"),
    "token_refresh_per_ip": env("DOMI_RATELIMIT_TOKEN_REFRESH_PER_IP", default="60/m"),
    # New maintenance requests by one person.
    "request_create_per_user": env("DOMI_RATELIMIT_REQUEST_CREATE_PER_USER", default="20/h"),
    # Upload calls by one person (each may carry several files).
    "upload_per_user": env("DOMI_RATELIMIT_UPLOAD_PER_USER", default="60/h"),
}

REST_FRAMEWORK = {
    **_REST_FRAMEWORK_BASE,
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
    },
}
