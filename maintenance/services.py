"""Every write to a maintenance request, and its state machine.

Each transition names who may make it. A transition is a compare-and-set on the status
column inside a transaction that holds the row lock, so when two callers race only one
wins; the loser gets InvalidTransition. Every change is written to the timeline
(RequestEvent) and the audit log, and published as a domain event after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contractors.models import Contractor
from contractors.webhooks import webhook_event_dispatch
from domi.accounts.models import User
from domi.errors import Conflict, DomainError, InvalidTransition, NotPermitted
from domi.taxonomy import RESPONSE_TIME, Category, Priority
from properties.models import Tenancy, Unit

from . import events
from .actors import Actor, ActorRole
from .models import (
    HOLDING_APPOINTMENT_STATUSES,
    Appointment,
    Attachment,
    CalendarFeedToken,
    Comment,
    DirectUpload,
    Invoice,
    InvoiceLine,
    JobLine,
    JobOffer,
    MaintenanceRequest,
    Payment,
    RequestEvent,
    Status,
)

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
    # Field by field, in Python. Not asked of the database again (three queries on every timeline entry):
    # the request and the acting user, read in this transaction, and the one check (a single kind of actor),
    # which Actor guarantees and the database enforces on insert.
    event.full_clean(exclude=["request", "actor_user"], validate_constraints=False)
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
    # Field by field, in Python. Not asked of the database again (ten queries, most of a create's time): the
    # unit and the reporter, read in this transaction (the organization is the unit's); the public id's
    # uniqueness (a fresh uuid4 under a unique index); the check constraints, which a new request (submitted,
    # no contractor, estimate or rating) meets by construction and the database enforces on insert.
    request.full_clean(exclude=["unit", "organization", "reporter"], validate_unique=False, validate_constraints=False)
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
    open_offers = JobOffer.objects.filter(request_id=locked.pk, status=JobOffer.Status.OFFERED)
    if from_status == S.ASSIGNED and actor.role == CONTRACTOR and open_offers.exists():
        # Accepting or declining records the answer, confirms or frees the visit and tells staff.
        raise InvalidTransition("Answer the job offer first: accept or decline it.")

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
    if from_status == S.ASSIGNED:
        # Staff took the job back, cancelled it or scheduled it themselves: an unanswered offer is void.
        open_offers.update(status=JobOffer.Status.WITHDRAWN, responded_at=now)
    if to_status == S.CANCELLED or (to_status == S.TRIAGED and from_status in (S.ASSIGNED, S.REOPENED)):
        # The visit goes with the job: a declined, taken-back or cancelled job frees the contractor's slot.
        Appointment.objects.filter(
            request_id=locked.pk, status__in=[Appointment.Status.PROPOSED, Appointment.Status.CONFIRMED]
        ).update(status=Appointment.Status.CANCELLED)
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
    _job_offer_open(request=result, contractor=contractor)
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


@transaction.atomic
def maintenance_request_record_safety_instructions(
    *, request: MaintenanceRequest, actor: Actor, instructions: list[str]
) -> MaintenanceRequest:
    """Keep the safety instructions the tenant was sent for an emergency, and say so on the timeline (once)."""
    locked = _lock(request.pk)
    if actor.role not in (STAFF, AGENT) or not _actor_in_scope(request=locked, actor=actor):
        raise NotPermitted("Only staff and the AI crew record safety instructions.")
    cleaned = [line.strip() for line in instructions if line and line.strip()]
    if not cleaned or locked.safety_instructions == cleaned:
        return locked
    locked.safety_instructions = cleaned
    locked.save(update_fields=["safety_instructions", "updated_at"])
    _event(
        request=locked,
        actor=actor,
        kind=RequestEvent.Kind.NOTE,
        note="Emergency: safety instructions sent to the tenant:\n" + "\n".join(f"• {line}" for line in cleaned),
    )
    _refresh(request, locked)
    return locked


@transaction.atomic
def appointment_propose(
    *, request: MaintenanceRequest, actor: Actor, start: datetime, duration_minutes: int = 120
) -> Appointment:
    """Propose a visit by the assigned contractor; it must not overlap another of their visits."""
    from datetime import timedelta

    locked = _lock(request.pk)
    if actor.role not in (STAFF, AGENT) or not _actor_in_scope(request=locked, actor=actor):
        raise NotPermitted("Only staff and the AI crew propose visits.")
    if locked.assigned_contractor_id is None:
        raise InvalidTransition("Assign a contractor before proposing a visit.")
    end = start + timedelta(minutes=duration_minutes)
    # Lock the contractor's row so two proposals for the same contractor are made one after the other.
    _contractor_time_lock(contractor_id=locked.assigned_contractor_id, start=start, end=end)
    appointment = Appointment(
        request=locked,
        contractor_id=locked.assigned_contractor_id,
        start=start,
        end=end,
        status=Appointment.Status.PROPOSED,
    )
    _appointment_save(appointment)
    events.publish(events.appointment_changed, request_id=locked.pk, appointment_id=appointment.pk, change="booked")
    _event(
        request=locked,
        actor=actor,
        kind=RequestEvent.Kind.NOTE,
        note=f"Visit proposed for {timezone.localtime(start):%a %d %b %H:%M}.",
    )
    return appointment


# -- attachments ---------------------------------------------------------------------------------

# Who may attach what: tenants show the problem, contractors prove and invoice the work, staff anything.
ATTACHMENT_KINDS_BY_ROLE: dict[ActorRole, frozenset[str]] = {
    TENANT: frozenset({Attachment.Kind.PHOTO, Attachment.Kind.VIDEO, Attachment.Kind.DOCUMENT}),
    CONTRACTOR: frozenset({Attachment.Kind.COMPLETION_PHOTO, Attachment.Kind.INVOICE, Attachment.Kind.DOCUMENT}),
    STAFF: frozenset(Attachment.Kind.values),
}


def attachment_add(
    *, request: MaintenanceRequest, uploader: User, files: list, kind: str = Attachment.Kind.PHOTO
) -> list[Attachment]:
    """Validate every file by its content, then store them all or none.

    Each file is sniffed and, if an image, re-encoded without EXIF. Any refusal refuses the whole
    upload with the reason per file (UploadRejected), and nothing is stored.
    """
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from domi.errors import UploadRejected

    from .uploads import UploadRefused, clean_upload

    actor = Actor.of(uploader)
    if not _actor_in_scope(request=request, actor=actor):
        raise NotPermitted("You cannot add files to this request.")
    if kind not in ATTACHMENT_KINDS_BY_ROLE.get(actor.role, frozenset()):
        raise NotPermitted(f"{actor.role.value.capitalize()}s cannot add files of kind {kind!r}.")
    if not files:
        raise UploadRejected("Send at least one file.", code="no_files")
    limit = settings.DOMI_UPLOAD_MAX_FILES_PER_REQUEST
    existing = request.attachments.count()
    if existing + len(files) > limit:
        raise UploadRejected(
            f"A request may have at most {limit} files; it has {existing} and you sent {len(files)}.",
            code="too_many_files",
        )

    cleaned, refused = [], {}
    for index, upload in enumerate(files):
        name = getattr(upload, "name", "") or f"file-{index + 1}"
        size = getattr(upload, "size", None)
        ceiling = max(
            settings.DOMI_UPLOAD_MAX_IMAGE_MB, settings.DOMI_UPLOAD_MAX_PDF_MB, settings.DOMI_UPLOAD_MAX_VIDEO_MB
        )
        if size is not None and size > ceiling * 1024 * 1024:
            refused[name] = {"code": "too_large", "message": f"Files may be at most {ceiling} MB."}
            continue
        try:
            data = upload.read()
            clean = clean_upload(data)
        except UploadRefused as exc:
            refused[name] = {"code": exc.code, "message": exc.message}
            continue
        mismatch = _kind_mismatch(family=clean.kind, kind=kind)
        if mismatch:
            refused[name] = {"code": "unsupported_type", "message": mismatch}
            continue
        cleaned.append((name, clean))
    if refused:
        raise UploadRejected(
            f"{len(refused)} of {len(files)} file(s) were refused; nothing was stored.",
            fields={"files": refused},
        )

    stored: list[str] = []
    try:
        with transaction.atomic():
            created = []
            for name, clean in cleaned:
                stored_kind = Attachment.Kind.VIDEO if clean.kind == "video" else kind
                attachment = Attachment(
                    request=request,
                    original_name=name[:255],
                    content_type=clean.content_type,
                    size=len(clean.content),
                    kind=stored_kind,
                    uploaded_by=uploader,
                )
                attachment.file.save(f"upload.{clean.extension}", ContentFile(clean.content), save=False)
                stored.append(attachment.file.name)
                attachment.full_clean()
                attachment.save()
                created.append(attachment)
            _event(
                request=request,
                actor=actor,
                kind=RequestEvent.Kind.NOTE,
                note=f"{len(created)} file(s) added: " + ", ".join(a.original_name for a in created),
            )
            for attachment in created:
                if attachment.content_type.startswith("image/"):
                    events.publish(events.attachment_added, request_id=request.pk, attachment_id=attachment.pk)
    except Exception:
        for name in stored:  # a half-written upload leaves nothing behind
            default_storage.delete(name)
        raise
    return created


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user: User) -> None:
    """The uploader or staff remove a file; the stored object (and thumbnail) go once the deletion commits."""
    from django.core.files.storage import default_storage

    actor = Actor.of(user)
    if not _actor_in_scope(request=attachment.request, actor=actor):
        raise NotPermitted("You cannot remove files from this request.")
    if actor.role != STAFF and attachment.uploaded_by_id != user.pk:
        raise NotPermitted("Only the person who uploaded a file, or staff, can remove it.")
    names = [f.name for f in (attachment.file, attachment.thumbnail) if f]
    _event(
        request=attachment.request,
        actor=actor,
        kind=RequestEvent.Kind.NOTE,
        note=f"File removed: {attachment.original_name}",
    )
    attachment.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def attachment_make_thumbnail(*, attachment_id: int) -> Attachment | None:
    """Make the thumbnail of an image attachment (once; running it again changes nothing)."""
    from django.core.files.base import ContentFile

    from .uploads import make_thumbnail

    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or attachment.thumbnail or not attachment.content_type.startswith("image/"):
        return attachment
    with attachment.file.open("rb") as source:
        data = source.read()
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment_id)
        if locked.thumbnail:
            return locked
        locked.thumbnail.save("thumb.jpg", ContentFile(make_thumbnail(data)), save=False)
        locked.save(update_fields=["thumbnail"])
    return locked


# -- direct uploads (presigned POST to S3, checked after upload) ----------------------------------
# A large file goes from the client straight to the bucket's incoming/ area, then the uploader asks
# for it to be completed: the server reads it back and checks it exactly as a multipart upload
# (attachment_add), stores it under the attachments' own keys, and deletes the incoming object.


def _direct_upload_unavailable() -> Conflict:
    return Conflict(
        "Direct uploads need S3 storage, which this server does not use; send the file as a multipart "
        "upload to the request's attachments endpoint instead.",
        code="direct_upload_unavailable",
    )


def _declared_family(*, content_type: str, kind: str) -> str:
    """The family (image, pdf, video) of a declared type, or UploadRejected if it cannot be a file of `kind`."""
    from domi.errors import UploadRejected

    from .uploads import DECLARED_TYPES

    family = DECLARED_TYPES.get(content_type)
    if family is None:
        raise UploadRejected(
            f"{content_type!r} is not accepted; send a JPEG, PNG, WEBP, HEIC, PDF or MP4 file.",
            code="unsupported_type",
            fields={"content_type": [f"Choose one of: {', '.join(DECLARED_TYPES)}."]},
        )
    # The same rule as attachment_add applies to the sniffed content.
    mismatch = _kind_mismatch(family=family, kind=kind)
    if mismatch:
        raise UploadRejected(mismatch, code="unsupported_type")
    return family


def _kind_mismatch(*, family: str, kind: str) -> str:
    """Why a file of this family (image, pdf, video) cannot be an attachment of this kind, or ""."""
    if family == "pdf" and kind in (Attachment.Kind.PHOTO, Attachment.Kind.COMPLETION_PHOTO):
        return "A photo must be an image, not a PDF."
    if family == "image" and kind == Attachment.Kind.INVOICE:
        return "An invoice must be a PDF."
    return ""


@dataclass(frozen=True)
class DirectUploadForm:
    upload: DirectUpload
    url: str
    fields: dict[str, str]


@transaction.atomic
def direct_upload_start(
    *,
    request: MaintenanceRequest,
    uploader: User,
    filename: str,
    size: int,
    content_type: str,
    kind: str = Attachment.Kind.PHOTO,
    now: datetime | None = None,
) -> DirectUploadForm:
    """Record a pending upload and hand out a presigned POST for exactly the declared file.

    Who may upload which kind is the same as for attachment_add. A pending upload counts against the
    request's file limit until it is completed, refused or expired.
    """
    from domi.errors import UploadRejected

    from . import incoming
    from .uploads import max_bytes

    actor = Actor.of(uploader)
    if not _actor_in_scope(request=request, actor=actor):
        raise NotPermitted("You cannot add files to this request.")
    if kind not in ATTACHMENT_KINDS_BY_ROLE.get(actor.role, frozenset()):
        raise NotPermitted(f"{actor.role.value.capitalize()}s cannot add files of kind {kind!r}.")
    if not incoming.available():
        raise _direct_upload_unavailable()
    family = _declared_family(content_type=content_type, kind=kind)
    ceiling = max_bytes(family)
    if size > ceiling:
        raise UploadRejected(
            f"{family.capitalize() if family != 'pdf' else 'PDF'} files may be at most {ceiling // (1024 * 1024)} MB.",
            code="too_large",
            fields={"size": [f"At most {ceiling} bytes."]},
        )
    now = now or timezone.now()
    locked = _lock(request.pk)  # two uploads started at once must not both take the last free place
    limit = settings.DOMI_UPLOAD_MAX_FILES_PER_REQUEST
    taken = locked.attachments.count() + locked.direct_uploads.filter(status=DirectUpload.Status.PENDING).count()
    if taken + 1 > limit:
        raise UploadRejected(
            f"A request may have at most {limit} files; it has {taken}, counting uploads still in progress.",
            code="too_many_files",
        )
    upload = DirectUpload(
        request=locked,
        uploader=uploader,
        filename=filename[:255],
        size=size,
        content_type=content_type,
        kind=kind,
        expires_at=now + timedelta(seconds=settings.DOMI_DIRECT_UPLOAD_SECONDS),
        created_at=now,
    )
    upload.full_clean()
    upload.save()
    form = incoming.post_form(
        name=upload.key, content_type=content_type, size=size, expires_in=settings.DOMI_DIRECT_UPLOAD_SECONDS
    )
    return DirectUploadForm(upload=upload, url=form.url, fields=form.fields)


def _direct_upload_close(upload: DirectUpload, *, status: str, now: datetime, **changes: object) -> None:
    upload.status = status
    upload.closed_at = now
    for name, value in changes.items():
        setattr(upload, name, value)
    upload.full_clean()
    upload.save()


def _direct_upload_deadline(upload: DirectUpload) -> datetime:
    return upload.expires_at + timedelta(seconds=settings.DOMI_DIRECT_UPLOAD_GRACE_SECONDS)


def _incoming_bytes(upload: DirectUpload) -> bytes:
    """The posted object, once its size matches what was declared; UploadRefused otherwise."""
    from django.core.files.storage import default_storage

    from .uploads import UploadRefused

    def refused(actual: int) -> UploadRefused:
        return UploadRefused(
            "size_mismatch", f"The uploaded file has {actual} bytes, not the {upload.size} that were declared."
        )

    actual = default_storage.size(upload.key)
    if actual != upload.size:  # S3 refuses this already (content-length-range); S3-compatible stores may not
        raise refused(actual)
    with default_storage.open(upload.key, "rb") as posted:
        data = posted.read(upload.size + 1)
    if len(data) != upload.size:  # posted again, with the same form, since it was measured
        raise refused(len(data))
    return data


def _check_declared_family(upload: DirectUpload, data: bytes) -> None:
    from .uploads import DECLARED_TYPES, FAMILY_NAMES, FAMILY_OF_SNIFFED, UploadRefused, sniff

    family = FAMILY_OF_SNIFFED[sniff(data)]  # sniff refuses markup, archives and unknown bytes itself
    declared = DECLARED_TYPES[upload.content_type]
    if family != declared:
        raise UploadRefused(
            "type_mismatch",
            f"The file is {FAMILY_NAMES[family]}, but it was declared as {FAMILY_NAMES[declared]} "
            f"({upload.content_type}).",
        )


def _refusal_of(exc: Exception) -> tuple[str, str]:
    """The code and reason of a refused file, from uploads.UploadRefused or attachment_add's UploadRejected."""
    files = getattr(exc, "fields", {}).get("files")
    if files:  # attachment_add names each refused file; there is one here
        reason = next(iter(files.values()))
        return reason["code"], reason["message"]
    return exc.code, exc.message  # type: ignore[attr-defined]


