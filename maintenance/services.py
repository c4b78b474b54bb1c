"""Every write to a maintenance request, and its state machine.

Each transition names who may make it. A transition is a compare-and-set on the status
column inside a transaction that holds the row lock, so when two callers race only one
wins; the loser gets InvalidTransition. Every change is written to the timeline
(RequestEvent) and the audit log, and published as a domain event after commit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contractors.models import Contractor
from domi.accounts.models import User
from domi.errors import InvalidTransition, NotPermitted
from domi.taxonomy import RESPONSE_TIME, Category, Priority
from properties.models import Tenancy, Unit

from . import events
from .actors import Actor, ActorRole
from .models import Comment, MaintenanceRequest, RequestEvent, Status

S = Status
STAFF, TENANT, CONTRACTOR, AGENT = ActorRole.STAFF, ActorRole.TENANT, ActorRole.CONTRACTOR, ActorRole.AGENT

# (from, to) -> who may make that move.
TRANSITIONS: dict[tuple[str, str], frozenset[ActorRole]] = {
    (S.SUBMITTED, S.TRIAGED): frozenset({AGENT, STAFF}),
    (S.SUBMITTED, S.NEEDS_REVIEW): frozenset({AGENT, STAFF}),
    (S.SUBMITTED, S.CANCELLED): frozenset({TENANT, STAFF}),
    (S.NEEDS_REVIEW, S.TRIAGED): frozenset({STAFF}),
    (S.NEEDS_REVIEW, S.AWAITING_APPROVAL): frozenset({STAFF}),
    (S.NEEDS_REVIEW, S.ASSIGNED): frozenset({STAFF}),
    (S.NEEDS_REVIEW, S.CANCELLED): frozenset({TENANT, STAFF}),
    (S.TRIAGED, S.AWAITING_APPROVAL): frozenset({AGENT, STAFF}),
    (S.TRIAGED, S.ASSIGNED): frozenset({AGENT, STAFF}),
    (S.TRIAGED, S.NEEDS_REVIEW): frozenset({AGENT, STAFF}),
    (S.TRIAGED, S.CANCELLED): frozenset({TENANT, STAFF}),
    # Approved: coordination resumes (or staff assign directly). Declined: cancelled.
    (S.AWAITING_APPROVAL, S.TRIAGED): frozenset({STAFF}),
    (S.AWAITING_APPROVAL, S.ASSIGNED): frozenset({STAFF}),
    (S.AWAITING_APPROVAL, S.CANCELLED): frozenset({TENANT, STAFF}),
    (S.ASSIGNED, S.SCHEDULED): frozenset({CONTRACTOR, AGENT, STAFF}),
    # The contractor declines, the offer times out, or staff take the job back.
    (S.ASSIGNED, S.TRIAGED): frozenset({CONTRACTOR, AGENT, STAFF}),
    (S.ASSIGNED, S.NEEDS_REVIEW): frozenset({AGENT, STAFF}),
    (S.ASSIGNED, S.CANCELLED): frozenset({TENANT, STAFF}),
    (S.SCHEDULED, S.IN_PROGRESS): frozenset({CONTRACTOR, STAFF}),
    # The appointment fell through; a new one is needed.
    (S.SCHEDULED, S.ASSIGNED): frozenset({CONTRACTOR, STAFF}),
    (S.SCHEDULED, S.CANCELLED): frozenset({TENANT, STAFF}),
    (S.IN_PROGRESS, S.COMPLETED): frozenset({CONTRACTOR, STAFF}),
    (S.COMPLETED, S.CLOSED): frozenset({TENANT, AGENT, STAFF}),
    (S.COMPLETED, S.REOPENED): frozenset({TENANT, AGENT, STAFF}),
    (S.CLOSED, S.REOPENED): frozenset({STAFF}),
    (S.REOPENED, S.TRIAGED): frozenset({AGENT, STAFF}),
    (S.REOPENED, S.ASSIGNED): frozenset({AGENT, STAFF}),
    (S.REOPENED, S.SCHEDULED): frozenset({CONTRACTOR, AGENT, STAFF}),
    (S.REOPENED, S.NEEDS_REVIEW): frozenset({AGENT, STAFF}),
    (S.REOPENED, S.CANCELLED): frozenset({STAFF}),
}

# Moves that must say why.
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {
        (S.COMPLETED, S.REOPENED),
        (S.CLOSED, S.REOPENED),
        (S.ASSIGNED, S.TRIAGED),
        (S.AWAITING_APPROVAL, S.CANCELLED),
    }
)

# Statuses a contractor can be assigned from.
ASSIGNABLE_FROM = frozenset({S.TRIAGED, S.NEEDS_REVIEW, S.AWAITING_APPROVAL, S.REOPENED})


def allowed_transitions(*, request: MaintenanceRequest, actor: Actor) -> list[str]:
    """The statuses this actor could move the request to now (for menus and the API)."""
    if not _actor_in_scope(request=request, actor=actor):
        return []
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == request.status and actor.role in roles]


def _actor_in_scope(*, request: MaintenanceRequest, actor: Actor) -> bool:
    user = actor.user
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    match actor.role:
        case ActorRole.STAFF:
            return user.organization_id == request.organization_id
        case ActorRole.TENANT:
            return request.reporter_id == user.pk
        case ActorRole.CONTRACTOR:
            contractor = request.assigned_contractor
            return contractor is not None and contractor.user_id == user.pk
    return False


def _event(
    *,
    request: MaintenanceRequest,
    actor: Actor,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    is_shared: bool = True,
) -> RequestEvent:
    event = RequestEvent(
        request=request,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_user=actor.user,
        actor_agent=actor.agent,
        note=note,
        is_shared=is_shared,
    )
    event.full_clean()
    event.save()
    return event


def _lock(request_id: int) -> MaintenanceRequest:
    return (
        MaintenanceRequest.objects.select_for_update(of=("self",))
        .select_related("assigned_contractor")
        .get(pk=request_id)
    )


@transaction.atomic
def maintenance_request_create(
    *,
    reporter: User,
    unit: Unit,
    title: str,
    description: str,
    permission_to_enter: bool = False,
    availability_windows: list[dict] | None = None,
) -> MaintenanceRequest:
    """A tenant reports a problem in a unit of one of their active tenancies (or staff do so for them)."""
    if reporter.is_org_staff or reporter.is_superuser:
        if not reporter.is_superuser and unit.property.organization_id != reporter.organization_id:
            raise NotPermitted("That unit belongs to another organization.")
    elif reporter.is_tenant:
        if not Tenancy.objects.active().filter(tenant=reporter, unit=unit).exists():
            raise NotPermitted("You can only report problems in a unit you currently rent.")
    else:
        raise NotPermitted("Only tenants and staff can report problems.")

    request = MaintenanceRequest(
        organization_id=unit.property.organization_id,
        unit=unit,
        reporter=reporter,
        title=title.strip(),
        description=description.strip(),
        permission_to_enter=permission_to_enter,
        availability_windows=_clean_windows(availability_windows or []),
    )
    request.full_clean()
    request.save()
    _event(request=request, actor=Actor.of(reporter), kind=RequestEvent.Kind.CREATED, to_status=S.SUBMITTED)
    events.publish(events.request_created, request_id=request.pk)
    return request


def _clean_windows(windows: list[dict]) -> list[dict]:
    cleaned = []
    for i, window in enumerate(windows):
        try:
            start = datetime.fromisoformat(str(window["start"]))
            end = datetime.fromisoformat(str(window["end"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError({"availability_windows": f"Window {i + 1} needs an ISO-8601 start and end."}) from exc
        if start.tzinfo is None or end.tzinfo is None:
            raise ValidationError({"availability_windows": f"Window {i + 1} needs a time zone."})
        if end <= start:
            raise ValidationError({"availability_windows": f"Window {i + 1} ends before it starts."})
        cleaned.append({"start": start.isoformat(), "end": end.isoformat()})
    return sorted(cleaned, key=lambda w: w["start"])


@transaction.atomic
def maintenance_request_transition(
    *, request: MaintenanceRequest, to_status: str, actor: Actor, note: str = ""
) -> MaintenanceRequest:
    """Move a request to another status, if this actor may make that move from where it is now."""
    locked = _lock(request.pk)
    from_status = locked.status
    roles = TRANSITIONS.get((from_status, to_status))
    if roles is None:
        target = Status(to_status).label.lower() if to_status in Status.values else repr(to_status)
        raise InvalidTransition(f"A request that is {locked.get_status_display().lower()} cannot become {target}.")
    if actor.role not in roles or not _actor_in_scope(request=locked, actor=actor):
        raise InvalidTransition(
            f"{actor.role.value.capitalize()}s cannot move a request from {from_status} to {to_status}."
        )
    note = note.strip()
    if (from_status, to_status) in REASON_REQUIRED and not note:
        raise ValidationError({"note": "Please give a reason."})
    if to_status == S.TRIAGED and (not locked.category or not locked.priority):
        raise InvalidTransition("A request needs a category and a priority before it is triaged.")

    now = timezone.now()
    changes: dict[str, object] = {"status": to_status, "updated_at": now}
    if to_status == S.TRIAGED and locked.triaged_at is None:
        changes["triaged_at"] = now
    if to_status == S.TRIAGED and from_status in (S.ASSIGNED, S.REOPENED):
        changes["assigned_contractor"] = None
        changes["assigned_at"] = None
    if to_status in (S.ASSIGNED, S.SCHEDULED, S.IN_PROGRESS) and locked.assigned_contractor_id is None:
        raise InvalidTransition("Assign a contractor first.")
    if to_status == S.COMPLETED:
        changes["completed_at"] = now
    if to_status == S.CLOSED:
        changes["closed_at"] = now
    if to_status == S.REOPENED:
        changes["closed_at"] = None

    # Compare-and-set: only one of two racing callers finds the status it expects.
    updated = MaintenanceRequest.objects.filter(pk=locked.pk, status=from_status).update(**changes)
    if updated != 1:
        raise InvalidTransition("The request changed while you were acting on it; reload and try again.")
    locked.refresh_from_db()
    _event(
        request=locked,
        actor=actor,
        kind=RequestEvent.Kind.STATUS,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    events.publish(
        events.request_status_changed,
        request_id=locked.pk,
        from_status=from_status,
        to_status=to_status,
        actor_user_id=actor.user.pk if actor.user else None,
        actor_agent=actor.agent,
        note=note,
    )
    _refresh(request, locked)
    return locked


def _refresh(stale: MaintenanceRequest, fresh: MaintenanceRequest) -> None:
    """Keep the caller's instance in step with what was saved."""
    if stale is not fresh:
        stale.refresh_from_db()


