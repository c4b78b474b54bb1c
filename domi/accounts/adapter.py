"""django-allauth's account adapter, fitted to a site whose account flows are a REST API.

Mail is rendered without needing a request (no sites framework: a service or a task may send it), from
Domi's own templates, and every link in it leads to the portal (DOMI_PORTAL_URL), which reads the key
from the link and posts it to the API:

- verify an e-mail address: {portal}/?action=verify-email&key=... -> POST /api/v1/auth/email/verify/
- reset a password: {portal}/?action=reset-password&uid=...&key=... -> POST /api/v1/auth/password/reset/confirm/
- accept an invitation: {portal}/?action=accept-invitation&key=... -> POST /api/v1/auth/invitations/accept/
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


def portal_link(action: str, **params: str) -> str:
    """A link to the portal page that finishes an account flow."""
    return f"{settings.DOMI_PORTAL_URL.rstrip('/')}/?{urlencode({'action': action, **params})}"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Tenants and contractors join by invitation only; staff are made in the back office.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        ctx = {"email": email, "site_name": "Domi", "portal_url": settings.DOMI_PORTAL_URL, **context}
        self.render_mail(template_prefix, email, ctx).send()

    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation: Any) -> str:
        return portal_link("verify-email", key=emailconfirmation.key)

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's opaque key is "<uid>-<token>"; the uid (base 36) has no hyphen.
        uid, _, token = key.partition("-")
        return portal_link("reset-password", uid=uid, key=token)

    def send_confirmation_mail(self, request: HttpRequest | None, emailconfirmation: Any, signup: bool) -> None:
        address = emailconfirmation.email_address
        self.send_mail(
            "accounts/email/email_verification",
            address.email,
            {
                "user": address.user,
                "key": emailconfirmation.key,
                "activate_url": self.get_email_confirmation_url(request, emailconfirmation),
                "expire_days": app_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
                "is_change": address.email != address.user.email.lower(),
            },
        )

    def send_password_reset_mail(self, user: Any, email: str, context: dict[str, Any]) -> None:
        self.send_mail(
            "accounts/email/password_reset",
            email,
            {**context, "expire_hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
        )
