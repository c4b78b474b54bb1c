"""Contractor invoices: sending one for a finished job, refusals next to their field, and the invoices' status."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domi.accounts.models import User
from maintenance import services
from maintenance.models import Invoice, MaintenanceRequest
from streamlit_app.client import DomiClient
from tests.portal.conftest import texts

pytestmark = pytest.mark.django_db(transaction=True)
CONTRACTOR = "contractor@demo.domi"
PASSWORD = "domi-demo"


def client_for(email: str) -> DomiClient:
    api = DomiClient()
    api.sign_in(email=email, password=PASSWORD)
    return api


@pytest.fixture
def finished_job(api_url) -> MaintenanceRequest:
    """A dripping tap the demo tenant reports, which the demo plumber accepts, starts and completes."""
    tenant = client_for("tenant@demo.domi")
    created = tenant.request_create(
        unit=tenant.unit_list()[0]["id"],
        title="Kitchen tap dripping",
        description="The kitchen tap keeps dripping, a slow drip into the sink.",
    )
    plumber = client_for(CONTRACTOR)
    zone = ZoneInfo("America/Los_Angeles")
    start = datetime.combine(datetime.now(zone).date() + timedelta(days=3), time(7, 0), zone)
    plumber.request_accept(created["id"], start=start)
    plumber.request_start(created["id"])
    plumber.request_complete(created["id"], notes="Replaced the tap washer and tested it: no more drip.")
    job = MaintenanceRequest.objects.get(pk=created["id"])
    assert job.status in ("completed", "closed"), "quality control may close the job at once"
    return job


def open_job(portal, job: MaintenanceRequest):
    at = portal(CONTRACTOR)
    at.selectbox(key="contractor_job_pick").set_value(job.pk).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill_line(at, job: MaintenanceRequest, row: int, description: str, quantity: float | None, price: float | None):
    prefix = f"invoice_{job.pk}_line_{row}"
    at.text_input(key=f"{prefix}_description").input(description)
    if quantity is not None:
        at.number_input(key=f"{prefix}_quantity").set_value(quantity)
    if price is not None:
        at.number_input(key=f"{prefix}_price").set_value(price)


def in_order(node) -> list:
    """The page's elements in the order they are drawn."""
    found = []
    for child in node.children.values():
        found.extend(in_order(child) if isinstance(getattr(child, "children", None), dict) else [child])
    return found


def assert_below(at, key: str, message: str) -> None:
    """The error message is drawn right below the widget with this key."""
    elements = in_order(at.main)
    (index,) = [i for i, element in enumerate(elements) if getattr(element, "key", None) == key]
    below = elements[index + 1]
    assert (below.type, getattr(below, "value", None)) == ("error", message), (key, below)


def send(at, job: MaintenanceRequest):
    at.button(key=f"FormSubmitter:invoice_{job.pk}-Send invoice").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_contractor_invoices_a_finished_job_and_sees_it_approved(finished_job, portal):
    at = open_job(portal, finished_job)
    assert "Invoice" in [subheader.value for subheader in at.subheader]
    at.text_input(key=f"invoice_{finished_job.pk}_number").input("RF-1001")
    fill_line(at, finished_job, 0, "Labour", 1.5, 80)
    fill_line(at, finished_job, 1, "Tap washer", 2, 3.25)
    at.selectbox(key=f"invoice_{finished_job.pk}_line_1_kind").set_value("part")
    at.number_input(key=f"invoice_{finished_job.pk}_tax").set_value(10.0)

    send(at, finished_job)

    invoice = Invoice.objects.get(request=finished_job)
    assert (invoice.number, invoice.subtotal, invoice.tax, invoice.total) == (
        "RF-1001",
        Decimal("126.50"),
        Decimal("12.65"),
        Decimal("139.15"),
    )
    assert [(line.kind, line.description, line.amount) for line in invoice.lines.all()] == [
        ("labour", "Labour", Decimal("120.00")),
        ("part", "Tap washer", Decimal("6.50")),
    ]
    page = texts(at)
    expected = {
        "approved": "Invoice sent and approved.",
        "awaiting_approval": "Invoice sent. It is above the estimate, so it waits for the manager's approval.",
    }[invoice.status]
    assert expected in page
    assert "**Invoice RF-1001**" in page and "139.15 USD" in page
    assert "Part: Tap washer · 2 × 3.25 USD" in page and "Tax 10%: 12.65 USD" in page
    assert not any(button.key == f"FormSubmitter:invoice_{finished_job.pk}-Send invoice" for button in at.button)


