"""The periodic jobs: the right notice once, however often they run, and catching up after downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from notifications import services, tasks
from notifications.events import Channel
from notifications.models import Delivery
from tests import factories as base

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 6, 3, 12, 0, tzinfo=UTC)


def _visit(world, *, starts_in, booked_before):
    world.request.status = "scheduled"
    world.request.save()
    start = NOW + starts_in
    return base.AppointmentFactory(
        request=world.request,
        contractor=world.contractor,
        start=start,
        end=start + timedelta(hours=2),
        status="confirmed",
        created_at=start - booked_before,
    )


def _reminders(**filters):
    return Delivery.objects.filter(event="appointment_reminder", channel=Channel.EMAIL, **filters)


def test_a_visit_tomorrow_gets_one_reminder_each_for_tenant_and_contractor(world, after_commit):
    appointment = _visit(world, starts_in=timedelta(hours=20), booked_before=timedelta(days=3))
    with after_commit():
        services.appointment_reminders_send(now=NOW)
        services.appointment_reminders_send(now=NOW + timedelta(minutes=10))  # the next run: nothing new

    assert {d.recipient for d in _reminders()} == {world.tenant, world.contractor_user}
    assert all(
        d.idempotency_key.endswith(f"appointment-{appointment.pk}-{appointment.start:%Y%m%dT%H%M}-24h")
        for d in _reminders()
    )
    assert "Reminder: visit" in mail.outbox[0].subject


def test_the_two_hour_reminder_follows_and_a_job_back_from_downtime_sends_only_the_nearest(world, after_commit):
    _visit(world, starts_in=timedelta(hours=1, minutes=30), booked_before=timedelta(days=3))
    with after_commit():
        services.appointment_reminders_send(now=NOW)
    # Down for a day: the 24-hour reminder is no longer worth sending, the 2-hour one is.
    assert {d.idempotency_key.rsplit("-", 1)[1] for d in _reminders()} == {"2h"}


def test_a_visit_booked_at_short_notice_gets_no_day_ahead_reminder(world, after_commit):
    _visit(world, starts_in=timedelta(hours=20), booked_before=timedelta(hours=21))
    with after_commit():
        services.appointment_reminders_send(now=NOW)
    assert not _reminders().exists()


def test_a_moved_visit_is_reminded_again(world, after_commit):
    appointment = _visit(world, starts_in=timedelta(hours=20), booked_before=timedelta(days=3))
    with after_commit():
        services.appointment_reminders_send(now=NOW)
        appointment.start += timedelta(hours=1)
        appointment.end += timedelta(hours=1)
        appointment.save()
        services.appointment_reminders_send(now=NOW)
    assert _reminders(recipient=world.tenant).count() == 2


def test_no_reminder_for_a_cancelled_request(world, after_commit):
    _visit(world, starts_in=timedelta(hours=20), booked_before=timedelta(days=3))
    world.request.status = "cancelled"
    world.request.save()
    with after_commit():
        services.appointment_reminders_send(now=NOW)
    assert not _reminders().exists()


def _due(world, due_by, priority="high", status="triaged"):
    world.request.due_by, world.request.priority, world.request.status = due_by, priority, status
    world.request.save()


def test_due_soon_tells_staff_once(world, after_commit):
    _due(world, NOW + timedelta(hours=3))
    with after_commit():
        services.requests_due_notify(now=NOW)
        services.requests_due_notify(now=NOW + timedelta(minutes=15))
    assert {(d.recipient, d.event) for d in Delivery.objects.filter(channel=Channel.EMAIL)} == {
        (world.manager, "due_soon"),
        (world.admin, "due_soon"),
    }


def test_low_priority_is_not_due_soon_days_ahead(world, after_commit):
    _due(world, NOW + timedelta(days=2), priority="low")
    with after_commit():
        services.requests_due_notify(now=NOW)
    assert not Delivery.objects.exists()


def test_overdue_goes_to_the_managers_then_to_the_admins(world, after_commit):
    _due(world, NOW - timedelta(minutes=5))  # high: 24 hours allowed
    with after_commit():
        services.requests_due_notify(now=NOW)
    assert {d.recipient for d in Delivery.objects.filter(event="overdue")} == {world.manager}

    with after_commit():
        services.requests_due_notify(now=NOW + timedelta(hours=13))
    escalated = Delivery.objects.filter(event="overdue", recipient=world.admin, channel=Channel.EMAIL).get()
    assert escalated.subject.startswith("Escalated: Overdue:")
    assert Delivery.objects.filter(event="overdue", recipient=world.manager).count() == 2  # e-mail, in-app: once


def test_overdue_goes_to_the_admins_where_there_is_no_manager(world, after_commit):
    world.manager.is_active = False
    world.manager.save()
    _due(world, NOW - timedelta(minutes=5))
    with after_commit():
        services.requests_due_notify(now=NOW)
    assert {d.recipient for d in Delivery.objects.filter(event="overdue")} == {world.admin}


def test_finished_requests_are_never_overdue(world, after_commit):
    _due(world, NOW - timedelta(days=3), status="completed")
    with after_commit():
        services.requests_due_notify(now=NOW)
    assert not Delivery.objects.exists()


def test_insurance_expiring_tells_the_contractor_and_their_staff_once(world, after_commit, other_org):
    today = date(2030, 6, 3)
    world.contractor.insurance_expires_on = today + timedelta(days=20)
    world.contractor.save()
    base.ContractorFactory(organization=world.request.organization, insurance_expires_on=today + timedelta(days=90))
    base.ContractorFactory(organization=other_org, insurance_expires_on=today - timedelta(days=1))
    with after_commit():
        services.insurance_expiring_notify(today=today)
        services.insurance_expiring_notify(today=today + timedelta(days=1))

    assert {d.recipient for d in Delivery.objects.filter(channel=Channel.EMAIL)} == {
        world.contractor_user,
        world.manager,
        world.admin,
    }
    staff_mail = next(m for m in mail.outbox if m.to == [world.manager.email])
    assert world.contractor.company_name in staff_mail.subject


def test_one_digest_a_day_from_seven_in_the_organizations_time_zone(world, after_commit):
    organization = world.request.organization
    organization.timezone = "America/Los_Angeles"  # UTC-7 in June
    organization.save()
    digests = Delivery.objects.filter(organization=organization, event="daily_digest", channel=Channel.EMAIL)
    with after_commit():
        services.daily_digests_send(now=datetime(2030, 6, 3, 13, 0, tzinfo=UTC))  # 06:00 there
        assert not digests.exists()
        services.daily_digests_send(now=datetime(2030, 6, 3, 14, 0, tzinfo=UTC))  # 07:00
        services.daily_digests_send(now=datetime(2030, 6, 3, 20, 0, tzinfo=UTC))  # later that day
    assert {d.recipient for d in digests} == world.staff
    digest = next(m for m in mail.outbox if m.to == [world.manager.email])
    assert "- Open requests: 1" in digest.body
    with after_commit():
        services.daily_digests_send(now=datetime(2030, 6, 4, 14, 0, tzinfo=UTC))  # the next day
    assert digests.filter(recipient=world.manager).count() == 2


@pytest.fixture
def digest_writer():
    """Stands in for the crew's writer in the registry (restored afterwards), recording each call."""
    from notifications import wording

    calls = []
    previous = wording._writers.get("daily_digest")

    def install(writer):
        def recording(**kwargs):
            calls.append(kwargs)
            return writer(**kwargs)

        wording.register("daily_digest", recording)
        return calls

    yield install
    if previous is not None:
        wording.register("daily_digest", previous)
    else:
        wording.unregister("daily_digest")


