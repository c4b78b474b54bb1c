"""Handing tasks to the broker, which may be down.

A publish that cannot reach the broker marks it down in this process for DOMI_BROKER_RETRY_SECONDS
(5 s): meanwhile publishes give up at once instead of each waiting out the connection retries, so an
outage costs a web process one slow call, not a slow call each. Nothing is lost either way: every caller
has left its work in the database, where a periodic sweep finds what was not sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis.exceptions
import structlog
from celery import Task
from django.conf import settings
from kombu.exceptions import OperationalError

from domi.outage import Outage

logger = structlog.get_logger(__name__)

# What an unreachable broker raises (after the publish retries); anything else is the task's own business.
BROKER_DOWN = (OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
outage = Outage("broker", lambda: getattr(settings, "DOMI_BROKER_RETRY_SECONDS", 5.0))
_when_back: list[Callable[[], object]] = []


def when_back(callback: Callable[[], object]) -> None:
    """Call ``callback`` in a process whose publish succeeds after it had found the broker down: the work
    left for a sweep meanwhile can be sent at once, not at the sweep's next turn."""
    if callback not in _when_back:
        _when_back.append(callback)


def publish(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task``; False (logged) when it was not sent, and the caller's sweep will send it."""
    if outage.known:
        logger.info("publish_skipped_broker_down", task=task.name)
        return False
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_DOWN as exc:
        outage.found(exc)
        return False
    except Exception as exc:  # noqa: BLE001 - a caller's request must not fail for a task it hands over
        logger.warning("publish_failed", task=task.name, error=repr(exc))
        return False
    sent()
    return True


def sent() -> None:
    """A task went through: if this process had found the broker down, call the when_back callbacks."""
    if outage.over():
        logger.info("broker_back")
        for callback in _when_back:
            callback()


def reset() -> None:
    """Forget an outage (tests, and a process that knows the broker is back)."""
    outage.forget()
