"""Celery: Redis when REDIS_URL is set, otherwise tasks run in-process after commit."""

from django.core.exceptions import ImproperlyConfigured

from .env import env

_REDIS_URL = env("REDIS_URL", default="")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not bool(_REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At-least-once delivery. A task's message is acknowledged only once the task has run (acks late), so a
# worker that dies mid-task leaves it to be delivered again: at once when a pool process is killed (reject
# on worker lost requeues it), after the visibility timeout when the whole worker is gone. Each worker
# process reserves one message at a time (prefetch 1), so a dead worker strands at most one per process.
# Every task is safe to run twice (its service checks the state first), which at-least-once requires.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task still running after the soft limit gets SoftTimeLimitExceeded; at the hard limit its process is
# killed (and, with the settings above, the message is requeued).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=4 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A pool process that has grown past this resident size (KiB) is replaced by a fresh fork once its task is done.
# The main process holds the triage model (about 200 MiB, loaded before the fork and shared); a child grows
# as it reads in more of the encoder's file-mapped weights and fills the caches of the crew's code, 333 to
# 406 MiB over 630 triages here. The fresh fork starts from the main process's pages again.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=370 * 1024)
# A message taken by a worker that died unacknowledged is handed out again after this long. It must be
# longer than the longest task may run (the hard time limit), or a task still running would be handed to a
# second worker while the first one works on it.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be below CELERY_TASK_TIME_LIMIT.")
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT.")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TIMEZONE = "UTC"
# django-celery-beat's database scheduler, sending each due run once even if two beats run (domi/beat.py).
CELERY_BEAT_SCHEDULER = "domi.beat:SingleRunScheduler"

# Pass the web request id on to tasks so one request's logs can be followed into the worker.
DJANGO_STRUCTLOG_CELERY_ENABLED = True

# How often the crew's sweep looks for requests stuck where a lost message or a dead worker left them, and
# how long a request must have waited in such a state to count as stuck.
DOMI_CREW_SWEEP_SECONDS = env.int("DOMI_CREW_SWEEP_SECONDS", default=60)
DOMI_CREW_STUCK_AFTER_SECONDS = env.int("DOMI_CREW_STUCK_AFTER_SECONDS", default=120)
# A crew step's claim on its request (agents.services._claimed): a lease its worker renews every third of it.
DOMI_CREW_CLAIM_SECONDS = env.float("DOMI_CREW_CLAIM_SECONDS", default=30.0)

# Periodic jobs (editable in the admin through django-celery-beat).
CELERY_BEAT_SCHEDULE = {
    "agents-sweep-stuck-requests": {"task": "agents.sweep", "schedule": float(DOMI_CREW_SWEEP_SECONDS)},
}
# Fail fast when the broker is down: the request is kept and the sweep sends it later. After a failed publish
# a process gives up at once on the next ones for this many seconds (domi/broker.py).
DOMI_BROKER_RETRY_SECONDS = env.float("DOMI_BROKER_RETRY_SECONDS", default=5.0)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}
