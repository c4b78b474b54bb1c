"""Manager pages: the dashboard's charts, the overdue list and the needs-review queue with admin links."""

from __future__ import annotations

import pytest

from maintenance.models import MaintenanceRequest

pytestmark = pytest.mark.django_db(transaction=True)
MANAGER = "manager@demo.domi"
CLOSED = ("closed", "cancelled")


def demo_requests():
    return MaintenanceRequest.objects.filter(unit__property__organization__name="Demo Property Co.")


def test_the_dashboard_counts_open_requests_and_draws_its_charts(portal):
    at = portal(MANAGER)

    assert at.title[0].value == "Dashboard"
    metrics = {metric.label: metric.value for metric in at.metric}
    open_requests = demo_requests().exclude(status__in=CLOSED)
    assert metrics["Open requests"] == str(open_requests.count())
    assert metrics["Needs review"] == str(open_requests.filter(status="needs_review").count())
    assert len(at.get("vega_lite_chart")) == 2


def test_the_overdue_list_links_each_request_into_the_admin(portal, api_url):
    at = portal(MANAGER)

    at.switch_page("views/manager_overdue.py").run()

    links = [button.proto.url for button in at.get("link_button")]
    assert links, "the demo data has overdue requests"
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
