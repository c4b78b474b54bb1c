"""The slot finder: weekly windows in the organization's time zone, daylight saving, time off, busy times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from contractors.availability import Interval, earliest_slot
from contractors.models import AvailabilityWindow, TimeOff
from tests import factories

NY = ZoneInfo("America/New_York")
TWO_HOURS = timedelta(hours=2)


@pytest.fixture
def ny_contractor(db):
    org = factories.OrganizationFactory(name="NY Homes", slug="ny-homes", timezone="America/New_York")
    contractor = factories.ContractorFactory(organization=org)
    for weekday in range(5):
        AvailabilityWindow.objects.create(contractor=contractor, weekday=weekday, start_time=time(9), end_time=time(17))
    return contractor


def test_weekly_window_is_in_the_organizations_time_zone(ny_contractor):
    # Monday 2025-01-06 10:00 UTC is 05:00 in New York: the first slot is 09:00 local = 14:00 UTC.
    after = datetime(2025, 1, 6, 10, tzinfo=UTC)
    slot = earliest_slot(ny_contractor, after=after, deadline=after + timedelta(days=2), duration=TWO_HOURS)
    assert slot == datetime(2025, 1, 6, 14, tzinfo=UTC)
    assert slot.astimezone(NY).hour == 9


def test_a_visit_that_would_end_after_the_window_moves_to_the_next_working_day(ny_contractor):
    after = datetime(2025, 1, 10, 16, tzinfo=NY)  # Friday 16:00 local, 2 h do not fit before 17:00
    slot = earliest_slot(ny_contractor, after=after, deadline=after + timedelta(days=5), duration=TWO_HOURS)
    assert slot.astimezone(NY) == datetime(2025, 1, 13, 9, tzinfo=NY)  # Monday


def test_daylight_saving_change_keeps_wall_clock_times(ny_contractor):
    # Clocks go forward on Sunday 2025-03-09: 09:00 local is 14:00 UTC on Friday, 13:00 UTC on Monday.
    friday = earliest_slot(
        ny_contractor,
        after=datetime(2025, 3, 7, 12, tzinfo=UTC),
        deadline=datetime(2025, 3, 8, tzinfo=UTC),
        duration=TWO_HOURS,
    )
    monday = earliest_slot(
        ny_contractor,
        after=datetime(2025, 3, 8, tzinfo=UTC),
        deadline=datetime(2025, 3, 12, tzinfo=UTC),
        duration=TWO_HOURS,
    )
    assert friday == datetime(2025, 3, 7, 14, tzinfo=UTC)
    assert monday == datetime(2025, 3, 10, 13, tzinfo=UTC)
    assert friday.astimezone(NY).hour == monday.astimezone(NY).hour == 9


def test_a_window_across_the_spring_forward_gap_is_an_hour_shorter(db):
    org = factories.OrganizationFactory(name="Night Co", slug="night-co", timezone="America/New_York")
    contractor = factories.ContractorFactory(organization=org)
    # Sunday 01:00-05:00 local: on 2025-03-09 only three real hours.
    AvailabilityWindow.objects.create(contractor=contractor, weekday=6, start_time=time(1), end_time=time(5))
    after, deadline = datetime(2025, 3, 9, 0, tzinfo=NY), datetime(2025, 3, 9, 12, tzinfo=NY)
    assert earliest_slot(contractor, after=after, deadline=deadline, duration=timedelta(hours=3)) is not None
    assert earliest_slot(contractor, after=after, deadline=deadline, duration=timedelta(hours=3, minutes=15)) is None
    # A week later the same window holds four hours.
    assert (
        earliest_slot(
            contractor,
            after=after + timedelta(days=7),
            deadline=deadline + timedelta(days=7),
            duration=timedelta(hours=4),
        )
        is not None
    )


def test_tenant_window_in_another_time_zone_that_barely_overlaps(ny_contractor):
    # The tenant writes in London time: 21:00-23:00 London = 16:00-18:00 New York; overlap 16:00-17:00 local.
    london = ZoneInfo("Europe/London")
    tenant = [Interval(datetime(2025, 1, 7, 21, tzinfo=london), datetime(2025, 1, 7, 23, tzinfo=london))]
    after = datetime(2025, 1, 7, 0, tzinfo=UTC)
    one_hour = earliest_slot(
        ny_contractor,
        after=after,
        deadline=after + timedelta(days=2),
        duration=timedelta(hours=1),
        tenant_windows=tenant,
    )
    assert one_hour.astimezone(NY) == datetime(2025, 1, 7, 16, tzinfo=NY)
    assert (
        earliest_slot(
            ny_contractor,
            after=after,
            deadline=after + timedelta(days=2),
            duration=timedelta(minutes=75),
            tenant_windows=tenant,
        )
        is None
    )


def test_time_off_and_busy_visits_are_skipped(ny_contractor):
    day = datetime(2025, 1, 6, 9, tzinfo=NY)
    TimeOff.objects.create(contractor=ny_contractor, start=day, end=day + timedelta(hours=3))
    busy = [Interval(day + timedelta(hours=3), day + timedelta(hours=5, minutes=10))]
    slot = earliest_slot(ny_contractor, after=day, deadline=day + timedelta(days=1), duration=TWO_HOURS, busy=busy)
    assert slot.astimezone(NY) == datetime(2025, 1, 6, 14, 15, tzinfo=NY)  # rounded to the quarter hour


def test_emergency_goes_to_a_24_7_contractor_at_any_hour(ny_contractor):
    ny_contractor.emergency_24_7 = True
    ny_contractor.save()
    night = datetime(2025, 1, 11, 3, 7, tzinfo=NY)  # Saturday, 03:07
    slot = earliest_slot(
        ny_contractor, after=night, deadline=night + timedelta(hours=4), duration=TWO_HOURS, emergency=True
    )
    assert slot.astimezone(NY) == datetime(2025, 1, 11, 3, 15, tzinfo=NY)
    # Not an emergency: the weekly windows apply, nothing fits before the deadline.
    assert earliest_slot(ny_contractor, after=night, deadline=night + timedelta(hours=4), duration=TWO_HOURS) is None


def test_nothing_before_the_deadline(ny_contractor):
    after = datetime(2025, 1, 6, 9, tzinfo=NY)
    assert earliest_slot(ny_contractor, after=after, deadline=after + timedelta(hours=1), duration=TWO_HOURS) is None