@transaction.atomic
def maintenance_request_set_triage(
    *,
    request: MaintenanceRequest,
    actor: Actor,
    category: str,
    priority: str,
    estimated_cost_min: Decimal | None = None,
    estimated_cost_max: Decimal | None = None,
    safety_instructions: list[str] | None = None,
    reason: str = "",
) -> MaintenanceRequest:
    """Record a triage (the Analyzer's, or a staff override with a reason) and derive the due-by time."""
    locked = _lock(request.pk)
    if not _actor_in_scope(request=locked, actor=actor) or actor.role not in (STAFF, AGENT):
        raise NotPermitted("Only staff and the AI crew can triage a request.")
    if not locked.is_open:
        raise InvalidTransition("A finished request cannot be triaged again.")
    is_override = actor.role == STAFF
    if is_override and not reason.strip():
        raise ValidationError({"reason": "Say why you override the triage."})
    if category not in Category.values:
        raise ValidationError({"category": f"Unknown category {category!r}."})
    if priority not in Priority.values:
        raise ValidationError({"priority": f"Unknown priority {priority!r}."})

    before = {
        "category": locked.category,
        "priority": locked.priority,
        "estimated_cost_min": locked.estimated_cost_min,
        "estimated_cost_max": locked.estimated_cost_max,
    }
    locked.category = category
    locked.priority = priority
    locked.estimated_cost_min = estimated_cost_min
    locked.estimated_cost_max = estimated_cost_max
    if safety_instructions is not None:
        locked.safety_instructions = list(safety_instructions)
    locked.due_by = locked.created_at + RESPONSE_TIME[Priority(priority)]
    locked.full_clean()
    locked.save()

    after = {
        "category": category,
        "priority": priority,
        "estimated_cost_min": estimated_cost_min,
        "estimated_cost_max": estimated_cost_max,
    }
    changed = [name for name in after if before[name] != after[name]]
    if is_override:
        summary = ", ".join(f"{name}: {before[name] or '—'} → {after[name] or '—'}" for name in changed)
        _event(
            request=locked,
            actor=actor,
            kind=RequestEvent.Kind.TRIAGE_OVERRIDE,
            note=f"{summary or 'No change'}. Reason: {reason.strip()}",
            is_shared=False,
        )
        events.publish(
            events.request_triage_overridden,
            request_id=locked.pk,
            actor_user_id=actor.user.pk,
            fields=changed,
            reason=reason.strip(),
        )
    _refresh(request, locked)
    return locked


