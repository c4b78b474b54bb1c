"""Booking-system webhooks: signing, queueing an event for every matching endpoint, and one delivery attempt.

Each POST carries the JSON body and two headers:
    X-Domi-Timestamp: seconds since the epoch
    X-Domi-Signature: sha256=<hex HMAC-SHA256 of f"{timestamp}.{body}" with the endpoint's secret>
A receiver recomputes the HMAC and refuses a timestamp older than a few minutes (replays).
The same scheme signs the commands a booking system sends back (see maintenance.integrations).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import structlog
import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from domi import outbound
from domi.broker import publish

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Domi-Signature"
TIMESTAMP_HEADER = "X-Domi-Timestamp"
EVENTS = frozenset(
    {
        "job.offered",
        "job.accepted",
        "job.declined",
        "job.scheduled",
        "job.rescheduled",
        "job.cancelled",
        "job.completed",
    }
)


class SignatureRefused(Exception):
    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(*, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None) -> None:
    """Raise SignatureRefused (400 for a missing or stale timestamp, 401 for a wrong signature)."""
    tolerance = getattr(settings, "DOMI_WEBHOOK_TOLERANCE_SECONDS", 300)
    try:
        stamp = int(timestamp or "")
    except ValueError as exc:
        raise SignatureRefused("Missing or malformed timestamp.", status_code=400) from exc
    if abs((now if now is not None else time.time()) - stamp) > tolerance:
        raise SignatureRefused("The timestamp is too old or in the future.", status_code=400)
    expected = sign(secret=secret, timestamp=stamp, body=body)
    if not signature or not hmac.compare_digest(expected, signature.strip()):
        raise SignatureRefused("The signature does not match.", status_code=401)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), sort_keys=True).encode()


@transaction.atomic
def webhook_event_dispatch(
    *, organization_id: int, contractor_id: int | None, event: str, data: dict[str, Any]
) -> list[WebhookDelivery]:
    """Queue the event for every active endpoint of the organization that covers this contractor.

    The deliveries are stored in the caller's transaction and sent by a task after commit.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}.")
    endpoints = WebhookEndpoint.objects.filter(organization_id=organization_id, is_active=True).filter(
        Q(contractor__isnull=True) | Q(contractor_id=contractor_id)
    )
    created = []
    for endpoint in endpoints:
        event_id = uuid.uuid4()
        payload = {"id": str(event_id), "event": event, "created": timezone.now().isoformat(), "data": data}
        delivery = WebhookDelivery(endpoint=endpoint, event_id=event_id, event=event, payload=payload)
        delivery.full_clean()
        delivery.save()
        created.append(delivery)
    if created:
        from .tasks import deliver_webhook

        ids = [d.pk for d in created]
        # Not sent (the broker is down): the sweep sends it (webhook_deliveries_sweep).
        transaction.on_commit(lambda: [publish(deliver_webhook, delivery_id) for delivery_id in ids])
    return created


def webhook_deliveries_sweep() -> int:
    """Send the deliveries that never reached a worker (made while the broker was down, or their message
    lost), DOMI_WEBHOOK_SWEEP_GRACE_SECONDS after they were made. Those with attempts have their retries
    scheduled by the task. A copy still queued is sent again: receivers tell copies apart by
    X-Domi-Delivery."""
    from .tasks import deliver_webhook

    grace = timedelta(seconds=getattr(settings, "DOMI_WEBHOOK_SWEEP_GRACE_SECONDS", 300))
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, attempts=0, created_at__lt=timezone.now() - grace
        ).values_list("pk", flat=True)[:500]
    )
    return sum(publish(deliver_webhook, delivery_id) for delivery_id in ids)


class DeliveryFailed(Exception):
    """This attempt failed; the task retries with backoff."""


def webhook_delivery_attempt(*, delivery_id: int, final: bool = False) -> WebhookDelivery | None:
    """POST the delivery once and log the attempt. Raise DeliveryFailed for a retry; `final` marks it failed.

    Safe to run twice: a delivery that already succeeded is not sent again.
    """
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.status == WebhookDelivery.Status.SUCCEEDED:
            return delivery
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
        number = delivery.attempts
    endpoint = delivery.endpoint
    body = encode(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Domi-Webhooks/1",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=timestamp, body=body),
        "X-Domi-Event": delivery.event,
        "X-Domi-Delivery": str(delivery.event_id),
    }
    started = time.monotonic()
    status_code, size, error, refused = None, None, "", False
    try:
        # Checked again here, after DNS, and sent to the checked address (domi/outbound.py): the URL was
        # checked when saved, but what its name resolves to may have changed since.
        reply = outbound.post(
            endpoint.url, body=body, headers=headers, timeout=getattr(settings, "DOMI_WEBHOOK_TIMEOUT_SECONDS", 10)
        )
        # The reply's body is never kept: only its status and size.
        status_code, size = reply.status, reply.size
    except outbound.AddressRefused as exc:
        error, refused = f"Refused: {exc}", True
    except urllib3.exceptions.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    duration_ms = int((time.monotonic() - started) * 1000)
    final = final or refused  # an address that is refused now is not tried again
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=status_code,
            response_bytes=size,
            error=error,
            duration_ms=duration_ms,
        )
        if ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.SUCCEEDED, delivered_at=timezone.now()
            )
        elif final:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    logger.info("webhook_attempt", delivery_id=delivery.pk, number=number, status_code=status_code, ok=ok)
    if not ok and not final:
        raise DeliveryFailed(error or f"HTTP {status_code}")
    delivery.refresh_from_db()
    return delivery
