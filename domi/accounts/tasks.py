"""Background work of accounts: the password-reset mail, sent outside the request so timing tells nothing."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="accounts.password_reset_send", acks_late=True)
def password_reset_send(email: str) -> None:
    """Mail the reset link to the account of this address, if there is one (running twice sends two links)."""
    services.password_reset_send(email=email)
