"""DomiCrew: the orchestration of the AI crew around a maintenance request.

Each step claims the request's step for its worker (a step delivered twice waits its turn: the
second worker to arrive leaves it), loads the request, does nothing if the request is no longer
where that step applies (so a step delivered twice has one effect), runs its agent (recorded as
an AgentRun), and then acts through maintenance's services and the state machine, or leaves a
proposal for staff, depending on the organization's autonomy level:

- suggest: every decision waits for a staff click (the request goes to needs_review with the proposal);
- approve: the crew acts at or below the organization's cost and priority thresholds, and asks above;
- auto: the crew acts and staff are told.

Whatever the level, an emergency's safety instructions go to the tenant, and an alert to staff, at once
and before coordination starts. Low confidence or a failed model (the LLM and the local fallback both)
puts the request in needs_review.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import structlog
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from contractors.models import Contractor
from contractors.services import contractor_record_job_score
from domi.accounts.models import Organization, User
from domi.errors import DomainError
from domi.taxonomy import PRIORITY_RANK, RESPONSE_TIME, Priority
from maintenance import services as maintenance
from maintenance.actors import Actor
from maintenance.models import Attachment, Comment, MaintenanceRequest, RequestEvent, Status
from notifications.services import notify

from . import selectors
from .costs import adjust_with_history
from .crew import AnalyzerDeps, CoordinatorDeps
from .models import AgentRun, StepClaim
from .runner import RunResult, run_agent
from .schemas import CoordinationInput, DigestFacts, MessageInput, MessageSet, QualityInput, TriageInput
from .triage import guard_emergency

logger = structlog.get_logger(__name__)

ANALYZER = Actor.agent_named("analyzer")
COORDINATOR = Actor.agent_named("coordinator")
QUALITY_CONTROL = Actor.agent_named("quality_control")

RESPONSE_WORDS = {
    "en": {"emergency": "4 hours", "high": "24 hours", "medium": "3 days", "low": "2 weeks"},
    "es": {"emergency": "4 horas", "high": "24 horas", "medium": "3 días", "low": "2 semanas"},
}

# Which crew-written message goes to whom, under which notification event. Events that
# notifications announces by itself from the state machine (a job offered to the contractor,
# staff asked to review or approve) are not repeated here.
OCCASION_EVENTS = {
    ("received", "tenant"): "request_received",
    ("emergency", "tenant"): "safety_instructions",
    ("emergency", "staff"): "emergency_alert",
    ("assigned", "tenant"): "job_assigned",
    ("needs_review", "tenant"): "request_received",
}


def _load(request_id: int) -> MaintenanceRequest:
    return MaintenanceRequest.objects.select_related(
        "organization", "unit__property", "reporter", "assigned_contractor"
    ).get(pk=request_id)


def _may_act(*, organization: Organization, priority: str, cost_max: Decimal | None) -> bool:
    if organization.ai_autonomy == Organization.Autonomy.AUTO:
        return True
    if organization.ai_autonomy == Organization.Autonomy.SUGGEST:
        return False
    within_priority = PRIORITY_RANK[Priority(priority)] >= PRIORITY_RANK[Priority(organization.ai_priority_threshold)]
    within_cost = cost_max is None or cost_max <= organization.ai_cost_threshold
    return within_priority and within_cost


def _decide(run: AgentRun, decision: str, note: str = "") -> None:
    AgentRun.objects.filter(pk=run.pk).update(decision=decision, decision_note=note[:2000])
    run.decision, run.decision_note = decision, note


class _Heartbeat(threading.Thread):
    """Keeps a claim alive while its step runs: renewed every third of the lease, so a claim outlives its
    worker by one lease at most, however long a step may run."""

    def __init__(self, request_id: int, step: str, until: datetime, lease: timedelta) -> None:
        super().__init__(name=f"claim-{step}-{request_id}", daemon=True)
        self.request_id, self.step, self.until, self.lease = request_id, step, until, lease
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.lease.total_seconds() / 3):
                renewed = timezone.now() + self.lease
                mine = StepClaim.objects.filter(request_id=self.request_id, step=self.step, until=self.until)
                if not mine.update(until=renewed):
                    logger.warning("crew_claim_lost", request_id=self.request_id, step=self.step)
                    return
                self.until = renewed
        except DatabaseError as exc:  # the claim lapses at its time; the step goes on
            logger.warning("crew_claim_not_renewed", request_id=self.request_id, step=self.step, error=repr(exc))
        finally:
            connections.close_all()  # this thread's own

    def stop(self) -> datetime:
        self.stopped.set()
        self.join()
        return self.until


@contextlib.contextmanager
def _claimed(request_id: int, step: str) -> Iterator[bool]:
    """Hold one step of one request for this worker; False when another worker holds it.

    The sweep and a broker's redelivery can hand the same step to two workers at once; the state check
    alone lets both run the agent and both leave a decision. The claim is a lease renewed while the step
    runs (DOMI_CREW_CLAIM_SECONDS), so one left by a killed worker lapses soon and the sweep's next try
    takes it.
    """
    lease = timedelta(seconds=settings.DOMI_CREW_CLAIM_SECONDS)
    until = timezone.now() + lease
    if not StepClaim.objects.filter(request_id=request_id, step=step, until__lt=timezone.now()).update(until=until):
        try:
            with transaction.atomic():
                StepClaim.objects.create(request_id=request_id, step=step, until=until)
        except IntegrityError:
            logger.info("crew_step_busy", request_id=request_id, step=step)
            yield False
            return
    heartbeat = _Heartbeat(request_id, step, until, lease)
    heartbeat.start()
    try:
        yield True
    finally:
        StepClaim.objects.filter(request_id=request_id, step=step, until=heartbeat.stop()).delete()


def _one_worker_at_a_time(step: str) -> Callable:
    """A crew step runs for a request in one worker at a time; staff's re-runs (proposals only) need no claim."""

    def wrap(func: Callable[..., AgentRun | None]) -> Callable[..., AgentRun | None]:
        @functools.wraps(func)
        def claimed(*, request_id: int, rerun: bool = False) -> AgentRun | None:
            if rerun:
                return func(request_id=request_id, rerun=True)
            with _claimed(request_id, step) as mine:
                return func(request_id=request_id) if mine else None

        return claimed

    return wrap


