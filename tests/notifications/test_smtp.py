"""E-mail over a real SMTP conversation on 127.0.0.1, through Django's SMTP backend."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services, tasks
from notifications.events import Audience, Channel, Event
from notifications.models import Delivery
from tests import factories as base
from tests.notifications.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield sink


def _only_email(user):
    for channel in (Channel.SMS, Channel.IN_APP):
        services.notification_preference_set(user=user, event="*", channel=channel, enabled=False)


def test_the_mail_server_receives_text_html_and_the_calendar_entry(world, after_commit, smtp):
    world.tenant.language = "es"
    world.tenant.save()
    _only_email(world.tenant)
    # Wednesday noon, a week ahead: "miércoles" makes the subject non-ASCII and long enough to be folded.
    start = (timezone.now() + timedelta(days=7)).replace(hour=12, minute=0, second=0, microsecond=0)
    start += timedelta(days=(2 - start.weekday()) % 7)
    appointment = base.AppointmentFactory(request=world.request, contractor=world.contractor, start=start)

    with after_commit():
        [delivery] = services.notify(
            event=Event.APPOINTMENT_BOOKED, request_id=world.request.pk, audience=Audience.TENANT
        )

    [(recipients, message)] = smtp.received
    assert recipients == [world.tenant.email]
    # Encoded words longer than a line are folded after "Subject:"; the parser keeps the fold's space.
    delivery.refresh_from_db()
    assert message["Subject"].strip() == delivery.subject
    assert delivery.subject.startswith("Visita reservada: miércoles")
    assert "irá a arreglar" in message.get_body(preferencelist=("plain",)).get_content()
    assert 'lang="es"' in message.get_body(preferencelist=("html",)).get_content()
    [calendar] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert calendar.get_filename() == "appointment.ics"
    assert f"UID:appointment-{appointment.pk}@domi" in calendar.get_content()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.provider_id == message["Message-ID"]


def test_a_refused_recipient_fails_without_retrying(world, after_commit, smtp):
    _only_email(world.tenant)
    smtp.refuse.add(world.tenant.email)
    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "550" in delivery.error and smtp.received == []


def test_a_mail_server_that_is_down_is_retried_then_marked_failed(world, after_commit, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    _only_email(world.tenant)

    with after_commit():
        [delivery] = services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == tasks.deliver.max_retries + 1
    assert "could not be reached" in delivery.error
