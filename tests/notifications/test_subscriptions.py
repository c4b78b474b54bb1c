"""maintenance's domain events reach exactly the right people, on the right channels, through the real services."""

from __future__ import annotations

import pytest
from django.core import mail

from maintenance import events
from maintenance import services as maintenance
from maintenance.actors import Actor
from notifications.events import Channel
from notifications.models import Delivery
from tests import factories as base

EMAIL, SMS, IN_APP = Channel.EMAIL, Channel.SMS, Channel.IN_APP
ALL = (EMAIL, SMS, IN_APP)
pytestmark = pytest.mark.django_db
AGENT = Actor.agent_named("coordinator")


@pytest.fixture(autouse=True)
def _only_notifications_listening():
    """The AI crew also subscribes (and writes its own messages): these tests hear notifications' own only."""
    signals = [
        events.request_created,
        events.request_status_changed,
        events.request_assigned,
        events.request_triage_overridden,
        events.comment_added,
    ]
    saved = {signal: list(signal.receivers) for signal in signals}
    for signal in signals:
        with signal.lock:
            signal.receivers = [r for r in signal.receivers if str(r[0][0]).startswith("notifications.")]
            signal.sender_receivers_cache.clear()
    yield
    for signal, receivers in saved.items():
        with signal.lock:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def heard(**filters):
    """{(user, channel): event} of everything delivered since the last call."""
    result = {(d.recipient, d.channel): d.event for d in Delivery.objects.filter(**filters)}
    Delivery.objects.all().delete()
    return result


def everyone(users, channels, event):
    return {(user, channel): event for user in users for channel in channels}


def _move(world, after_commit, to_status, actor, note=""):
    with after_commit():
        maintenance.maintenance_request_transition(request=world.request, to_status=to_status, actor=actor, note=note)


def _set_status(world, status, **fields):
    type(world.request).objects.filter(pk=world.request.pk).update(status=status, **fields)
    world.request.refresh_from_db()


def test_an_assignment_tells_the_contractor_only(world, after_commit):
    _set_status(world, "triaged", assigned_contractor=None)
    with after_commit():
        maintenance.maintenance_request_assign(request=world.request, contractor=world.contractor, actor=AGENT)

    assert heard() == everyone([world.contractor_user], ALL, "job_assigned")
    assert "Please book a visit" in mail.outbox[0].body


def test_a_booking_by_the_crew_tells_tenant_and_contractor_with_the_visit_attached(world, after_commit):
    _set_status(world, "assigned")
    base.AppointmentFactory(request=world.request, contractor=world.contractor)
    _move(world, after_commit, "scheduled", AGENT)

    assert heard() == {
        **everyone([world.tenant], ALL, "appointment_booked"),
        **everyone([world.contractor_user], ALL, "appointment_booked"),
    }
    assert all(m.attachments[0][0] == "appointment.ics" for m in mail.outbox)


def test_whoever_made_the_change_does_not_hear_of_it(world, after_commit):
    _set_status(world, "assigned")
    _move(world, after_commit, "scheduled", Actor.of(world.contractor_user))
    assert heard() == everyone([world.tenant], ALL, "appointment_booked")


def test_work_started_tells_the_tenant(world, after_commit):
    _set_status(world, "scheduled")
    _move(world, after_commit, "in_progress", Actor.of(world.contractor_user))
    assert heard() == everyone([world.tenant], ALL, "work_started")


def test_work_completed_asks_the_tenant_to_confirm_and_rate(world, after_commit, sms_outbox, settings):
    settings.DOMI_PORTAL_URL = "https://portal.example"
    _move(world, after_commit, "completed", Actor.of(world.contractor_user))

    assert heard() == everyone([world.tenant], ALL, "work_completed")
    confirm = f"https://portal.example/?request={world.request.public_id}&action=confirm"
    assert confirm in mail.outbox[0].body
    assert sms_outbox[0]["body"].endswith(confirm)