def direct_upload_complete(*, upload: DirectUpload, user: User, now: datetime | None = None) -> Attachment:
    """Check the posted file as a multipart upload is checked, and keep it as an attachment.

    The incoming object is deleted whatever the outcome. A refusal marks the upload refused (that is
    committed) and raises UploadRejected with the reason; completing again answers Conflict.
    Not wrapped in one transaction on purpose: a refusal must be recorded although an error is raised.
    """
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from domi.errors import UploadRejected

    from . import incoming
    from .uploads import UploadRefused

    if not incoming.available():
        raise _direct_upload_unavailable()
    now = now or timezone.now()
    failure: DomainError | None = None
    posted = False
    try:
        with transaction.atomic():
            # The row lock makes a second, concurrent completion wait, then find the upload closed.
            locked = DirectUpload.objects.select_for_update(of=("self",)).select_related("request").get(pk=upload.pk)
            if locked.uploader_id != user.pk:
                raise NotPermitted("Only the person who started an upload can complete it.")
            if locked.status != DirectUpload.Status.PENDING:
                raise Conflict(f"This upload is already {locked.get_status_display().lower()}.", code="upload_closed")
            posted = default_storage.exists(locked.key)
            if now >= _direct_upload_deadline(locked):
                _direct_upload_close(locked, status=DirectUpload.Status.EXPIRED, now=now)
                failure = Conflict("This upload has expired; start a new one.", code="upload_expired")
            elif not posted:
                raise UploadRejected(
                    "Nothing has been uploaded yet: post the file to the form's URL first, then complete.",
                    code="not_uploaded",
                )
            else:
                try:
                    data = _incoming_bytes(locked)
                    _check_declared_family(locked, data)
                    with transaction.atomic():
                        (attachment,) = attachment_add(
                            request=locked.request,
                            uploader=user,
                            files=[ContentFile(data, name=locked.filename)],
                            kind=locked.kind,
                        )
                except (UploadRefused, UploadRejected) as exc:
                    code, reason = _refusal_of(exc)
                    _direct_upload_close(
                        locked,
                        status=DirectUpload.Status.REFUSED,
                        now=now,
                        refusal_code=code[:40],
                        refusal_reason=reason[:255],
                    )
                    failure = UploadRejected(
                        reason, fields={"files": {locked.filename: {"code": code, "message": reason}}}
                    )
                else:
                    _direct_upload_close(locked, status=DirectUpload.Status.COMPLETED, now=now, attachment=attachment)
    finally:
        if posted:  # checked and kept under its own key, refused, or expired: the incoming copy goes
            default_storage.delete(upload.key)
    if failure is not None:
        raise failure
    return attachment


