"""The channels behind one interface: e-mail through Django's mail, SMS backends, the in-app inbox."""

from __future__ import annotations

import io
import sys
import types

import pytest
from django.core import mail

from notifications import channels
from notifications.events import Channel
from notifications.models import Notification
from tests.notifications.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


def test_email_sends_text_html_and_the_calendar_file(world):
    delivery = DeliveryFactory(
        subject="Visit booked",
        body="Hi\n\nSee you at 9.",
        html_body="<p>See you at 9.</p>",
        ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    )
    message_id = channels.channel_for(Channel.EMAIL).send(delivery)

    [email] = mail.outbox
    assert (email.subject, email.to, email.body) == ("Visit booked", [delivery.address], "Hi\n\nSee you at 9.")
    assert email.alternatives[0] == ("<p>See you at 9.</p>", "text/html")
    assert email.attachments == [("appointment.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]
    assert email.extra_headers["Message-ID"] == message_id
    assert email.extra_headers["X-Domi-Delivery"] == str(delivery.pk)


def test_the_console_sms_backend_prints_the_message():
    stream = io.StringIO()
    message_id = channels.ConsoleSmsBackend(stream=stream).send(to="+14155550100", body="Domi: hello")
    assert f"SMS to +14155550100 ({message_id})" in stream.getvalue()
    assert "Domi: hello" in stream.getvalue()


def test_console_is_the_default_sms_backend(settings):
    settings.DOMI_SMS_BACKEND = "console"
    assert isinstance(channels.sms_backend(), channels.ConsoleSmsBackend)


def test_twilio_without_its_package_is_a_permanent_failure(settings, monkeypatch):
    settings.DOMI_SMS_BACKEND = "twilio"
    monkeypatch.setitem(sys.modules, "twilio", None)  # not installed
    monkeypatch.setitem(sys.modules, "twilio.rest", None)
    with pytest.raises(channels.PermanentChannelError, match="twilio package is not installed"):
        channels.sms_backend()


class _TwilioRestException(Exception):
    def __init__(self, status, code, msg="error"):
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


def _fake_twilio(monkeypatch, outcome):
    """A stand-in for the twilio package with the same surface: Client(...).messages.create(...)."""
    sent = []

    class Messages:
        def create(self, **kwargs):
            sent.append(kwargs)
            if isinstance(outcome, Exception):
                raise outcome
            return types.SimpleNamespace(sid="SM123")

    class Client:
        def __init__(self, sid, token):
            self.credentials = (sid, token)
            self.messages = Messages()

    exceptions = types.SimpleNamespace(TwilioRestException=_TwilioRestException, TwilioException=RuntimeError)
    monkeypatch.setitem(sys.modules, "twilio", types.ModuleType("twilio"))
    monkeypatch.setitem(sys.modules, "twilio.rest", types.SimpleNamespace(Client=Client))
    monkeypatch.setitem(sys.modules, "twilio.base", types.ModuleType("twilio.base"))
    monkeypatch.setitem(sys.modules, "twilio.base.exceptions", exceptions)
    return sent


def test_twilio_sends_from_the_configured_number(settings, monkeypatch):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "AC1", "tok", "+15550001"
    sent = _fake_twilio(monkeypatch, outcome=None)
    assert channels.TwilioSmsBackend().send(to="+14155550100", body="Domi: hi") == "SM123"
    assert sent == [{"to": "+14155550100", "body": "Domi: hi", "from_": "+15550001"}]


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (_TwilioRestException(400, 21610), channels.RecipientUnsubscribed),
        (_TwilioRestException(400, 21211), channels.PermanentChannelError),
        (_TwilioRestException(429, 20429), channels.TransientChannelError),
        (_TwilioRestException(503, 20500), channels.TransientChannelError),
        (ConnectionError("reset"), channels.TransientChannelError),
    ],
)
def test_twilio_errors_are_sorted_into_retry_or_not(settings, monkeypatch, error, raised):
    sent = _fake_twilio(monkeypatch, outcome=error)
    with pytest.raises(raised):
        channels.TwilioSmsBackend().send(to="+14155550100", body="Domi: hi")
    assert len(sent) == 1


def test_in_app_makes_one_notification_however_often_it_is_sent(world):
    delivery = DeliveryFactory(channel=Channel.IN_APP, subject="Work started", body="Domi: work started", link="")
    first = channels.channel_for(Channel.IN_APP).send(delivery)
    second = channels.channel_for(Channel.IN_APP).send(delivery)
    notification = Notification.objects.get()
    assert first == second == f"notification:{notification.pk}"
    assert (notification.recipient, notification.title, notification.request) == (
        delivery.recipient,
        "Work started",
        delivery.request,
    )


def test_in_app_needs_a_login(world):
    delivery = DeliveryFactory(channel=Channel.IN_APP, recipient=None, address="")
    with pytest.raises(channels.PermanentChannelError):
        channels.channel_for(Channel.IN_APP).send(delivery)
