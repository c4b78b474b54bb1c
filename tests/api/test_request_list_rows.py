"""The requests list is read as plain rows for speed; RequestListOutput remains its documented shape.

These tests hold the two equal, value for value, and hold a list without filter parameters (which skips
building the filter form) to the same rows and order as one that goes through the filterset.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from maintenance.api.serializers import RequestListOutput
from maintenance.models import MaintenanceRequest
from tests import factories

REQUESTS = "/api/v1/requests/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(org, unit, contractor):
    """Requests that cover every shape a list item takes: null and set values, overdue and not, ties."""
    now = timezone.now()
    bare_unit = factories.UnitFactory(
        property=factories.PropertyFactory(organization=org, address_line2=""), floor=None
    )
    same_moment = now - timedelta(hours=3)
    made = [
        factories.MaintenanceRequestFactory(unit=unit, status="submitted", category="", priority=""),
        factories.MaintenanceRequestFactory(
            unit=unit,
            status="assigned",
            assigned_contractor=contractor,
            category="plumbing",
            priority="high",
            due_by=now - timedelta(hours=1),  # overdue
        ),
        factories.MaintenanceRequestFactory(
            unit=bare_unit,
            status="completed",
            assigned_contractor=contractor,
            category="electrical",
            priority="low",
            due_by=now - timedelta(days=2),  # late, but done: not overdue
        ),
        factories.MaintenanceRequestFactory(
            unit=bare_unit, status="triaged", priority="medium", due_by=now + timedelta(days=1)
        ),
    ]
    # Two requests made at the same instant: their order must not depend on the path the list takes.
    for _ in range(2):
        made.append(factories.MaintenanceRequestFactory(unit=unit, status="needs_review"))
    MaintenanceRequest.objects.filter(pk__in=[r.pk for r in made[-2:]]).update(created_at=same_moment)
    # A whole second: written without a fraction.
    MaintenanceRequest.objects.filter(pk=made[3].pk).update(due_by=(now + timedelta(days=1)).replace(microsecond=0))
    return made


def _documented(staff) -> list[dict]:
    """What RequestListOutput makes of the same requests, in the list's default order, as JSON."""
    queryset = (
        MaintenanceRequest.objects.filter(organization=staff.organization)
        .select_related("unit__property", "assigned_contractor")
        .order_by("-created_at", "-pk")
    )
    return json.loads(JSONRenderer().render(RequestListOutput(queryset, many=True).data))


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_each_item_is_what_the_documented_serializer_makes(staff, varied, settings, zone):
    settings.TIME_ZONE = zone
    api = APIClient()
    api.force_authenticate(staff)
    body = api.get(REQUESTS, {"page_size": 100}).json()
    assert body["count"] == len(varied)
    assert body["results"] == _documented(staff)
    overdue = {item["id"]: item["is_overdue"] for item in body["results"]}
    assert overdue[varied[1].pk] is True and overdue[varied[2].pk] is False


def test_without_filter_parameters_the_order_is_the_filtersets_own(staff, varied):
    api = APIClient()
    api.force_authenticate(staff)
    plain = [item["id"] for item in api.get(REQUESTS, {"page_size": 100}).json()["results"]]
    # An empty search goes through the filter form; it filters nothing, so the list must be identical.
    filtered = [item["id"] for item in api.get(REQUESTS, {"page_size": 100, "search": ""}).json()["results"]]
    assert plain == filtered
    tied = [r.pk for r in varied[-2:]]
    assert [pk for pk in plain if pk in tied] == sorted(tied, reverse=True), "ties: newest id first"
    # Pages split the same list: nothing lost or repeated between them.
    paged = []
    for page in (1, 2, 3):
        paged += [item["id"] for item in api.get(REQUESTS, {"page_size": 2, "page": page}).json()["results"]]
    assert paged == plain


def test_a_filter_parameter_still_filters(staff, varied):
    api = APIClient()
    api.force_authenticate(staff)
    ids = {item["id"] for item in api.get(REQUESTS, {"status": "needs_review"}).json()["results"]}
    assert ids == {r.pk for r in varied[-2:]}
    # A range filter's parameters (created_after) count as naming the filter "created".
    later = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert api.get(REQUESTS, {"created_after": later}).json()["count"] == 0


def test_the_count_reads_the_requests_alone(staff, varied, django_assert_max_num_queries):
    """Counted through the rows' joins, the database would join every matching request just to count it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = APIClient()
    api.force_authenticate(staff)
    with CaptureQueriesContext(connection) as queries:
        body = api.get(REQUESTS, {"page_size": 2}).json()
    assert body["count"] == len(varied) and len(body["results"]) == 2
    [count] = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert "JOIN" not in count
