"""Background work of notifications: each task takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services
from .channels import TransientChannelError

MAX_RETRIES = getattr(settings, "DOMI_NOTIFY_MAX_RETRIES", 5)
# A database that is busy or briefly gone is worth another try; anything else is a bug to see in the log.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
ANNOUNCE = {"autoretry_for": TRANSIENT_DB_ERRORS, "retry_backoff": True, "max_retries": 5}


@shared_task(
    bind=True,
    name="notifications.deliver",
    max_retries=MAX_RETRIES,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=True,
)
def deliver(self, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    """Send one delivery; retry a transient failure with backoff, and mark it failed after the last try."""
    final = self.request.retries >= self.max_retries
    try:
        services.delivery_send(delivery_id=delivery_id, final_attempt=final)
    except TransientChannelError as exc:
        countdown = services.retry_delay(self.request.retries)
        services.delivery_schedule_retry(delivery_id=delivery_id, countdown=countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="notifications.sweep_deliveries")
def sweep_deliveries() -> int:
    """Send what quiet hours held back and what a lost enqueue or a dead worker left behind."""
    return services.deliveries_sweep()


@shared_task(name="notifications.announce_status_change", **ANNOUNCE)
def announce_status_change(
    request_id: int, from_status: str, to_status: str, actor_user_id: int | None = None, note: str = ""
) -> int:
    deliveries = services.request_status_change_announce(
        request_id=request_id, from_status=from_status, to_status=to_status, actor_user_id=actor_user_id, note=note
    )
    return len(deliveries)


@shared_task(name="notifications.announce_assignment", **ANNOUNCE)
def announce_assignment(request_id: int, contractor_id: int, actor_user_id: int | None = None) -> int:
    deliveries = services.request_assignment_announce(
        request_id=request_id, contractor_id=contractor_id, actor_user_id=actor_user_id
    )
    return len(deliveries)


@shared_task(name="notifications.announce_comment", **ANNOUNCE)
def announce_comment(request_id: int, comment_id: int) -> int:
    return len(services.comment_announce(request_id=request_id, comment_id=comment_id))


@shared_task(name="notifications.send_appointment_reminders")
def send_appointment_reminders() -> int:
    return services.appointment_reminders_send()


@shared_task(name="notifications.notify_due_and_overdue")
def notify_due_and_overdue() -> int:
    return services.requests_due_notify()


@shared_task(name="notifications.notify_insurance_expiring")
def notify_insurance_expiring() -> int:
    return services.insurance_expiring_notify()


@shared_task(name="notifications.send_daily_digests")
def send_daily_digests() -> int:
    return services.daily_digests_send()


@shared_task(name="notifications.announce_job_event", **ANNOUNCE)
def announce_job_event(signal: str, request_id: int, detail: str = "", key: str = "", extra: dict | None = None) -> int:
    return len(services.job_event_announce(signal=signal, request_id=request_id, detail=detail, key=key, extra=extra))
