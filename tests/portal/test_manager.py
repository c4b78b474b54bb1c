"""Manager pages: the dashboard's figures and charts, the overdue list and the needs-review queue with admin links."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from django.db.models import Q
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from contractors.models import Contractor
from maintenance.models import OPEN_STATUSES, Invoice, MaintenanceRequest
from maintenance.selectors import overdue_filter
from tests import factories
from tests.portal.conftest import open_portal, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
MANAGER = "manager@demo.domi"
DEMO = "Demo Property Co."
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # the demo organization's time zone


def demo_requests():
    return MaintenanceRequest.objects.filter(unit__property__organization__name=DEMO)


def chart(at, axis_title: str) -> pd.DataFrame:
    """The data of the one chart whose spec names this axis title."""
    (found,) = [c for c in at.get("vega_lite_chart") if f'"title": "{axis_title}"' in c.proto.spec]
    (dataset,) = found.proto.datasets
    return convert_arrow_bytes_to_pandas_df(dataset.data.data)


def month_axes(at, axis_title: str) -> list[list[str]]:
    """The months along the x axis of each chart whose spec names this axis title."""
    found = [c for c in at.get("vega_lite_chart") if f'"title": "{axis_title}"' in c.proto.spec]
    return [json.loads(c.proto.spec)["encoding"]["x"]["scale"]["domain"] for c in found]


def period_start(months: int) -> datetime:
    today = datetime.now(LOS_ANGELES).date()
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.combine(date(index // 12, index % 12 + 1, 1), time.min, LOS_ANGELES)


def month_labels(months: int) -> list[str]:
    """The last `months` months, this one included, as the dashboard labels them."""
    first = period_start(months)
    return [
        date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1).strftime("%b %Y")
        for n in range(months)
    ]


def test_the_dashboard_counts_open_requests_and_draws_its_charts(portal):
    at = portal(MANAGER)

    assert at.title[0].value == "Dashboard"
    metrics = {metric.label: metric.value for metric in at.metric}
    open_requests = demo_requests().filter(status__in=OPEN_STATUSES)
    assert metrics["Open requests"] == str(open_requests.count())
    assert metrics["Overdue"] == str(open_requests.filter(overdue_filter()).count())
    assert metrics["Needs review"] == str(open_requests.filter(status="needs_review").count())
    assert metrics["Open emergencies"] == str(open_requests.filter(priority="emergency").count())
    assert [subheader.value for subheader in at.subheader] == [
        "Open requests by status",
        "Open requests by priority",
        "Time from report to triage, assignment and completion",
        "Costs by property",
        "Costs by category",
        "Contractor scorecards",
    ]
    assert len(at.get("vega_lite_chart")) == 6

    first = at.get("vega_lite_chart")[0]  # open requests by status
    by_status = convert_arrow_bytes_to_pandas_df(first.proto.datasets[0].data.data)
    assert by_status["count"].sum() == open_requests.count()
    assert set(by_status["status"]) >= {"Being reviewed by staff", "Received"}


def test_the_dashboard_shows_the_times_to_each_stage(portal):
    at = portal(MANAGER)

    metrics = {metric.label: metric.value for metric in at.metric}
    for stage in ("triage", "assignment", "completion"):
        assert metrics[f"Median time to {stage}"].endswith((" h", " days")), metrics
    times = chart(at, "Hours since the report")
    assert set(times["stage"]) == {"Triaged", "Assigned", "Completed"}
    assert set(times["measure"]) == {"Median", "90th percentile"}
    # The 90th percentile is never below the median of the same stage and month.
    wide = times.pivot_table(index=["month", "stage"], columns="measure", values="hours")
    assert (wide["90th percentile"] >= wide["Median"]).all()


def test_the_dashboard_charts_costs_by_property_and_by_category(portal):
    at = portal(MANAGER)

    invoices = Invoice.objects.filter(
        Q(status="approved") | Q(status="paid"),
        request__organization__name=DEMO,
        submitted_at__gte=period_start(6),
    ).select_related("request__unit__property")
    by_property: dict[str, Decimal] = defaultdict(Decimal)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        by_property[invoice.request.unit.property.name] += invoice.total
        by_category[invoice.request.get_category_display()] += invoice.total
    assert by_property, "the demo data has approved and paid invoices"

    charts = [c for c in at.get("vega_lite_chart") if '"title": "Invoiced (USD)"' in c.proto.spec]
    assert len(charts) == 2
    property_data, category_data = (convert_arrow_bytes_to_pandas_df(c.proto.datasets[0].data.data) for c in charts)
    assert property_data.groupby("property")["total"].sum().round(2).to_dict() == {
        name: float(total) for name, total in by_property.items()
    }
    assert category_data.groupby("category")["total"].sum().round(2).to_dict() == {
        name: float(total) for name, total in by_category.items()
    }


def test_the_dashboard_shows_every_contractors_scorecard(portal):
    at = portal(MANAGER)

    cards = chart(at, "Quality rating (0 to 5)")
    roster = Contractor.objects.filter(organization__name=DEMO)
    assert sorted(cards["contractor"]) == sorted(roster.values_list("company_name", flat=True))
    rapid_flow = cards.set_index("contractor").loc["Rapid Flow Plumbing"]
    assert rapid_flow["rating"] == float(roster.get(company_name="Rapid Flow Plumbing").rating)
    assert len(at.dataframe) == 1


def test_a_shorter_period_shows_fewer_months(portal):
    at = portal(MANAGER)
    assert month_axes(at, "Hours since the report") == [month_labels(6)]

    at.selectbox(key="dashboard_months").set_value(3).run()

    assert not at.exception, [e.value for e in at.exception]
    assert month_axes(at, "Hours since the report") == [month_labels(3)]
    assert month_axes(at, "Invoiced (USD)") == [month_labels(3)] * 2


def test_a_new_organizations_dashboard_says_there_is_nothing_yet(api_url):
    manager = factories.StaffFactory(organization=factories.OrganizationFactory(name="Fresh Lettings"))

    at = sign_in(open_portal(), manager.email, factories.PASSWORD)

    assert not at.exception, [e.value for e in at.exception]
    assert {metric.label: metric.value for metric in at.metric}["Open requests"] == "0"
    assert [info.value for info in at.info] == [
        "No open requests. 🎉",
        "No request was triaged, assigned or completed in this period.",
        "No approved or paid invoices in this period.",
        "No approved or paid invoices in this period.",
        "No contractors on the roster yet.",
    ]
    assert not at.get("vega_lite_chart")


def test_the_overdue_list_links_each_request_into_the_admin(portal, api_url):
    at = portal(MANAGER)

    at.switch_page("views/manager_overdue.py").run()

    links = [button.proto.url for button in at.get("link_button")]
    assert links, "the demo data has overdue requests"
    assert len(links) == demo_requests().filter(overdue_filter()).count()
    assert all(link.startswith(f"{api_url}/admin/maintenance/maintenancerequest/") for link in links)


def test_the_needs_review_queue_lists_what_the_crew_could_not_decide(portal, api_url):
    at = portal(MANAGER)

    at.switch_page("views/manager_review.py").run()

    waiting = demo_requests().filter(status="needs_review")
    links = [button.proto.url for button in at.get("link_button")]
    assert sorted(links) == sorted(
        f"{api_url}/admin/maintenance/maintenancerequest/{request.pk}/change/" for request in waiting
    )


def test_a_tenant_does_not_get_the_manager_pages(portal):
    at = portal("tenant@demo.domi")

    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("views/manager_dashboard.py")
