"""Inboxes, preferences, quiet hours and opt-outs."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.core.exceptions import ValidationError

from notifications import selectors, services
from notifications.events import Audience, Channel, Event
from notifications.models import NotificationPreference, SmsOptOut
from tests.notifications.factories import NotificationFactory, QuietHoursFactory

pytestmark = pytest.mark.django_db


def test_unread_count_and_marking_read(world):
    mine = NotificationFactory.create_batch(3, recipient=world.tenant)
    NotificationFactory(recipient=world.manager)
    assert selectors.notification_unread_count(user=world.tenant) == 3

    services.notification_mark_read(notification=mine[0], user=world.tenant)
    assert selectors.notification_unread_count(user=world.tenant) == 2
    with pytest.raises(type(mine[0]).DoesNotExist):  # someone else's is not there for you
        services.notification_mark_read(notification=mine[1], user=world.manager)

    assert services.notifications_mark_all_read(user=world.tenant) == 2
    assert selectors.notification_unread_count(user=world.tenant) == 0
    assert selectors.notification_unread_count(user=world.manager) == 1


def test_a_preference_is_one_row_per_event_and_channel(world):
    services.notification_preference_set(user=world.tenant, event=Event.OVERDUE, channel=Channel.SMS, enabled=True)
    services.notification_preference_set(user=world.tenant, event=Event.OVERDUE, channel=Channel.SMS, enabled=False)
    assert NotificationPreference.objects.get().enabled is False
    with pytest.raises(ValidationError):
        services.notification_preference_set(user=world.tenant, event="nonsense", channel=Channel.SMS, enabled=True)


def test_defaults_without_preferences(world):
    tenant = selectors.audience_recipients(audience=Audience.TENANT, request=world.request)[0]
    contractor = selectors.audience_recipients(audience=Audience.CONTRACTOR, request=world.request)[0]
    manager = next(
        r
        for r in selectors.audience_recipients(audience=Audience.STAFF, request=world.request)
        if r.user == world.manager
    )
    every = set(Channel)
    assert selectors.channels_wanted(recipient=tenant, event=Event.APPOINTMENT_BOOKED) == every
    assert selectors.channels_wanted(recipient=tenant, event=Event.COMMENT_ADDED) == {Channel.EMAIL, Channel.IN_APP}
    assert selectors.channels_wanted(recipient=contractor, event=Event.COMMENT_ADDED) == every
    assert selectors.channels_wanted(recipient=manager, event=Event.OVERDUE) == {Channel.EMAIL, Channel.IN_APP}


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (time(22), time(7), datetime(2030, 3, 1, 23, 30, tzinfo=UTC), datetime(2030, 3, 2, 7, 0, tzinfo=UTC)),
        (time(22), time(7), datetime(2030, 3, 2, 6, 59, tzinfo=UTC), datetime(2030, 3, 2, 7, 0, tzinfo=UTC)),
        (time(22), time(7), datetime(2030, 3, 2, 7, 0, tzinfo=UTC), None),
        (time(22), time(7), datetime(2030, 3, 2, 12, 0, tzinfo=UTC), None),
        (time(13), time(14), datetime(2030, 3, 2, 13, 15, tzinfo=UTC), datetime(2030, 3, 2, 14, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end(world, start, end, now, until):
    QuietHoursFactory(user=world.tenant, start=start, end=end, time_zone="UTC")
    assert selectors.quiet_hours_until(user=world.tenant, at=now) == until


def test_quiet_hours_are_kept_in_the_persons_time_zone(world):
    world.request.organization.timezone = "America/New_York"
    world.request.organization.save()
    QuietHoursFactory(user=world.tenant, start=time(22), end=time(7), time_zone="")  # the organization's zone
    # 03:00 UTC is 22:00 in New York (EST): quiet until 07:00 EST = 12:00 UTC.
    until = selectors.quiet_hours_until(user=world.tenant, at=datetime(2030, 1, 10, 3, 0, tzinfo=UTC))
    assert until == datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


def test_quiet_hours_are_validated(world):
    with pytest.raises(ValidationError):
        services.quiet_hours_set(user=world.tenant, start=time(22), end=time(7), time_zone="Mars/Olympus")
    quiet = services.quiet_hours_set(user=world.tenant, start=time(22), end=time(7), time_zone="Europe/Madrid")
    assert services.quiet_hours_set(user=world.tenant, start=time(23), end=time(6)).pk == quiet.pk
    services.quiet_hours_clear(user=world.tenant)
    assert selectors.quiet_hours_until(user=world.tenant) is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("+1 (415) 555-0100", "+14155550100", True),
        ("(415) 555-0100", "+14155550100", True),
        ("0044 7700 900123", "+447700900123", True),
        ("07700 900123", "+44 7700 900123", True),
        ("+14155550100", "+14155550101", False),
        ("555-0100", "+14155550100", False),  # too short to be sure
    ],
)
def test_phone_numbers_match_with_or_without_country_code(a, b, same):
    assert selectors.same_phone(a, b) is same


def test_stop_and_start_by_text(world):
    assert services.sms_inbound(phone="+1 415 555 0100", body="STOP") == "opted_out"
    assert SmsOptOut.objects.get().phone == "+14155550100"
    assert selectors.sms_is_opted_out("(415) 555-0100")
    assert services.sms_inbound(phone="+14155550100", body="Thanks!") == "ignored"
    assert services.sms_inbound(phone="4155550100", body="start") == "opted_in"
    assert not selectors.sms_is_opted_out("+14155550100")


def test_inactive_people_hear_nothing(world):
    world.tenant.is_active = False
    world.tenant.save()
    assert selectors.audience_recipients(audience=Audience.TENANT, request=world.request) == []