def direct_uploads_expire(*, now: datetime | None = None) -> dict[str, int]:
    """Expire pending uploads past their deadline and delete what was posted for them (safe to run twice).

    Also deletes incoming objects left without a pending upload (their row was erased with its request,
    or a deletion failed), once they are older than any upload could still be completed.
    """
    from django.core.files.storage import default_storage

    from . import incoming

    now = now or timezone.now()
    window = timedelta(seconds=settings.DOMI_DIRECT_UPLOAD_SECONDS + settings.DOMI_DIRECT_UPLOAD_GRACE_SECONDS)
    grace = timedelta(seconds=settings.DOMI_DIRECT_UPLOAD_GRACE_SECONDS)
    expired = []
    overdue = DirectUpload.objects.filter(status=DirectUpload.Status.PENDING, expires_at__lte=now - grace)
    for pk in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            locked = DirectUpload.objects.select_for_update().filter(pk=pk, status=DirectUpload.Status.PENDING).first()
            if locked is None:  # completed (or expired by another run) meanwhile
                continue
            _direct_upload_close(locked, status=DirectUpload.Status.EXPIRED, now=now)
            expired.append(locked.key)
    orphans: list[str] = []
    if incoming.available():
        for key in expired:
            default_storage.delete(key)
        pending = set(DirectUpload.objects.filter(status=DirectUpload.Status.PENDING).values_list("key", flat=True))
        orphans = [name for name in incoming.stale_names(posted_before=now - window) if name not in pending]
        for name in orphans:
            default_storage.delete(name)
    return {"expired": len(expired), "orphans_deleted": len(orphans)}