@transaction.atomic
def maintenance_request_assign(
    *, request: MaintenanceRequest, contractor: Contractor, actor: Actor, note: str = ""
) -> MaintenanceRequest:
    """Give the job to a contractor of the same organization and move it to assigned."""
    locked = _lock(request.pk)
    if actor.role not in (STAFF, AGENT) or not _actor_in_scope(request=locked, actor=actor):
        raise NotPermitted("Only staff and the AI crew can assign a contractor.")
    if contractor.organization_id != locked.organization_id:
        raise ValidationError({"contractor": "That contractor is not on this organization's roster."})
    if not contractor.is_active:
        raise ValidationError({"contractor": "That contractor is not active."})
    if locked.status not in ASSIGNABLE_FROM:
        raise InvalidTransition(f"A request that is {locked.get_status_display().lower()} cannot be assigned.")
    if (locked.status, S.ASSIGNED) not in TRANSITIONS or actor.role not in TRANSITIONS[(locked.status, S.ASSIGNED)]:
        raise InvalidTransition(f"{actor.role.value.capitalize()}s cannot assign from {locked.status}.")

    MaintenanceRequest.objects.filter(pk=locked.pk).update(assigned_contractor=contractor, assigned_at=timezone.now())
    locked.refresh_from_db()
    _event(
        request=locked,
        actor=actor,
        kind=RequestEvent.Kind.ASSIGNMENT,
        note=f"Assigned to {contractor.company_name}." + (f" {note.strip()}" if note.strip() else ""),
    )
    result = maintenance_request_transition(request=locked, to_status=S.ASSIGNED, actor=actor)
    events.publish(
        events.request_assigned,
        request_id=locked.pk,
        contractor_id=contractor.pk,
        actor_user_id=actor.user.pk if actor.user else None,
        actor_agent=actor.agent,
    )
    _refresh(request, result)
    return result


@transaction.atomic
def comment_create(*, request: MaintenanceRequest, author: User, body: str, visibility: str = "shared") -> Comment:
    """Add a comment; only staff may write staff-only ones."""
    actor = Actor.of(author)
    if not _actor_in_scope(request=request, actor=actor):
        raise NotPermitted("You cannot comment on this request.")
    if visibility == Comment.Visibility.STAFF and actor.role != STAFF:
        raise NotPermitted("Only staff can write staff-only comments.")
    comment = Comment(request=request, author=author, body=body.strip(), visibility=visibility)
    comment.full_clean()
    comment.save()
    events.publish(events.comment_added, request_id=request.pk, comment_id=comment.pk)
    return comment
