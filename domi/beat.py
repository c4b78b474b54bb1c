"""Celery beat that sends each due run of a scheduled job once, however many beats are running.

Exactly one beat is meant to run (compose and Kubernetes start one), but a second one started by mistake (a
rolling update that overlaps, a developer's shell) must not double the reminders, digests and sweeps. Before
sending a due job, beat claims the job's slot in the shared cache (Redis in production, where an add is
SET NX): the slot is held for most of the job's interval, so the first beat to reach it sends the job and any
other beat skips it until the next run is due. The jobs are idempotent on top of this (their services check
state before acting); the slot keeps them from being sent twice in the first place.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import structlog
from django.core.cache import cache
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from domi import broker

logger = structlog.get_logger(__name__)

# A slot is held for this share of the time to the job's next run, so a beat whose clock runs a little
# behind the other's cannot take the same run, and the next run finds the slot free again.
SLOT_SHARE = 0.9


def beat_slot_seconds(*, schedule, now: datetime) -> int:  # type: ignore[no-untyped-def]
    """How long a run's slot is held: most of the time from now to the following run, at least a second."""
    remaining = schedule.remaining_estimate(now)
    if not isinstance(remaining, timedelta):
        remaining = timedelta(seconds=float(remaining))
    return max(1, round(remaining.total_seconds() * SLOT_SHARE))


def beat_slot_key(name: str) -> str:
    return f"beat-slot:{hashlib.sha256(name.encode()).hexdigest()[:32]}"


def beat_slot_claim(*, name: str, seconds: int) -> bool:
    """Take the slot of the job called name for seconds; False when another beat holds it."""
    return bool(cache.add(beat_slot_key(name), timezone.now().isoformat(), timeout=seconds))


class SingleRunScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler (jobs editable in the admin) that claims a slot before sending."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):  # type: ignore[no-untyped-def]
        seconds = beat_slot_seconds(schedule=entry.schedule, now=self.app.now())
        try:
            claimed = beat_slot_claim(name=entry.name, seconds=seconds)
        except Exception as exc:  # noqa: BLE001 - no cache, no broker either: the job waits for its next run
            logger.warning("beat_slot_unavailable", job=entry.name, error=repr(exc))
            broker.outage.found(exc)
            return None
        if not claimed:
            logger.info("beat_slot_taken", job=entry.name, held_seconds=seconds)
            return None
        try:
            result = super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        except Exception as exc:
            broker.outage.found(exc)
            raise
        broker.sent()  # Redis is back after an outage: what waited for it goes now (domi.broker.when_back)
        return result
