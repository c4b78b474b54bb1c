"""The AI crew's pipeline on the embedded defaults (offline model, tasks in-process after commit)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from agents import services as crew
from agents import tasks
from agents.models import AgentRun, StepClaim
from contractors.models import Contractor
from domi.taxonomy import RESPONSE_TIME
from maintenance import services as maintenance
from maintenance.actors import Actor
from maintenance.models import Appointment, Attachment, MaintenanceRequest, RequestEvent
from notifications.models import Delivery
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _report(tenant, unit, text, title="Problem"):
    return maintenance.maintenance_request_create(reporter=tenant, unit=unit, title=title, description=text)


def test_a_leak_is_triaged_assigned_and_everyone_told(crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed", "Dripping tap")
    request.refresh_from_db()
    assert request.status == "assigned"
    assert request.category == "plumbing" and request.priority in ("medium", "high")
    assert request.estimated_cost_min and request.estimated_cost_max >= request.estimated_cost_min
    assert request.due_by == request.created_at + RESPONSE_TIME[request.priority]
    # Hard filters: out of area and uninsured plumbers are never chosen; the rest are ranked.
    assert request.assigned_contractor in (plumbers["always"], plumbers["daytime"])
    coordinator = request.agent_runs.get(agent="coordinator")
    ranked = {c["company_name"] for c in coordinator.output["ranking"]}
    assert ranked == {"Night Owl Plumbing", "Daylight Pipes"}
    assert set(coordinator.output["ranking"][0]["breakdown"]) == {"slot", "rating", "price", "workload"}
    assert Appointment.objects.filter(request=request, status="proposed").count() == 1

    agents = list(request.agent_runs.order_by("created_at").values_list("agent", "decision"))
    assert agents[0] == ("analyzer", "applied")
    assert ("coordinator", "applied") in agents
    assert all(run.model_name == "local" for run in request.agent_runs.all())

    received = Delivery.objects.filter(request=request, event="request_received", recipient=crew_tenant)
    assert received.exists()
    assert Delivery.objects.filter(request=request, event="job_assigned", recipient=crew_tenant).exists()
    assert not Delivery.objects.filter(request=request, event="emergency_alert").exists()
    timeline = list(request.events.filter(kind="status").values_list("to_status", "actor_agent"))
    assert timeline == [("triaged", "analyzer"), ("assigned", "coordinator")]


def test_an_emergency_sends_safety_first_then_books_a_24_7_contractor(crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(
        crew_tenant, crew_unit, "A pipe burst under the sink and water is pouring everywhere, flooding the kitchen!"
    )
    request.refresh_from_db()
    assert request.priority == "emergency"
    assert request.safety_instructions, "the tenant's instructions are kept on the request"
    assert request.assigned_contractor == plumbers["always"], "only 24/7 cover for emergencies"
    assert request.due_by == request.created_at + timedelta(hours=4)

    safety = Delivery.objects.filter(request=request, event="safety_instructions", recipient=crew_tenant)
    alert = Delivery.objects.filter(request=request, event="emergency_alert", recipient=crew_staff)
    assert {d.channel for d in safety} >= {"email", "sms"}
    assert alert.exists()
    assert all(d.urgent for d in safety)
    coordinator_run = request.agent_runs.get(agent="coordinator")
    assert max(d.created_at for d in safety) <= coordinator_run.created_at
    email = next(m for m in mail.outbox if crew_tenant.email in m.to and "EMERGENCY" in m.subject.upper())
    assert request.safety_instructions[0] in email.body
    note = request.events.get(kind="note", note__startswith="Emergency: safety instructions")
    assert note.created_at <= coordinator_run.created_at


def test_above_the_owner_limit_the_request_waits_for_approval(crew_tenant, crew_unit, crew_staff, plumbers):
    prop = crew_unit.property
    prop.approval_limit = Decimal("100")
    prop.save()
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    request.refresh_from_db()
    assert request.status == "awaiting_approval"
    assert not request.agent_runs.filter(agent="coordinator").exists()

    maintenance.maintenance_request_transition(
        request=request, to_status="triaged", actor=Actor.of(crew_staff), note="Owner approved by phone."
    )
    request.refresh_from_db()
    assert request.status == "assigned"


def test_suggest_mode_waits_for_a_staff_click_at_every_step(crew_org, crew_tenant, crew_unit, crew_staff, plumbers):
    crew_org.ai_autonomy = "suggest"
    crew_org.save()
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    request.refresh_from_db()
    assert request.status == "needs_review"
    proposal = request.agent_runs.get(agent="analyzer")
    assert proposal.decision == "proposed"
    assert request.category == ""  # nothing applied yet

    crew.agent_run_apply(run=proposal, user=crew_staff)
    request.refresh_from_db()
    assert request.category == "plumbing"
    # Coordination ran after the staff click, and waits again for the contractor choice.
    assert request.status == "needs_review"
    choice = request.agent_runs.get(agent="coordinator")
    assert choice.decision == "proposed"
    crew.agent_run_apply(run=choice, user=crew_staff)
    request.refresh_from_db()
    assert request.status == "assigned"
    assert request.events.filter(kind="status", to_status="assigned", actor_user=crew_staff).exists()


def test_approve_mode_acts_below_thresholds_and_asks_above(crew_org, crew_tenant, crew_unit, crew_staff, plumbers):
    crew_org.ai_autonomy = "approve"
    crew_org.ai_cost_threshold = Decimal("10000")
    crew_org.ai_priority_threshold = "high"
    crew_org.save()
    calm = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    calm.refresh_from_db()
    assert calm.status == "assigned"

    urgent = _report(crew_tenant, crew_unit, "Water is gushing from a burst pipe in the bathroom, flooding!")
    urgent.refresh_from_db()
    assert urgent.status == "needs_review"
    assert urgent.safety_instructions, "an emergency's safety instructions go out whatever the autonomy"
    assert Delivery.objects.filter(request=urgent, event="safety_instructions").exists()


def test_low_confidence_goes_to_review(crew_tenant, crew_unit, crew_staff, plumbers, settings):
    settings.DOMI_AI_MIN_CONFIDENCE = 0.99
    request = _report(crew_tenant, crew_unit, "something is wrong")
    request.refresh_from_db()
    assert request.status == "needs_review"
    assert "Low confidence" in request.events.get(to_status="needs_review").note
    assert Delivery.objects.filter(request=request, recipient=crew_staff, event="needs_review").exists()


def test_no_eligible_contractor_goes_to_review(crew_tenant, crew_unit, crew_staff):
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    request.refresh_from_db()
    assert request.status == "needs_review"
    assert "No contractor" in request.events.get(to_status="needs_review").note


def test_repeat_problems_raise_the_priority(crew_tenant, crew_unit, crew_staff, plumbers):
    text = "The paint is peeling a little in the hallway"
    alone = _report(crew_tenant, crew_unit, text)
    first = alone.agent_runs.get(agent="analyzer").output
    assert first["priority"] in ("low", "medium")
    for _ in range(2):
        factories.MaintenanceRequestFactory(
            unit=crew_unit, reporter=crew_tenant, category=first["category"], priority="low", status="closed"
        )
    request = _report(crew_tenant, crew_unit, text)
    request.refresh_from_db()
    ranks = ["low", "medium", "high"]
    assert ranks.index(request.priority) == ranks.index(first["priority"]) + 1
    assert f"earlier {first['category']} requests" in request.agent_runs.get(agent="analyzer").output["rationale"]


def test_each_step_runs_once_however_often_it_is_delivered(crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    before = (
        RequestEvent.objects.filter(request=request).count(),
        Delivery.objects.filter(request=request).count(),
        AgentRun.objects.filter(request=request).count(),
    )
    tasks.analyze.apply(args=[request.pk])
    tasks.coordinate.apply(args=[request.pk])
    tasks.analyze.apply(args=[request.pk])
    after = (
        RequestEvent.objects.filter(request=request).count(),
        Delivery.objects.filter(request=request).count(),
        AgentRun.objects.filter(request=request).count(),
    )
    assert after == before


def test_a_step_another_worker_holds_is_left_to_it_until_its_claim_lapses(crew_tenant, crew_unit, crew_staff, plumbers):
    from maintenance import events

    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    claim = StepClaim.objects.create(request=request, step="analyzer", until=timezone.now() + timedelta(minutes=1))
    tasks.analyze.apply(args=[request.pk])
    assert not AgentRun.objects.filter(request=request).exists()
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "submitted"

    StepClaim.objects.filter(pk=claim.pk).update(until=timezone.now() - timedelta(seconds=1))  # its worker died
    tasks.analyze.apply(args=[request.pk])
    request.refresh_from_db()
    assert request.status == "assigned"
    assert not StepClaim.objects.exists(), "each step lets go of its claim when it ends"


def test_a_long_step_keeps_its_claim_alive(crew_tenant, crew_unit, crew_staff, plumbers, settings, monkeypatch):
    import time

    from maintenance import events

    settings.DOMI_CREW_CLAIM_SECONDS = 0.6
    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    real_run_agent = crew.run_agent
    seen = {}

    def slow(agent, *args, **kwargs):
        if agent == "analyzer":
            time.sleep(2)  # three leases
            seen["claims"], seen["at"] = list(StepClaim.objects.values_list("step", "until")), timezone.now()
        return real_run_agent(agent, *args, **kwargs)

    monkeypatch.setattr(crew, "run_agent", slow)
    crew.crew_analyze(request_id=request.pk)
    [(step, until)] = seen["claims"]
    assert step == "analyzer" and until > seen["at"], "renewed while the step ran, so no other worker could take it"
    assert not StepClaim.objects.exists()


def test_a_failed_step_lets_go_of_its_claim_for_the_retry(crew_tenant, crew_unit, crew_staff, plumbers, monkeypatch):
    from django.db import OperationalError

    from maintenance import events

    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")

    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(crew, "run_agent", database_gone)
    with pytest.raises(OperationalError):
        crew.crew_analyze(request_id=request.pk)
    assert not StepClaim.objects.exists()
    monkeypatch.undo()
    tasks.analyze.apply(args=[request.pk])
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "assigned"


class WorkerDied(Exception):
    """Stands for a worker killed part-way through a step, whose task the sweep or the broker hands out again."""


def test_a_step_cut_short_leaves_no_proposal(crew_org, crew_tenant, crew_unit, crew_staff, plumbers, monkeypatch):
    from maintenance import events

    crew_org.ai_autonomy = "suggest"
    crew_org.save(update_fields=["ai_autonomy"])
    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")

    def dies(**kwargs):
        raise WorkerDied

    monkeypatch.setattr(crew.maintenance, "maintenance_request_transition", dies)  # dies moving it to review
    with pytest.raises(WorkerDied):
        crew.crew_analyze(request_id=request.pk)
    monkeypatch.undo()
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "submitted"
    assert not AgentRun.objects.filter(request=request, decision="proposed").exists()

    crew.crew_analyze(request_id=request.pk)  # the retry
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "needs_review"
    assert AgentRun.objects.filter(request=request, agent="analyzer", decision="proposed").count() == 1


def test_a_retried_emergency_words_its_safety_message_once(crew_tenant, crew_unit, crew_staff, plumbers, monkeypatch):
    from maintenance import events

    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "A pipe burst under the sink and water is pouring everywhere!")

    def dies(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(crew, "_apply_triage", dies)  # after the safety message, before the triage is applied
    with pytest.raises(WorkerDied):
        crew.crew_analyze(request_id=request.pk)
    monkeypatch.undo()
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "submitted"

    crew.crew_analyze(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == "assigned"
    safety = AgentRun.objects.filter(request=request, agent="communicator", input__occasion="emergency")
    assert safety.count() == 1 and safety.get().decision == "applied"
    sent = Delivery.objects.filter(request=request, event="safety_instructions", recipient=crew_tenant)
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "in_app", "sms"]
    assert request.events.filter(kind="note", note__startswith="Emergency: safety instructions").count() == 1


def test_a_booking_and_the_tenants_word_of_it_land_together(crew_tenant, crew_unit, crew_staff, plumbers, monkeypatch):
    from maintenance import events

    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
        crew.crew_analyze(request_id=request.pk)
    real_notify = crew.notify

    def dies_telling_the_tenant(**kwargs):
        if kwargs["event"] == "job_assigned":
            raise WorkerDied
        return real_notify(**kwargs)

    monkeypatch.setattr(crew, "notify", dies_telling_the_tenant)
    with pytest.raises(WorkerDied):
        crew.crew_coordinate(request_id=request.pk)
    monkeypatch.undo()
    request.refresh_from_db()
    assert request.status == "triaged" and request.assigned_contractor is None, "not booked behind the tenant's back"

    crew.crew_coordinate(request_id=request.pk)  # the sweep's retry
    request.refresh_from_db()
    assert request.status == "assigned"
    assert Delivery.objects.filter(request=request, event="job_assigned", recipient=crew_tenant).exists()
    assert request.agent_runs.filter(agent="coordinator", decision="applied").count() == 1


def test_two_workers_handed_one_step_at_once_leave_one_decision(crew_org, crew_tenant, crew_unit, crew_staff, plumbers):
    """The sweep re-sends a step still queued; two workers can take both copies at the same moment."""
    import threading

    from django.db import connection

    from maintenance import events
    from tests.support import require_service

    require_service("postgresql")  # SQLite's shared in-memory test database takes one writer, not two workers
    crew_org.ai_autonomy = "suggest"  # the proposal is left before the request's row is locked
    crew_org.save(update_fields=["ai_autonomy"])
    with events.suppressed():
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    both_in = threading.Barrier(2, timeout=3)
    real_run_agent = crew.run_agent

    def side_by_side(agent, *args, **kwargs):
        if agent == "analyzer":
            with contextlib.suppress(threading.BrokenBarrierError):
                both_in.wait()  # without a claim both workers meet here and both decide
        return real_run_agent(agent, *args, **kwargs)

    def worker():
        try:
            crew.crew_analyze(request_id=request.pk)
        finally:
            connection.close()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crew, "run_agent", side_by_side)
        workers = [threading.Thread(target=worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=30)
    analyses = AgentRun.objects.filter(request=request, agent="analyzer")
    assert analyses.count() == 1 and analyses.get().decision == "proposed"
    assert RequestEvent.objects.filter(request=request, kind="status", to_status="needs_review").count() == 1


def _answer_offer(request, contractor_user, *, decline: str = ""):
    offer = request.offers.get(status="offered", contractor__user=contractor_user)
    if decline:
        maintenance.job_offer_decline(offer=offer, actor=Actor.of(contractor_user), reason=decline)
    else:
        maintenance.job_offer_accept(offer=offer, actor=Actor.of(contractor_user))


def _complete(request, contractor_user, notes="Replaced the washer, tested, no drip."):
    _answer_offer(request, contractor_user)
    request.refresh_from_db()
    if request.status == "assigned":  # accepted without a proposed visit: the contractor books one
        maintenance.maintenance_request_transition(
            request=request, to_status="scheduled", actor=Actor.of(contractor_user)
        )
    maintenance.maintenance_request_transition(
        request=request, to_status="in_progress", actor=Actor.of(contractor_user)
    )
    maintenance.maintenance_request_transition(
        request=request, to_status="completed", actor=Actor.of(contractor_user), note=notes
    )


def test_quality_control_closes_good_work_and_scores_the_contractor(crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    request.refresh_from_db()
    contractor = request.assigned_contractor
    factories.AttachmentFactory(request=request, kind=Attachment.Kind.COMPLETION_PHOTO, uploaded_by=contractor.user)
    _complete(request, contractor.user)
    request.refresh_from_db()
    assert request.status == "closed"
    assert request.events.get(to_status="closed").actor_agent == "quality_control"
    contractor = Contractor.objects.get(pk=contractor.pk)
    assert contractor.jobs_scored == 1


def test_quality_control_reopens_work_it_cannot_verify(crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    request.refresh_from_db()
    _complete(request, request.assigned_contractor.user, notes="")
    request.refresh_from_db()
    assert request.status == "reopened"
    event = request.events.get(to_status="reopened")
    assert event.actor_agent == "quality_control" and "no notes and no photos" in event.note


def test_quality_control_hears_the_tenant():
    from agents.runner import run_agent
    from agents.schemas import QualityInput

    verdict = run_agent(
        "quality_control",
        QualityInput(
            request_id=1,
            title="Leak",
            category="plumbing",
            completion_notes="Replaced the trap.",
            completion_photos=2,
            tenant_feedback=["It is still leaking under the sink."],
        ),
    ).output
    assert verdict.verdict == "reopen" and "persists" in verdict.reason
    assert verdict.contractor_score <= 2


def test_sweep_picks_up_a_request_whose_task_was_lost(crew_tenant, crew_unit, crew_staff, plumbers, monkeypatch):
    from maintenance import events

    with events.suppressed():  # as if the broker had dropped the message
        request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    MaintenanceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "submitted"
    counts = tasks.sweep.apply().get()
    assert counts["analyze"] == 1
    request.refresh_from_db()
    assert request.status == "assigned"


def test_requests_made_while_the_broker_was_down_go_as_soon_as_it_is_back(
    crew_tenant, crew_unit, crew_staff, plumbers, settings, monkeypatch
):
    from celery import Task
    from kombu.exceptions import OperationalError

    settings.DOMI_BROKER_RETRY_SECONDS = 0  # each publish tries the broker

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as outage:
        outage.setattr(Task, "apply_async", broker_down)
        during = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    assert MaintenanceRequest.objects.get(pk=during.pk).status == "submitted", "saved, waiting for a worker"

    _report(crew_tenant, crew_unit, "The bathroom light flickers")  # the first publish that goes through
    assert MaintenanceRequest.objects.get(pk=during.pk).status == "assigned", "not left for the sweep's next turn"


def test_overrides_are_exported_as_labels(crew_tenant, crew_unit, crew_staff, plumbers, tmp_path):
    import json

    from django.core.management import call_command

    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    original = request.agent_runs.get(agent="analyzer").output["priority"]
    corrected = "low" if original != "low" else "high"
    maintenance.maintenance_request_set_triage(
        request=request, actor=Actor.of(crew_staff), category="plumbing", priority=corrected, reason="Elderly tenant."
    )
    out = tmp_path / "labels.jsonl"
    call_command("export_triage_labels", "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 1
    assert lines[0]["priority"] == corrected and lines[0]["original"]["priority"] == original
    assert "Elderly tenant" in lines[0]["reason"]


def test_a_declined_job_is_offered_to_the_next_contractor(crew_tenant, crew_unit, crew_staff, plumbers):
    request = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    request.refresh_from_db()
    first = request.assigned_contractor
    _answer_offer(request, first.user, decline="Fully booked this week.")
    request.refresh_from_db()
    assert request.status == "assigned"
    assert request.assigned_contractor not in (None, first)
    assert not Appointment.objects.filter(contractor=first, status__in=["proposed", "confirmed"]).exists()
    second = request.assigned_contractor
    _answer_offer(request, second.user, decline="Not my area after all.")
    request.refresh_from_db()
    assert request.status == "needs_review", "nobody else is eligible: a person takes over"


def test_the_cost_range_follows_the_organizations_paid_invoices(crew_tenant, crew_unit, crew_staff, plumbers):
    from maintenance.models import Invoice

    first = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    standard = first.agent_runs.get(agent="analyzer").output
    assert "standard range" in standard["rationale"]
    for total in ("900", "1000", "1100", "1000", "1000"):
        done = factories.MaintenanceRequestFactory(
            unit=crew_unit, category="plumbing", priority="medium", status="closed"
        )
        Invoice.objects.create(
            request=done,
            contractor=plumbers["daytime"],
            status="paid",
            subtotal=Decimal(total),
            tax=Decimal(0),
            total=Decimal(total),
            paid_at=timezone.now(),
        )
    second = _report(crew_tenant, crew_unit, "The kitchen tap drips all the time even when closed")
    second.refresh_from_db()
    assert second.estimated_cost_min < Decimal(1000) < second.estimated_cost_max
    assert "median of 5 paid invoices" in second.agent_runs.get(agent="analyzer").output["rationale"]


def test_the_communication_agent_words_the_daily_digest(org, unit, django_capture_on_commit_callbacks):
    """The crew's writer is registered at start-up: staff's digest opens with what to do first, and why."""
    from datetime import UTC, datetime

    from notifications import services as notifications

    now = datetime(2030, 6, 3, 14, 0, tzinfo=UTC)
    staff = factories.StaffFactory(organization=org)
    factories.MaintenanceRequestFactory(
        unit=unit, title="No heat in bedroom", priority="high", status="triaged", due_by=now - timedelta(hours=30)
    )
    factories.MaintenanceRequestFactory(
        unit=unit, title="Sparking outlet", priority="emergency", status="triaged", due_by=now - timedelta(hours=3)
    )
    factories.MaintenanceRequestFactory(
        unit=unit, title="Odd noise", status="needs_review", due_by=now + timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.daily_digests_send(now=now)

    digest = next(m for m in mail.outbox if m.to == [staff.email])
    # The emergency comes first though the other request is later: urgency, then lateness.
    assert digest.subject == f"{org.name}: 2 overdue, start with “Sparking outlet”"
    assert "Start with “Sparking outlet”" in digest.body
    assert "Then “No heat in bedroom” (30 h)" in digest.body
    assert "Waiting on staff: 1 the AI crew could not triage" in digest.body
    run = AgentRun.objects.get(agent="communicator", organization=org)
    assert run.input["occasion"] == "daily_digest" and run.outcome == "succeeded"
    assert run.request_id is None
