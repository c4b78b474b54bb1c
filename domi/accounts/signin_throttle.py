"""The sign-in throttle shared by the API's token endpoint and the back office's login page.

Three counts, over sliding windows (domi/api/ratelimit.py), so guessing slows down without a lock-out that
someone else can hold:
- every attempt from one address (DOMI_RATELIMITS["token_per_ip"]);
- failed attempts at one account from one address ("token_per_account"): a person who mistypes their
  password cools down for a while, and someone guessing from another address does not keep them out;
- failed attempts at one account from anywhere ("token_failures_per_account"), against guessing spread
  over many addresses. It holds back only addresses that have not signed in to that account before
  (remembered for DOMI_SIGNIN_KNOWN_ADDRESS_DAYS), so a flood of wrong passwords cannot shut the owner out
  of the place they always sign in from.
A right password resets the failures of its account and address. The API and the back office share the
counts: guesses cannot be split between them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from domi.api.ratelimit import client_address, on_counters, sliding_reset, sliding_usage

_ATTEMPTS = "signin.attempts.ip"
_FAILURES = "signin.failures.account_ip"
_ACCOUNT_FAILURES = "signin.failures.account"


def _rate(name: str) -> str:
    return settings.DOMI_RATELIMITS[name]


def _account(email: str) -> str:
    return str(email).strip().lower()


def _known_key(account: str, address: str) -> str:
    return "signin-known:" + hashlib.sha256(f"{account}\0{address}".encode()).hexdigest()


def signin_wait(request: HttpRequest, *, email: str) -> int:
    """Count an attempt; the seconds to wait before trying (0: go ahead and check the password)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return 0
    account, address = _account(email), client_address(request)
    waits = [
        sliding_usage(group=_ATTEMPTS, value=address, rate=_rate("token_per_ip"), increment=True).wait,
        sliding_usage(
            group=_FAILURES, value=f"{account}\0{address}", rate=_rate("token_per_account"), increment=False
        ).wait,
    ]
    if not on_counters(lambda counters: counters.get(_known_key(account, address))):
        waits.append(
            sliding_usage(
                group=_ACCOUNT_FAILURES, value=account, rate=_rate("token_failures_per_account"), increment=False
            ).wait
        )
    return max(waits)


def signin_failed(request: HttpRequest, *, email: str) -> None:
    account, address = _account(email), client_address(request)
    sliding_usage(group=_FAILURES, value=f"{account}\0{address}", rate=_rate("token_per_account"), increment=True)
    sliding_usage(group=_ACCOUNT_FAILURES, value=account, rate=_rate("token_failures_per_account"), increment=True)


def signin_succeeded(request: HttpRequest, *, email: str) -> None:
    account, address = _account(email), client_address(request)
    sliding_reset(group=_FAILURES, value=f"{account}\0{address}", rate=_rate("token_per_account"))
    timeout = settings.DOMI_SIGNIN_KNOWN_ADDRESS_DAYS * 24 * 3600
    on_counters(lambda counters: counters.set(_known_key(account, address), 1, timeout=timeout))
