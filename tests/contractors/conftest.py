from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from maintenance import services
from maintenance.actors import Actor
from tests import factories

COORDINATOR = Actor.agent_named("coordinator")


@pytest.fixture
def job(org, unit, tenant, contractor):
    """A triaged request assigned to the contractor, with a proposed visit tomorrow."""
    request = factories.MaintenanceRequestFactory(
        unit=unit,
        reporter=tenant,
        status="triaged",
        category="plumbing",
        priority="medium",
        estimated_cost_max=Decimal("200.00"),
    )
    services.maintenance_request_assign(request=request, contractor=contractor, actor=COORDINATOR)
    start = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    services.appointment_propose(request=request, actor=COORDINATOR, start=start)
    request.refresh_from_db()
    return request
