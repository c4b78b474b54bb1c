"""Invoices and payments through the API, and the contractors' scorecards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenance.models import Invoice, JobLine, MaintenanceRequest, Payment, Status
from tests import factories

from .test_auth import assert_error
from .world import World, build_world

pytestmark = pytest.mark.django_db

LINE = {"kind": "labour", "description": "Replace the washer", "quantity": "2", "unit_price": "80.00"}


@pytest.fixture
def world() -> World:
    """The world's job, completed, with an estimate of up to 200 and the contractor's labour and parts."""
    world = build_world(status=Status.COMPLETED)
    MaintenanceRequest.objects.filter(pk=world.request.pk).update(
        estimated_cost_min=Decimal("100"), estimated_cost_max=Decimal("200")
    )
    JobLine.objects.create(request=world.request, kind="labour", description="Labour", quantity=2, unit_price=70)
    JobLine.objects.create(request=world.request, kind="part", description="Washer", quantity=1, unit_price="4.50")
    return world


def _as(api, user):
    api.force_authenticate(user)
    return api


def invoices_url(world: World) -> str:
    return f"/api/v1/requests/{world.request.pk}/invoices/"


def _submit(api, world: World, **body) -> dict:
    response = _as(api, world.contractor.user).post(invoices_url(world), body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


class TestSubmitting:
    def test_the_job_lines_are_invoiced_with_tax_and_within_the_estimate_approved_at_once(self, api, world):
        invoice = _submit(api, world, tax_rate="0.1", number="INV-1")

        assert invoice["status"] == "approved" and invoice["needs_approval"] is False
        assert invoice["payment_state"] == "unpaid" and invoice["payments"] == []
        assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == ("144.50", "14.45", "158.95")
        assert [(line["kind"], line["description"], line["amount"]) for line in invoice["lines"]] == [
            ("labour", "Labour", "140.00"),
            ("part", "Washer", "4.50"),
        ]
        assert invoice["contractor"] == {"id": world.contractor.pk, "company_name": "Drip Fixers"}
        assert invoice["number"] == "INV-1" and invoice["request"] == world.request.pk

    def test_lines_above_the_estimate_wait_for_staff(self, api, world):
        invoice = _submit(api, world, lines=[{**LINE, "quantity": "3"}])  # 240 against 200 (+10%)
        assert invoice["status"] == "awaiting_approval" and invoice["needs_approval"] is True
        assert invoice["estimate"] == "200.00" and invoice["total"] == "240.00"

    def test_a_line_without_a_kind_is_labour(self, api, world):
        invoice = _submit(api, world, lines=[{"description": "Call-out", "quantity": "1", "unit_price": "60"}])
        assert invoice["lines"][0]["kind"] == "labour"

    def test_staff_may_invoice_for_a_contractor_without_a_login(self, api, world):
        response = _as(api, world.staff).post(invoices_url(world), {"lines": [LINE]}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["contractor"]["id"] == world.contractor.pk

    def test_a_job_that_is_not_finished_is_409(self, api, world):
        MaintenanceRequest.objects.filter(pk=world.request.pk).update(status=Status.IN_PROGRESS)
        response = _as(api, world.contractor.user).post(invoices_url(world), {"lines": [LINE]}, format="json")
        assert_error(response, 409, "invalid_transition")

    def test_a_second_live_invoice_is_409(self, api, world):
        _submit(api, world)
        response = api.post(invoices_url(world), {"lines": [LINE]}, format="json")
        assert_error(response, 409, "invoice_exists")
        assert Invoice.objects.count() == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"tax_rate": "1.5"}, "tax_rate"),
            ({"lines": []}, "lines"),
            ({"lines": [{**LINE, "quantity": "0"}]}, "lines"),
            ({"lines": [{**LINE, "kind": "travel"}]}, "lines"),
            ({"currency": "dollars"}, "currency"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, api, world, body, field):
        response = _as(api, world.contractor.user).post(invoices_url(world), body, format="json")
        assert field in assert_error(response, 400, "validation_error")["fields"]
        assert not Invoice.objects.exists()

    def test_no_lines_at_all_is_400_from_the_domain(self, api, world):
        JobLine.objects.filter(request=world.request).delete()
        response = _as(api, world.contractor.user).post(invoices_url(world), {}, format="json")
        assert "lines" in assert_error(response, 400, "validation_error")["fields"]


class TestDeciding:
    def test_staff_approve_then_record_the_payment_and_the_invoice_is_paid(self, api, world):
        invoice = _submit(api, world, lines=[{**LINE, "quantity": "3"}])
        url = f"/api/v1/invoices/{invoice['id']}/"
        _as(api, world.staff)

        # Not approved yet: no payment.
        assert_error(api.post(f"{url}payments/", {"reference": "EARLY"}, format="json"), 409, "invalid_transition")

        approved = api.post(f"{url}approve/", format="json")
        assert approved.status_code == 200, approved.content
        assert approved.json()["status"] == "approved" and approved.json()["decided_at"]
        assert_error(api.post(f"{url}approve/", format="json"), 409, "invalid_transition")

        wrong = api.post(f"{url}payments/", {"reference": "BANK-1", "amount": "100.00"}, format="json")
        assert "amount" in assert_error(wrong, 400, "validation_error")["fields"]

        paid = api.post(f"{url}payments/", {"reference": " BANK-1 ", "amount": "240"}, format="json")
        assert paid.status_code == 201, paid.content
        body = paid.json()
        assert body["status"] == "paid" and body["payment_state"] == "paid" and body["paid_at"]
        assert [(p["gateway"], p["status"], p["amount"], p["reference"]) for p in body["payments"]] == [
            ("manual", "succeeded", "240.00", "BANK-1")
        ]
        assert_error(api.post(f"{url}payments/", {"reference": "TWICE"}, format="json"), 409, "invalid_transition")
        assert Payment.objects.count() == 1

        # The contractor sees the same.
        seen = _as(api, world.contractor.user).get(url).json()
        assert seen["payment_state"] == "paid" and seen["payments"][0]["reference"] == "BANK-1"

    def test_a_pending_gateway_payment_shows_as_pending(self, api, world):
        invoice = _submit(api, world)
        Payment.objects.create(invoice_id=invoice["id"], gateway="stripe", amount="144.50", external_id="pi_1")
        assert _as(api, world.staff).get(f"/api/v1/invoices/{invoice['id']}/").json()["payment_state"] == "pending"

    def test_a_rejection_needs_a_reason_and_lets_the_contractor_invoice_again(self, api, world):
        invoice = _submit(api, world, lines=[{**LINE, "quantity": "3"}])
        url = f"/api/v1/invoices/{invoice['id']}/reject/"
        _as(api, world.staff)
        assert "reason" in assert_error(api.post(url, {}, format="json"), 400, "validation_error")["fields"]
        assert (
            "reason" in assert_error(api.post(url, {"reason": "  "}, format="json"), 400, "validation_error")["fields"]
        )

        rejected = api.post(url, {"reason": "The quote was 200."}, format="json")
        assert rejected.status_code == 200, rejected.content
        assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "The quote was 200."

        again = _submit(api, world, lines=[LINE])
        assert again["status"] == "approved"
        listed = api.get(invoices_url(world)).json()
        assert [row["status"] for row in listed["results"]] == ["approved", "rejected"]

    def test_each_step_is_on_the_staffs_timeline_and_not_the_tenants(self, api, world):
        invoice = _submit(api, world, lines=[{**LINE, "quantity": "3"}])
        _as(api, world.staff).post(f"/api/v1/invoices/{invoice['id']}/approve/", format="json")
        api.post(f"/api/v1/invoices/{invoice['id']}/payments/", {"reference": "BANK-9"}, format="json")

        timeline = api.get(f"/api/v1/requests/{world.request.pk}/").json()["timeline"]
        notes = [event["note"] for event in timeline]
        assert any(note.startswith("Invoice submitted") for note in notes)
        assert "Invoice approved." in notes
        assert "Invoice paid via manual (BANK-9)." in notes
        timeline = _as(api, world.tenant_owner).get(f"/api/v1/requests/{world.request.pk}/").json()["timeline"]
        assert not [event for event in timeline if event["note"].startswith("Invoice")]


class TestWhoSeesWhat:
    def test_tenants_see_no_invoices(self, api, world):
        invoice = _submit(api, world)
        _as(api, world.tenant_owner)
        assert_error(api.get(invoices_url(world)), 403, "permission_denied")
        assert_error(api.get("/api/v1/invoices/"), 403, "permission_denied")
        assert_error(api.get(f"/api/v1/invoices/{invoice['id']}/"), 403, "permission_denied")

    def test_a_contractor_sees_the_invoices_they_submitted_even_once_the_job_is_someone_elses(self, api, world):
        invoice = _submit(api, world)
        other = world.contractor_other.user
        assert _as(api, other).get("/api/v1/invoices/").json()["count"] == 0
        assert_error(api.get(f"/api/v1/invoices/{invoice['id']}/"), 404, "not_found")

        MaintenanceRequest.objects.filter(pk=world.request.pk).update(assigned_contractor=world.contractor_other)
        _as(api, world.contractor.user)
        assert api.get(f"/api/v1/invoices/{invoice['id']}/").status_code == 200
        assert [row["id"] for row in api.get("/api/v1/invoices/").json()["results"]] == [invoice["id"]]

    def test_staff_of_another_organization_get_404_and_an_empty_list(self, api, world):
        invoice = _submit(api, world)
        _as(api, world.staff_other)
        assert_error(api.get(f"/api/v1/invoices/{invoice['id']}/"), 404, "not_found")
        assert_error(api.post(f"/api/v1/invoices/{invoice['id']}/approve/", format="json"), 404, "not_found")
        assert api.get("/api/v1/invoices/").json()["count"] == 0

    def test_staff_filter_what_waits_for_them(self, api, world):
        waiting = _submit(api, world, lines=[{**LINE, "quantity": "3"}])
        _as(api, world.staff)
        with CaptureQueriesContext(connection) as queries:
            rows = api.get("/api/v1/invoices/?status=awaiting_approval&status=approved").json()["results"]
        statements = [q["sql"] for q in queries.captured_queries]
        assert [row["id"] for row in rows] == [waiting["id"]]
        assert not [sql for sql in statements if "DISTINCT" in sql]  # one column: no row to deduplicate
        assert api.get("/api/v1/invoices/?status=paid").json()["count"] == 0


def test_filter_ids_out_of_range_are_400_not_a_database_overflow(api, world):
    _as(api, world.staff)
    huge = "/api/v1/invoices/?request=14569439973657298&contractor=-2"
    assert "request" in assert_error(api.get(huge), 400, "validation_error")["fields"]


def _many_invoices(world: World, count: int) -> None:
    for n in range(count):
        job = factories.MaintenanceRequestFactory(
            unit=world.unit, reporter=world.tenant_owner, status=Status.COMPLETED, assigned_contractor=world.contractor
        )
        invoice = Invoice.objects.create(
            request=job,
            contractor=world.contractor,
            status=Invoice.Status.APPROVED if n % 2 else Invoice.Status.PAID,
            subtotal=100,
            tax=0,
            total=100,
        )
        invoice.lines.create(kind="labour", description="Labour", quantity=1, unit_price=100, amount=100)
        Payment.objects.create(invoice=invoice, gateway="manual", status="succeeded", amount=100, reference=f"R{n}")


def _queries(api, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("who", ["staff", "contractor"])
def test_the_invoice_list_costs_the_same_for_5_rows_as_for_50(api, world, who):
    _many_invoices(world, 55)
    _as(api, world.staff if who == "staff" else world.contractor.user)
    small, page = _queries(api, "/api/v1/invoices/?page_size=5")
    large, bigger = _queries(api, "/api/v1/invoices/?page_size=50")
    assert len(page["results"]) == 5 and len(bigger["results"]) == 50
    assert large == small


class TestScorecards:
    def test_staff_see_their_roster_and_a_contractor_their_own_card(self, api, world):
        _submit(api, world, lines=[{**LINE, "quantity": "1.5"}])  # 120 against an estimate of 200
        _as(api, world.staff)
        cards = api.get("/api/v1/scorecards/").json()
        assert [card["contractor"]["company_name"] for card in cards["results"]] == ["Drip Fixers", "Spark Co"]

        _as(api, world.contractor.user)
        (mine,) = api.get("/api/v1/scorecards/").json()["results"]
        assert mine["contractor"]["id"] == world.contractor.pk
        assert mine["cost_vs_estimate"] == 0.6
        assert set(mine) == {
            "contractor",
            "rating",
            "jobs_scored",
            "offers_answered",
            "acceptance_rate",
            "on_time_rate",
            "avg_hours_to_complete",
            "reopen_rate",
            "cost_vs_estimate",
            "tenant_rating",
        }
        assert mine["tenant_rating"] is None, "no tenant has rated this contractor's work yet"
        assert api.get(f"/api/v1/contractors/{world.contractor.pk}/scorecard/").json() == mine
        assert_error(api.get(f"/api/v1/contractors/{world.contractor_other.pk}/scorecard/"), 404, "not_found")

    def test_the_list_costs_the_same_for_5_cards_as_for_50(self, api, world):
        for n in range(55):
            factories.ContractorFactory(organization=world.org, company_name=f"Firm {n:02d}")
        _as(api, world.staff)
        small, page = _queries(api, "/api/v1/scorecards/?page_size=5")
        large, bigger = _queries(api, "/api/v1/scorecards/?page_size=50")
        assert len(page["results"]) == 5 and len(bigger["results"]) == 50
        assert large == small