@transaction.atomic
def maintenance_request_erase(*, request: MaintenanceRequest, user: User) -> None:
    """Erase a request and everything stored for it (files included): for staff admins, e.g. on a data request."""
    from django.core.files.storage import default_storage

    if not (user.is_superuser or (user.role == User.Role.ADMIN and user.organization_id == request.organization_id)):
        raise NotPermitted("Only an organization admin can erase a request.")
    names = [f.name for a in request.attachments.all() for f in (a.file, a.thumbnail) if f]
    # Files posted directly and not yet completed are in the bucket too.
    names += list(request.direct_uploads.filter(status=DirectUpload.Status.PENDING).values_list("key", flat=True))
    request.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


# -- the contractor's time -----------------------------------------------------------------------
# Every write that makes an appointment hold a contractor's time locks the contractor's row first,
# so bookings for one contractor happen one after the other; on PostgreSQL the exclusion constraint
# appointment_no_overlap_per_contractor refuses an overlap whatever path wrote it.


def _contractor_time_lock(*, contractor_id: int, start: datetime, end: datetime, exclude_pk: int | None = None) -> None:
    if end <= start:
        raise ValidationError({"end": "A visit ends after it starts."})
    Contractor.objects.select_for_update().filter(pk=contractor_id).first()
    clash = Appointment.objects.filter(
        contractor_id=contractor_id, status__in=HOLDING_APPOINTMENT_STATUSES, start__lt=end, end__gt=start
    ).exclude(pk=exclude_pk)
    if clash.exists():
        raise Conflict("The contractor already has a visit at that time.", code="double_booking")


def _appointment_save(appointment: Appointment, update_fields: list[str] | None = None) -> None:
    appointment.full_clean()
    try:
        with transaction.atomic():
            appointment.save(update_fields=update_fields)
    except IntegrityError as exc:
        if "appointment_no_overlap_per_contractor" in str(exc):
            raise Conflict("The contractor already has a visit at that time.", code="double_booking") from exc
        raise


