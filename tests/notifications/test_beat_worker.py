"""The scheduled jobs on the real services: Celery beat (database scheduler) hands them to a real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from domi.celery import app
from notifications.models import Delivery
from tests.notifications.factories import DeliveryFactory
from tests.support import Beat, Worker, require_service, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_worker]


@pytest.fixture
def real_worker_and_beat():
    require_service("postgresql")
    require_service("redis")
    app.control.purge()
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="test: sweep deliveries", task="notifications.sweep_deliveries", interval=every_second
    )
    worker, beat = Worker(), Beat()
    worker.start()
    beat.start()
    yield
    beat.stop()
    worker.stop()
    app.control.purge()
    connection.close()


def test_a_held_message_is_released_by_the_scheduled_sweep(real_worker_and_beat):
    held = DeliveryFactory(status=Delivery.Status.QUEUED, send_after=timezone.now() - timedelta(minutes=1))

    def sent() -> bool:
        held.refresh_from_db()
        return held.status == Delivery.Status.SENT

    wait_for(sent, seconds=90, what="beat to run the sweep and the worker to send the held message")
    assert held.attempts == 1 and held.sent_at is not None
