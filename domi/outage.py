"""A shared service (the cache, the broker) found unreachable, remembered in this process for a few seconds.

Meanwhile its callers take their fallback at once instead of each waiting out a failed connection; after
the pause the service is tried again.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

import structlog

logger = structlog.get_logger(__name__)


class Outage:
    def __init__(self, service: str, pause_seconds: Callable[[], float]) -> None:
        self.service = service
        self._pause_seconds = pause_seconds
        self._until = 0.0
        self._unreported = False

    @property
    def known(self) -> bool:
        """Whether the service was found down less than the pause ago."""
        return monotonic() < self._until

    def found(self, exc: BaseException) -> None:
        pause = self._pause_seconds()
        self._until = monotonic() + pause
        self._unreported = True
        logger.warning("service_unreachable", service=self.service, error=repr(exc), retry_in=pause)

    def over(self) -> bool:
        """Called on a success: True the first time after the service was found down, so that whatever
        waited for it is sent now."""
        was, self._unreported = self._unreported, False
        return was

    def forget(self) -> None:
        """The service is back as far as this process knows (tests, mostly)."""
        self._until = 0.0
        self._unreported = False
