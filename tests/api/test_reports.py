"""GET /api/v1/reports/overview/: the manager dashboard's figures, exact on a known organization.

The organization lives in Los Angeles, so a month begins at its midnight: a request triaged at 05:00 UTC on
1 March 2025 was triaged on 28 February there, and counts in February.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maintenance.models import Invoice, MaintenanceRequest, RequestEvent, Status
from tests import factories

from .test_auth import assert_error

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
URL = "/api/v1/reports/overview/"
PERIOD = {"since": "2025-01-01", "until": "2025-03-31"}


def at(*args: int) -> datetime:
    """A time at the organization's address."""
    return datetime(*args, tzinfo=LA)


class Organization:
    """Acme Homes (Los Angeles) with two buildings and a contractor, and a rival organization beside it."""

    def __init__(self) -> None:
        self.org = factories.OrganizationFactory(name="Acme Homes", timezone="America/Los_Angeles")
        self.harbour = factories.UnitFactory(property=factories.PropertyFactory(organization=self.org, name="Harbour"))
        self.maple = factories.UnitFactory(property=factories.PropertyFactory(organization=self.org, name="Maple"))
        self.contractor = factories.ContractorFactory(organization=self.org)
        self.staff = factories.StaffFactory(organization=self.org)
        rival = factories.OrganizationFactory(name="Rival Lettings", timezone="America/Los_Angeles")
        self.rival_unit = factories.UnitFactory(property=factories.PropertyFactory(organization=rival))
        self.rival_contractor = factories.ContractorFactory(organization=rival)

    def request(self, reported: datetime, *moves: tuple[str, float], unit=None, **fields) -> MaintenanceRequest:
        """A request reported at `reported` whose timeline moves to each status so many hours after the report."""
        fields = {"status": Status.CLOSED, "category": "plumbing", "priority": "medium", **fields}
        request = factories.MaintenanceRequestFactory(unit=unit or self.harbour, created_at=reported, **fields)
        for to_status, hours in moves:
            factories.RequestEventFactory(
                request=request,
                kind=RequestEvent.Kind.STATUS,
                to_status=to_status,
                created_at=reported + timedelta(hours=hours),
            )
        return request

    def invoice(self, request: MaintenanceRequest, total: str, submitted: datetime, status=Invoice.Status.APPROVED):
        contractor = self.rival_contractor if request.unit == self.rival_unit else self.contractor
        return Invoice.objects.create(
            request=request,
            contractor=contractor,
            status=status,
            subtotal=Decimal(total),
            tax=Decimal(0),
            total=Decimal(total),
            submitted_at=submitted,
        )


@pytest.fixture
def acme() -> Organization:
    acme = Organization()
    # Time to triage. January: 1, 2, 4 and 10 hours; the 10 after a review (needs review is not triaged yet),
    # and a later triage after a reopen does not count again.
    acme.request(at(2025, 1, 3, 9), ("triaged", 1))
    acme.request(at(2025, 1, 6, 9), ("triaged", 2), ("assigned", 5))
    acme.request(at(2025, 1, 8, 9), ("awaiting_approval", 4), ("assigned", 25))
    acme.request(at(2025, 1, 10, 0), ("needs_review", 0.5), ("triaged", 10), ("reopened", 800), ("triaged", 801))
    # February in Los Angeles, March in UTC: 3 hours. Completed in March, 48 hours after the report.
    acme.request(at(2025, 2, 28, 18), ("triaged", 3), ("completed", 48), unit=acme.maple)
    # Reported and triaged before the period; and another organization's slow triage: neither counts.
    acme.request(at(2024, 12, 30, 9), ("triaged", 2))
    acme.request(at(2025, 1, 3, 9), ("triaged", 100), unit=acme.rival_unit)

    # Costs: approved and paid invoices only, by the month they were submitted in Los Angeles.
    def costed(total: str, submitted: datetime, *, unit=None, category="plumbing", status=Invoice.Status.APPROVED):
        request = acme.request(submitted - timedelta(days=2), unit=unit, category=category)
        return acme.invoice(request, total, submitted, status)

    costed("100.00", at(2025, 1, 12, 10))
    costed("50.50", at(2025, 1, 20, 10), status=Invoice.Status.PAID)
    costed("200.00", at(2025, 2, 2, 10), category="electrical")
    costed("80.00", at(2025, 2, 14, 10), unit=acme.maple, status=Invoice.Status.PAID)
    costed("999.00", at(2025, 3, 3, 10), unit=acme.maple, status=Invoice.Status.AWAITING_APPROVAL)
    costed("70.00", at(2025, 3, 4, 10), unit=acme.maple, status=Invoice.Status.REJECTED)
    last_minutes_of_march = datetime(2025, 4, 1, 6, 30, tzinfo=UTC)  # 23:30 on 31 March in Los Angeles
    costed("30.00", last_minutes_of_march, unit=acme.maple, category="electrical")
    costed("1000.00", at(2025, 1, 15, 10), unit=acme.rival_unit)

    # Open now: two waiting for triage, two assigned of which one is overdue; the rival's open one is not counted.
    acme.request(timezone.now(), status=Status.SUBMITTED, priority="", category="")
    acme.request(timezone.now(), status=Status.SUBMITTED, priority="", category="")
    hour = timedelta(hours=1)
    assigned = {"status": Status.ASSIGNED, "priority": "high", "assigned_contractor": acme.contractor}
    acme.request(timezone.now(), due_by=timezone.now() - hour, **assigned)
    acme.request(timezone.now(), due_by=timezone.now() + hour, **assigned)
    acme.request(timezone.now(), unit=acme.rival_unit, status=Status.SUBMITTED)
    return acme


