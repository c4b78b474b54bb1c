from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories


@pytest.fixture
def crew_org(db):
    org = factories.OrganizationFactory(name="Crew Homes", ai_autonomy="auto", timezone="America/Los_Angeles")
    return org


@pytest.fixture
def crew_unit(crew_org):
    prop = factories.PropertyFactory(organization=crew_org, postal_code="94110", approval_limit=Decimal("1000"))
    return factories.UnitFactory(property=prop)


@pytest.fixture
def crew_tenant(crew_unit):
    tenant = factories.TenancyFactory(unit=crew_unit).tenant
    tenant.phone = "+14155550123"
    tenant.save()
    return tenant


@pytest.fixture
def crew_staff(crew_org):
    return factories.StaffFactory(organization=crew_org, phone="+14155550999")


def make_contractor(org, trades, *, company, always=False, rating="4.5", hourly="80", areas=("941",), insured=True):
    contractor = factories.ContractorFactory(
        organization=org,
        company_name=company,
        trades=list(trades),
        emergency_24_7=always,
        rating=Decimal(rating),
        hourly_rate=Decimal(hourly),
        insurance_expires_on=timezone.localdate() + timedelta(days=200 if insured else -1),
    )
    for prefix in areas:
        factories.ServiceAreaFactory(contractor=contractor, postal_prefix=prefix)
    return contractor


@pytest.fixture
def plumbers(crew_org):
    return {
        "always": make_contractor(crew_org, ["plumbing"], company="Night Owl Plumbing", always=True, rating="4.0"),
        "daytime": make_contractor(crew_org, ["plumbing"], company="Daylight Pipes", rating="4.9", hourly="60"),
        "far": make_contractor(crew_org, ["plumbing"], company="Faraway Plumbing", rating="5.0", areas=("100",)),
        "uninsured": make_contractor(crew_org, ["plumbing"], company="Risky Pipes", rating="5.0", insured=False),
    }