def _to_needs_review(request: MaintenanceRequest, actor: Actor, note: str) -> bool:
    try:
        maintenance.maintenance_request_transition(
            request=request, to_status=Status.NEEDS_REVIEW, actor=actor, note=note
        )
    except DomainError:
        return False  # someone else moved it first
    return True


def _hand_to_staff(
    request: MaintenanceRequest,
    actor: Actor,
    why: str,
    *,
    proposal: AgentRun | None = None,
    tell_tenant: bool = True,
) -> bool:
    """Move the request to staff review, leave the run's proposal and tell the tenant: all of it or none.

    A worker killed part-way would otherwise leave a proposal on a request still waiting for the crew (and
    the sweep's next try a second one), or a request in review that its tenant never heard of.
    """
    words = _draft(request, "needs_review") if tell_tenant else None  # before the lock: the agent takes time
    with transaction.atomic():
        moved = _to_needs_review(request, actor, why)
        if proposal is not None and moved:
            _decide(proposal, AgentRun.Decision.PROPOSED, why)
        elif proposal is not None:
            _decide(proposal, AgentRun.Decision.SUPERSEDED, "The request moved on before the proposal was made.")
        if moved and words is not None:
            _send(request, "needs_review", words)
    return moved


# -- analyze -------------------------------------------------------------------------------------


