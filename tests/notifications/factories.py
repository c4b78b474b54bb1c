"""factory-boy factories for the notifications models."""

from __future__ import annotations

from datetime import time

import factory

from notifications.events import Channel, Event
from notifications.models import Delivery, Notification, NotificationPreference, QuietHours, SmsOptOut
from tests.factories import (
    ContractorFactory,
    MaintenanceRequestFactory,
    OrgAdminFactory,
    StaffFactory,
    TenancyFactory,
    TenantFactory,
)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    request = factory.SubFactory(MaintenanceRequestFactory)
    organization = factory.SelfAttribute("request.organization")
    recipient = factory.SelfAttribute("request.reporter")
    audience = "tenant"
    channel = Channel.EMAIL
    address = factory.SelfAttribute("recipient.email")
    event = Event.WORK_STARTED
    template = "notifications/messages/en/work_started.txt"
    subject = "Work has started"
    body = "Work has started on your request."
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(TenantFactory)
    organization = factory.SelfAttribute("recipient.organization")
    event = Event.WORK_STARTED
    title = "Work has started"


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(TenantFactory)
    event = Event.WORK_STARTED
    channel = Channel.SMS
    enabled = False


class QuietHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuietHours

    user = factory.SubFactory(TenantFactory)
    start = time(22, 0)
    end = time(7, 0)
    time_zone = "UTC"


class SmsOptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsOptOut

    phone = factory.Sequence(lambda n: f"+1415555{n:04d}")


class World:
    """One organization's people around one request, and a stranger from another organization."""

    def __init__(self, org, other_org, unit):
        self.tenant = TenancyFactory(unit=unit, tenant__phone="+1 (415) 555-0100").tenant
        self.manager = StaffFactory(organization=org, phone="+14155550111")
        self.admin = OrgAdminFactory(organization=org)
        self.inactive_staff = StaffFactory(organization=org, is_active=False)
        self.outsider = StaffFactory(organization=other_org)
        self.contractor = ContractorFactory(organization=org, user__phone="+14155550122")
        self.contractor_user = self.contractor.user
        self.request = MaintenanceRequestFactory(
            unit=unit,
            reporter=self.tenant,
            title="Leaking kitchen tap",
            category="plumbing",
            priority="high",
            status="in_progress",
            assigned_contractor=self.contractor,
        )

    @property
    def staff(self):
        return {self.manager, self.admin}


def pairs(deliveries):
    """{(user, channel)} of a list of deliveries."""
    return {(d.recipient, d.channel) for d in deliveries}
