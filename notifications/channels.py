"""The ways a message reaches a person, behind one interface: `channel_for(code).send(delivery)`.

- e-mail: Django's mail with the EMAIL_BACKEND of the settings (console by default, SMTP or any other
  backend from the environment); a text body, an HTML alternative and, when the delivery carries one,
  an `.ics` calendar attachment.
- sms: a backend chosen by DOMI_SMS_BACKEND: "console" (writes to stdout and the log, the default),
  "locmem" (keeps messages in `sms_outbox`, for tests), "twilio" (the official twilio library, imported
  only when used: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER or
  TWILIO_MESSAGING_SERVICE_SID), or the dotted path of a class with `send(*, to, body) -> str`.
- in_app: a Notification row in the person's inbox.

`send` returns the provider's id for the message. It raises TransientChannelError when trying again
later may work (a network or provider outage), PermanentChannelError when it will not (a refused
address), and RecipientUnsubscribed when the provider says the number opted out.
"""

from __future__ import annotations

import smtplib
import sys
import uuid
from email.utils import make_msgid
from typing import Protocol

import structlog
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string

from .events import Channel
from .models import Delivery, Notification

logger = structlog.get_logger(__name__)


class ChannelError(Exception):
    """A channel could not deliver a message."""


class TransientChannelError(ChannelError):
    """Worth another try later."""


class PermanentChannelError(ChannelError):
    """Trying again will not help."""


class RecipientUnsubscribed(PermanentChannelError):
    """The provider refuses: the number has opted out of text messages."""


class DeliveryChannel(Protocol):
    def send(self, delivery: Delivery) -> str: ...


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str: ...


class EmailChannel:
    def send(self, delivery: Delivery) -> str:
        message_id = make_msgid(domain="domi")
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={"Message-ID": message_id, "X-Domi-Delivery": str(delivery.pk)},
        )
        if delivery.html_body:
            message.attach_alternative(delivery.html_body, "text/html")
        if delivery.ics:
            message.attach("appointment.ics", delivery.ics, "text/calendar")
        try:
            get_connection(fail_silently=False).send_messages([message])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise PermanentChannelError(f"The mail server refused the message: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientChannelError(f"The mail server could not be reached: {exc!r}") from exc
        return message_id


class SmsChannel:
    def send(self, delivery: Delivery) -> str:
        return sms_backend().send(to=delivery.address, body=delivery.body)


class InAppChannel:
    def send(self, delivery: Delivery) -> str:
        if delivery.recipient_id is None:
            raise PermanentChannelError("In-app messages need a person with a login.")
        notification, _ = Notification.objects.get_or_create(
            delivery=delivery,
            defaults={
                "recipient_id": delivery.recipient_id,
                "organization_id": delivery.organization_id,
                "request_id": delivery.request_id,
                "event": delivery.event,
                "title": delivery.subject,
                "body": delivery.body,
                "link": delivery.link,
            },
        )
        return f"notification:{notification.pk}"


_CHANNELS: dict[str, type[DeliveryChannel]] = {
    Channel.EMAIL: EmailChannel,
    Channel.SMS: SmsChannel,
    Channel.IN_APP: InAppChannel,
}


def channel_for(code: str) -> DeliveryChannel:
    return _CHANNELS[code]()


# --- SMS backends ----------------------------------------------------------------------------------


class ConsoleSmsBackend:
    """Prints each text message, like Django's console e-mail backend."""

    def __init__(self, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        self.stream.write(f"SMS to {to} ({message_id}):\n{body}\n{'-' * 40}\n")
        self.stream.flush()
        logger.info("sms_sent_to_console", to=to, message_id=message_id)
        return message_id


# What the locmem backend sent: [{"to": ..., "body": ..., "id": ...}], like django.core.mail.outbox.
sms_outbox: list[dict[str, str]] = []


class LocmemSmsBackend:
    def send(self, *, to: str, body: str) -> str:
        message_id = f"locmem-{len(sms_outbox) + 1}"
        sms_outbox.append({"to": to, "body": body, "id": message_id})
        return message_id


# Twilio error codes: the number unsubscribed (texted STOP); the number cannot receive messages.
TWILIO_UNSUBSCRIBED = 21610
TWILIO_PERMANENT = frozenset({21211, 21408, 21612, 21614, 21606})


class TwilioSmsBackend:
    """Twilio through its official library, imported here so it is needed only where it is used."""

    def __init__(self) -> None:
        try:
            from twilio.rest import Client
        except ImportError as exc:
            raise PermanentChannelError("DOMI_SMS_BACKEND is twilio but the twilio package is not installed.") from exc
        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    def send(self, *, to: str, body: str) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException

        sender: dict[str, str] = {}
        if service := getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", ""):
            sender["messaging_service_sid"] = service
        else:
            sender["from_"] = settings.TWILIO_FROM_NUMBER
        try:
            message = self.client.messages.create(to=to, body=body, **sender)
        except TwilioRestException as exc:
            if exc.code == TWILIO_UNSUBSCRIBED:
                raise RecipientUnsubscribed(f"Twilio {exc.code}: {exc.msg}") from exc
            if exc.code in TWILIO_PERMANENT or (400 <= (exc.status or 0) < 500 and exc.status != 429):
                raise PermanentChannelError(f"Twilio {exc.status}/{exc.code}: {exc.msg}") from exc
            raise TransientChannelError(f"Twilio {exc.status}/{exc.code}: {exc.msg}") from exc
        except (TwilioException, OSError) as exc:
            raise TransientChannelError(f"Twilio could not be reached: {exc!r}") from exc
        return message.sid


_SMS_BACKENDS = {"console": ConsoleSmsBackend, "locmem": LocmemSmsBackend, "twilio": TwilioSmsBackend}


def sms_backend() -> SmsBackend:
    name = getattr(settings, "DOMI_SMS_BACKEND", "console") or "console"
    backend = _SMS_BACKENDS.get(name) or import_string(name)
    return backend()
