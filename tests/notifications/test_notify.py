"""notify(): who hears of an event, on which channels, in which language, and only once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.events import Audience, Channel, Event
from notifications.models import Delivery, Notification
from tests import factories as base
from tests.notifications.factories import QuietHoursFactory, SmsOptOutFactory, pairs

EMAIL, SMS, IN_APP = Channel.EMAIL, Channel.SMS, Channel.IN_APP
pytestmark = pytest.mark.django_db


def _notify(world, after_commit, **kwargs):
    kwargs.setdefault("request_id", world.request.pk)
    with after_commit():
        return services.notify(**kwargs)


def test_tenant_hears_an_important_event_on_every_channel_and_nobody_else_does(world, after_commit, sms_outbox):
    deliveries = _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT)

    assert pairs(deliveries) == {(world.tenant, EMAIL), (world.tenant, SMS), (world.tenant, IN_APP)}
    assert [m.to for m in mail.outbox] == [[world.tenant.email]]
    assert [m["to"] for m in sms_outbox] == ["+14155550100"]
    assert Notification.objects.get().recipient == world.tenant
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_tenant_hears_a_minor_event_by_email_and_in_app_only(world, after_commit, sms_outbox):
    deliveries = _notify(world, after_commit, event=Event.REQUEST_CLOSED, audience=Audience.TENANT)

    assert pairs(deliveries) == {(world.tenant, EMAIL), (world.tenant, IN_APP)}
    assert sms_outbox == []


def test_staff_means_the_active_admins_and_managers_of_the_organization(world, after_commit, sms_outbox):
    deliveries = _notify(world, after_commit, event=Event.NEEDS_REVIEW, audience=Audience.STAFF)

    assert {d.recipient for d in deliveries} == world.staff
    assert {d.channel for d in deliveries} == {EMAIL, IN_APP}  # staff get no text by default
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in world.staff)
    assert sms_outbox == []
    assert not Delivery.objects.filter(recipient__in=[world.outsider, world.inactive_staff, world.tenant]).exists()


def test_contractor_means_the_assigned_contractors_login_on_every_channel(world, after_commit, sms_outbox):
    other = base.ContractorFactory(organization=world.request.organization)
    deliveries = _notify(world, after_commit, event=Event.JOB_ASSIGNED, audience=Audience.CONTRACTOR)

    assert pairs(deliveries) == {(world.contractor_user, c) for c in (EMAIL, SMS, IN_APP)}
    assert [m["to"] for m in sms_outbox] == ["+14155550122"]
    assert not Delivery.objects.filter(recipient=other.user).exists()


def test_a_contractor_without_a_login_is_reached_at_the_rosters_address(world, after_commit, sms_outbox):
    roster_only = base.ContractorFactory(
        organization=world.request.organization, user=None, email="desk@pipes.example", phone="+14155550190"
    )
    world.request.assigned_contractor = roster_only
    world.request.save()

    deliveries = _notify(world, after_commit, event=Event.JOB_ASSIGNED, audience=Audience.CONTRACTOR)

    assert {(d.channel, d.address, d.recipient) for d in deliveries} == {
        (EMAIL, "desk@pipes.example", None),
        (SMS, "+14155550190", None),
    }
    assert all(f":contractor-{roster_only.pk}:" in d.idempotency_key for d in deliveries)
    assert mail.outbox[0].to == ["desk@pipes.example"]


def test_no_contractor_assigned_means_nobody_to_tell(world, after_commit):
    world.request.assigned_contractor = None
    world.request.status = "triaged"
    world.request.save()
    assert _notify(world, after_commit, event=Event.REQUEST_CANCELLED, audience=Audience.CONTRACTOR) == []


def test_a_job_offer_reaches_the_named_contractor_before_assignment(world, after_commit):
    candidate = base.ContractorFactory(organization=world.request.organization)
    stranger = base.ContractorFactory()  # another organization's contractor is never reached
    deliveries = _notify(
        world,
        after_commit,
        event=Event.JOB_OFFERED,
        audience=Audience.CONTRACTOR,
        extra_context={"contractor_id": candidate.pk},
    )
    assert {d.recipient for d in deliveries} == {candidate.user}
    assert "Leaking kitchen tap" in mail.outbox[0].body
    assert (
        _notify(
            world,
            after_commit,
            event=Event.JOB_OFFERED,
            audience=Audience.CONTRACTOR,
            extra_context={"contractor_id": stranger.pk},
        )
        == []
    )


def test_preferences_turn_channels_off_and_on(world, after_commit, sms_outbox):
    services.notification_preference_set(user=world.tenant, event="*", channel=EMAIL, enabled=False)
    services.notification_preference_set(user=world.tenant, event=Event.WORK_STARTED, channel=EMAIL, enabled=True)
    services.notification_preference_set(user=world.tenant, event=Event.WORK_STARTED, channel=SMS, enabled=False)
    services.notification_preference_set(user=world.manager, event=Event.NEEDS_REVIEW, channel=SMS, enabled=True)

    started = _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT)
    closed = _notify(world, after_commit, event=Event.REQUEST_CLOSED, audience=Audience.TENANT)
    review = _notify(world, after_commit, event=Event.NEEDS_REVIEW, audience=Audience.STAFF)

    assert {d.channel for d in started} == {EMAIL, IN_APP}  # the event's own row beats "*"
    assert {d.channel for d in closed} == {IN_APP}  # "*" turned e-mail off
    assert (world.manager, SMS) in pairs(review) and (world.admin, SMS) not in pairs(review)
    assert [m["to"] for m in sms_outbox] == ["+14155550111"]


def _opt_out_of_everything(user):
    for channel in Channel:
        services.notification_preference_set(user=user, event="*", channel=channel, enabled=False)


def test_someone_who_turned_everything_off_gets_nothing_but_urgent_messages(world, after_commit, sms_outbox):
    _opt_out_of_everything(world.tenant)

    assert _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT) == []
    assert mail.outbox == [] and sms_outbox == []

    urgent = _notify(world, after_commit, event=Event.SAFETY_INSTRUCTIONS, audience=Audience.TENANT, urgent=True)
    assert pairs(urgent) == {(world.tenant, EMAIL), (world.tenant, SMS), (world.tenant, IN_APP)}
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_urgent_reaches_staff_by_text_too(world, after_commit, sms_outbox):
    deliveries = _notify(world, after_commit, event=Event.EMERGENCY_ALERT, audience=Audience.STAFF, urgent=True)
    # The manager has a phone, the admin has none: every channel each of them has.
    assert pairs(deliveries) == {
        (world.manager, EMAIL),
        (world.manager, SMS),
        (world.manager, IN_APP),
        (world.admin, EMAIL),
        (world.admin, IN_APP),
    }
    assert all(d.urgent for d in deliveries)
    assert sms_outbox[0]["body"].startswith("Domi EMERGENCY:")


def test_a_number_that_texted_stop_gets_no_text_even_when_urgent(world, after_commit, sms_outbox):
    SmsOptOutFactory(phone="+14155550100")

    urgent = _notify(world, after_commit, event=Event.EMERGENCY_ALERT, audience=Audience.TENANT, urgent=True)

    by_channel = {d.channel: d for d in Delivery.objects.filter(pk__in=[d.pk for d in urgent])}
    assert by_channel[SMS].status == Delivery.Status.SUPPRESSED
    assert "opted out" in by_channel[SMS].error
    assert by_channel[EMAIL].status == by_channel[IN_APP].status == Delivery.Status.SENT
    assert sms_outbox == []


def _quiet_now(user, *, minutes_left=90):
    now = timezone.now()
    return QuietHoursFactory(
        user=user,
        start=(now - timedelta(minutes=30)).time().replace(second=0, microsecond=0),
        end=(now + timedelta(minutes=minutes_left)).time().replace(second=0, microsecond=0),
        time_zone="UTC",
    )


def test_quiet_hours_hold_a_text_back_and_let_email_through(world, after_commit, sms_outbox):
    _quiet_now(world.tenant)

    deliveries = _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT)

    sms = next(d for d in deliveries if d.channel == SMS)
    sms.refresh_from_db()
    assert sms.status == Delivery.Status.QUEUED and sms.is_held
    assert timezone.now() + timedelta(minutes=80) < sms.send_after < timezone.now() + timedelta(minutes=95)
    assert sms_outbox == []
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_quiet_hours_let_an_urgent_text_through(world, after_commit, sms_outbox):
    _quiet_now(world.tenant)

    deliveries = _notify(world, after_commit, event=Event.SAFETY_INSTRUCTIONS, audience=Audience.TENANT, urgent=True)

    assert set(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).values_list("status", flat=True)) == {"sent"}
    assert len(sms_outbox) == 1


def test_the_sweep_sends_a_held_text_once_the_quiet_hours_are_over(world, after_commit, sms_outbox):
    _quiet_now(world.tenant)
    held = next(
        d for d in _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT) if d.channel == SMS
    )
    with after_commit():
        assert services.deliveries_sweep() == 0  # still quiet
    assert sms_outbox == []

    Delivery.objects.filter(pk=held.pk).update(send_after=timezone.now() - timedelta(seconds=1))
    with after_commit():
        assert services.deliveries_sweep() == 1
    held.refresh_from_db()
    assert held.status == Delivery.Status.SENT
    assert len(sms_outbox) == 1


def test_notify_twice_makes_one_delivery_per_channel(world, after_commit, sms_outbox):
    first = _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT, dedupe="visit-1")
    again = _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT, dedupe="visit-1")
    other = _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT, dedupe="visit-2")

    assert len(first) == 3 and again == [] and len(other) == 3
    assert Delivery.objects.count() == 6
    assert len(mail.outbox) == 2 and len(sms_outbox) == 2
    key = next(d for d in first if d.channel == EMAIL).idempotency_key
    assert key == f"work_started:{world.request.pk}:{world.tenant.pk}:email:visit-1"


def test_a_very_long_dedupe_still_makes_a_valid_key(world, after_commit):
    deliveries = _notify(world, after_commit, event=Event.OVERDUE, audience=Audience.STAFF, dedupe="x" * 400)
    assert all(len(d.idempotency_key) <= 255 for d in deliveries)
    assert _notify(world, after_commit, event=Event.OVERDUE, audience=Audience.STAFF, dedupe="x" * 400) == []


def test_nothing_is_sent_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sid = transaction.savepoint()
        services.notify(event=Event.WORK_STARTED, request_id=world.request.pk, audience=Audience.TENANT)
        transaction.savepoint_rollback(sid)
    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_the_agents_words_are_used_inside_the_fixed_parts(world, after_commit, sms_outbox):
    words = {
        "subject": "Your tap is\nbeing fixed",
        "body": "Pat is on the way <b>now</b>.",
        "sms": "Pat is on the way.",
        "ignored": "x",
    }
    _notify(world, after_commit, event=Event.WORK_STARTED, audience=Audience.TENANT, words=words)

    email = mail.outbox[0]
    assert email.subject == "Your tap is being fixed"  # no header injection
    assert "Pat is on the way <b>now</b>." in email.body
    assert f"Request #{world.request.pk}" in email.body  # the fixed reference
    html = email.alternatives[0][0]
    assert "&lt;b&gt;now&lt;/b&gt;" in html and "<b>now</b>" not in html
    assert sms_outbox[0]["body"] == "Domi: Pat is on the way."
    assert Notification.objects.get().body == "Domi: Pat is on the way."


def test_a_spanish_tenant_gets_spanish(world, after_commit, sms_outbox):
    world.tenant.language = "es"
    world.tenant.save()
    appointment = base.AppointmentFactory(request=world.request, contractor=world.contractor)

    _notify(world, after_commit, event=Event.APPOINTMENT_BOOKED, audience=Audience.TENANT)
    _notify(world, after_commit, event=Event.APPOINTMENT_BOOKED, audience=Audience.CONTRACTOR)

    to_tenant = next(m for m in mail.outbox if m.to == [world.tenant.email])
    to_contractor = next(m for m in mail.outbox if m.to == [world.contractor_user.email])
    assert to_tenant.subject.startswith("Visita reservada:")
    assert "Hola," in to_tenant.body and "irá a arreglar «Leaking kitchen tap»" in to_tenant.body
    month_es = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre"]
    month_es += ["octubre", "noviembre", "diciembre"]
    assert month_es[appointment.start.month - 1] in to_tenant.body  # dates in Spanish too
    assert 'lang="es"' in to_tenant.alternatives[0][0]
    assert to_contractor.subject.startswith("Visit booked:")  # the contractor reads English
    tenant_sms = next(m for m in sms_outbox if m["to"] == "+14155550100")
    assert "un técnico irá" in tenant_sms["body"]
    assert Delivery.objects.filter(recipient=world.tenant).values_list("language", flat=True).distinct().get() == "es"


def test_appointment_emails_carry_the_visit_as_a_calendar_entry(world, after_commit):
    appointment = base.AppointmentFactory(request=world.request, contractor=world.contractor)
    _notify(world, after_commit, event=Event.APPOINTMENT_BOOKED, audience=Audience.TENANT)

    name, ics, mimetype = mail.outbox[0].attachments[0]
    assert name == "appointment.ics" and mimetype == "text/calendar"
    assert f"UID:appointment-{appointment.pk}@domi" in ics
    assert appointment.start.strftime("%Y%m%dT%H%M") in ics.replace("\r\n ", "")


def test_a_caller_may_attach_its_own_ics(world, after_commit):
    _notify(
        world,
        after_commit,
        event=Event.APPOINTMENT_REMINDER,
        audience=Audience.TENANT,
        extra_context={"ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"},
    )
    assert mail.outbox[0].attachments[0][1].startswith("BEGIN:VCALENDAR")


def test_a_notice_about_no_request_names_its_people(world, after_commit):
    contractor = world.contractor
    deliveries = _notify(
        world,
        after_commit,
        request_id=None,
        event=Event.INSURANCE_EXPIRING,
        audience=Audience.CONTRACTOR,
        extra_context={"contractor_id": contractor.pk},
    )
    assert {d.recipient for d in deliveries} == {world.contractor_user}
    assert "insurance expires on" in mail.outbox[0].body
    digest = _notify(
        world,
        after_commit,
        request_id=None,
        event=Event.DAILY_DIGEST,
        audience=Audience.STAFF,
        extra_context={
            "organization_id": world.request.organization_id,
            "attention": [{"title": "Boiler out", "place": "Oak 2B", "status": "assigned", "hours_overdue": 3}],
        },
    )
    assert {d.recipient for d in digest} == world.staff
    assert "- Boiler out (Oak 2B): overdue by 3 h" in mail.outbox[-1].body
    with pytest.raises(ValueError, match="organization_id"):
        services.notify(event=Event.DAILY_DIGEST, request_id=None, audience=Audience.STAFF)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event": "party_invite", "audience": "tenant"}, "Unknown event"),
        ({"event": "work_started", "audience": "landlord"}, "Unknown audience"),
        ({"event": "work_started", "audience": "tenant", "words": "hello"}, "words must be a dict"),
    ],
)
def test_mistakes_by_the_caller_are_refused(world, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        services.notify(request_id=world.request.pk, **kwargs)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("event", Event.values)
def test_every_event_has_a_message_in_every_language_for_every_audience(world, event, language):
    from notifications import content

    base.AppointmentFactory(request=world.request, contractor=world.contractor)
    for audience in Audience.values:
        message = content.message_render(
            event=event,
            audience=audience,
            language=language,
            recipient_name="Sam",
            request=world.request,
            words={},
            context=services._context(event=event, request=world.request, extra={}),
        )
        assert message.subject.strip(), (event, audience)
        assert message.template.endswith(f"/{language}/{event}.txt")
        assert message.sms.startswith("Domi"), (event, audience, message.sms)
        assert len(message.body.split("\n\n")) >= 3, message.body  # greeting, words, sign-off
        assert "{{" not in message.body and "{%" not in message.body