@_one_worker_at_a_time(AgentRun.Agent.ANALYZER)
def crew_analyze(*, request_id: int, rerun: bool = False) -> AgentRun | None:
    """Triage a new request. With rerun, the result is only a proposal for staff."""
    request = _load(request_id)
    if not rerun and request.status != Status.SUBMITTED:
        return None
    result = run_agent(
        "analyzer",
        TriageInput(title=request.title, description=request.description, unit_id=request.unit_id),
        deps=AnalyzerDeps.for_request(unit_id=request.unit_id, request_id=request.pk),
        request_id=request.pk,
        organization_id=request.organization_id,
    )
    run = result.run
    if rerun:
        if result.ok:
            _decide(run, AgentRun.Decision.PROPOSED, "Re-run requested by staff.")
        return run
    if not result.ok:
        _hand_to_staff(request, ANALYZER, f"The AI crew could not triage this request ({run.error[:200]}).")
        return run

    triage = guard_emergency(
        result.output,
        text=f"{request.title}. {request.description}" if request.title else request.description,
        answered_by=run.model_name,
    )
    low, high, cost_basis = adjust_with_history(
        low=triage.estimated_cost_min,
        high=triage.estimated_cost_max,
        paid_totals=selectors.paid_invoice_totals(organization_id=request.organization_id, category=triage.category),
    )
    triage = triage.model_copy(
        update={
            "estimated_cost_min": low,
            "estimated_cost_max": high,
            "rationale": f"{triage.rationale} {cost_basis}"[:600],
        }
    )
    AgentRun.objects.filter(pk=run.pk).update(output=triage.model_dump(mode="json"))
    run.output = triage.model_dump(mode="json")
    if triage.priority == Priority.EMERGENCY:
        # Safety first, whatever the autonomy level: before anything else happens to the request.
        maintenance.maintenance_request_record_safety_instructions(
            request=request, actor=ANALYZER, instructions=triage.tenant_instructions
        )
        crew_communicate(request_id=request.pk, occasion="emergency", triage_run=run)

    low_confidence = triage.confidence < settings.DOMI_AI_MIN_CONFIDENCE
    may_act = _may_act(organization=request.organization, priority=triage.priority, cost_max=triage.estimated_cost_max)
    if low_confidence or not may_act:
        why = (
            f"Low confidence ({triage.confidence:.2f}): please confirm or correct the AI's triage."
            if low_confidence
            else f"The AI proposes {triage.category}/{triage.priority} (up to ${triage.estimated_cost_max}); "
            f"autonomy '{request.organization.ai_autonomy}' asks staff to confirm."
        )
        _hand_to_staff(request, ANALYZER, why, proposal=run)
        return run

    if triage.priority != Priority.EMERGENCY:
        # The tenant hears of the triage before the coordinator, which the triaged status sets off, books anyone.
        crew_communicate(request_id=request.pk, occasion="received", triage_run=run)
    with transaction.atomic():
        locked = MaintenanceRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if locked.status != Status.SUBMITTED:
            _decide(run, AgentRun.Decision.SUPERSEDED, f"The request was already {locked.status}.")
            return run
        _apply_triage(locked, triage, ANALYZER)
        maintenance.maintenance_request_transition(
            request=locked, to_status=Status.TRIAGED, actor=ANALYZER, note=triage.rationale
        )
        _decide(run, AgentRun.Decision.APPLIED)
    return run


