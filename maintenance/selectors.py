"""Reads of maintenance data, always scoped by who asks."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from domi.accounts.models import User
from domi.taxonomy import PRIORITY_RANK

from .models import (
    Appointment,
    Attachment,
    Comment,
    DirectUpload,
    JobOffer,
    MaintenanceRequest,
    RequestEvent,
    Status,
)


def request_list_visible_to(user: User) -> QuerySet[MaintenanceRequest]:
    """Staff see their organization's requests, tenants their own, contractors the jobs given to them."""
    qs = MaintenanceRequest.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in User.STAFF_ROLES:
        return qs.filter(organization_id=user.organization_id) if user.organization_id else qs.none()
    if user.role == User.Role.CONTRACTOR:
        return qs.filter(assigned_contractor__user=user, organization_id=user.organization_id)
    return qs.filter(reporter=user)


def request_timeline(*, request: MaintenanceRequest, user: User) -> QuerySet[RequestEvent]:
    events = request.events.select_related("actor_user")
    if user.is_superuser or user.role in User.STAFF_ROLES:
        return events
    return events.filter(is_shared=True)


def request_comments(*, request: MaintenanceRequest, user: User) -> QuerySet[Comment]:
    comments = request.comments.select_related("author")
    if user.is_superuser or user.role in User.STAFF_ROLES:
        return comments
    return comments.filter(visibility=Comment.Visibility.SHARED)


def direct_uploads_of(*, request: MaintenanceRequest, user: User) -> QuerySet[DirectUpload]:
    """The direct uploads a person started on a request: only they may complete them."""
    if not user.is_authenticated:
        return DirectUpload.objects.none()
    return DirectUpload.objects.filter(request=request, uploader=user)


def overdue_filter() -> Q:
    from .models import OPEN_STATUSES

    return Q(status__in=OPEN_STATUSES, due_by__lt=timezone.now())


# --- For the API ---------------------------------------------------------------------------------

# Contact is for doing the job: the contractor may reach the tenant (phone, e-mail) from acceptance on, while
# the work goes on, and for DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION once it is done; not before, not after.
CONTACT_SHARED_DURING = frozenset({Status.SCHEDULED, Status.IN_PROGRESS, Status.REOPENED})
CONTACT_SHARED_AFTER = frozenset({Status.COMPLETED, Status.CLOSED})


def request_reporter_contact_visible(*, request: MaintenanceRequest, user: User) -> bool:
    """Whether this person may see the reporter's phone number and e-mail address."""
    if user.is_superuser or user.role in User.STAFF_ROLES or request.reporter_id == user.pk:
        return True
    if user.role != User.Role.CONTRACTOR:
        return False
    if request.status in CONTACT_SHARED_DURING:
        return True
    if request.status in CONTACT_SHARED_AFTER and request.completed_at is not None:
        grace = timedelta(hours=settings.DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION)
        return timezone.now() < request.completed_at + grace
    return False


def request_appointments(*, request: MaintenanceRequest, user: User) -> QuerySet[Appointment]:
    """The visits booked for a request; everyone who may see the request sees them."""
    return request.appointments.all()


def request_attachments(*, request: MaintenanceRequest, user: User) -> QuerySet[Attachment]:
    """The files of a request; a tenant does not see the contractor's invoice."""
    attachments = request.attachments.all()
    if user.is_superuser or user.role in (*User.STAFF_ROLES, User.Role.CONTRACTOR):
        return attachments
    return attachments.exclude(kind=Attachment.Kind.INVOICE)


def request_open_offer(*, request: MaintenanceRequest, user: User) -> JobOffer | None:
    """The offer of the job waiting for the contractor's answer; staff and the contractor see it, tenants not."""
    if not (user.is_superuser or user.role in (*User.STAFF_ROLES, User.Role.CONTRACTOR)):
        return None
    if request.status != Status.ASSIGNED:
        # Offers are made on assignment, and every move out of assigned closes the open one: nothing to ask.
        return None
    return request.offers.filter(status=JobOffer.Status.OFFERED).select_related("contractor").first()


