"""Two bookings for one contractor at overlapping times, racing on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from domi.errors import Conflict
from maintenance import services
from maintenance.actors import Actor
from maintenance.models import Appointment
from tests import factories
from tests.support import require_service

AGENT = Actor.agent_named("test")


@pytest.mark.django_db(transaction=True)
def test_racing_bookings_one_succeeds_the_other_gets_conflict(org, unit, tenant, contractor):
    require_service("postgresql")
    requests = []
    for _ in range(2):
        request = factories.MaintenanceRequestFactory(
            unit=unit, reporter=tenant, status="triaged", category="plumbing", priority="medium"
        )
        services.maintenance_request_assign(request=request, contractor=contractor, actor=AGENT)
        requests.append(request)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    barrier, outcomes = threading.Barrier(2), []

    def book(request, offset):
        try:
            barrier.wait()
            services.appointment_propose(request=request, actor=AGENT, start=start + offset)
            outcomes.append("booked")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(requests[0], timedelta(0))),
        threading.Thread(target=book, args=(requests[1], timedelta(minutes=90))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["booked", "double_booking"]
    assert Appointment.objects.filter(contractor=contractor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_whatever_writes_it(org, unit, tenant, contractor):
    require_service("postgresql")
    first = factories.AppointmentFactory(contractor=contractor, request__unit=unit)
    with pytest.raises(IntegrityError, match="appointment_no_overlap_per_contractor"), transaction.atomic():
        factories.AppointmentFactory(
            contractor=contractor, request=first.request, start=first.start + timedelta(minutes=30)
        )
    # A cancelled visit holds no time, and back-to-back visits do not overlap.
    factories.AppointmentFactory(
        contractor=contractor, request=first.request, start=first.start, status=Appointment.Status.CANCELLED
    )
    factories.AppointmentFactory(contractor=contractor, request=first.request, start=first.end)
