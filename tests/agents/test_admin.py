"""The AI crew in the back office: runs on the request page, proposals applied by staff, re-runs."""

import pytest
from django.urls import reverse

from maintenance import services as maintenance

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_apply_a_proposal_from_the_admin(client, crew_org, crew_tenant, crew_unit, crew_staff, plumbers):
    crew_org.ai_autonomy = "suggest"
    crew_org.save()
    request = maintenance.maintenance_request_create(
        reporter=crew_tenant, unit=crew_unit, title="Leak", description="The kitchen tap drips all the time."
    )
    proposal = request.agent_runs.get(agent="analyzer", decision="proposed")
    client.force_login(crew_staff)

    page = client.get(reverse("admin:maintenance_maintenancerequest_change", args=[request.pk]))
    assert page.status_code == 200
    assert "AI crew runs" in page.content.decode()

    response = client.post(
        reverse("admin:agents_agentrun_changelist"), {"action": "apply_proposal", "_selected_action": [proposal.pk]}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.decision == "applied" and proposal.decided_by == crew_staff
    request.refresh_from_db()
    assert request.category == proposal.output["category"]


def test_rerun_makes_a_new_proposal_without_changing_the_request(client, crew_tenant, crew_unit, crew_staff, plumbers):
    request = maintenance.maintenance_request_create(
        reporter=crew_tenant, unit=crew_unit, title="Leak", description="The kitchen tap drips all the time."
    )
    request.refresh_from_db()
    status, runs = request.status, request.agent_runs.filter(agent="analyzer").count()
    client.force_login(crew_staff)
    response = client.post(
        reverse("admin:maintenance_maintenancerequest_changelist"),
        {"action": "rerun_analyzer", "_selected_action": [request.pk]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == status
    latest = request.agent_runs.filter(agent="analyzer").order_by("-created_at").first()
    assert request.agent_runs.filter(agent="analyzer").count() == runs + 1
    assert latest.decision == "proposed"


def test_staff_of_another_organization_cannot_apply(client, crew_org, crew_tenant, crew_unit, plumbers):
    from tests import factories

    crew_org.ai_autonomy = "suggest"
    crew_org.save()
    request = maintenance.maintenance_request_create(
        reporter=crew_tenant, unit=crew_unit, title="Leak", description="The kitchen tap drips all the time."
    )
    proposal = request.agent_runs.get(agent="analyzer", decision="proposed")
    client.force_login(factories.StaffFactory())
    client.post(
        reverse("admin:agents_agentrun_changelist"), {"action": "apply_proposal", "_selected_action": [proposal.pk]}
    )
    proposal.refresh_from_db()
    assert proposal.decision == "proposed"