def _holding_appointment(request: MaintenanceRequest) -> Appointment | None:
    return (
        Appointment.objects.select_for_update()
        .filter(
            request=request,
            contractor_id=request.assigned_contractor_id,
            status__in=HOLDING_APPOINTMENT_STATUSES,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def _appointment_set_status(appointment: Appointment, status: str) -> None:
    appointment.status = status
    appointment.sequence += 1
    appointment.updated_at = timezone.now()
    _appointment_save(appointment, update_fields=["status", "sequence", "updated_at"])


def _webhook(request: MaintenanceRequest, contractor_id: int | None, event: str, **data: object) -> None:
    webhook_event_dispatch(
        organization_id=request.organization_id,
        contractor_id=contractor_id,
        event=event,
        data={"request_id": str(request.public_id), "title": request.title, "status": request.status, **data},
    )


def _appointment_data(appointment: Appointment | None) -> dict:
    if appointment is None:
        return {}
    return {
        "appointment": {
            "id": appointment.pk,
            "start": appointment.start.isoformat(),
            "end": appointment.end.isoformat(),
            "status": appointment.status,
            "sequence": appointment.sequence,
        }
    }


# -- job offers ----------------------------------------------------------------------------------


def _offer_settings() -> tuple[timedelta, timedelta]:
    remind = getattr(settings, "DOMI_JOB_OFFER_REMIND_AFTER_MINUTES", 120)
    expire = getattr(settings, "DOMI_JOB_OFFER_EXPIRE_AFTER_REMINDER_MINUTES", 120)
    return timedelta(minutes=remind), timedelta(minutes=expire)


def _job_offer_open(*, request: MaintenanceRequest, contractor: Contractor) -> JobOffer:
    """Offer the job to the contractor just assigned; an earlier open offer is withdrawn."""
    JobOffer.objects.filter(request=request, status=JobOffer.Status.OFFERED).update(
        status=JobOffer.Status.WITHDRAWN, responded_at=timezone.now()
    )
    remind_after, expire_after = _offer_settings()
    now = timezone.now()
    offer = JobOffer(
        request=request, contractor=contractor, offered_at=now, expires_at=now + remind_after + expire_after
    )
    offer.full_clean()
    offer.save()
    events.publish(events.job_offered, request_id=request.pk, offer_id=offer.pk, contractor_id=contractor.pk)
    _webhook(request, contractor.pk, "job.offered", offer_id=offer.pk, expires_at=offer.expires_at.isoformat())
    return offer


def _lock_offer(offer_id: int) -> tuple[MaintenanceRequest, JobOffer]:
    """Lock the request, then the offer (always in that order, as every other write does)."""
    request_id = JobOffer.objects.values_list("request_id", flat=True).get(pk=offer_id)
    request = _lock(request_id)
    return request, JobOffer.objects.select_for_update().select_related("contractor").get(pk=offer_id)


def _check_offer_actor(request: MaintenanceRequest, offer: JobOffer, actor: Actor) -> None:
    if actor.role == CONTRACTOR:
        if offer.contractor.user_id is None or actor.user is None or offer.contractor.user_id != actor.user.pk:
            raise NotPermitted("This job was not offered to you.")
    elif actor.role not in (STAFF, AGENT) or not _actor_in_scope(request=request, actor=actor):
        raise NotPermitted("Only the contractor, staff or the AI crew answer a job offer.")
    if offer.status != JobOffer.Status.OFFERED:
        raise InvalidTransition(f"This offer is already {offer.get_status_display().lower()}.")
    if request.assigned_contractor_id != offer.contractor_id or request.status != S.ASSIGNED:
        raise InvalidTransition("This job is no longer offered to this contractor.")


@transaction.atomic
def job_offer_accept(
    *, offer: JobOffer, actor: Actor, start: datetime | None = None, duration_minutes: int = 120
) -> JobOffer:
    """The contractor takes the job. The proposed visit (moved to `start` if given, or booked at `start`
    when there was none) is confirmed and the request becomes scheduled; without any visit it stays
    assigned until the contractor books one (appointment_reschedule).
    """
    request, locked = _lock_offer(offer.pk)
    _check_offer_actor(request, locked, actor)
    now = timezone.now()
    locked.status, locked.responded_at = JobOffer.Status.ACCEPTED, now
    locked.full_clean()
    locked.save(update_fields=["status", "responded_at"])
    _event(request=request, actor=actor, kind=RequestEvent.Kind.NOTE, note=f"{locked.contractor} accepted the job.")

    appointment = _holding_appointment(request)
    if start is not None:
        end = start + timedelta(minutes=duration_minutes)
        _contractor_time_lock(
            contractor_id=locked.contractor_id, start=start, end=end, exclude_pk=appointment.pk if appointment else None
        )
        if appointment is None:
            appointment = Appointment(request=request, contractor_id=locked.contractor_id, start=start, end=end)
        appointment.start, appointment.end = start, end
    if appointment is not None:
        if appointment.pk:
            appointment.sequence += 1
        appointment.status = Appointment.Status.CONFIRMED
        appointment.updated_at = now
        _appointment_save(appointment)
        maintenance_request_transition(
            request=request,
            to_status=S.SCHEDULED,
            actor=actor,
            note=f"Visit confirmed for {timezone.localtime(appointment.start):%a %d %b %H:%M}.",
        )
        events.publish(
            events.appointment_changed, request_id=request.pk, appointment_id=appointment.pk, change="confirmed"
        )
    request.refresh_from_db()
    events.publish(events.job_accepted, request_id=request.pk, offer_id=locked.pk, contractor_id=locked.contractor_id)
    _webhook(request, locked.contractor_id, "job.accepted", offer_id=locked.pk)
    if appointment is not None:
        _webhook(request, locked.contractor_id, "job.scheduled", **_appointment_data(appointment))
    _refresh(offer, locked)
    return locked


def _job_offer_close(
    *, request: MaintenanceRequest, offer: JobOffer, actor: Actor, status: str, reason: str
) -> JobOffer:
    """Decline and expiry alike: the visit is cancelled and the request goes back to triaged for a re-offer."""
    offer.status, offer.reason, offer.responded_at = status, reason, timezone.now()
    offer.full_clean()
    offer.save(update_fields=["status", "reason", "responded_at"])
    for appointment in Appointment.objects.select_for_update().filter(
        request=request, contractor_id=offer.contractor_id, status__in=HOLDING_APPOINTMENT_STATUSES
    ):
        _appointment_set_status(appointment, Appointment.Status.CANCELLED)
        events.publish(
            events.appointment_changed, request_id=request.pk, appointment_id=appointment.pk, change="cancelled"
        )
    expired = status == JobOffer.Status.EXPIRED
    what = "did not answer the offer in time" if expired else "declined the job"
    maintenance_request_transition(
        request=request, to_status=S.TRIAGED, actor=actor, note=f"{offer.contractor} {what}: {reason}"
    )
    events.publish(
        events.job_declined,
        request_id=request.pk,
        offer_id=offer.pk,
        contractor_id=offer.contractor_id,
        reason=reason,
        expired=expired,
    )
    _webhook(request, offer.contractor_id, "job.declined", offer_id=offer.pk, reason=reason, expired=expired)
    return offer


@transaction.atomic
def job_offer_decline(*, offer: JobOffer, actor: Actor, reason: str) -> JobOffer:
    """The contractor turns the job down with a reason; the request goes back to triaged for the next contractor."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Please give a reason."})
    request, locked = _lock_offer(offer.pk)
    _check_offer_actor(request, locked, actor)
    _job_offer_close(request=request, offer=locked, actor=actor, status=JobOffer.Status.DECLINED, reason=reason)
    _refresh(offer, locked)
    return locked


OFFER_TIMEOUT = Actor.agent_named("offer-timeout")


@transaction.atomic
def job_offer_remind(*, offer_id: int, now: datetime | None = None) -> JobOffer | None:
    """Remind the contractor of an unanswered offer, once; from now the offer expires after the set time."""
    now = now or timezone.now()
    offer = JobOffer.objects.select_for_update().filter(pk=offer_id).first()
    if offer is None or offer.status != JobOffer.Status.OFFERED or offer.reminded_at is not None:
        return offer
    _, expire_after = _offer_settings()
    offer.reminded_at, offer.expires_at = now, now + expire_after
    offer.save(update_fields=["reminded_at", "expires_at"])
    _event(
        request=offer.request,
        actor=OFFER_TIMEOUT,
        kind=RequestEvent.Kind.NOTE,
        note=f"{offer.contractor} reminded of the job offer.",
        is_shared=False,
    )
    events.publish(
        events.job_offer_reminded, request_id=offer.request_id, offer_id=offer.pk, contractor_id=offer.contractor_id
    )
    return offer


@transaction.atomic
def job_offer_expire(*, offer_id: int, now: datetime | None = None) -> JobOffer | None:
    """An offer left unanswered after its reminder expires, and the job is re-offered (as for a decline)."""
    now = now or timezone.now()
    if not JobOffer.objects.filter(pk=offer_id).exists():
        return None
    request, offer = _lock_offer(offer_id)
    if offer.status != JobOffer.Status.OFFERED or offer.reminded_at is None or offer.expires_at > now:
        return offer
    if request.status != S.ASSIGNED or request.assigned_contractor_id != offer.contractor_id:
        offer.status, offer.responded_at = JobOffer.Status.WITHDRAWN, now
        offer.save(update_fields=["status", "responded_at"])
        return offer
    return _job_offer_close(
        request=request, offer=offer, actor=OFFER_TIMEOUT, status=JobOffer.Status.EXPIRED, reason="no answer in time"
    )


def job_offers_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Remind unanswered offers and expire the ones still unanswered after their reminder (the beat job)."""
    now = now or timezone.now()
    remind_after, _ = _offer_settings()
    open_offers = JobOffer.objects.filter(status=JobOffer.Status.OFFERED)
    to_remind = open_offers.filter(reminded_at__isnull=True, offered_at__lte=now - remind_after)
    to_expire = open_offers.filter(reminded_at__isnull=False, expires_at__lte=now)
    expired = [pk for pk in to_expire.values_list("pk", flat=True) if job_offer_expire(offer_id=pk, now=now)]
    reminded = [pk for pk in to_remind.values_list("pk", flat=True) if job_offer_remind(offer_id=pk, now=now)]
    return {"reminded": len(reminded), "expired": len(expired)}


# -- the visit and the work ----------------------------------------------------------------------


def _check_job_actor(request: MaintenanceRequest, actor: Actor) -> None:
    if actor.role not in (CONTRACTOR, STAFF, AGENT) or not _actor_in_scope(request=request, actor=actor):
        raise NotPermitted("Only the assigned contractor, staff or the AI crew can change this job's visit.")


@transaction.atomic
def appointment_reschedule(
    *, request: MaintenanceRequest, actor: Actor, start: datetime, duration_minutes: int | None = None
) -> Appointment:
    """Propose another time (or book one when there is none). The visit keeps its identity (and calendar UID);
    its sequence rises. A confirmed visit stays confirmed at its new time.
    """
    locked = _lock(request.pk)
    _check_job_actor(locked, actor)
    if locked.status not in (S.ASSIGNED, S.SCHEDULED, S.REOPENED):
        raise InvalidTransition(f"A {locked.get_status_display().lower()} job's visit cannot be moved.")
    appointment = _holding_appointment(locked)
    length = (
        timedelta(minutes=duration_minutes)
        if duration_minutes
        else (appointment.end - appointment.start if appointment else timedelta(hours=2))
    )
    end = start + length
    _contractor_time_lock(
        contractor_id=locked.assigned_contractor_id,
        start=start,
        end=end,
        exclude_pk=appointment.pk if appointment else None,
    )
    if appointment is None:
        status = Appointment.Status.CONFIRMED if locked.status == S.SCHEDULED else Appointment.Status.PROPOSED
        appointment = Appointment(
            request=locked, contractor_id=locked.assigned_contractor_id, start=start, end=end, status=status
        )
        change, before = "booked", ""
    else:
        before = f" (was {timezone.localtime(appointment.start):%a %d %b %H:%M})"
        appointment.start, appointment.end = start, end
        appointment.sequence += 1
        change = "rescheduled"
    appointment.updated_at = timezone.now()
    _appointment_save(appointment)
    _event(
        request=locked,
        actor=actor,
        kind=RequestEvent.Kind.NOTE,
        note=f"Visit {'moved to' if change == 'rescheduled' else 'proposed for'} "
        f"{timezone.localtime(start):%a %d %b %H:%M}{before}.",
    )
    events.publish(events.appointment_changed, request_id=locked.pk, appointment_id=appointment.pk, change=change)
    _webhook(locked, locked.assigned_contractor_id, "job.rescheduled", **_appointment_data(appointment))
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: Actor, reason: str) -> Appointment:
    """Call a visit off (the job stays with the contractor; a scheduled request goes back to assigned)."""
    if not reason.strip():
        raise ValidationError({"reason": "Please give a reason."})
    locked_request = _lock(appointment.request_id)
    _check_job_actor(locked_request, actor)
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status not in HOLDING_APPOINTMENT_STATUSES:
        raise InvalidTransition("Only a proposed or confirmed visit can be cancelled.")
    _appointment_set_status(locked, Appointment.Status.CANCELLED)
    note = f"Visit on {timezone.localtime(locked.start):%a %d %b %H:%M} cancelled: {reason.strip()}"
    if locked_request.status == S.SCHEDULED and actor.role in (CONTRACTOR, STAFF):
        maintenance_request_transition(request=locked_request, to_status=S.ASSIGNED, actor=actor, note=note)
    else:
        _event(request=locked_request, actor=actor, kind=RequestEvent.Kind.NOTE, note=note)
    events.publish(
        events.appointment_changed, request_id=locked_request.pk, appointment_id=locked.pk, change="cancelled"
    )
    _webhook(locked_request, locked.contractor_id, "job.cancelled", reason=reason.strip(), **_appointment_data(locked))
    _refresh(appointment, locked)
    return locked


@transaction.atomic
def job_start(*, request: MaintenanceRequest, actor: Actor) -> MaintenanceRequest:
    """The contractor is on site: scheduled -> in progress (the time is what on-time arrival is measured by)."""
    return maintenance_request_transition(request=request, to_status=S.IN_PROGRESS, actor=actor, note="Work started.")


def _job_lines(request: MaintenanceRequest, lines: list[dict]) -> list[JobLine]:
    built = []
    for index, line in enumerate(lines):
        try:
            job_line = JobLine(
                request=request,
                kind=line["kind"],
                description=str(line["description"]).strip(),
                quantity=Decimal(str(line["quantity"])),
                unit_price=Decimal(str(line["unit_price"])),
            )
            job_line.full_clean()
        except (KeyError, ArithmeticError) as exc:
            raise ValidationError(
                {"lines": f"Line {index + 1} needs kind, description, quantity and unit price."}
            ) from exc
        except ValidationError as exc:
            raise ValidationError({"lines": f"Line {index + 1}: {'; '.join(exc.messages)}"}) from exc
        built.append(job_line)
    return built


@transaction.atomic
def job_complete(
    *,
    request: MaintenanceRequest,
    actor: Actor,
    notes: str,
    lines: list[dict] | None = None,
    photos: list | None = None,
) -> MaintenanceRequest:
    """The contractor finishes: notes (on the timeline), labour and parts lines, optional completion photos."""
    notes = notes.strip()
    if not notes:
        raise ValidationError({"notes": "Say what was done."})
    locked = _lock(request.pk)
    job_lines = _job_lines(locked, lines or [])
    result = maintenance_request_transition(request=locked, to_status=S.COMPLETED, actor=actor, note=notes)
    for job_line in job_lines:
        job_line.save()
    for appointment in Appointment.objects.select_for_update().filter(
        request=locked, status=Appointment.Status.CONFIRMED
    ):
        _appointment_set_status(appointment, Appointment.Status.COMPLETED)
    if photos:
        if actor.user is None:
            raise NotPermitted("Photos are uploaded by a person.")
        attachment_add(request=result, uploader=actor.user, files=photos, kind=Attachment.Kind.COMPLETION_PHOTO)
    _webhook(
        result,
        result.assigned_contractor_id,
        "job.completed",
        notes=notes,
        lines=[{"kind": j.kind, "description": j.description, "quantity": str(j.quantity)} for j in job_lines],
    )
    _refresh(request, result)
    return result


# -- calendar feeds ------------------------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_token_rotate(*, user: User) -> str:
    """Give the person a new secret feed token (the old feed address stops working). Returns the token once."""
    import secrets

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    CalendarFeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": calendar_token_hash(token), "rotated_at": now, "last_used_at": None}
    )
    return token


