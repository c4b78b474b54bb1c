"""gunicorn for Domi's web process: `gunicorn -c deploy/gunicorn.conf.py domi.wsgi:application`.

Every value can be set from the environment (GUNICORN_*), so compose and Kubernetes tune it without a new
image.
"""

from __future__ import annotations

import json
import os


def _cpus() -> int:
    """CPUs this process may use: the scheduler's affinity mask, then the cgroup's quota (Kubernetes limits)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max") as quota_file:
            quota, period = quota_file.read().split()
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


def workers_for(cpus: int) -> int:
    """(2 x CPUs) + 1, the usual sizing for sync workers that wait on the database."""
    return 2 * cpus + 1


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS") or workers_for(_cpus()))
worker_class = "sync"
# The app (Django, the apps, the triage model) is loaded once in the master and shared by the forked workers.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A worker is replaced after this many requests (with jitter, so they do not all restart at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Heartbeat files in memory, not on a container's overlay disk (a slow disk stalls the arbiter).
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's documented choice for heartbeat files; not a shared temp file
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", _SHM if os.path.isdir(_SHM) else None)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# One JSON object per request on stdout; the application's own logs are JSON too (domi/settings/logging.py).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = json.dumps(
    {
        "event": "http_access",
        "remote": "%(h)s",
        "method": "%(m)s",
        "path": "%(U)s",
        "query": "%(q)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "referer": "%(f)s",
        "user_agent": "%(a)s",
        "request_id": "%({x-request-id}i)s",
    }
)


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    # Connections opened in the master during preload must not be shared by the forked workers.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
