import pytest

from maintenance import events

SIGNALS = [
    events.request_created,
    events.request_status_changed,
    events.request_assigned,
    events.request_triage_overridden,
    events.comment_added,
]


@pytest.fixture(autouse=True)
def _only_maintenance_listens():
    """The state machine is tested on its own: the AI crew and notifications do not react here."""
    saved = [(signal, signal.receivers[:]) for signal in SIGNALS]
    for signal in SIGNALS:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    yield
    for signal, receivers in saved:
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()