# -- invoices and payments -----------------------------------------------------------------------

CENT = Decimal("0.01")
INVOICEABLE = frozenset({S.COMPLETED, S.CLOSED})


def _money(value: Decimal) -> Decimal:
    from decimal import ROUND_HALF_UP

    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_needs_approval(*, total: Decimal, estimate: Decimal | None) -> bool:
    """Above the estimate by more than the allowed share (DOMI_INVOICE_APPROVAL_TOLERANCE), or no estimate."""
    if estimate is None:
        return True
    tolerance = Decimal(str(getattr(settings, "DOMI_INVOICE_APPROVAL_TOLERANCE", "0.10")))
    return total > _money(estimate * (1 + tolerance))


@transaction.atomic
def invoice_submit(
    *,
    request: MaintenanceRequest,
    actor: Actor,
    lines: list[dict] | None = None,
    tax_rate: Decimal = Decimal("0"),
    number: str = "",
    currency: str = "USD",
    pdf=None,  # type: ignore[no-untyped-def]
) -> Invoice:
    """The contractor invoices a completed job: lines (default: the job's labour and parts), tax and totals.

    Within the allowed share above the estimate it is approved at once; above it, staff must approve.
    """
    locked = _lock(request.pk)
    if actor.role not in (CONTRACTOR, STAFF) or not _actor_in_scope(request=locked, actor=actor):
        raise NotPermitted("Only the job's contractor or staff can invoice it.")
    contractor_id = locked.assigned_contractor_id or (
        locked.appointments.order_by("-start").values_list("contractor_id", flat=True).first()
    )
    if locked.status not in INVOICEABLE or contractor_id is None:
        raise InvalidTransition("Only a completed job can be invoiced.")
    if locked.invoices.exclude(status=Invoice.Status.REJECTED).exists():
        raise Conflict("This job already has an invoice.", code="invoice_exists")
    tax_rate = Decimal(str(tax_rate))
    if not Decimal(0) <= tax_rate <= Decimal(1):
        raise ValidationError({"tax_rate": "A tax rate is a share between 0 and 1 (0.2 for 20%)."})
    source = (
        lines
        if lines is not None
        else [
            {"kind": j.kind, "description": j.description, "quantity": j.quantity, "unit_price": j.unit_price}
            for j in locked.job_lines.all()
        ]
    )
    job_lines = _job_lines(locked, source)
    if not job_lines:
        raise ValidationError({"lines": "An invoice needs at least one line."})
    subtotal = _money(sum((j.quantity * j.unit_price for j in job_lines), Decimal(0)))
    tax = _money(subtotal * tax_rate)
    total = subtotal + tax
    needs_approval = invoice_needs_approval(total=total, estimate=locked.estimated_cost_max)
    invoice = Invoice(
        request=locked,
        contractor_id=contractor_id,
        number=number.strip(),
        currency=currency.upper(),
        status=Invoice.Status.AWAITING_APPROVAL if needs_approval else Invoice.Status.APPROVED,
        tax_rate=tax_rate,
        subtotal=subtotal,
        tax=tax,
        total=total,
        estimate=locked.estimated_cost_max,
        needs_approval=needs_approval,
        decided_at=None if needs_approval else timezone.now(),
    )
    invoice.full_clean()
    invoice.save()
    for j in job_lines:
        line = InvoiceLine(
            invoice=invoice,
            kind=j.kind,
            description=j.description,
            quantity=j.quantity,
            unit_price=j.unit_price,
            amount=_money(j.quantity * j.unit_price),
        )
        line.full_clean()
        line.save()
    if pdf is not None:
        if actor.user is None:
            raise NotPermitted("A PDF is uploaded by a person.")
        (invoice.pdf,) = attachment_add(request=locked, uploader=actor.user, files=[pdf], kind=Attachment.Kind.INVOICE)
        invoice.save(update_fields=["pdf"])
    _event(
        request=locked,
        actor=actor,
        kind=RequestEvent.Kind.NOTE,
        note="Invoice submitted; "
        + ("it is above the estimate and waits for staff approval." if needs_approval else "approved automatically."),
        # Money between the organization and its contractor is not the tenant's business: staff-only.
        is_shared=False,
    )
    events.publish(events.invoice_changed, request_id=locked.pk, invoice_id=invoice.pk, status=invoice.status)
    return invoice