def _overdue(world, *, hours):
    world.request.due_by = datetime(2030, 6, 3, 14, 0, tzinfo=UTC) - timedelta(hours=hours)
    world.request.save()


def test_the_digest_is_worded_by_the_writer_once_a_day(world, after_commit, digest_writer):
    _overdue(world, hours=5)
    calls = digest_writer(lambda **_: {"subject": "Three things today", "body": "Call the plumber first."})
    with after_commit():
        services.daily_digests_send(now=datetime(2030, 6, 3, 14, 0, tzinfo=UTC))
        services.daily_digests_send(now=datetime(2030, 6, 3, 15, 0, tzinfo=UTC))  # the job runs again
    ours = [c for c in calls if c["organization_id"] == world.request.organization_id]
    assert len(ours) == 1, "the wording is paid for once a day"
    assert len(calls) == 2, "and once for the other organization"
    facts = ours[0]["facts"]
    assert facts["counts"]["overdue"] == 1
    assert facts["attention"] == [
        {
            "title": "Leaking kitchen tap",
            "place": f"{world.request.unit.property.name} {world.request.unit.label}",
            "status": "in_progress",
            "priority": "high",
            "hours_overdue": 5.0,
        }
    ]
    digest = next(m for m in mail.outbox if m.to == [world.manager.email])
    assert digest.subject == "Three things today"
    assert "Call the plumber first." in digest.body
    # The fixed parts stay: the figures and the list of what to look at first.
    assert "- Overdue: 1" in digest.body
    assert "Leaking kitchen tap" in digest.body and "overdue by 5" in digest.body


