"""Background work of the contractor roster: booking-system webhooks."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import webhooks


def _backoff(retries: int) -> float:
    base = getattr(settings, "DOMI_WEBHOOK_BACKOFF_SECONDS", 30)
    return base * (2**retries)


@shared_task(name="contractors.sweep_webhooks")
def sweep_webhooks() -> int:
    """Send webhook deliveries that never reached a worker (see webhooks.webhook_deliveries_sweep)."""
    return webhooks.webhook_deliveries_sweep()


@shared_task(bind=True, name="contractors.deliver_webhook", acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    """POST one webhook delivery; on failure retry after 30 s, 1, 2, 4 ... minutes, then mark it failed."""
    attempts = getattr(settings, "DOMI_WEBHOOK_MAX_ATTEMPTS", 6)
    final = self.request.retries + 1 >= attempts
    try:
        webhooks.webhook_delivery_attempt(delivery_id=delivery_id, final=final)
    except webhooks.DeliveryFailed as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