def _apply_triage(request: MaintenanceRequest, triage, actor: Actor, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    maintenance.maintenance_request_set_triage(
        request=request,
        actor=actor,
        category=triage.category,
        priority=triage.priority,
        estimated_cost_min=triage.estimated_cost_min,
        estimated_cost_max=triage.estimated_cost_max,
        safety_instructions=triage.tenant_instructions or None,
        reason=reason,
    )


# -- coordinate ----------------------------------------------------------------------------------


def _owner_approved(request: MaintenanceRequest) -> bool:
    return request.events.filter(from_status=Status.AWAITING_APPROVAL, to_status=Status.TRIAGED).exists()


@_one_worker_at_a_time(AgentRun.Agent.COORDINATOR)
def crew_coordinate(*, request_id: int, rerun: bool = False) -> AgentRun | None:
    """Find and book a contractor for a triaged request (or ask the owner first, above the approval limit)."""
    request = _load(request_id)
    if not rerun and request.status != Status.TRIAGED:
        return None
    limit = request.unit.property.approval_limit
    if (
        not rerun
        and request.estimated_cost_max is not None
        and request.estimated_cost_max > limit
        and not _owner_approved(request)
    ):
        with contextlib.suppress(DomainError):  # someone else moved it first
            maintenance.maintenance_request_transition(
                request=request,
                to_status=Status.AWAITING_APPROVAL,
                actor=COORDINATOR,
                note=f"Estimate up to ${request.estimated_cost_max} is above the owner's approval limit of ${limit}.",
            )
        return None

    result = run_agent(
        "coordinator",
        CoordinationInput(
            request_id=request.pk,
            category=request.category,
            priority=request.priority,
            postal_code=request.unit.property.postal_code,
            estimated_cost_max=request.estimated_cost_max,
        ),
        deps=CoordinatorDeps.for_request(request),
        request_id=request.pk,
        organization_id=request.organization_id,
    )
    run = result.run
    if rerun:
        if result.ok:
            _decide(run, AgentRun.Decision.PROPOSED, "Re-run requested by staff.")
        return run
    if not result.ok:
        _hand_to_staff(request, COORDINATOR, f"The AI crew could not choose a contractor ({run.error[:200]}).")
        return run
    choice = result.output
    if choice.contractor_id is None:
        _decide(run, AgentRun.Decision.NONE, choice.explanation)
        _hand_to_staff(request, COORDINATOR, f"No contractor found: {choice.explanation}")
        return run
    contractor = Contractor.objects.filter(pk=choice.contractor_id, organization_id=request.organization_id).first()
    if contractor is None:
        _decide(run, AgentRun.Decision.REJECTED, "The model chose a contractor outside the ranking.")
        _hand_to_staff(
            request, COORDINATOR, "The AI's contractor choice was not valid; please assign by hand.", tell_tenant=False
        )
        return run
    if not _may_act(organization=request.organization, priority=request.priority, cost_max=request.estimated_cost_max):
        why = f"The AI proposes {contractor.company_name}: {choice.explanation}"[:1000]
        _hand_to_staff(request, COORDINATOR, why, proposal=run, tell_tenant=False)
        return run

    _book(request, contractor, choice.slot_start, choice.explanation, COORDINATOR, run)
    return run


def _book(
    request: MaintenanceRequest,
    contractor: Contractor,
    slot_start: str | None,
    explanation: str,
    actor: Actor,
    run: AgentRun,
) -> None:
    """Assign the contractor, propose the visit and tell the tenant, in one transaction."""
    words = _draft(request, "assigned", contractor=contractor, slot_start=slot_start)  # before the lock
    with transaction.atomic():
        locked = MaintenanceRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if locked.status not in maintenance.ASSIGNABLE_FROM:
            _decide(run, AgentRun.Decision.SUPERSEDED, f"The request was already {locked.status}.")
            return
        maintenance.maintenance_request_assign(request=locked, contractor=contractor, actor=actor, note=explanation)
        if slot_start:
            try:
                with transaction.atomic():
                    maintenance.appointment_propose(
                        request=locked, actor=actor, start=datetime.fromisoformat(slot_start)
                    )
            except DomainError as exc:
                logger.info("slot_taken", request_id=request.pk, error=str(exc))
                words = _draft(locked, "assigned", contractor=contractor)  # no word of a visit that was not booked
        _decide(run, AgentRun.Decision.APPLIED)
        _send(locked, "assigned", words)


# -- communicate ---------------------------------------------------------------------------------


@dataclass
class _Words:
    """A message the Communication Agent worded for one occasion, not sent yet."""

    result: RunResult
    instructions: list[str]


def crew_communicate(*, request_id: int, occasion: str, triage_run: AgentRun | None = None) -> AgentRun | None:
    """Have the Communication Agent word the message for each audience and hand it to notifications.

    When the agent fails, notifications still sends its templates (words=None), so nobody misses a message.
    """
    request = _load(request_id)
    words = _draft(request, occasion, triage_run=triage_run)
    _send(request, occasion, words)
    return words.result.run


def _draft(
    request: MaintenanceRequest,
    occasion: str,
    *,
    triage_run: AgentRun | None = None,
    contractor: Contractor | None = None,
    slot_start: str | None = None,
) -> _Words:
    tenant: User = request.reporter
    language = tenant.language or "en"
    instructions = list(request.safety_instructions or [])
    priority = request.priority
    category = request.category
    if triage_run is not None and triage_run.output:
        instructions = triage_run.output.get("tenant_instructions") or instructions
        priority = triage_run.output.get("priority", priority)
        category = triage_run.output.get("category", category)
    contractor = contractor or request.assigned_contractor
    payload = MessageInput(
        occasion=occasion,
        language=language,
        title=request.title,
        category=category,
        priority=priority,
        response_time=RESPONSE_WORDS.get(language, RESPONSE_WORDS["en"]).get(priority, ""),
        tenant_instructions=instructions,
        contractor_name=contractor.company_name if contractor else "",
        slot_start=slot_start,
        property_name=request.unit.property.name,
        unit_label=request.unit.label,
        estimated_cost_max=str(request.estimated_cost_max or ""),
    )
    result = _drafted_before(request.pk, payload) or run_agent(
        "communicator", payload, request_id=request.pk, organization_id=request.organization_id
    )
    return _Words(result=result, instructions=instructions)


def _drafted_before(request_id: int, payload: MessageInput) -> RunResult | None:
    """The words an earlier try of this step already had drafted for the same message, if any.

    A step retried after its worker died part-way sends the message again (notifications keep it to one
    delivery); it is worded once.
    """
    earlier = (
        AgentRun.objects.filter(
            request_id=request_id,
            agent=AgentRun.Agent.COMMUNICATOR,
            input=payload.model_dump(mode="json"),
            output__isnull=False,
        )
        .order_by("-created_at")
        .first()
    )
    return RunResult(output=MessageSet.model_validate(earlier.output), run=earlier) if earlier else None


def _send(request: MaintenanceRequest, occasion: str, words: _Words) -> None:
    result = words.result
    written = {m.audience: m for m in result.output.messages} if result.ok else {}
    for audience in [aud for (occ, aud) in OCCASION_EVENTS if occ == occasion]:
        message = written.get(audience)
        notify(
            event=OCCASION_EVENTS[(occasion, audience)],
            request_id=request.pk,
            audience=audience,
            words=message.model_dump() if message else None,
            urgent=occasion == "emergency",
            dedupe=occasion,
            extra_context={"safety_instructions": words.instructions, "occasion": occasion},
        )
    if result.ok and result.run.decision != AgentRun.Decision.APPLIED:
        _decide(result.run, AgentRun.Decision.APPLIED)


def crew_word_digest(*, organization_id: int, facts: dict) -> dict[str, str] | None:
    """The Communication Agent's wording of an organization's daily digest (registered with notifications).

    Returns {"subject", "body", "sms"} for staff, or None when the agent failed (the template's words go out).
    """
    payload = MessageInput(occasion="daily_digest", language="en", digest=DigestFacts.model_validate(facts))
    result = run_agent("communicator", payload, organization_id=organization_id)
    if not result.ok:
        return None
    staff = next((m for m in result.output.messages if m.audience == "staff"), None)
    if staff is None:
        return None
    _decide(result.run, AgentRun.Decision.APPLIED)
    return {"subject": staff.subject, "body": staff.body, "sms": staff.sms}


# -- quality control -----------------------------------------------------------------------------


def _quality_input(request: MaintenanceRequest) -> QualityInput:
    completed = (
        request.events.filter(kind=RequestEvent.Kind.STATUS, to_status=Status.COMPLETED).order_by("-created_at").first()
    )
    since = completed.created_at if completed else request.created_at
    feedback = list(
        request.comments.filter(author=request.reporter, created_at__gte=since, visibility=Comment.Visibility.SHARED)
        .order_by("created_at")
        .values_list("body", flat=True)
    )
    photos = request.attachments.filter(kind=Attachment.Kind.COMPLETION_PHOTO).count()
    reopened = request.events.filter(kind=RequestEvent.Kind.STATUS, to_status=Status.REOPENED).count()
    hours_allowed = RESPONSE_TIME[Priority(request.priority)].total_seconds() / 3600 if request.priority else None
    hours_taken = (request.completed_at - request.created_at).total_seconds() / 3600 if request.completed_at else None
    return QualityInput(
        request_id=request.pk,
        title=request.title,
        category=request.category,
        completion_notes=completed.note if completed else "",
        completion_photos=photos,
        tenant_feedback=feedback,
        tenant_rating=getattr(request, "tenant_rating", None),
        reopen_count=reopened,
        hours_to_complete=round(hours_taken, 1) if hours_taken is not None else None,
        hours_allowed=hours_allowed,
    )


@_one_worker_at_a_time(AgentRun.Agent.QUALITY_CONTROL)
def crew_quality_control(*, request_id: int, rerun: bool = False) -> AgentRun | None:
    """Check a completed job: close it or reopen it with a reason, and score the contractor."""
    request = _load(request_id)
    if request.status != Status.COMPLETED:
        return None
    if (
        not rerun
        and request.agent_runs.filter(
            agent=AgentRun.Agent.QUALITY_CONTROL,
            decision__in=[AgentRun.Decision.APPLIED, AgentRun.Decision.PROPOSED],
            created_at__gte=request.completed_at or request.created_at,
        ).exists()
    ):
        return None
    result = run_agent(
        "quality_control", _quality_input(request), request_id=request.pk, organization_id=request.organization_id
    )
    run = result.run
    if not result.ok:
        return run  # stays completed; the failed run is visible to staff and the sweep tries again
    verdict = result.output
    if rerun or request.organization.ai_autonomy == Organization.Autonomy.SUGGEST:
        _decide(run, AgentRun.Decision.PROPOSED, f"{verdict.verdict}: {verdict.reason}")
        return run
    _apply_quality(request, verdict, QUALITY_CONTROL, run)
    return run


def _apply_quality(request: MaintenanceRequest, verdict, actor: Actor, run: AgentRun) -> None:  # type: ignore[no-untyped-def]
    to_status = Status.CLOSED if verdict.verdict == "close" else Status.REOPENED
    with transaction.atomic():
        try:
            maintenance.maintenance_request_transition(
                request=request, to_status=to_status, actor=actor, note=verdict.reason
            )
        except DomainError as exc:
            _decide(run, AgentRun.Decision.SUPERSEDED, str(exc))
            return
        if request.assigned_contractor_id:
            contractor_record_job_score(
                contractor_id=request.assigned_contractor_id, score=Decimal(str(verdict.contractor_score))
            )
        _decide(run, AgentRun.Decision.APPLIED)


# -- staff decisions on proposals ----------------------------------------------------------------


@transaction.atomic
def agent_run_apply(*, run: AgentRun, user: User) -> AgentRun:
    """A staff member accepts an AI proposal: it is applied through the state machine in their name."""
    from .schemas import CoordinationResult, QualityVerdict, TriageResult

    locked = AgentRun.objects.select_for_update().get(pk=run.pk)
    if locked.decision != AgentRun.Decision.PROPOSED or not locked.output or locked.request_id is None:
        raise DomainError("Only a pending proposal can be applied.", code="not_a_proposal")
    request = _load(locked.request_id)
    staff = Actor.of(user)
    if locked.agent == AgentRun.Agent.ANALYZER:
        triage = TriageResult.model_validate(locked.output)
        _apply_triage(request, triage, staff, reason="Accepted the AI's triage.")
        if request.status in (Status.SUBMITTED, Status.NEEDS_REVIEW):
            maintenance.maintenance_request_transition(
                request=request, to_status=Status.TRIAGED, actor=staff, note="AI triage confirmed."
            )
    elif locked.agent == AgentRun.Agent.COORDINATOR:
        choice = CoordinationResult.model_validate(locked.output)
        contractor = Contractor.objects.get(pk=choice.contractor_id, organization_id=request.organization_id)
        _book(request, contractor, choice.slot_start, choice.explanation, staff, locked)
    elif locked.agent == AgentRun.Agent.QUALITY_CONTROL:
        _apply_quality(request, QualityVerdict.model_validate(locked.output), staff, locked)
    else:
        raise DomainError("Messages are sent when written; there is nothing to apply.", code="not_a_proposal")
    AgentRun.objects.filter(pk=locked.pk).update(
        decision=AgentRun.Decision.APPLIED, decided_by=user, decided_at=timezone.now()
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def agent_run_reject(*, run: AgentRun, user: User, note: str = "") -> AgentRun:
    locked = AgentRun.objects.select_for_update().get(pk=run.pk)
    if locked.decision != AgentRun.Decision.PROPOSED:
        raise DomainError("Only a pending proposal can be rejected.", code="not_a_proposal")
    AgentRun.objects.filter(pk=locked.pk).update(
        decision=AgentRun.Decision.REJECTED, decided_by=user, decided_at=timezone.now(), decision_note=note[:2000]
    )
    locked.refresh_from_db()
    return locked
