"""Sign-in with JSON Web Tokens (simplejwt): a short-lived access token and a rotating refresh token.

Each refresh token works once: refreshing blacklists it and hands out a new one. A refresh token that
comes back after it was used means a copy of it is in someone else's hands, so every refresh token of
that person is revoked and they sign in again (access tokens already issued run out within minutes).
A token that was revoked with all the others (a password change or reset) and comes back from a device
that was not told is refused, and revokes nothing more: the tokens issued since then stay good.
"""

from __future__ import annotations

import time

from django.contrib.auth import authenticate
from django.db import transaction
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

from domi.accounts import signin_throttle
from domi.accounts.authentication import ISSUED_CLAIM
from domi.accounts.models import User
from domi.accounts.services import user_access_tokens_revoke, user_refresh_tokens_revoke


class InvalidToken(AuthenticationFailed):
    """A refresh token that cannot be used: `api_code` is the API's stable code, the message a sentence."""

    def __init__(self, message: str, *, api_code: str = "token_invalid") -> None:
        super().__init__(message, code=api_code)
        self.api_code = api_code


def _pair(refresh: RefreshToken) -> dict[str, str]:
    access = refresh.access_token
    access[ISSUED_CLAIM] = time.time()  # to the microsecond: a sign-out's revocation ends it (authentication.py)
    return {"access": str(access), "refresh": str(refresh)}


def token_pair_issue(*, request: Request, email: str, password: str) -> dict[str, str]:
    """A new access and refresh token for the person with these credentials."""
    user = authenticate(request._request, email=email.strip().lower(), password=password)
    if user is None or not user.is_active:
        signin_throttle.signin_failed(request, email=email)
        raise AuthenticationFailed("No active account has this e-mail address and password.")
    signin_throttle.signin_succeeded(request, email=email)
    return _pair(RefreshToken.for_user(user))


def token_pair_for(*, user: User) -> dict[str, str]:
    """A new access and refresh token for a person who has just proved who they are (e.g. changed their password)."""
    return _pair(RefreshToken.for_user(user))


def token_refresh(*, refresh: str) -> dict[str, str]:
    """A new access token and a new refresh token for a refresh token that has not been used yet."""
    token = _valid_refresh_token(refresh, detect_reuse=True)
    if not User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM), is_active=True).exists():
        raise InvalidToken("No active account has this token.", api_code="account_inactive")
    with transaction.atomic():
        _, first_use = token.blacklist()
        if first_use:
            token.set_jti()
            token.set_exp()
            token.set_iat()
            token.outstand()
    if not first_use:  # another request used it a moment ago
        user_refresh_tokens_revoke(user_id=token.get(api_settings.USER_ID_CLAIM))
        raise InvalidToken(
            "The refresh token has already been used, so every session was signed out: sign in again.",
            api_code="token_reused",
        )
    return _pair(token)


def token_revoke(*, refresh: str) -> None:
    """Sign out: the refresh token can no longer be used, and the person's access tokens issued until now
    are refused (their other devices refresh and go on)."""
    token = _valid_refresh_token(refresh, detect_reuse=False)
    with transaction.atomic():
        token.blacklist()
        user_access_tokens_revoke(user_id=token.get(api_settings.USER_ID_CLAIM))


def _valid_refresh_token(raw: str, *, detect_reuse: bool) -> RefreshToken:
    try:
        return RefreshToken(raw)  # signature, expiry, type and blacklist
    except ExpiredTokenError as exc:
        raise InvalidToken("The refresh token has expired: sign in again.", api_code="token_expired") from exc
    except TokenError as exc:
        used = _blacklisted(raw)
        if used is None:
            raise InvalidToken("The refresh token is not valid: sign in again.") from exc
        if detect_reuse:
            _revoke_all_if_reused(*used)
        raise InvalidToken(
            "The refresh token was used or revoked already (blacklisted): sign in again.", api_code="token_revoked"
        ) from exc


def _blacklisted(raw: str) -> tuple[UntypedToken, BlacklistedToken] | None:
    """A genuine, unexpired refresh token that is on the blacklist, with its entry there; else None."""
    try:
        token = UntypedToken(raw)  # genuine and unexpired, whatever the blacklist says
    except TokenError:
        return None
    if token.get(api_settings.TOKEN_TYPE_CLAIM) != RefreshToken.token_type:
        return None
    blacklisted = BlacklistedToken.objects.filter(token__jti=token.get(api_settings.JTI_CLAIM)).first()
    return None if blacklisted is None else (token, blacklisted)


def _revoke_all_if_reused(token: UntypedToken, blacklisted: BlacklistedToken) -> None:
    user_id = token.get(api_settings.USER_ID_CLAIM)
    revoked_at = User.objects.filter(pk=user_id).values_list("refresh_tokens_revoked_at", flat=True).first()
    if revoked_at is not None and blacklisted.blacklisted_at <= revoked_at:
        # Every token live at that moment was revoked then (a password change, an earlier theft): this one
        # comes from a device that was not told, and the tokens issued since are not at risk.
        return
    user_refresh_tokens_revoke(user_id=user_id)
