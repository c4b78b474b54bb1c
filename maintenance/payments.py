"""Payment gateways: `manual` by default (staff record an external payment), Stripe when STRIPE_SECRET_KEY is set.

A gateway creates the payment at the provider and returns its id; the provider's webhook (verified by
signature, handled once per event id) confirms it through services.payment_confirm.
"""

from __future__ import annotations

from typing import Protocol

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction

from domi.errors import InvalidTransition

from . import services
from .models import Invoice, PaymentWebhookEvent

logger = structlog.get_logger(__name__)


class PaymentGateway(Protocol):
    name: str

    def payment_create(self, *, invoice: Invoice) -> str:
        """Create the payment at the provider; return the provider's id for it."""
        ...


class ManualGateway:
    name = "manual"

    def payment_create(self, *, invoice: Invoice) -> str:
        raise InvalidTransition("Payments are manual here: record the external payment with its reference.")


class StripeGateway:
    name = "stripe"

    def payment_create(self, *, invoice: Invoice) -> str:
        import stripe

        intent = stripe.PaymentIntent.create(
            api_key=settings.STRIPE_SECRET_KEY,
            amount=int(invoice.total * 100),
            currency=invoice.currency.lower(),
            metadata={"invoice_id": str(invoice.pk), "request_id": str(invoice.request.public_id)},
            idempotency_key=f"domi-invoice-{invoice.pk}",
        )
        return intent["id"]


def active_gateway() -> PaymentGateway:
    return StripeGateway() if getattr(settings, "STRIPE_SECRET_KEY", "") else ManualGateway()


class WebhookRefused(Exception):
    pass


def stripe_webhook_handle(*, payload: bytes, signature: str) -> str:
    """Verify a Stripe webhook and apply it once. Returns "handled", "duplicate" or "ignored".

    Raises WebhookRefused for a bad signature, a stale timestamp or a body that is not an event.
    """
    import stripe

    secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
    if not secret:
        raise WebhookRefused("Stripe webhooks are not configured.")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise WebhookRefused(str(exc)) from exc
    event_type = event["type"]
    intent = event["data"]["object"]
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PaymentWebhookEvent.objects.create(
                    gateway="stripe", event_id=event["id"], event_type=event_type
                )
        except IntegrityError:
            logger.info("stripe_event_replayed", event_id=event["id"])
            return "duplicate"
        if event_type not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            return "ignored"
        payment = services.payment_confirm(
            gateway="stripe", external_id=intent["id"], succeeded=event_type == "payment_intent.succeeded"
        )
        record.payment = payment
        record.save(update_fields=["payment"])
    return "handled"
