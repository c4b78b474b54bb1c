"""Domain events that maintenance publishes after commit; upper apps subscribe when they start.

maintenance never imports notifications or agents: they connect receivers to these signals
in their AppConfig.ready(). Every event carries ids only, never model instances.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import structlog
from django.db import transaction
from django.dispatch import Signal

logger = structlog.get_logger(__name__)

# request_id
request_created = Signal()
# request_id, from_status, to_status, actor_user_id, actor_agent, note
request_status_changed = Signal()
# request_id, contractor_id, actor_user_id, actor_agent
request_assigned = Signal()
# request_id, actor_user_id, fields (the names that changed), reason
request_triage_overridden = Signal()
# request_id, comment_id
comment_added = Signal()
# request_id, attachment_id (images only: the thumbnail is made by a task)
attachment_added = Signal()
# request_id, offer_id, contractor_id
job_offered = Signal()
# request_id, offer_id, contractor_id (the offer has gone unanswered; it expires if it stays so)
job_offer_reminded = Signal()
# request_id, offer_id, contractor_id
job_accepted = Signal()
# request_id, offer_id, contractor_id, reason, expired (True: no answer in time). The request is
# back in triaged: the coordinator re-offers it, excluding selectors.declined_contractor_ids().
job_declined = Signal()
# request_id, appointment_id, change ("booked", "rescheduled", "confirmed", "cancelled")
appointment_changed = Signal()
# request_id, invoice_id, status (awaiting_approval, approved, rejected, paid)
invoice_changed = Signal()

_state = threading.local()


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Publish nothing inside this block (used when loading demo or historical data)."""
    previous = getattr(_state, "suppressed", False)
    _state.suppressed = True
    try:
        yield
    finally:
        _state.suppressed = previous


def publish(signal: Signal, **payload: object) -> None:
    """Send the event once the surrounding transaction commits; never if it rolls back."""
    if getattr(_state, "suppressed", False):
        return

    def send() -> None:
        for receiver, result in signal.send_robust(sender=None, **payload):
            if isinstance(result, Exception):
                logger.error(
                    "domain_event_receiver_failed",
                    receiver=getattr(receiver, "__qualname__", repr(receiver)),
                    error=repr(result),
                    **{k: v for k, v in payload.items() if isinstance(v, str | int | None)},
                )

    transaction.on_commit(send)