def test_a_reopening_tells_the_contractor_and_staff_why(world, after_commit):
    _set_status(world, "completed")
    _move(world, after_commit, "reopened", Actor.of(world.tenant), note="Still dripping")

    assert heard() == {
        **everyone([world.contractor_user], ALL, "request_reopened"),
        **everyone(world.staff, (EMAIL, IN_APP), "request_reopened"),
    }
    assert all("Still dripping" in m.body for m in mail.outbox)


def test_every_reopening_is_told(world, after_commit):
    for _ in range(2):
        _set_status(world, "completed")
        _move(world, after_commit, "reopened", AGENT, note="Photos show a leak")
    assert Delivery.objects.filter(recipient=world.contractor_user, channel=EMAIL).count() == 2


def test_a_cancellation_by_the_tenant_tells_the_contractor_and_staff(world, after_commit):
    _set_status(world, "assigned")
    _move(world, after_commit, "cancelled", Actor.of(world.tenant))

    assert heard() == {
        **everyone([world.contractor_user], ALL, "request_cancelled"),
        **everyone(world.staff, (EMAIL, IN_APP), "request_cancelled"),
    }
    contractor_mail = next(m for m in mail.outbox if m.to == [world.contractor_user.email])
    assert "Please do not go" in contractor_mail.body


def test_a_cancellation_before_assignment_tells_staff_only(world, after_commit):
    _set_status(world, "triaged", assigned_contractor=None)
    _move(world, after_commit, "cancelled", Actor.of(world.manager))
    assert heard() == everyone([world.admin], (EMAIL, IN_APP), "request_cancelled")


def test_closing_tells_the_tenant_unless_they_closed_it(world, after_commit):
    _set_status(world, "completed")
    _move(world, after_commit, "closed", Actor.of(world.tenant))
    assert heard() == {}

    _set_status(world, "completed")
    _move(world, after_commit, "closed", Actor.agent_named("quality_control"))
    assert heard() == everyone([world.tenant], (EMAIL, IN_APP), "request_closed")


@pytest.mark.parametrize("to_status", ["needs_review", "awaiting_approval"])
def test_decisions_for_people_go_to_staff(world, after_commit, to_status):
    _set_status(world, "triaged", assigned_contractor=None)
    _move(world, after_commit, to_status, Actor.agent_named("analyzer"))
    assert heard() == everyone(world.staff, (EMAIL, IN_APP), to_status)


def test_triage_and_creation_are_left_to_the_ai_crew(world, after_commit):
    with after_commit():
        request = maintenance.maintenance_request_create(
            reporter=world.tenant, unit=world.request.unit, title="Broken window", description="Cracked pane."
        )
        maintenance.maintenance_request_set_triage(
            request=request, actor=AGENT, category="doors_windows", priority="low"
        )
        maintenance.maintenance_request_transition(request=request, to_status="triaged", actor=AGENT)
    assert heard() == {}


def test_a_shared_comment_reaches_everyone_else_on_the_request(world, after_commit):
    with after_commit():
        maintenance.comment_create(request=world.request, author=world.tenant, body="The tap is still dripping.")

    assert heard() == {
        **everyone([world.contractor_user], ALL, "comment_added"),
        **everyone(world.staff, (EMAIL, IN_APP), "comment_added"),
    }
    assert all("The tap is still dripping." in m.body for m in mail.outbox)


def test_a_staff_only_comment_reaches_the_other_staff_only(world, after_commit):
    with after_commit():
        maintenance.comment_create(
            request=world.request, author=world.manager, body="Owner disputes the cost.", visibility="staff"
        )

    assert heard() == everyone([world.admin], (EMAIL, IN_APP), "comment_added")
    assert "(staff only)" in mail.outbox[0].body
    assert not any("Owner disputes" in m.body for m in mail.outbox if m.to != [world.admin.email])
