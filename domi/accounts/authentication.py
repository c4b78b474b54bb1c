"""Signing in to the API with an access token: simplejwt's, reading the person at most every few seconds.

simplejwt reads the token's user from the database on every call: one query in three of the requests
list, and the costliest in Python. Here a process keeps each user's row for DOMI_AUTH_USER_SECONDS (5 by
default; 0 reads it every time) and builds a fresh User from it for each call, so nothing one request
does to its user reaches another. A user that does not exist or is inactive is never kept: those calls
read the database and are refused as before. A change saved through the ORM in this process
(deactivation, a new role or organization, a new password) applies to the next call; saved by another
process, within those seconds, as a sign-out everywhere lets the access tokens already issued run out.
The caller's own account (/me/ and its e-mail endpoints) is always read afresh; with simplejwt's
CHECK_REVOKE_TOKEN on, so is every call's user.

Signing out ends access as well as refresh: the person's row carries the moment their access tokens were
last revoked (User.access_tokens_revoked_at), and a token issued before it is refused. The check reads the
row the call reads anyway, so it costs nothing; in another process it applies within the same seconds.

Every refusal is a TokenRefused with a stable code and a sentence a person can read (simplejwt's own
exceptions carry a dict of framework details).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token, UntypedToken

from .models import User


class RecentUsers:
    """Users' rows read in the last few seconds, by user id: per process, bounded, safe across threads."""

    def __init__(self, max_size: int = 10_000) -> None:
        self.max_size = max_size
        self._rows: dict[str, tuple[float, tuple]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: Any) -> tuple | None:
        with self._lock:
            kept = self._rows.get(str(user_id))
        if kept is None or kept[0] < time.monotonic():
            return None
        return kept[1]

    def put(self, user_id: Any, row: tuple, seconds: float) -> None:
        with self._lock:
            if len(self._rows) >= self.max_size:
                self._rows.pop(next(iter(self._rows)))  # the oldest kept
            self._rows[str(user_id)] = (time.monotonic() + seconds, row)

    def forget(self, user_id: Any) -> None:
        with self._lock:
            self._rows.pop(str(user_id), None)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


recent_users = RecentUsers()
_FIELDS = [field.attname for field in User._meta.concrete_fields]


def _row(user: User) -> tuple:
    return tuple(getattr(user, name) for name in _FIELDS)


def user_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    """post_save, post_delete of a User: the next call reads them again, and again once the change commits
    (a call that read the old row while the transaction was open must not keep it)."""
    user_id = instance.pk  # a deleted instance loses its pk once the signals have run
    recent_users.forget(user_id)
    transaction.on_commit(lambda: recent_users.forget(user_id), robust=True)


# The claim an access token carries with the moment it was issued, to the microsecond (simplejwt's iat is
# whole seconds, and a sign-in in the same second as a sign-out must work).
ISSUED_CLAIM = "issued_at"


class TokenRefused(exceptions.AuthenticationFailed):
    """A 401 for a token that cannot be used: `api_code` is the API's stable code, the detail a sentence."""

    MESSAGES = {
        "bad_authorization_header": "The Authorization header must be 'Bearer' followed by one access token.",
        "token_invalid": "The access token is not valid: sign in again.",
        "token_expired": "The access token has expired: refresh it or sign in again.",
        "token_wrong_type": "This is not an access token: send the access token of the pair you signed in with.",
        "token_revoked": "The access token was revoked by a sign-out or a password change: sign in again.",
        "account_inactive": "No active account has this token.",
    }

    def __init__(self, api_code: str) -> None:
        super().__init__(self.MESSAGES[api_code], code=api_code)
        self.api_code = api_code


def token_issued_at(token: Token) -> float:
    """When the token was issued, in seconds since the epoch (whole seconds for a token without the claim)."""
    return float(token.get(ISSUED_CLAIM, token.get("iat", 0)))


class JWTAuthentication(authentication.JWTAuthentication):
    def get_raw_token(self, header: bytes) -> bytes | None:
        try:
            return super().get_raw_token(header)
        except exceptions.AuthenticationFailed:
            raise TokenRefused("bad_authorization_header") from None

    def get_validated_token(self, raw_token: bytes) -> Token:
        for token_class in api_settings.AUTH_TOKEN_CLASSES:
            try:
                return token_class(raw_token)
            except ExpiredTokenError:
                raise TokenRefused("token_expired") from None
            except TokenError:
                continue
        try:
            UntypedToken(raw_token)  # signed by us and unexpired: then it is the wrong kind of token
        except TokenError:
            raise TokenRefused("token_invalid") from None
        raise TokenRefused("token_wrong_type")

    def get_user(self, validated_token: Token) -> User:
        user = self._user_of(validated_token)
        revoked_at = user.access_tokens_revoked_at
        if revoked_at is not None and token_issued_at(validated_token) <= revoked_at.timestamp():
            raise TokenRefused("token_revoked")
        return user

    def _user_of(self, validated_token: Token) -> User:
        # With simplejwt's CHECK_REVOKE_TOKEN a new password revokes older tokens: that needs the row of now.
        seconds = 0 if api_settings.CHECK_REVOKE_TOKEN else settings.DOMI_AUTH_USER_SECONDS
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if user_id is None:
            raise TokenRefused("token_invalid")
        row = recent_users.get(user_id) if seconds > 0 else None
        if row is not None:
            return User.from_db(DEFAULT_DB_ALIAS, _FIELDS, row)
        try:
            user = super().get_user(validated_token)  # refuses a user not found or inactive
        except exceptions.AuthenticationFailed as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            revoked = detail.get("code") == "password_changed"
            raise TokenRefused("token_revoked" if revoked else "account_inactive") from None
        if seconds > 0:
            recent_users.put(user_id, _row(user), seconds)
        return user


class JWTAuthenticationScheme(SimpleJWTScheme):
    """The OpenAPI schema's bearer scheme (jwtAuth), as drf-spectacular writes it for simplejwt's own class."""

    target_class = "domi.accounts.authentication.JWTAuthentication"
