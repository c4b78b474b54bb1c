"""The back office: staff see their organization's log and inboxes only, and resend what failed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery
from tests import factories as base
from tests.notifications.factories import (
    DeliveryFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    QuietHoursFactory,
    SmsOptOutFactory,
)

pytestmark = pytest.mark.django_db


def _objects_of(org):
    request = base.MaintenanceRequestFactory(
        unit=base.UnitFactory(property=base.PropertyFactory(organization=org)),
    )
    tenant = request.reporter
    tenant.phone = "+1415555" + str(1000 + org.pk)
    tenant.save()
    return {
        "delivery": DeliveryFactory(request=request),
        "notification": NotificationFactory(recipient=tenant),
        "notificationpreference": NotificationPreferenceFactory(user=tenant),
        "quiethours": QuietHoursFactory(user=tenant),
        "smsoptout": SmsOptOutFactory(phone=tenant.phone),
    }


def _url(obj, view="changelist"):
    meta = obj._meta
    if view == "changelist":
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize(
    "model_name", ["delivery", "notification", "notificationpreference", "quiethours", "smsoptout"]
)
def test_staff_see_their_organizations_objects_only(client, org, other_org, model_name):
    mine, theirs = _objects_of(org)[model_name], _objects_of(other_org)[model_name]
    client.force_login(base.StaffFactory(organization=org))

    listing = client.get(_url(mine))
    assert listing.status_code == 200
    assert [o.pk for o in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(_url(mine, "change")).status_code == 200
    assert client.get(_url(theirs, "change")).status_code == 302  # "doesn't exist"


def test_the_log_filters_and_searches(client, org):
    sent = DeliveryFactory(
        request__unit__property__organization=org, status="sent", sent_at=timezone.now(), address="a@x.example"
    )
    failed = DeliveryFactory(request=sent.request, status="failed", channel="sms", address="+14155550100")
    client.force_login(base.StaffFactory(organization=org))
    url = _url(sent)

    def shown(query):
        return {o.pk for o in client.get(url + query).context["cl"].result_list}

    assert shown("?status__exact=failed") == {failed.pk}
    assert shown("?channel__exact=sms") == {failed.pk}
    assert shown("?q=a@x.example") == {sent.pk}
    assert shown("?event__exact=work_started") == {sent.pk, failed.pk}


def test_the_log_cannot_be_written_by_hand(client, org):
    delivery = DeliveryFactory(request__unit__property__organization=org)
    client.force_login(base.OrgAdminFactory(organization=org))
    assert client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    assert client.post(_url(delivery, "change"), {"status": "sent"}).status_code == 403
    assert client.post(reverse("admin:notifications_delivery_delete", args=[delivery.pk])).status_code == 403


def test_resend_action_sends_failed_ones_and_reports_the_rest(client, org, django_capture_on_commit_callbacks):
    failed = DeliveryFactory(request__unit__property__organization=org, status="failed", error="timeout")
    already_sent = DeliveryFactory(request=failed.request, status="sent", sent_at=failed.created_at)
    client.force_login(base.StaffFactory(organization=org))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(failed), {"action": "resend", "_selected_action": [failed.pk, already_sent.pk]}, follow=True
        )

    messages = [str(m) for m in response.context["messages"]]
    assert any("1 done" in m for m in messages)
    assert any("Only failed deliveries" in m for m in messages)
    failed.refresh_from_db()
    assert failed.status == Delivery.Status.SENT and len(mail.outbox) == 1


def test_staff_add_an_opt_out_through_the_service(client, org):
    client.force_login(base.StaffFactory(organization=org))
    response = client.post(reverse("admin:notifications_smsoptout_add"), {"phone": "+1 415 555 0177"})
    assert response.status_code == 302
    from notifications.models import SmsOptOut

    assert SmsOptOut.objects.get().phone == "+14155550177"
    assert SmsOptOut.objects.get().source == SmsOptOut.Source.STAFF
