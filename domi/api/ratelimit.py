"""Rate limits over sliding windows, answered in the API's error shape (429 with Retry-After).

The rates are settings (DOMI_RATELIMITS, "<count>/<s|m|h|d>" as django-ratelimit writes them); the counts
live in the default cache, so every web process shares them when the cache is Redis. django-ratelimit's
own windows follow the clock (a count starts again at every boundary, so twice the rate fits around one);
here a window slides: the count of the previous fixed window is weighted by how much of it the sliding
window still covers (the sliding-window counter of Redis's and Cloudflare's rate limiters). Only atomic
cache increments are used, so two processes counting at once never lose a hit. Keys and client addresses
are django-ratelimit's (RATELIMIT_IP_META_KEY, RATELIMIT_IPV6_MASK).

While the shared cache cannot be reached, each process counts in its own memory (limits per process, not
shared) and tries the shared cache again a few seconds later: a Redis outage neither fails every call nor
turns the limits off.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import redis.exceptions
from django.conf import settings
from django.core.cache import BaseCache, cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django_ratelimit.core import _get_ip, _split_rate
from rest_framework.exceptions import Throttled
from rest_framework.request import Request

from domi.outage import Outage

Key = str | Callable[[str, Request], str]
T = TypeVar("T")

# What an unreachable Redis raises (socket errors included); anything else is a bug and propagates.
CACHE_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
cache_outage = Outage("cache", lambda: 5.0)
_local = LocMemCache("domi-counters-while-the-cache-is-down", {"MAX_ENTRIES": 100_000})


def on_counters(operation: Callable[[BaseCache], T]) -> T:
    """Run ``operation`` on the shared cache, or on this process's memory while the shared one is down."""
    if not cache_outage.known:
        try:
            return operation(cache)
        except CACHE_DOWN as exc:
            cache_outage.found(exc)
    return operation(_local)


_SIMPLE_KEYS: dict[str, Callable[[HttpRequest], str]] = {
    "ip": lambda request: _get_ip(request),
    "user": lambda request: str(request.user.pk),
}


@dataclass(frozen=True)
class Usage:
    count: float  # the hits in the sliding window, the previous window's weighted
    limit: int
    wait: int  # seconds until one more hit would be allowed (0 when it is now)

    @property
    def should_limit(self) -> bool:
        return self.wait > 0


def client_address(request: HttpRequest) -> str:
    return _get_ip(request)


def _cache_key(group: str, value: str, period: int, window: int) -> str:
    digest = hashlib.sha256(f"{group}\0{value}".encode()).hexdigest()
    return f"rl2:{period}:{digest}:{window}"


def sliding_usage(*, group: str, value: str, rate: str, increment: bool, now: float | None = None) -> Usage:
    """Count (or only read, increment=False) a hit of `value` in `group` over the sliding window of `rate`."""
    limit, period = _split_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    elapsed = now - window * period
    current_key = _cache_key(group, value, period, window)
    previous_key = _cache_key(group, value, period, window - 1)

    def read(counters: BaseCache) -> tuple[Any, Any]:
        if increment:
            # add() then incr(): both atomic in Redis and in local memory; the key outlives the next window.
            counters.add(current_key, 0, timeout=2 * period + 5)
            try:
                current = counters.incr(current_key)
            except ValueError:  # expired between the two calls
                counters.add(current_key, 1, timeout=2 * period + 5)
                current = 1
            return current, counters.get(previous_key, 0)
        values = counters.get_many([current_key, previous_key])
        return values.get(current_key, 0), values.get(previous_key, 0)

    current, previous = on_counters(read)
    count = previous * (1 - elapsed / period) + current
    # A counted hit is allowed while the count, itself included, is within the limit; a read asks whether
    # one more would be.
    allowed = count <= limit if increment else count + 1 <= limit
    wait = 0 if allowed else _seconds_until_below(previous, current, limit, period, elapsed)
    return Usage(count=count, limit=limit, wait=wait)


def _seconds_until_below(previous: int, current: int, limit: int, period: int, elapsed: float) -> int:
    """When the sliding count falls low enough for one more hit (the count must reach limit - 1)."""
    room = limit - 1
    if current <= room and previous > 0:
        # Still in this window: previous * (1 - (elapsed + t) / period) + current <= room.
        t = period * (1 - (room - current) / previous) - elapsed
        return max(1, math.ceil(t))
    # In the next window this window's count is the weighted one: current * (1 - t' / period) <= room.
    # Never longer than a period: by then every hit counted now has left the sliding window.
    t_next = period * (1 - room / current) if current else 0
    return max(1, min(period - 1, math.ceil(period - elapsed + t_next)))


def sliding_reset(*, group: str, value: str, rate: str) -> None:
    """Forget the hits of `value` in `group` (e.g. the failed sign-ins of someone who then got it right)."""
    _, period = _split_rate(rate)
    window = int(time.time() // period)
    keys = [_cache_key(group, value, period, window), _cache_key(group, value, period, window - 1)]
    on_counters(lambda counters: counters.delete_many(keys))


def _key_value(request: Request, group: str, key: Key) -> str:
    if callable(key):
        return key(group, request)
    return _SIMPLE_KEYS[key](request)


def ratelimit(request: Request, *, group: str, rate: str, key: Key) -> None:
    """Count this call against `group` for `key` ("ip", "user" or a function); raise 429 past the rate.

    `rate` names an entry of settings.DOMI_RATELIMITS.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    usage = sliding_usage(
        group=group, value=_key_value(request, group, key), rate=settings.DOMI_RATELIMITS[rate], increment=True
    )
    if usage.should_limit:
        raise Throttled(wait=usage.wait)


def request_data_key(field: str) -> Callable[[str, Request], str]:
    """A key taken from a field of the JSON body, compared case-insensitively (e.g. the e-mail signing in)."""

    def key(group: str, request: Request) -> str:
        value = request.data.get(field, "") if hasattr(request.data, "get") else ""
        return value.strip().lower() if isinstance(value, str) else ""

    return key
