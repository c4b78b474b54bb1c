"""The crew on the real services: PostgreSQL, Redis and a real Celery worker in its own processes.

These run in the services stage of .ci/run (DOMI_REQUIRE_SERVICES=1); elsewhere they skip.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection

from agents.models import AgentRun
from maintenance import services as maintenance
from maintenance.models import MaintenanceRequest, RequestEvent
from notifications.models import Delivery
from tests.support import Worker, require_service, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_worker]


@pytest.fixture
def worker() -> Iterator[Worker]:
    require_service("postgresql")
    require_service("redis")
    from domi.celery import app

    app.control.purge()
    w = Worker()
    w.start()
    yield w
    w.stop()
    app.control.purge()
    connection.close()


def _status(request_id: int) -> str:
    return MaintenanceRequest.objects.values_list("status", flat=True).get(pk=request_id)


def _exactly_once(request: MaintenanceRequest) -> None:
    assert RequestEvent.objects.filter(request=request, kind="status", to_status="triaged").count() == 1
    assert RequestEvent.objects.filter(request=request, kind="status", to_status="assigned").count() == 1
    assert RequestEvent.objects.filter(request=request, kind="assignment").count() == 1
    assert AgentRun.objects.filter(request=request, agent="analyzer", decision="applied").count() == 1
    assert AgentRun.objects.filter(request=request, agent="coordinator", decision="applied").count() == 1
    keys = list(Delivery.objects.filter(request=request).values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))


def _report(tenant, unit, text="The kitchen tap drips all the time even when closed"):
    return maintenance.maintenance_request_create(reporter=tenant, unit=unit, title="Dripping tap", description=text)


def test_the_pipeline_runs_on_a_real_worker(worker, crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit)
    wait_for(lambda: _status(request.pk) == "assigned", what="the request to be assigned")
    wait_for(
        lambda: Delivery.objects.filter(request=request, recipient=crew_tenant, status="sent").exists(),
        what="the tenant's message to be sent",
    )
    _exactly_once(request)


def test_a_worker_killed_mid_pipeline_finishes_the_request_exactly_once(
    worker, crew_tenant, crew_unit, crew_staff, plumbers
):
    request = _report(crew_tenant, crew_unit)
    wait_for(lambda: AgentRun.objects.filter(request=request).exists(), seconds=30, what="the crew to start")
    worker.kill()
    # Redis hands the unacknowledged message out again to a worker that starts after the visibility timeout;
    # the sweep is the backstop.
    time.sleep(worker.visibility_timeout + 1)
    worker.start()
    from agents.tasks import sweep

    def done() -> bool:
        if _status(request.pk) == "assigned":
            return True
        MaintenanceRequest.objects.filter(pk=request.pk, status__in=["submitted", "triaged"]).update(
            updated_at=request.created_at
        )
        sweep.delay()
        time.sleep(1)
        return False

    wait_for(done, seconds=90, what="the request to be assigned after the restart")
    time.sleep(5)  # let any redelivered duplicate run: it must have no effect
    _exactly_once(request)


def test_the_same_task_delivered_twice_has_one_effect(worker, crew_tenant, crew_unit, crew_staff, plumbers):
    from agents.tasks import analyze, coordinate

    request = _report(crew_tenant, crew_unit)
    for _ in range(2):
        analyze.delay(request.pk)
        coordinate.delay(request.pk)
    wait_for(lambda: _status(request.pk) == "assigned", what="the request to be assigned")
    time.sleep(3)
    _exactly_once(request)


def test_a_request_made_while_the_broker_is_down_is_processed_when_it_is_back(
    worker, crew_tenant, crew_unit, crew_staff, plumbers
):
    from domi.celery import app

    def use_broker(url: str) -> None:
        # Drop the cached connection and producer pools so the next publish connects to `url`.
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    good_url = app.conf.broker_url
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there: the broker is down
    try:
        request = _report(crew_tenant, crew_unit)  # the tenant's request is saved all the same
    finally:
        use_broker(good_url)
    assert _status(request.pk) == "submitted"
    time.sleep(2)
    assert _status(request.pk) == "submitted", "nothing reached the worker"

    from agents.tasks import sweep

    MaintenanceRequest.objects.filter(pk=request.pk).update(updated_at=request.created_at.replace(year=2000))
    sweep.delay()
    wait_for(lambda: _status(request.pk) == "assigned", what="the swept request to be assigned")
    _exactly_once(request)