def priority_rank() -> Case:
    """An expression that orders requests by urgency: emergency first, untriaged last."""
    return Case(
        *[When(priority=priority, then=Value(rank)) for priority, rank in PRIORITY_RANK.items()],
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


# --- The contractor's side of a job -------------------------------------------------------------


def declined_contractor_ids(request_id: int) -> set[int]:
    """Contractors who turned this request down or let the offer expire: not to be offered it again."""
    from .models import JobOffer

    return set(
        JobOffer.objects.filter(
            request_id=request_id, status__in=[JobOffer.Status.DECLINED, JobOffer.Status.EXPIRED]
        ).values_list("contractor_id", flat=True)
    )


def job_offers_visible_to(user: User):  # type: ignore[no-untyped-def]
    """Offers a contractor has had (staff: their organization's)."""
    from .models import JobOffer

    qs = JobOffer.objects.select_related("request", "contractor")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in User.STAFF_ROLES:
        return qs.filter(request__organization_id=user.organization_id)
    if user.role == User.Role.CONTRACTOR:
        return qs.filter(contractor__user=user)
    return qs.none()


def contractor_busy_intervals(*, contractor_id: int, start, end, exclude_request_id: int | None = None):  # type: ignore[no-untyped-def]
    """The contractor's proposed and confirmed visits between start and end, as availability intervals."""
    from contractors.availability import Interval

    from .models import HOLDING_APPOINTMENT_STATUSES

    rows = Appointment.objects.filter(
        contractor_id=contractor_id, status__in=HOLDING_APPOINTMENT_STATUSES, start__lt=end, end__gt=start
    ).exclude(request_id=exclude_request_id)
    return [Interval(a.start, a.end) for a in rows]


def request_tenant_windows(request: MaintenanceRequest):  # type: ignore[no-untyped-def]
    from datetime import datetime

    from contractors.availability import Interval

    return [
        Interval(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in request.availability_windows or []
    ]


def request_earliest_slot(*, request: MaintenanceRequest, contractor, after, deadline, duration):  # type: ignore[no-untyped-def]
    """The earliest visit for this request with this contractor: their windows, time off and other visits,
    and the tenant's windows; an emergency with a 24/7 contractor at any hour."""
    from contractors.availability import earliest_slot
    from domi.taxonomy import Priority

    return earliest_slot(
        contractor,
        after=after,
        deadline=deadline,
        duration=duration,
        tenant_windows=request_tenant_windows(request),
        busy=contractor_busy_intervals(
            contractor_id=contractor.pk, start=after, end=deadline, exclude_request_id=request.pk
        ),
        emergency=request.priority == Priority.EMERGENCY,
    )


def calendar_appointments_for(user: User) -> QuerySet[Appointment]:
    """The visits in a person's calendar feed: a contractor's own, a tenant's at the units they rent now,
    staff's across their organization. From 60 days back; cancelled ones stay so calendars drop them."""
    from properties.models import Tenancy

    qs = Appointment.objects.select_related("request__unit__property", "contractor").filter(
        end__gte=timezone.now() - timedelta(days=60)
    )
    if not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs.none()  # a superuser belongs to no organization: no feed
    if user.role in User.STAFF_ROLES:
        return qs.filter(request__organization_id=user.organization_id)
    if user.role == User.Role.CONTRACTOR:
        return qs.filter(contractor__user=user, request__organization_id=user.organization_id)
    units = Tenancy.objects.active().filter(tenant=user).values("unit_id")
    return qs.filter(request__unit_id__in=units)


# --- Contractor scorecards ----------------------------------------------------------------------

ON_TIME_GRACE_MINUTES = 15


def contractor_scorecards(*, contractor_ids: list[int]) -> dict[int, dict]:
    """Per contractor: acceptance rate, on-time arrival, hours from assignment to completion, reopen rate
    invoiced cost against the estimate, and the tenants' average rating (None where there is nothing yet).

    Contractor.rating is quality control's score; tenant_rating here is what tenants themselves gave.
    """
    from collections import defaultdict
    from datetime import timedelta

    from .models import Invoice, JobOffer

    cards: dict[int, dict] = {
        pk: {
            "offers_answered": 0,
            "acceptance_rate": None,
            "on_time_rate": None,
            "avg_hours_to_complete": None,
            "reopen_rate": None,
            "cost_vs_estimate": None,
            "tenant_rating": None,
        }
        for pk in contractor_ids
    }
    answered: dict[int, list[bool]] = defaultdict(list)
    for contractor_id, status in JobOffer.objects.filter(
        contractor_id__in=contractor_ids,
        status__in=[JobOffer.Status.ACCEPTED, JobOffer.Status.DECLINED, JobOffer.Status.EXPIRED],
    ).values_list("contractor_id", "status"):
        answered[contractor_id].append(status == JobOffer.Status.ACCEPTED)

    arrivals: dict[int, list[bool]] = defaultdict(list)
    started = RequestEvent.objects.filter(
        to_status=Status.IN_PROGRESS, request__appointments__contractor_id__in=contractor_ids
    )
    visits = Appointment.objects.filter(
        contractor_id__in=contractor_ids, status__in=[Appointment.Status.CONFIRMED, Appointment.Status.COMPLETED]
    )
    first_start: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for visit in visits:
        first_start[visit.request_id].append((visit.start, visit.contractor_id))
    for event in started.distinct():
        for start, contractor_id in first_start.get(event.request_id, []):
            if start - timedelta(hours=12) <= event.created_at <= start + timedelta(hours=12):
                arrivals[contractor_id].append(event.created_at <= start + timedelta(minutes=ON_TIME_GRACE_MINUTES))
                break

    durations: dict[int, list[float]] = defaultdict(list)
    completed: dict[int, set[int]] = defaultdict(set)
    for pk, contractor_id, assigned_at, completed_at in MaintenanceRequest.objects.filter(
        assigned_contractor_id__in=contractor_ids, completed_at__isnull=False
    ).values_list("pk", "assigned_contractor_id", "assigned_at", "completed_at"):
        completed[contractor_id].add(pk)
        if assigned_at and completed_at >= assigned_at:
            durations[contractor_id].append((completed_at - assigned_at).total_seconds() / 3600)
    reopened = set(
        RequestEvent.objects.filter(
            to_status=Status.REOPENED,
            from_status__in=[Status.COMPLETED, Status.CLOSED],
            request__assigned_contractor_id__in=contractor_ids,
        ).values_list("request_id", flat=True)
    )
    ratings: dict[int, list[int]] = defaultdict(list)
    for contractor_id, rating in MaintenanceRequest.objects.filter(
        assigned_contractor_id__in=contractor_ids, tenant_rating__isnull=False
    ).values_list("assigned_contractor_id", "tenant_rating"):
        ratings[contractor_id].append(rating)

    ratios: dict[int, list] = defaultdict(list)
    for contractor_id, total, estimate in (
        Invoice.objects.filter(contractor_id__in=contractor_ids, estimate__gt=0)
        .exclude(status=Invoice.Status.REJECTED)
        .values_list("contractor_id", "total", "estimate")
    ):
        ratios[contractor_id].append(total / estimate)

    def share(values: list) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    for pk, card in cards.items():
        card["offers_answered"] = len(answered[pk])
        card["acceptance_rate"] = share(answered[pk])
        card["on_time_rate"] = share(arrivals[pk])
        card["avg_hours_to_complete"] = round(sum(durations[pk]) / len(durations[pk]), 1) if durations[pk] else None
        card["reopen_rate"] = share([pk_ in reopened for pk_ in completed[pk]])
        card["cost_vs_estimate"] = round(float(sum(ratios[pk]) / len(ratios[pk])), 3) if ratios[pk] else None
        card["tenant_rating"] = round(sum(ratings[pk]) / len(ratings[pk]), 2) if ratings[pk] else None
    return cards