def _lock_invoice_for_staff(invoice: Invoice, user: User) -> tuple[MaintenanceRequest, Invoice]:
    request = _lock(invoice.request_id)
    if Actor.of(user).role != STAFF or not _actor_in_scope(request=request, actor=Actor.of(user)):
        raise NotPermitted("Only the organization's staff decide on invoices and payments.")
    return request, Invoice.objects.select_for_update().get(pk=invoice.pk)


@transaction.atomic
def invoice_approve(*, invoice: Invoice, user: User) -> Invoice:
    request, locked = _lock_invoice_for_staff(invoice, user)
    if locked.status != Invoice.Status.AWAITING_APPROVAL:
        raise InvalidTransition(f"The invoice is {locked.get_status_display().lower()}, not awaiting approval.")
    locked.status, locked.decided_at, locked.decided_by = Invoice.Status.APPROVED, timezone.now(), user
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    _event(
        request=request, actor=Actor.of(user), kind=RequestEvent.Kind.NOTE, note="Invoice approved.", is_shared=False
    )
    events.publish(events.invoice_changed, request_id=request.pk, invoice_id=locked.pk, status=locked.status)
    _refresh(invoice, locked)
    return locked


@transaction.atomic
def invoice_reject(*, invoice: Invoice, user: User, reason: str) -> Invoice:
    if not reason.strip():
        raise ValidationError({"reason": "Please give a reason."})
    request, locked = _lock_invoice_for_staff(invoice, user)
    if locked.status != Invoice.Status.AWAITING_APPROVAL:
        raise InvalidTransition(f"The invoice is {locked.get_status_display().lower()}, not awaiting approval.")
    locked.status, locked.decided_at, locked.decided_by = Invoice.Status.REJECTED, timezone.now(), user
    locked.rejection_reason = reason.strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
    _event(
        request=request,
        actor=Actor.of(user),
        kind=RequestEvent.Kind.NOTE,
        note=f"Invoice rejected: {reason.strip()}",
        is_shared=False,
    )
    events.publish(
        events.invoice_changed,
        request_id=request.pk,
        invoice_id=locked.pk,
        status=locked.status,
        reason=locked.rejection_reason,
    )
    _refresh(invoice, locked)
    return locked


