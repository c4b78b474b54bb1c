"""Invoices, payments (manual and Stripe's webhook), the calendar feed, booking-system webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contractors.models import WebhookDelivery, WebhookEndpoint
from contractors.webhooks import sign
from domi.errors import NotPermitted
from maintenance import services
from maintenance.actors import Actor
from maintenance.models import Invoice, JobOffer, Payment
from tests.support import http_server

pytestmark = pytest.mark.urls("tests.contractors.urls")


def _accept(job, contractor):
    services.job_offer_accept(offer=job.offers.get(status=JobOffer.Status.OFFERED), actor=Actor.of(contractor.user))


def _complete(job, contractor):
    actor = Actor.of(contractor.user)
    _accept(job, contractor)
    services.job_start(request=job, actor=actor)
    services.job_complete(
        request=job,
        actor=actor,
        notes="Fixed.",
        lines=[{"kind": "labour", "description": "Labour", "quantity": 2, "unit_price": "80.00"}],
    )


# -- invoices -------------------------------------------------------------------------------------


def test_invoice_within_the_estimate_is_approved_at_once(job, contractor):
    _complete(job, contractor)  # lines: 160.00; estimate 200.00
    invoice = services.invoice_submit(request=job, actor=Actor.of(contractor.user), tax_rate=Decimal("0.1"))
    assert (invoice.subtotal, invoice.tax, invoice.total) == (Decimal("160.00"), Decimal("16.00"), Decimal("176.00"))
    assert invoice.status == Invoice.Status.APPROVED and not invoice.needs_approval
    assert invoice.payment_state == "unpaid"


def test_invoice_over_the_share_needs_staff_approval_and_can_be_rejected(job, contractor, staff, settings):
    settings.DOMI_INVOICE_APPROVAL_TOLERANCE = "0.10"
    _complete(job, contractor)
    lines = [{"kind": "part", "description": "Boiler", "quantity": 1, "unit_price": "220.01"}]  # > 200 * 1.1
    invoice = services.invoice_submit(request=job, actor=Actor.of(contractor.user), lines=lines)
    assert invoice.status == Invoice.Status.AWAITING_APPROVAL
    with pytest.raises(NotPermitted):
        services.invoice_approve(invoice=invoice, user=contractor.user)
    with pytest.raises(ValidationError):
        services.invoice_reject(invoice=invoice, user=staff, reason="")
    services.invoice_reject(invoice=invoice, user=staff, reason="Quote was 200")
    assert invoice.status == Invoice.Status.REJECTED
    # A rejected invoice may be replaced; exactly at the limit it is approved automatically.
    again = services.invoice_submit(
        request=job, actor=Actor.of(contractor.user), lines=[{**lines[0], "unit_price": "220.00"}]
    )
    assert again.status == Invoice.Status.APPROVED
    assert job.events.filter(note__contains="Invoice rejected: Quote was 200").exists()


def test_invoice_notes_stay_off_the_tenants_timeline(job, contractor, staff, tenant):
    from maintenance.selectors import request_timeline

    _complete(job, contractor)
    invoice = services.invoice_submit(request=job, actor=Actor.of(contractor.user))
    services.payment_record_manual(invoice=invoice, user=staff, reference="BACS 1")
    staff_notes = [e.note for e in request_timeline(request=job, user=staff) if e.note.startswith("Invoice")]
    assert staff_notes == ["Invoice submitted; approved automatically.", "Invoice paid via manual (BACS 1)."]
    assert not [e for e in request_timeline(request=job, user=tenant) if e.note.startswith("Invoice")]


def test_only_a_completed_job_is_invoiced(job, contractor):
    from domi.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.invoice_submit(request=job, actor=Actor.of(contractor.user))


def test_manual_payment_marks_the_invoice_paid(job, contractor, staff):
    _complete(job, contractor)
    invoice = services.invoice_submit(request=job, actor=Actor.of(contractor.user))
    payment = services.payment_record_manual(invoice=invoice, user=staff, reference="BANK-123")
    invoice.refresh_from_db()
    assert payment.gateway == "manual" and invoice.status == Invoice.Status.PAID and invoice.payment_state == "paid"
    assert job.events.filter(note__contains="paid via manual (BANK-123)").exists()


# -- Stripe ---------------------------------------------------------------------------------------

WHSEC = "whsec_test_secret"


def _stripe_post(client, event: dict, *, secret: str = WHSEC, at: int | None = None):
    body = json.dumps(event)
    stamp = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return client.post(
        "/integrations/payments/stripe/webhook",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={stamp},v1={mac}",
    )


@pytest.fixture
def pending_stripe_payment(job, contractor, staff, settings, monkeypatch):
    import stripe

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = WHSEC
    monkeypatch.setattr(stripe.PaymentIntent, "create", lambda **kwargs: {"id": "pi_123", **kwargs})
    _complete(job, contractor)
    invoice = services.invoice_submit(request=job, actor=Actor.of(contractor.user))
    payment = services.payment_start(invoice=invoice, user=staff)
    assert payment.gateway == "stripe" and invoice.payment_state == "pending"
    return payment


def _succeeded(event_id="evt_1"):
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_123", "object": "payment_intent"}},
    }


def test_stripe_webhook_valid_pays_the_invoice(client, pending_stripe_payment):
    response = _stripe_post(client, _succeeded())
    assert response.status_code == 200 and response.json()["outcome"] == "handled"
    pending_stripe_payment.refresh_from_db()
    assert pending_stripe_payment.status == Payment.Status.SUCCEEDED
    assert pending_stripe_payment.invoice.status == Invoice.Status.PAID


def test_stripe_webhook_forged_is_refused(client, pending_stripe_payment):
    assert _stripe_post(client, _succeeded(), secret="whsec_wrong").status_code == 400
    assert _stripe_post(client, _succeeded(), at=int(time.time()) - 3600).status_code == 400  # stale
    pending_stripe_payment.refresh_from_db()
    assert pending_stripe_payment.status == Payment.Status.PENDING


def test_stripe_webhook_replayed_is_handled_once(client, pending_stripe_payment):
    assert _stripe_post(client, _succeeded()).json()["outcome"] == "handled"
    assert _stripe_post(client, _succeeded()).json()["outcome"] == "duplicate"
    job = pending_stripe_payment.invoice.request
    assert job.events.filter(note__contains="paid via stripe").count() == 1


# -- calendar feed --------------------------------------------------------------------------------


def _feed(client, token):
    response = client.get(f"/integrations/calendar/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


def test_feeds_list_each_persons_visits_event_by_event(client, job, contractor, tenant, staff):
    visit = job.appointments.get()
    feeds = {who: services.calendar_feed_token_rotate(user=who) for who in (contractor.user, tenant, staff)}
    for who, token in feeds.items():
        events = _feed(client, token)
        assert list(events) == [f"appointment-{visit.pk}@domi"], who
        entry = events[f"appointment-{visit.pk}@domi"]
        assert entry.decoded("DTSTART") == visit.start.astimezone(UTC)
        assert entry.decoded("DTSTART").tzinfo is not None and entry.decoded("DTSTART").utcoffset() == timedelta(0)
        assert entry.decoded("DTEND") == visit.end.astimezone(UTC)
        assert str(entry["STATUS"]) == "TENTATIVE" and int(entry["SEQUENCE"]) == 0
        assert job.unit.label in str(entry["LOCATION"])
    assert job.title in str(_feed(client, feeds[contractor.user])[f"appointment-{visit.pk}@domi"]["SUMMARY"])

    _accept(job, contractor)
    services.appointment_reschedule(request=job, actor=Actor.of(contractor.user), start=visit.start + timedelta(days=1))
    entry = _feed(client, feeds[tenant])[f"appointment-{visit.pk}@domi"]
    assert str(entry["STATUS"]) == "CONFIRMED" and int(entry["SEQUENCE"]) == 2
    assert entry.decoded("DTSTART") == (visit.start + timedelta(days=1)).astimezone(UTC)


def test_a_stranger_sees_nothing_and_rotation_kills_the_old_address(client, job, other_staff):
    assert _feed(client, services.calendar_feed_token_rotate(user=other_staff)) == {}
    old = services.calendar_feed_token_rotate(user=job.reporter)
    new = services.calendar_feed_token_rotate(user=job.reporter)
    assert client.get(f"/integrations/calendar/{old}.ics").status_code == 404
    assert len(_feed(client, new)) == 1


# -- booking-system webhooks ----------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    secret = ""
    fail_first = 0
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        stamp = int(self.headers["X-Domi-Timestamp"])
        good = hmac.compare_digest(
            sign(secret=self.secret, timestamp=stamp, body=body), self.headers["X-Domi-Signature"]
        )
        type(self).received.append((good, json.loads(body)))
        status = 500 if len(type(self).received) <= type(self).fail_first else (200 if good else 401)
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok" if status == 200 else b"nope")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    with http_server(_Receiver) as server:
        yield server


@pytest.mark.django_db(transaction=True)
def test_events_are_signed_and_retried_until_the_receiver_takes_them(
    receiver, org, unit, tenant, contractor, settings, monkeypatch
):
    from domi.celery import app
    from tests import factories

    # In-process even when a broker is configured: the retries run at once instead of after their backoff.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.DOMI_WEBHOOK_BACKOFF_SECONDS = 0
    settings.DOMI_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the receiver of this test
    endpoint = WebhookEndpoint.objects.create(
        organization=org, url=f"http://127.0.0.1:{receiver.server_port}/hook", contractor=contractor
    )
    _Receiver.secret, _Receiver.fail_first = endpoint.secret, 2
    request = factories.MaintenanceRequestFactory(
        unit=unit, reporter=tenant, status="triaged", category="plumbing", priority="medium"
    )
    services.maintenance_request_assign(request=request, contractor=contractor, actor=Actor.agent_named("test"))

    delivery = WebhookDelivery.objects.get(event="job.offered")
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 3
    codes = list(delivery.attempt_log.values_list("status_code", flat=True))
    assert codes == [500, 500, 200]
    good, payload = _Receiver.received[-1]
    assert good and payload["event"] == "job.offered" and payload["data"]["request_id"] == str(request.public_id)


@pytest.mark.django_db(transaction=True)
def test_an_event_made_while_the_broker_is_down_is_sent_by_the_sweep(
    receiver, org, unit, tenant, contractor, settings, monkeypatch
):
    from kombu.exceptions import OperationalError

    from contractors import tasks
    from contractors.webhooks import webhook_deliveries_sweep
    from domi import broker
    from domi.celery import app
    from tests import factories

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.DOMI_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    endpoint = WebhookEndpoint.objects.create(
        organization=org, url=f"http://127.0.0.1:{receiver.server_port}/hook", contractor=contractor
    )
    _Receiver.secret, _Receiver.fail_first = endpoint.secret, 0
    request = factories.MaintenanceRequestFactory(
        unit=unit, reporter=tenant, status="triaged", category="plumbing", priority="medium"
    )

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as outage:
        outage.setattr(tasks.deliver_webhook, "apply_async", broker_down)
        services.maintenance_request_assign(request=request, contractor=contractor, actor=Actor.agent_named("test"))
    delivery = WebhookDelivery.objects.get(event="job.offered")
    assert delivery.status == WebhookDelivery.Status.PENDING and _Receiver.received == [], "kept, not sent"

    broker.reset()  # the broker is back
    assert webhook_deliveries_sweep() == 0, "a delivery is left to its own task for the grace period"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert webhook_deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and len(_Receiver.received) == 1
    assert webhook_deliveries_sweep() == 0


def _command(client, endpoint, body: dict, *, secret=None, stamp=None):
    raw = json.dumps(body).encode()
    stamp = stamp or int(time.time())
    return client.post(
        f"/integrations/booking/{endpoint.pk}/commands",
        data=raw,
        content_type="application/json",
        HTTP_X_DOMI_TIMESTAMP=str(stamp),
        HTTP_X_DOMI_SIGNATURE=sign(secret=secret or endpoint.secret, timestamp=stamp, body=raw),
    )


def test_inbound_command_accepts_the_job_and_refuses_bad_signatures(client, job, contractor, org):
    endpoint = WebhookEndpoint.objects.create(organization=org, url="https://example.invalid/", contractor=contractor)
    body = {"action": "accept", "request_id": str(job.public_id)}
    assert _command(client, endpoint, body, secret="forged").status_code == 401
    assert _command(client, endpoint, body, stamp=int(time.time()) - 3600).status_code == 400
    job.refresh_from_db()
    assert job.status == "assigned"
    response = _command(client, endpoint, body)
    assert response.status_code == 200 and response.json()["status"] == "scheduled"


def test_a_contractor_answers_the_offer_rather_than_moving_the_status(job, contractor):
    from domi.errors import InvalidTransition

    offer = job.offers.get(status=JobOffer.Status.OFFERED)
    for to_status, note in (("scheduled", ""), ("triaged", "Busy")):
        with pytest.raises(InvalidTransition, match="accept or decline"):
            services.maintenance_request_transition(
                request=job, to_status=to_status, actor=Actor.of(contractor.user), note=note
            )
    offer.refresh_from_db()
    assert offer.status == JobOffer.Status.OFFERED
    _accept(job, contractor)
    job.refresh_from_db()
    assert job.status == "scheduled"


def test_staff_taking_the_job_back_withdraw_the_open_offer(job, contractor, staff):
    offer = job.offers.get(status=JobOffer.Status.OFFERED)
    services.maintenance_request_transition(
        request=job, to_status="triaged", actor=Actor.of(staff), note="Giving it to another firm."
    )
    offer.refresh_from_db()
    assert offer.status == JobOffer.Status.WITHDRAWN and offer.responded_at is not None


@pytest.mark.parametrize("to_status", ["scheduled", "triaged", "needs_review", "cancelled"])
def test_every_move_out_of_assigned_closes_the_open_offer(job, staff, to_status):
    """The invariant the request's detail relies on: an open offer exists only while a request is assigned."""
    services.maintenance_request_transition(request=job, to_status=to_status, actor=Actor.of(staff), note="Because.")
    job.refresh_from_db()
    assert job.status == to_status
    assert not job.offers.filter(status=JobOffer.Status.OFFERED).exists()


def test_the_same_signed_command_is_handled_once(client, job, contractor, org):
    from django.core.cache import cache

    cache.clear()
    endpoint = WebhookEndpoint.objects.create(organization=org, url="https://example.invalid/", contractor=contractor)
    stamp = int(time.time())
    body = {"action": "decline", "request_id": str(job.public_id), "reason": "Busy"}
    first = _command(client, endpoint, body, stamp=stamp)
    assert first.status_code == 200

    replayed = _command(client, endpoint, body, stamp=stamp)  # the very same message, within the window

    assert replayed.status_code == 409 and "already received" in replayed.json()["error"]
    assert job.offers.filter(status=JobOffer.Status.DECLINED).count() == 1
