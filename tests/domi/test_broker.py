"""Handing tasks to a broker that may be down (domi/broker.py)."""

from __future__ import annotations

import pytest
from kombu.exceptions import OperationalError

from domi import broker, outage
from notifications import tasks


class _Broker:
    def __init__(self) -> None:
        self.calls = 0
        self.down = True

    def apply_async(self, *args, **kwargs):
        self.calls += 1
        if self.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1000.0}
    monkeypatch.setattr(outage, "monotonic", lambda: now["t"])
    return now


def test_an_outage_costs_one_try_then_the_broker_is_tried_again_later(monkeypatch, clock, settings):
    settings.DOMI_BROKER_RETRY_SECONDS = 5
    fake = _Broker()
    monkeypatch.setattr(tasks.deliver, "apply_async", fake.apply_async)

    assert broker.publish(tasks.deliver, 1) is False
    assert [broker.publish(tasks.deliver, n) for n in (2, 3, 4)] == [False, False, False]
    assert fake.calls == 1, "the next publishes give up at once instead of each waiting out the retries"

    clock["t"] += 5
    fake.down = False
    assert broker.publish(tasks.deliver, 5) is True
    assert fake.calls == 2


def test_a_task_that_fails_is_not_taken_for_a_broker_outage(monkeypatch, clock):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ValueError("not the broker's fault")

    monkeypatch.setattr(tasks.deliver, "apply_async", broken)
    assert broker.publish(tasks.deliver, 1) is False
    assert broker.publish(tasks.deliver, 2) is False
    assert len(calls) == 2
