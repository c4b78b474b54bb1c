"""The contractor's side of a job reaches the right people: an answer to an offer, a visit moved, an invoice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maintenance import services as maintenance
from maintenance.actors import Actor
from maintenance.models import JobOffer
from notifications.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def offered(crew_org, crew_tenant, crew_unit, crew_staff, plumbers):
    request = maintenance.maintenance_request_create(
        reporter=crew_tenant, unit=crew_unit, title="Drip", description="The kitchen tap drips all the time."
    )
    request.refresh_from_db()
    assert request.status == "assigned"
    return request, JobOffer.objects.get(request=request, status="offered")


def _who(request, event):
    return {(d.recipient_id, d.channel) for d in Delivery.objects.filter(request=request, event=event)}


def test_a_declined_offer_tells_staff_with_the_reason(offered, crew_staff):
    request, offer = offered
    contractor_user = offer.contractor.user
    maintenance.job_offer_decline(offer=offer, actor=Actor.of(contractor_user), reason="On holiday that week.")
    declined = Delivery.objects.filter(request=request, event="job_declined")
    assert {d.recipient_id for d in declined} == {crew_staff.pk}
    assert any("holiday" in d.body for d in declined)


def test_an_accepted_offer_tells_staff_and_books_the_tenant(offered, crew_staff, crew_tenant):
    request, offer = offered
    maintenance.job_offer_accept(offer=offer, actor=Actor.of(offer.contractor.user))
    assert {d.recipient_id for d in Delivery.objects.filter(request=request, event="job_accepted")} == {crew_staff.pk}
    assert crew_tenant.pk in {r for r, _ in _who(request, "appointment_booked")}


def test_a_moved_visit_tells_tenant_and_contractor(offered, crew_tenant):
    request, offer = offered
    maintenance.job_offer_accept(offer=offer, actor=Actor.of(offer.contractor.user))
    request.refresh_from_db()
    later = (timezone.now() + timedelta(days=2)).replace(hour=17, minute=0, second=0, microsecond=0)
    maintenance.appointment_reschedule(request=request, actor=Actor.of(offer.contractor.user), start=later)
    told = {r for r, _ in _who(request, "appointment_changed")}
    assert told == {crew_tenant.pk, offer.contractor.user_id}


def test_an_invoice_over_the_estimate_goes_to_staff_and_its_rejection_back_to_the_contractor(
    offered, crew_staff, settings
):
    settings.DOMI_INVOICE_APPROVAL_TOLERANCE = "0.10"
    request, offer = offered
    actor = Actor.of(offer.contractor.user)
    maintenance.job_offer_accept(offer=offer, actor=actor)
    request.refresh_from_db()
    maintenance.job_start(request=request, actor=actor)
    maintenance.job_complete(request=request, actor=actor, notes="Replaced the cartridge.")
    request.refresh_from_db()
    invoice = maintenance.invoice_submit(
        request=request,
        actor=actor,
        number="RF-1042",
        lines=[{"kind": "part", "description": "Boiler", "quantity": 1, "unit_price": "9000.00"}],
    )
    assert invoice.status == "awaiting_approval"
    assert {r for r, _ in _who(request, "invoice_submitted")} == {crew_staff.pk}

    maintenance.invoice_reject(invoice=invoice, user=crew_staff, reason="The quote was for a cartridge, not a boiler.")
    rejected = Delivery.objects.filter(request=request, event="invoice_rejected")
    assert {d.recipient_id for d in rejected} == {offer.contractor.user_id}
    email = rejected.get(channel="email")
    assert "RF-1042" in email.body and "9000.00 USD" in email.body
    assert "Reason: The quote was for a cartridge, not a boiler." in email.body
    assert not Delivery.objects.filter(request=request, event="invoice_rejected", recipient=crew_staff).exists()
