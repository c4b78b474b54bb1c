"""Reads the AI crew needs, across apps: the unit's history and the contractor ranking.

Ranking = hard filters (trade, service area, active, insurance valid, 24/7 cover for
emergencies), then a weighted score of the earliest free slot within the priority's deadline,
rating, price and current workload. The breakdown is kept so staff can see why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from contractors.models import Contractor
from domi.taxonomy import RESPONSE_TIME, Priority
from maintenance.models import Appointment, MaintenanceRequest, RequestEvent
from maintenance.selectors import declined_contractor_ids, request_earliest_slot

from .schemas import CandidateScore, PastRequest

VISIT = timedelta(hours=2)
WORKDAY = (8, 18)  # local hours a normal visit may start and must end by
WEIGHTS = {"slot": 0.35, "rating": 0.25, "price": 0.2, "workload": 0.2}
EMERGENCY_WEIGHTS = {"slot": 0.55, "rating": 0.2, "price": 0.05, "workload": 0.2}
ACTIVE_JOB_STATUSES = ("assigned", "scheduled", "in_progress", "reopened")


def recent_requests_at_unit(
    *, unit_id: int, exclude_request_id: int | None = None, days: int = 180
) -> list[PastRequest]:
    since = timezone.now() - timedelta(days=days)
    rows = (
        MaintenanceRequest.objects.filter(unit_id=unit_id, created_at__gte=since)
        .exclude(pk=exclude_request_id)
        .order_by("-created_at")[:20]
    )
    now = timezone.now()
    return [
        PastRequest(
            id=r.pk,
            title=r.title,
            category=r.category,
            priority=r.priority,
            status=r.status,
            days_ago=(now - r.created_at).days,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def _tenant_windows(request: MaintenanceRequest) -> list[Window]:
    return [
        Window(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in request.availability_windows or []
    ]


def earliest_slot(
    *,
    after: datetime,
    deadline: datetime,
    busy: list[Window],
    tenant_windows: list[Window],
    tz: ZoneInfo,
    around_the_clock: bool,
) -> datetime | None:
    """The first whole-hour start from `after` where a visit fits the contractor, the tenant and the deadline."""
    start = (after + timedelta(minutes=59)).replace(minute=0, second=0, microsecond=0)
    while start + VISIT <= deadline:
        end = start + VISIT
        local = start.astimezone(tz)
        in_hours = around_the_clock or (
            local.weekday() < 6
            and WORKDAY[0] <= local.hour
            and (end.astimezone(tz).hour, end.astimezone(tz).minute) <= (WORKDAY[1], 0)
            and end.astimezone(tz).date() == local.date()
        )
        fits_tenant = not tenant_windows or any(w.start <= start and end <= w.end for w in tenant_windows)
        free = not any(b.start < end and start < b.end for b in busy)
        if in_hours and fits_tenant and free:
            return start
        start += timedelta(hours=1)
    return None


def contractors_who_gave_the_job_back(*, request: MaintenanceRequest) -> set[int]:
    """Contractors who declined this request or let its offer expire, or moved it back to triaged themselves."""
    return declined_contractor_ids(request.pk) | set(
        RequestEvent.objects.filter(
            request=request,
            kind=RequestEvent.Kind.STATUS,
            from_status="assigned",
            to_status="triaged",
            actor_user__contractor_profile__isnull=False,
        ).values_list("actor_user__contractor_profile", flat=True)
    )


def rank_contractors(*, request: MaintenanceRequest, now: datetime | None = None) -> list[CandidateScore]:
    """Eligible contractors, best first; those who already declined this request are left out."""
    now = now or timezone.now()
    priority = request.priority or Priority.MEDIUM
    emergency = priority == Priority.EMERGENCY
    deadline = request.due_by or (request.created_at + RESPONSE_TIME[Priority(priority)])
    # A deadline already past still gets the soonest visit: look a day beyond now.
    horizon = max(deadline, now + timedelta(days=1))
    tz = ZoneInfo(request.organization.timezone or "UTC")
    postal = request.unit.property.postal_code.replace(" ", "").replace("-", "").upper()

    filters = Q(
        organization_id=request.organization_id,
        is_active=True,
        trades__code=request.category,
        insurance_expires_on__gte=timezone.localdate(),
    )
    if emergency:
        filters &= Q(emergency_24_7=True)
    upcoming = Appointment.objects.filter(
        end__gt=now, status__in=[Appointment.Status.PROPOSED, Appointment.Status.CONFIRMED]
    )
    candidates = (
        Contractor.objects.filter(filters)
        .exclude(pk__in=contractors_who_gave_the_job_back(request=request))
        .distinct()
        .annotate(open_jobs=Count("jobs", filter=Q(jobs__status__in=ACTIVE_JOB_STATUSES), distinct=True))
        .prefetch_related(
            "service_areas",
            "availability_windows",
            Prefetch("appointments", queryset=upcoming, to_attr="upcoming"),
        )
    )
    candidates = [
        c
        for c in candidates
        if any(
            postal.startswith(a.postal_prefix.replace(" ", "").replace("-", "").upper()) for a in c.service_areas.all()
        )
    ]
    if not candidates:
        return []

    windows = _tenant_windows(request)
    visit_costs = {c.pk: c.call_out_fee + c.hourly_rate * 2 for c in candidates}
    cheapest, dearest = min(visit_costs.values()), max(visit_costs.values())
    weights = EMERGENCY_WEIGHTS if emergency else WEIGHTS
    scored: list[CandidateScore] = []
    for contractor in candidates:
        after = now + (timedelta(hours=1) if emergency else timedelta(hours=2))
        if contractor.availability_windows.all():
            # Their weekly windows, time off and other visits, and the tenant's windows.
            slot = request_earliest_slot(
                request=request, contractor=contractor, after=after, deadline=horizon, duration=VISIT
            )
        else:
            # A contractor who has not set their availability is taken to work normal business hours.
            slot = earliest_slot(
                after=after,
                deadline=horizon,
                busy=[Window(a.start, a.end) for a in contractor.upcoming],
                tenant_windows=windows,
                tz=tz,
                around_the_clock=emergency and contractor.emergency_24_7,
            )
        if slot is None:
            slot_score = 0.0
        else:
            span = max((horizon - now).total_seconds(), 1.0)
            slot_score = max(0.0, 1.0 - (slot - now).total_seconds() / span)
            if slot + VISIT > deadline:
                slot_score *= 0.5  # only after the deadline
        rating = float(contractor.rating) / 5 if contractor.rating is not None else 0.6
        price = 1.0 if dearest == cheapest else float((dearest - visit_costs[contractor.pk]) / (dearest - cheapest))
        workload = 1.0 / (1 + contractor.open_jobs)
        breakdown = {"slot": slot_score, "rating": rating, "price": price, "workload": workload}
        total = sum(weights[k] * v for k, v in breakdown.items())
        scored.append(
            CandidateScore(
                contractor_id=contractor.pk,
                company_name=contractor.company_name,
                total=round(total, 4),
                slot_start=slot.isoformat() if slot else None,
                breakdown={k: round(v, 4) for k, v in breakdown.items()},
            )
        )
    scored.sort(key=lambda s: (-s.total, s.company_name))
    return scored


def paid_invoice_totals(*, organization_id: int, category: str, limit: int = 200) -> list:
    """The totals of the organization's paid invoices for jobs of this category, newest first."""
    from maintenance.models import Invoice

    return list(
        Invoice.objects.filter(
            request__organization_id=organization_id, request__category=category, status=Invoice.Status.PAID
        )
        .order_by("-paid_at")
        .values_list("total", flat=True)[:limit]
    )
