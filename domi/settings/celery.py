"""Celery: Redis when REDIS_URL is set, otherwise tasks run in-process after commit."""

from .env import env

_REDIS_URL = env("REDIS_URL", default="")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not bool(_REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that died unacknowledged is handed out again after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Pass the web request id on to tasks so one request's logs can be followed into the worker.
DJANGO_STRUCTLOG_CELERY_ENABLED = True

# Periodic jobs (editable in the admin through django-celery-beat).
CELERY_BEAT_SCHEDULE = {
    "agents-sweep-stuck-requests": {"task": "agents.sweep", "schedule": 60.0},
}
# Fail fast when the broker is down: the request is kept and the sweep sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}