def _invoice_mark_paid(invoice: Invoice, payment: Payment, actor: Actor) -> None:
    invoice.status, invoice.paid_at = Invoice.Status.PAID, payment.completed_at
    invoice.save(update_fields=["status", "paid_at"])
    via = f" ({payment.reference})" if payment.reference else ""
    _event(
        request=invoice.request,
        actor=actor,
        kind=RequestEvent.Kind.NOTE,
        note=f"Invoice paid via {payment.gateway}{via}.",
        is_shared=False,
    )
    events.publish(events.invoice_changed, request_id=invoice.request_id, invoice_id=invoice.pk, status=invoice.status)


@transaction.atomic
def payment_record_manual(*, invoice: Invoice, user: User, reference: str, amount: Decimal | None = None) -> Payment:
    """Staff record a payment made outside Domi (bank transfer, cheque) with its reference."""
    if not reference.strip():
        raise ValidationError({"reference": "Give the payment's reference."})
    _, locked = _lock_invoice_for_staff(invoice, user)
    if locked.status != Invoice.Status.APPROVED:
        raise InvalidTransition(f"Only an approved invoice can be paid; this one is {locked.status}.")
    amount = _money(Decimal(str(amount))) if amount is not None else locked.total
    if amount != locked.total:
        raise ValidationError({"amount": f"The invoice's total is {locked.total}."})
    now = timezone.now()
    payment = Payment(
        invoice=locked,
        gateway="manual",
        status=Payment.Status.SUCCEEDED,
        amount=amount,
        currency=locked.currency,
        reference=reference.strip(),
        recorded_by=user,
        completed_at=now,
    )
    payment.full_clean()
    payment.save()
    _invoice_mark_paid(locked, payment, Actor.of(user))
    _refresh(invoice, locked)
    return payment


@transaction.atomic
def payment_start(*, invoice: Invoice, user: User) -> Payment:
    """Start paying an approved invoice through the configured gateway (Stripe); pending until it confirms."""
    from .payments import active_gateway

    _, locked = _lock_invoice_for_staff(invoice, user)
    if locked.status != Invoice.Status.APPROVED:
        raise InvalidTransition(f"Only an approved invoice can be paid; this one is {locked.status}.")
    pending = locked.payments.filter(status=Payment.Status.PENDING).first()
    if pending is not None:
        return pending
    gateway = active_gateway()
    external_id = gateway.payment_create(invoice=locked)
    payment = Payment(
        invoice=locked,
        gateway=gateway.name,
        amount=locked.total,
        currency=locked.currency,
        external_id=external_id,
        recorded_by=user,
    )
    payment.full_clean()
    payment.save()
    return payment


PAYMENT_GATEWAY = Actor.agent_named("payment-gateway")


@transaction.atomic
def payment_confirm(*, gateway: str, external_id: str, succeeded: bool) -> Payment | None:
    """The gateway says how a payment ended; the invoice becomes paid. Running it twice changes nothing more."""
    payment = Payment.objects.select_for_update().filter(gateway=gateway, external_id=external_id).first()
    if payment is None or payment.status != Payment.Status.PENDING:
        return payment
    payment.status = Payment.Status.SUCCEEDED if succeeded else Payment.Status.FAILED
    payment.completed_at = timezone.now()
    payment.save(update_fields=["status", "completed_at"])
    if succeeded:
        _lock(payment.invoice.request_id)
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        if invoice.status == Invoice.Status.APPROVED:
            _invoice_mark_paid(invoice, payment, PAYMENT_GATEWAY)
    return payment


# -- the tenant's rating -------------------------------------------------------------------------


@transaction.atomic
def maintenance_request_rate(
    *, request: MaintenanceRequest, actor: Actor, rating: int, feedback: str = ""
) -> MaintenanceRequest:
    """The tenant who reported the problem scores the finished work (1-5), once it is completed or closed.

    Rating again replaces the score. Words of feedback become a shared comment, where quality control reads them.
    """
    locked = _lock(request.pk)
    if actor.role != TENANT or not _actor_in_scope(request=locked, actor=actor):
        raise NotPermitted("Only the tenant who reported the problem can rate the work.")
    if locked.status not in (S.COMPLETED, S.CLOSED):
        raise InvalidTransition("The work can be rated once it is completed.")
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "A rating is from 1 to 5."})
    locked.tenant_rating = rating
    locked.full_clean()
    locked.save(update_fields=["tenant_rating", "updated_at"])
    _event(request=locked, actor=actor, kind=RequestEvent.Kind.NOTE, note=f"The tenant rated the work {rating}/5.")
    if feedback.strip():
        comment_create(request=locked, author=actor.user, body=feedback)
    _refresh(request, locked)
    return locked
