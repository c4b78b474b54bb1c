"""Celery tasks of the AI crew. Each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import structlog
from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from domi.broker import publish
from maintenance.models import MaintenanceRequest, Status

from . import services
from .models import AgentRun

logger = structlog.get_logger(__name__)

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError, TimeoutError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
}


@shared_task(name="agents.analyze", **RETRY)
def analyze(request_id: int) -> None:
    services.crew_analyze(request_id=request_id)


@shared_task(name="agents.coordinate", **RETRY)
def coordinate(request_id: int) -> None:
    services.crew_coordinate(request_id=request_id)


@shared_task(name="agents.quality_control", **RETRY)
def quality_control(request_id: int) -> None:
    services.crew_quality_control(request_id=request_id)


@shared_task(name="agents.rerun", **RETRY)
def rerun(request_id: int, agent: str) -> None:
    step = {
        "analyzer": services.crew_analyze,
        "coordinator": services.crew_coordinate,
        "quality_control": services.crew_quality_control,
    }[agent]
    step(request_id=request_id, rerun=True)


def sweep_after_outage() -> None:
    """The broker is back (domi.broker.when_back): the requests made meanwhile go now, not at the next sweep."""
    publish(sweep, 0)


def enqueue(task, *args) -> bool:  # type: ignore[no-untyped-def]
    """Send a task; if the broker is down, leave the request to the sweep (nothing is lost)."""
    return publish(task, *args)


@shared_task(name="agents.sweep", acks_late=True)
def sweep(stuck_after_seconds: float | None = None) -> dict[str, int]:
    """Find requests stuck where the crew should have acted (a lost message, a dead worker) and act again.

    A request still waiting in a state DOMI_CREW_STUCK_AFTER_SECONDS after its last change is picked up
    again; right after a broker outage, every waiting one (``stuck_after_seconds=0``): what was made during
    the outage reached no worker, and a copy of a step still queued does nothing twice.
    """
    if stuck_after_seconds is None:
        stuck_after_seconds = settings.DOMI_CREW_STUCK_AFTER_SECONDS
    cutoff = timezone.now() - timedelta(seconds=stuck_after_seconds)
    counts = {"analyze": 0, "coordinate": 0, "quality_control": 0}
    for request_id in MaintenanceRequest.objects.filter(status=Status.SUBMITTED, updated_at__lt=cutoff).values_list(
        "pk", flat=True
    )[:200]:
        counts["analyze"] += enqueue(analyze, request_id)
    for request_id in MaintenanceRequest.objects.filter(status=Status.TRIAGED, updated_at__lt=cutoff).values_list(
        "pk", flat=True
    )[:200]:
        counts["coordinate"] += enqueue(coordinate, request_id)
    completed = MaintenanceRequest.objects.filter(status=Status.COMPLETED, updated_at__lt=cutoff)
    for request in completed.only("pk", "completed_at")[:200]:
        checked = AgentRun.objects.filter(
            request_id=request.pk,
            agent=AgentRun.Agent.QUALITY_CONTROL,
            decision__in=[AgentRun.Decision.APPLIED, AgentRun.Decision.PROPOSED],
            created_at__gte=request.completed_at or cutoff,
        ).exists()
        if not checked:
            counts["quality_control"] += enqueue(quality_control, request.pk)
    if any(counts.values()):
        logger.info("crew_sweep", **counts)
    return counts
