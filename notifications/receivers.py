"""Subscriptions to maintenance's domain events: each hands the ids to a task that works out who hears of it.

maintenance sends these after its transaction commits; the tasks are idempotent (the idempotency key
of every delivery names the timeline entry or comment), so a retried task sends nothing twice. When the
broker is down, the same work is done here and now: the deliveries are stored, and the periodic sweep
sends them once the broker is back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from celery import Task

from domi.broker import publish
from maintenance import events

from . import services, tasks

logger = structlog.get_logger(__name__)


def _hand_over(task: Task, fallback: Callable[..., Any], **ids: Any) -> None:
    if not publish(task, **ids):  # the broker is down: do it in-process, nothing is lost
        logger.info("announce_in_process", task=task.name, **ids)
        fallback(**ids)


def on_request_status_changed(
    sender: Any,
    *,
    request_id: int,
    from_status: str,
    to_status: str,
    actor_user_id: int | None = None,
    note: str = "",
    **kwargs: Any,
) -> None:
    if to_status not in services.STATUS_ANNOUNCEMENTS:
        return
    _hand_over(
        tasks.announce_status_change,
        services.request_status_change_announce,
        request_id=request_id,
        from_status=from_status,
        to_status=to_status,
        actor_user_id=actor_user_id,
        note=note,
    )


def on_request_assigned(
    sender: Any, *, request_id: int, contractor_id: int, actor_user_id: int | None = None, **kwargs: Any
) -> None:
    _hand_over(
        tasks.announce_assignment,
        services.request_assignment_announce,
        request_id=request_id,
        contractor_id=contractor_id,
        actor_user_id=actor_user_id,
    )


def on_comment_added(sender: Any, *, request_id: int, comment_id: int, **kwargs: Any) -> None:
    _hand_over(tasks.announce_comment, services.comment_announce, request_id=request_id, comment_id=comment_id)


def _job_event(signal_name: str, detail_key: str = ""):  # type: ignore[no-untyped-def]
    def receiver(sender: Any, *, request_id: int, **payload: Any) -> None:
        detail = str(payload.get(detail_key, "")) if detail_key else ""
        if (signal_name, detail) not in services.JOB_ANNOUNCEMENTS:
            return
        key = str(payload.get("offer_id") or payload.get("appointment_id") or payload.get("invoice_id") or "")
        extra = {
            name: payload[name]
            for name in ("appointment_id", "invoice_id", "reason")
            if isinstance(payload.get(name), int | str) and payload.get(name) != ""
        }
        _hand_over(
            tasks.announce_job_event,
            services.job_event_announce,
            signal=signal_name,
            request_id=request_id,
            detail=detail,
            key=key,
            extra=extra,
        )

    return receiver


JOB_RECEIVERS = {
    "job_offer_reminded": _job_event("job_offer_reminded"),
    "job_accepted": _job_event("job_accepted"),
    "job_declined": _job_event("job_declined"),
    "appointment_changed": _job_event("appointment_changed", "change"),
    "invoice_changed": _job_event("invoice_changed", "status"),
}


def connect() -> None:
    for name, receiver in JOB_RECEIVERS.items():
        getattr(events, name).connect(receiver, dispatch_uid=f"notifications.{name}")
    events.request_status_changed.connect(on_request_status_changed, dispatch_uid="notifications.status_changed")
    events.request_assigned.connect(on_request_assigned, dispatch_uid="notifications.assigned")
    events.comment_added.connect(on_comment_added, dispatch_uid="notifications.comment_added")
