"""The manager's dashboard figures, read for one caller: open requests, how long requests take to reach each
stage, and what approved invoices cost by property and category, month by month.

Everything is counted, summed and ranked in the database (aggregates and window functions that SQLite and
PostgreSQL both have), so a report costs a fixed number of queries however many requests there are; Python
only reads the one or two rows per month that hold each percentile.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Lead, RowNumber, TruncMonth
from django.utils import timezone

from domi.accounts.models import User

from .models import OPEN_STATUSES, Invoice, MaintenanceRequest, RequestEvent, Status
from .selectors import overdue_filter, request_list_visible_to

# A request reaches a stage with the first timeline event that moves it to one of these statuses. Triage is
# done once the request has a settled category and priority and moves on, whether the AI crew decided or
# staff did after a review.
STAGES: dict[str, tuple[str, ...]] = {
    "triage": (Status.TRIAGED, Status.AWAITING_APPROVAL, Status.ASSIGNED),
    "assign": (Status.ASSIGNED,),
    "complete": (Status.COMPLETED,),
}
# Reported as hours, interpolated between the two nearest requests (as PostgreSQL's percentile_cont does).
PERCENTILES = {"median_hours": 50, "p90_hours": 90}
# Money that is owed or paid: awaiting approval may still be refused, rejected never will be paid.
COSTED_INVOICE_STATUSES = (Invoice.Status.APPROVED, Invoice.Status.PAID)
DEFAULT_MONTHS = 6
MAX_PERIOD_DAYS = 731
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole days, since to until inclusive, in the organization's time zone."""

    since: date
    until: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time.min, self.zone)

    def months(self) -> list[str]:
        year, month, months = self.since.year, self.since.month, []
        while (year, month) <= (self.until.year, self.until.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def report_zone(user: User) -> ZoneInfo:
    """The organization's time zone (months begin at its midnight); the superuser's is the server's."""
    name = user.organization.timezone if user.organization_id else settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def report_period(*, user: User, since: date | None = None, until: date | None = None) -> Period:
    """The period asked for; by default this month and the five before it, up to today."""
    zone = report_zone(user)
    until = until or timezone.localdate(timezone=zone)
    if since is None:
        month_index = until.year * 12 + until.month - 1 - (DEFAULT_MONTHS - 1)
        since = date(month_index // 12, month_index % 12 + 1, 1)
    return Period(since=since, until=until, zone=zone)


def maintenance_overview(*, user: User, since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """The dashboard's figures for what this person may see (staff: their organization)."""
    period = report_period(user=user, since=since, until=until)
    requests = request_list_visible_to(user).order_by()
    return {
        "since": period.since,
        "until": period.until,
        "timezone": period.zone.key,
        "months": period.months(),
        "open_requests": open_request_counts(requests),
        "times": stage_times(requests, period, by_month=True),
        "times_overall": stage_times(requests, period, by_month=False),
        "costs_by_property": invoiced_costs(requests, period, by="property"),
        "costs_by_category": invoiced_costs(requests, period, by="category"),
    }


def open_request_counts(requests: QuerySet[MaintenanceRequest]) -> list[dict[str, Any]]:
    """Open requests now (whatever the period), by status and priority, with how many of them are overdue."""
    rows = (
        requests.filter(status__in=OPEN_STATUSES)
        .values("status", "priority")
        .annotate(count=Count("pk"), overdue=Count("pk", filter=overdue_filter()))
        .order_by("status", "priority")
    )
    return list(rows)


def stage_times(requests: QuerySet[MaintenanceRequest], period: Period, *, by_month: bool) -> list[dict[str, Any]]:
    """Hours from the report to each stage, for the requests that reached it within the period (by the month
    they reached it, or over the whole period): how many, the median and the 90th percentile."""
    results: list[dict[str, Any]] = []
    for stage, statuses in STAGES.items():
        reached = (
            RequestEvent.objects.filter(request=OuterRef("pk"), to_status__in=statuses)
            .order_by("created_at", "id")
            .values("created_at")[:1]
        )
        durations = (
            requests.annotate(reached_at=Subquery(reached, output_field=DateTimeField()))
            .filter(reached_at__gte=period.start, reached_at__lt=period.end)
            .filter(reached_at__gte=F("created_at"))
            .annotate(duration=ExpressionWrapper(F("reached_at") - F("created_at"), output_field=DurationField()))
        )
        partition: list[Any] | None = None
        if by_month:
            durations = durations.annotate(month=TruncMonth("reached_at", tzinfo=period.zone))
            partition = [F("month")]
        order = [F("duration").asc(), F("pk").asc()]
        ranked = durations.annotate(
            position=Window(RowNumber(), partition_by=partition, order_by=order),
            size=Window(Count("pk"), partition_by=partition),
            following=Window(Lead("duration"), partition_by=partition, order_by=order),
        )
        # Only the rows a percentile falls on: the k-th of n, k = floor((n - 1) * p) (integer arithmetic).
        wanted = Q()
        for percent in PERCENTILES.values():
            wanted |= Q(position=(F("size") - 1) * percent / 100 + 1)
        fields = ["position", "size", "duration", "following", *(["month"] if by_month else [])]
        groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        for row in ranked.filter(wanted).values(*fields):
            groups[_month_key(row["month"], period.zone) if by_month else None].append(row)
        for month in sorted(groups, key=lambda m: m or ""):
            rows = groups[month]
            entry: dict[str, Any] = {"stage": stage, "requests": rows[0]["size"]}
            if by_month:
                entry = {"month": month, **entry}
            for name, percent in PERCENTILES.items():
                entry[name] = _percentile(rows, percent)
            results.append(entry)
    return results


def _percentile(rows: list[dict[str, Any]], percent: int) -> float:
    """Linear interpolation between the k-th duration and the next one."""
    size = rows[0]["size"]
    exact = (size - 1) * percent / 100
    k = (size - 1) * percent // 100
    row = next(r for r in rows if r["position"] == k + 1)
    low = row["duration"]
    high = row["following"] if row["following"] is not None else low
    seconds = low.total_seconds() + (exact - k) * (high - low).total_seconds()
    return round(seconds / 3600, 2)


def _month_key(value: datetime | date, zone: ZoneInfo) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = value.astimezone(zone)
    return f"{value.year:04d}-{value.month:02d}"


def invoiced_costs(requests: QuerySet[MaintenanceRequest], period: Period, *, by: str) -> list[dict[str, Any]]:
    """What approved and paid invoices add up to per month of their submission, by property or by the request's
    category, per currency (amounts in two currencies are never added together)."""
    keys = {
        "property": ["request__unit__property_id", "request__unit__property__name"],
        "category": ["request__category"],
    }[by]
    rows = (
        Invoice.objects.filter(
            request__in=requests,
            status__in=COSTED_INVOICE_STATUSES,
            submitted_at__gte=period.start,
            submitted_at__lt=period.end,
        )
        .annotate(month=TruncMonth("submitted_at", tzinfo=period.zone))
        .values("month", "currency", *keys)
        .annotate(invoices=Count("pk"), total=Sum("total"))
        .order_by("month", "currency", *keys)
    )
    results = []
    for row in rows:
        entry: dict[str, Any] = {
            "month": _month_key(row["month"], period.zone),
            "currency": row["currency"],
            "invoices": row["invoices"],
            "total": Decimal(row["total"]).quantize(Decimal("0.01")),
        }
        if by == "property":
            entry["property"] = {"id": row["request__unit__property_id"], "name": row["request__unit__property__name"]}
        else:
            entry["category"] = row["request__category"]
        results.append(entry)
    return results
