"""Scorecards: the tenants' own rating, and reopen counts limited to the contractor's jobs."""

import pytest

from maintenance import selectors
from tests import factories

pytestmark = pytest.mark.django_db


def test_scorecard_averages_tenant_ratings_and_counts_only_its_own_reopens(org):
    contractor = factories.ContractorFactory(organization=org)
    other = factories.ContractorFactory(organization=org)
    unit = factories.UnitFactory(property=factories.PropertyFactory(organization=org))
    from django.utils import timezone

    from maintenance.models import RequestEvent

    for rating in (5, 4, 3):
        factories.MaintenanceRequestFactory(
            unit=unit, status="closed", assigned_contractor=contractor, tenant_rating=rating,
            completed_at=timezone.now(),
        )  # fmt: skip
    theirs = factories.MaintenanceRequestFactory(
        unit=unit, status="reopened", assigned_contractor=other, completed_at=timezone.now()
    )
    RequestEvent.objects.create(request=theirs, kind="status", from_status="completed", to_status="reopened",
                                actor_agent="quality_control")  # fmt: skip
    cards = selectors.contractor_scorecards(contractor_ids=[contractor.pk, other.pk])
    assert cards[contractor.pk]["tenant_rating"] == 4.0
    assert cards[contractor.pk]["reopen_rate"] == 0.0
    assert cards[other.pk]["reopen_rate"] == 1.0
