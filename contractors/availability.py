"""When a contractor can come: weekly windows, time off, visits already booked and the tenant's windows.

Everything is computed as intervals in UTC. Weekly windows are wall-clock times in the organization's
time zone, turned into real instants day by day through zoneinfo, so a window on a daylight-saving day
is an hour shorter or longer in real time, and a window never "moves" when the clocks change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import Contractor

# Visits start on the quarter hour (every UTC offset in use is a multiple of 15 minutes).
GRANULARITY = timedelta(minutes=15)


@dataclass(frozen=True, order=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Intervals need aware datetimes.")


def organization_zone(contractor: Contractor) -> ZoneInfo:
    return ZoneInfo(contractor.organization.timezone or "UTC")


def _wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant; a time skipped by spring-forward maps past the gap."""
    local = datetime.combine(day, at, tzinfo=zone)
    # Round-trip through UTC normalises a non-existent local time (02:30 on spring-forward day).
    return local.astimezone(UTC)


def weekly_intervals(contractor: Contractor, *, start: datetime, end: datetime) -> list[Interval]:
    """The contractor's weekly windows as real intervals between start and end."""
    zone = organization_zone(contractor)
    windows = list(contractor.availability_windows.all())
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    out: list[Interval] = []
    day = first
    while day <= last:
        for window in windows:
            if window.weekday == day.weekday():
                begin, finish = _wall_clock(day, window.start_time, zone), _wall_clock(day, window.end_time, zone)
                if finish > begin:
                    out.append(Interval(begin, finish))
        day += timedelta(days=1)
    return _merge(out)


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            merged[-1] = Interval(merged[-1].start, max(merged[-1].end, interval.end))
        else:
            merged.append(interval)
    return merged


def _subtract(free: list[Interval], taken: Iterable[Interval]) -> list[Interval]:
    result = free
    for block in _merge(taken):
        next_result = []
        for interval in result:
            if block.end <= interval.start or interval.end <= block.start:
                next_result.append(interval)
                continue
            if interval.start < block.start:
                next_result.append(Interval(interval.start, block.start))
            if block.end < interval.end:
                next_result.append(Interval(block.end, interval.end))
        result = next_result
    return result


def _intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    out = []
    for a in left:
        for b in right:
            start, end = max(a.start, b.start), min(a.end, b.end)
            if start < end:
                out.append(Interval(start, end))
    return _merge(out)


def _round_up(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    floor = moment.replace(minute=0, second=0, microsecond=0)
    steps = -(-(moment - floor) // GRANULARITY)  # ceiling division
    return floor + steps * GRANULARITY


def time_off_intervals(contractor: Contractor, *, start: datetime, end: datetime) -> list[Interval]:
    rows = contractor.time_off.filter(end__gt=start, start__lt=end)
    return [Interval(row.start, row.end) for row in rows]


def free_intervals(
    contractor: Contractor,
    *,
    after: datetime,
    deadline: datetime,
    busy: Iterable[Interval] = (),
    tenant_windows: Iterable[Interval] = (),
    emergency: bool = False,
) -> list[Interval]:
    """When the contractor could be at the unit between after and deadline."""
    if deadline <= after:
        return []
    around_the_clock = emergency and contractor.emergency_24_7
    if around_the_clock:
        free = [Interval(after, deadline)]
    else:
        free = _intersect(weekly_intervals(contractor, start=after, end=deadline), [Interval(after, deadline)])
    free = _subtract(free, [*time_off_intervals(contractor, start=after, end=deadline), *busy])
    tenant = list(tenant_windows)
    # An emergency does not wait for the tenant's preferred times.
    if tenant and not around_the_clock:
        free = _intersect(free, _merge(tenant))
    return free


def earliest_slot(
    contractor: Contractor,
    *,
    after: datetime,
    deadline: datetime,
    duration: timedelta,
    tenant_windows: Iterable[Interval] = (),
    busy: Iterable[Interval] = (),
    emergency: bool = False,
) -> datetime | None:
    """The first quarter-hour start from `after` where a visit of `duration` ends by `deadline` and fits
    the contractor's weekly windows (any hour for an emergency and a 24/7 contractor), their time off,
    their other visits (`busy`) and the tenant's windows. None when nothing fits.
    """
    for interval in free_intervals(
        contractor, after=after, deadline=deadline, busy=busy, tenant_windows=tenant_windows, emergency=emergency
    ):
        start = _round_up(interval.start)
        if start + duration <= interval.end:
            return start
    return None
