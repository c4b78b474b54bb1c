"""Words for scheduled notices from the AI crew, without notifications importing the crew.

The apps above notifications (the agents) register a writer for an event when they start; a scheduled
job that sends that event asks for words with the facts it has gathered. A writer that is missing, fails
or returns nothing leaves the template's own wording in place, so a notice is never held up by a model.

    register(event, writer)        writer(*, organization_id: int, facts: dict) -> dict | None
    words_for(event, *, organization_id, facts) -> dict | None   ({"subject", "body", "sms"}, each optional)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog

from .events import Event

logger = structlog.get_logger(__name__)

Writer = Callable[..., dict[str, str] | None]

_writers: dict[str, Writer] = {}


def register(event: str, writer: Writer) -> None:
    if event not in Event.values:
        raise ValueError(f"Unknown event {event!r}.")
    _writers[event] = writer


def unregister(event: str) -> None:
    _writers.pop(event, None)


def words_for(event: str, *, organization_id: int, facts: dict[str, Any]) -> dict[str, str] | None:
    writer = _writers.get(event)
    if writer is None:
        return None
    try:
        words = writer(organization_id=organization_id, facts=facts)
    except Exception as exc:  # noqa: BLE001 - the template's wording is the fallback for any failure
        logger.warning("notice_wording_failed", notice=event, organization_id=organization_id, error=repr(exc))
        return None
    return words if isinstance(words, dict) and words else None