def test_a_refused_field_is_pointed_out_beside_it_and_nothing_typed_is_lost(finished_job, portal):
    at = open_job(portal, finished_job)
    form = f"invoice_{finished_job.pk}"
    at.text_input(key=f"{form}_number").input("RF-1002")
    at.text_input(key=f"{form}_currency").input("U$D")
    fill_line(at, finished_job, 0, "Labour", 0.0, 80)  # no quantity is not a quantity
    fill_line(at, finished_job, 2, "", 1, 12)  # the third row, without a description

    send(at, finished_job)

    assert not Invoice.objects.filter(request=finished_job).exists()
    assert_below(at, f"{form}_currency", "This value does not match the required pattern.")
    assert_below(at, f"{form}_line_0_quantity", "Ensure this value is greater than or equal to 0.01.")
    assert_below(at, f"{form}_line_2_description", "This field may not be blank.")
    assert len(at.error) == 3
    assert at.text_input(key=f"{form}_number").value == "RF-1002"
    assert at.text_input(key=f"{form}_currency").value == "U$D"
    assert at.text_input(key=f"{form}_line_0_description").value == "Labour"
    assert at.number_input(key=f"{form}_line_0_price").value == 80
    assert at.number_input(key=f"{form}_line_2_quantity").value == 1

    at.text_input(key=f"{form}_currency").input("usd")
    at.number_input(key=f"{form}_line_0_quantity").set_value(2.0)
    at.text_input(key=f"{form}_line_2_description").input("Call-out")
    send(at, finished_job)

    invoice = Invoice.objects.get(request=finished_job)
    assert (invoice.currency, invoice.total) == ("USD", Decimal("172.00"))


def test_an_invoice_needs_a_line(finished_job, portal):
    at = open_job(portal, finished_job)

    send(at, finished_job)

    assert "An invoice needs at least one line." in [error.value for error in at.error]
    assert not Invoice.objects.filter(request=finished_job).exists()


def test_a_rejected_invoice_shows_why_and_a_corrected_one_can_be_sent(finished_job, portal):
    plumber = client_for(CONTRACTOR)
    sent = plumber.invoice_submit(
        finished_job.pk, lines=[{"kind": "labour", "description": "Labour", "quantity": "10", "unit_price": "95"}]
    )
    assert sent["status"] == "awaiting_approval"  # far above the estimate
    manager = User.objects.get(email="manager@demo.domi")
    services.invoice_reject(invoice=Invoice.objects.get(pk=sent["id"]), user=manager, reason="Ten hours for a washer?")

    at = open_job(portal, finished_job)

    page = texts(at)
    assert "❌ Rejected" in page and "Why it was rejected: Ten hours for a washer?" in page
    assert "You can send a corrected invoice." in page
    fill_line(at, finished_job, 0, "Labour", 1, 95)
    send(at, finished_job)
    assert Invoice.objects.filter(request=finished_job).exclude(status="rejected").get().total == Decimal("95.00")


def test_my_invoices_lists_each_invoice_with_its_status(finished_job, portal):
    plumber = client_for(CONTRACTOR)
    plumber.invoice_submit(
        finished_job.pk,
        number="RF-2001",
        lines=[{"kind": "labour", "description": "Labour", "quantity": "10", "unit_price": "95"}],
    )
    at = portal(CONTRACTOR)

    at.switch_page("views/contractor_invoices.py").run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "My invoices"
    page = texts(at)
    assert "**Invoice RF-2001** · Kitchen tap dripping" in page
    assert "Labour: Labour · 10 × 95.00 USD" in page
    assert "⏳ Waiting for the manager's approval · **950.00 USD**" in page
    assert {metric.label: metric.value for metric in at.metric}["Waiting for approval"] == "1"

    invoice = Invoice.objects.get(number="RF-2001")
    services.invoice_approve(invoice=invoice, user=User.objects.get(email="manager@demo.domi"))
    at.run()
    assert "✅ Approved · not paid yet · **950.00 USD**" in texts(at)


def test_a_contractor_without_invoices_is_told_where_to_start(portal):
    at = portal(CONTRACTOR)

    at.switch_page("views/contractor_invoices.py").run()

    assert "You have not sent an invoice yet." in texts(at)
