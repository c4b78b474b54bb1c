"""Channel backends that fail on purpose, selected by settings in the tests."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.base import BaseEmailBackend

from notifications.channels import RecipientUnsubscribed


class DisconnectedEmailBackend(BaseEmailBackend):
    """A mail server that drops every connection: a transient failure."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that refuses the address: a permanent failure."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})


class FlakySmsBackend:
    """Fails the first `failures` sends, then works."""

    failures = 2
    calls = 0

    def send(self, *, to: str, body: str) -> str:
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise ConnectionResetError("provider hung up")
        return f"flaky-{type(self).calls}"


class UnsubscribedSmsBackend:
    """The provider reports the number opted out (Twilio's error 21610)."""

    def send(self, *, to: str, body: str) -> str:
        raise RecipientUnsubscribed("Twilio 21610: Attempt to send to unsubscribed recipient")
