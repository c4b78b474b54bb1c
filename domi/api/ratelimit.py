"""Rate limits with django-ratelimit, answered in the API's error shape (429 with Retry-After).

The rates are settings (DOMI_RATELIMITS); the counts live in the default cache, so every web process
shares them when the cache is Redis.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled
from rest_framework.request import Request

Key = str | Callable[[str, Request], str]


def ratelimit(request: Request, *, group: str, rate: str, key: Key) -> None:
    """Count this call against `group` for `key` ("ip", "user" or a function); raise 429 past the rate.

    `rate` names an entry of settings.DOMI_RATELIMITS.
    """
    usage = get_usage(
        request, group=group, key=key, rate=settings.DOMI_RATELIMITS[rate], method=get_usage.ALL, increment=True
    )
    if usage is not None and usage["should_limit"]:
        # time_left is -1 when the cache could not count: then ask the client to wait a moment.
        raise Throttled(wait=max(usage["time_left"], 1))


def request_data_key(field: str) -> Callable[[str, Request], str]:
    """A key taken from a field of the JSON body, compared case-insensitively (e.g. the e-mail signing in)."""

    def key(group: str, request: Request) -> str:
        value = request.data.get(field, "") if hasattr(request.data, "get") else ""
        return str(value).strip().lower()

    return key
