"""Notifications tests: text messages go to an in-memory outbox and tasks run in-process, whatever the environment."""

from __future__ import annotations

import pytest

from notifications import channels
from tests.notifications import factories


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.DOMI_SMS_BACKEND = "locmem"
    channels.sms_outbox.clear()
    yield channels.sms_outbox
    channels.sms_outbox.clear()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what is enqueued after commit (domain events, deliveries) as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def world(org, other_org, unit):
    return factories.World(org, other_org, unit)