def overview(api, user, **params) -> dict:
    api.force_authenticate(user)
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_times_to_triage_assign_and_complete_are_medians_and_90th_percentiles_per_month(api, acme):
    report = overview(api, acme.staff, **PERIOD)

    assert report["months"] == ["2025-01", "2025-02", "2025-03"]
    assert report["timezone"] == "America/Los_Angeles"
    assert report["times"] == [
        {"month": "2025-01", "stage": "triage", "requests": 4, "median_hours": 3.0, "p90_hours": 8.2},
        {"month": "2025-02", "stage": "triage", "requests": 1, "median_hours": 3.0, "p90_hours": 3.0},
        {"month": "2025-01", "stage": "assign", "requests": 2, "median_hours": 15.0, "p90_hours": 23.0},
        {"month": "2025-03", "stage": "complete", "requests": 1, "median_hours": 48.0, "p90_hours": 48.0},
    ]
    assert report["times_overall"] == [
        {"stage": "triage", "requests": 5, "median_hours": 3.0, "p90_hours": 7.6},
        {"stage": "assign", "requests": 2, "median_hours": 15.0, "p90_hours": 23.0},
        {"stage": "complete", "requests": 1, "median_hours": 48.0, "p90_hours": 48.0},
    ]


def test_costs_are_approved_and_paid_invoices_by_property_and_by_category_per_month(api, acme):
    report = overview(api, acme.staff, **PERIOD)

    harbour = {"id": acme.harbour.property_id, "name": "Harbour"}
    maple = {"id": acme.maple.property_id, "name": "Maple"}
    usd = {"currency": "USD"}
    assert report["costs_by_property"] == [
        {"month": "2025-01", **usd, "invoices": 2, "total": "150.50", "property": harbour},
        {"month": "2025-02", **usd, "invoices": 1, "total": "200.00", "property": harbour},
        {"month": "2025-02", **usd, "invoices": 1, "total": "80.00", "property": maple},
        {"month": "2025-03", **usd, "invoices": 1, "total": "30.00", "property": maple},
    ]
    assert report["costs_by_category"] == [
        {"month": "2025-01", **usd, "invoices": 2, "total": "150.50", "category": "plumbing"},
        {"month": "2025-02", **usd, "invoices": 1, "total": "200.00", "category": "electrical"},
        {"month": "2025-02", **usd, "invoices": 1, "total": "80.00", "category": "plumbing"},
        {"month": "2025-03", **usd, "invoices": 1, "total": "30.00", "category": "electrical"},
    ]


def test_open_requests_are_counted_by_status_and_priority_with_the_overdue_ones(api, acme):
    report = overview(api, acme.staff, **PERIOD)

    assert report["open_requests"] == [
        {"status": "assigned", "priority": "high", "count": 2, "overdue": 1},
        {"status": "submitted", "priority": "", "count": 2, "overdue": 0},
    ]


def test_a_shorter_period_leaves_the_rest_out(api, acme):
    report = overview(api, acme.staff, since="2025-02-01", until="2025-02-28")

    assert report["months"] == ["2025-02"]
    assert [(row["stage"], row["requests"]) for row in report["times"]] == [("triage", 1)]
    assert [row["total"] for row in report["costs_by_property"]] == ["200.00", "80.00"]


def test_staff_of_another_organization_see_only_theirs(api, acme):
    rival_staff = factories.StaffFactory(organization=acme.rival_unit.property.organization)

    report = overview(api, rival_staff, **PERIOD)

    assert report["times_overall"] == [{"stage": "triage", "requests": 1, "median_hours": 100.0, "p90_hours": 100.0}]
    assert [row["total"] for row in report["costs_by_property"]] == ["1000.00"]
    assert report["open_requests"] == [{"status": "submitted", "priority": "medium", "count": 1, "overdue": 0}]


def test_the_default_period_is_this_month_and_the_five_before(api, acme):
    report = overview(api, acme.staff)

    today = timezone.localdate(timezone=LA)
    assert report["until"] == today.isoformat()
    assert len(report["months"]) == 6
    assert report["months"][-1] == f"{today:%Y-%m}"
    assert report["since"] == f"{report['months'][0]}-01"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2025-03-01", "until": "2025-02-01"}, "until"),
        ({"since": "2021-01-01", "until": "2025-02-01"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"until": "9999-12-31"}, "until"),
    ],
)
def test_a_period_that_makes_no_sense_is_refused_at_its_field(api, acme, params, field):
    api.force_authenticate(acme.staff)

    response = api.get(URL, params)

    assert_error(response, 400, "validation_error")
    assert list(response.json()["error"]["fields"]) == [field]


def test_the_number_of_queries_does_not_grow_with_the_requests(api, acme):
    api.force_authenticate(acme.staff)
    with CaptureQueriesContext(connection) as before:
        assert api.get(URL, PERIOD).status_code == 200
    for day in range(1, 29):
        request = acme.request(at(2025, 2, day, 8), ("triaged", day), ("assigned", 2 * day), ("completed", 3 * day))
        acme.invoice(request, "10.00", at(2025, 2, day, 12))

    with CaptureQueriesContext(connection) as after:
        report = api.get(URL, PERIOD).json()

    assert report["times_overall"][0]["requests"] == 5 + 28
    assert len(after) == len(before) <= 12
