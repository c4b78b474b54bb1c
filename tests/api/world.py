"""A small world with one of every kind of caller, for the permission matrix and other API tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from contractors.models import Contractor
from domi.accounts.models import Organization, User
from maintenance.models import Comment, JobOffer, MaintenanceRequest, Status
from notifications.models import Notification
from properties.models import Property, Tenancy, Unit
from tests import factories
from tests.notifications.factories import NotificationFactory

CALLERS = (
    "anonymous",
    "tenant_owner",
    "tenant_other",
    "contractor_assigned",
    "contractor_other",
    "staff",
    "staff_other",
    "superuser",
)

# Statuses in which the job is the contractor's: it has a contractor assigned.
WITH_CONTRACTOR = {Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED}


@dataclass
class World:
    org: Organization
    other_org: Organization
    property: Property
    unit: Unit
    other_unit: Unit
    tenancy: Tenancy
    tenant_owner: User
    tenant_other: User
    contractor: Contractor
    contractor_other: Contractor
    staff: User
    staff_other: User
    superuser: User
    request: MaintenanceRequest
    comment: Comment
    notification: Notification

    def caller(self, name: str) -> User | None:
        return {
            "anonymous": None,
            "tenant_owner": self.tenant_owner,
            "tenant_other": self.tenant_other,
            "contractor_assigned": self.contractor.user,
            "contractor_other": self.contractor_other.user,
            "staff": self.staff,
            "staff_other": self.staff_other,
            "superuser": self.superuser,
        }[name]


def build_world(*, status: str = Status.SCHEDULED) -> World:
    """Organization A with a building of two rented units, two contractors and a manager; organization B
    with its own manager; a superuser. The request is the first tenant's, in `status`, the job of the
    first contractor (from assigned on)."""
    org = factories.OrganizationFactory(name="Acme Homes")
    other_org = factories.OrganizationFactory(name="Rival Lettings")
    prop = factories.PropertyFactory(organization=org, name="Harbour View", postal_code="94110")
    unit = factories.UnitFactory(property=prop, label="1A")
    other_unit = factories.UnitFactory(property=prop, label="2B")
    tenancy = factories.TenancyFactory(unit=unit, tenant__phone="+14155550100", tenant__email="owner@tenant.example")
    tenant_other = factories.TenancyFactory(unit=other_unit).tenant
    contractor = factories.ContractorFactory(organization=org, company_name="Drip Fixers", trades=["plumbing"])
    factories.ServiceAreaFactory(contractor=contractor, postal_prefix="941")
    contractor_other = factories.ContractorFactory(organization=org, company_name="Spark Co", trades=["electrical"])
    staff = factories.StaffFactory(organization=org)
    staff_other = factories.StaffFactory(organization=other_org)
    superuser = factories.SuperuserFactory()
    request = factories.MaintenanceRequestFactory(
        unit=unit,
        reporter=tenancy.tenant,
        status=status,
        category="plumbing",
        priority="medium",
        assigned_contractor=contractor if status in WITH_CONTRACTOR else None,
    )
    if status == Status.ASSIGNED:  # assigned means offered: the contractor has yet to answer
        JobOffer.objects.create(request=request, contractor=contractor, expires_at=timezone.now() + timedelta(hours=4))
    comment = factories.CommentFactory(request=request, author=tenancy.tenant, body="It drips at night.")
    notification = NotificationFactory(recipient=tenancy.tenant, request=request)
    return World(
        org=org,
        other_org=other_org,
        property=prop,
        unit=unit,
        other_unit=other_unit,
        tenancy=tenancy,
        tenant_owner=tenancy.tenant,
        tenant_other=tenant_other,
        contractor=contractor,
        contractor_other=contractor_other,
        staff=staff,
        staff_other=staff_other,
        superuser=superuser,
        request=request,
        comment=comment,
        notification=notification,
    )
