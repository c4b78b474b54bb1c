"""The deliver task: sends once however often it runs, retries what may pass, and leaves failures visible."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from domi import broker
from notifications import services, tasks
from notifications.events import Audience, Channel, Event
from notifications.models import Delivery, Notification, SmsOptOut
from tests.notifications.backends import DisconnectedEmailBackend, FlakySmsBackend
from tests.notifications.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


def _only_email(user):
    for channel in (Channel.SMS, Channel.IN_APP):
        services.notification_preference_set(user=user, event="*", channel=channel, enabled=False)


def _only_sms(user):
    for channel in (Channel.EMAIL, Channel.IN_APP):
        services.notification_preference_set(user=user, event="*", channel=channel, enabled=False)


def test_running_the_task_twice_sends_once(world, after_commit, sms_outbox):
    with after_commit():
        deliveries = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)
    for delivery in deliveries:
        tasks.deliver.apply(args=[delivery.pk])
        tasks.deliver.apply(args=[delivery.pk])

    assert len(mail.outbox) == 1 and len(sms_outbox) == 1 and Notification.objects.count() == 1
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    sms = Delivery.objects.get(channel=Channel.SMS)
    assert sms.provider_id == sms_outbox[0]["id"] and sms.sent_at is not None


def test_a_delivery_claimed_by_a_live_worker_is_left_alone(world):
    claimed = DeliveryFactory(status=Delivery.Status.SENDING, last_attempt_at=timezone.now(), attempts=1)
    assert services.delivery_send(delivery_id=claimed.pk) is None
    assert mail.outbox == []


def test_a_delivery_claimed_by_a_dead_worker_is_sent_after_the_lease(world):
    stale = DeliveryFactory(
        status=Delivery.Status.SENDING, last_attempt_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    assert services.delivery_send(delivery_id=stale.pk).status == Delivery.Status.SENT
    assert len(mail.outbox) == 1
    stale.refresh_from_db()
    assert stale.attempts == 2


def test_a_failing_channel_retries_then_ends_failed_with_the_error(world, after_commit, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.DisconnectedEmailBackend"
    DisconnectedEmailBackend.calls = 0
    _only_email(world.tenant)

    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)

    delivery.refresh_from_db()
    assert DisconnectedEmailBackend.calls == tasks.deliver.max_retries + 1
    assert delivery.attempts == tasks.deliver.max_retries + 1
    assert delivery.status == Delivery.Status.FAILED
    assert "Connection unexpectedly closed" in delivery.error
    assert delivery.sent_at is None


def test_a_transient_failure_that_passes_ends_sent(world, after_commit, settings, sms_outbox):
    settings.DOMI_SMS_BACKEND = "tests.notifications.backends.FlakySmsBackend"
    FlakySmsBackend.calls, FlakySmsBackend.failures = 0, 2
    _only_sms(world.tenant)

    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.provider_id) == ("sent", 3, "flaky-3")
    assert delivery.error == ""


def test_a_refused_address_fails_at_once(world, after_commit, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingEmailBackend"
    _only_email(world.tenant)

    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "refused" in delivery.error


def test_the_provider_saying_unsubscribed_opts_the_number_out(world, after_commit, settings):
    settings.DOMI_SMS_BACKEND = "tests.notifications.backends.UnsubscribedSmsBackend"
    _only_sms(world.tenant)

    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUPPRESSED and "21610" in delivery.error
    assert SmsOptOut.objects.get().source == SmsOptOut.Source.PROVIDER


def test_stop_suppresses_texts_already_waiting(world, after_commit, sms_outbox):
    _only_sms(world.tenant)
    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.QUEUED, sent_at=None)
    sms_outbox.clear()

    assert services.sms_inbound(phone="4155550100", body=" stop please") == "opted_out"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUPPRESSED
    assert services.delivery_send(delivery_id=delivery.pk) is None
    assert sms_outbox == []


def test_resend_sends_a_failed_delivery_again(world, after_commit):
    failed = DeliveryFactory(status=Delivery.Status.FAILED, attempts=6, error="Connection unexpectedly closed")
    with after_commit():
        services.delivery_resend(delivery=failed)
    failed.refresh_from_db()
    assert failed.status == Delivery.Status.SENT and failed.attempts == 7
    assert len(mail.outbox) == 1

    from domi.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.delivery_resend(delivery=failed)


def test_the_sweep_resends_what_a_lost_enqueue_left_behind(world, after_commit):
    long_ago = timezone.now() - timedelta(hours=1)
    lost = DeliveryFactory(created_at=long_ago)
    fresh = DeliveryFactory()  # its task is surely still on its way
    retry_pending = DeliveryFactory(created_at=long_ago, attempts=1, next_attempt_at=timezone.now())
    with after_commit():
        assert services.deliveries_sweep() == 1
    assert [d.status for d in Delivery.objects.filter(pk__in=[lost.pk, fresh.pk, retry_pending.pk]).order_by("pk")] == [
        "sent",
        "queued",
        "queued",
    ]


def _broker_down(*args, **kwargs):
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_broker_outage_loses_nothing(world, after_commit, monkeypatch):
    _only_email(world.tenant)
    monkeypatch.setattr(tasks.deliver, "apply_async", _broker_down)
    with after_commit():  # the caller is not failed
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.QUEUED and mail.outbox == []

    monkeypatch.undo()  # the broker is back (and tried again: the outage is forgotten after a few seconds);
    broker.reset()  # the sweep finds the delivery once it is overdue
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with after_commit():
        services.deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(mail.outbox) == 1


def test_a_domain_event_during_a_broker_outage_is_still_recorded(world, after_commit, monkeypatch):
    from maintenance import services as maintenance
    from maintenance.actors import Actor

    monkeypatch.setattr(tasks.announce_status_change, "apply_async", _broker_down)
    monkeypatch.setattr(tasks.deliver, "apply_async", _broker_down)
    world.request.status = "scheduled"
    world.request.save()
    with after_commit():
        maintenance.maintenance_request_transition(
            request=world.request, to_status="in_progress", actor=Actor.of(world.contractor_user)
        )
    assert set(Delivery.objects.filter(event="work_started").values_list("recipient", "status")) == {
        (world.tenant.pk, "queued")
    }