def test_a_failing_writer_leaves_the_templates_words(world, after_commit, digest_writer):
    _overdue(world, hours=2)

    def broken(**_):
        raise TimeoutError("the model did not answer")

    digest_writer(broken)
    with after_commit():
        sent = services.daily_digests_send(now=datetime(2030, 6, 3, 14, 0, tzinfo=UTC))
    assert sent > 0
    digest = next(m for m in mail.outbox if m.to == [world.manager.email])
    assert digest.subject == "Your daily maintenance summary"
    assert "Here is where maintenance stands today." in digest.body
    assert "To look at first:" in digest.body and "Leaking kitchen tap" in digest.body


def test_every_job_is_scheduled_and_registered():
    scheduled = set(PeriodicTask.objects.filter(name__startswith="Notifications:").values_list("task", flat=True))
    assert scheduled == {
        "notifications.sweep_deliveries",
        "notifications.send_appointment_reminders",
        "notifications.notify_due_and_overdue",
        "notifications.notify_insurance_expiring",
        "notifications.send_daily_digests",
    }
    from domi.celery import app

    assert scheduled <= set(app.tasks)
    assert tasks.send_daily_digests.name in app.tasks


def test_a_request_silent_for_72_hours_is_brought_to_staff_once(world, after_commit):
    from maintenance.models import RequestEvent

    request = world.request
    request.status = "assigned"
    request.save()
    RequestEvent.objects.create(request=request, kind="note", actor_agent="coordinator", note="Booked.",
                                created_at=NOW - timedelta(hours=73))  # fmt: skip
    with after_commit():
        services.stale_requests_notify(now=NOW)
        services.stale_requests_notify(now=NOW + timedelta(hours=1))
    silent = Delivery.objects.filter(event="no_update", channel=Channel.EMAIL)
    assert {d.recipient for d in silent} == set(world.staff)
    assert silent.count() == len(world.staff), "once per silence, however often the job runs"
    assert "No update for 3 days" in silent.first().subject

    RequestEvent.objects.create(request=request, kind="note", actor_agent="coordinator", note="Chased the plumber.",
                                created_at=NOW - timedelta(hours=1))  # fmt: skip
    with after_commit():
        services.stale_requests_notify(now=NOW + timedelta(hours=2))
    assert Delivery.objects.filter(event="no_update", channel=Channel.EMAIL).count() == len(world.staff)
