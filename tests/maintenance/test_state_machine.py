"""The request state machine: every allowed move by every allowed role, and the refusals."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from domi.errors import InvalidTransition, NotPermitted
from maintenance import events, services
from maintenance.actors import Actor, ActorRole
from maintenance.models import MaintenanceRequest, RequestEvent, Status
from tests import factories
from tests.support import require_service

ALL_STATUSES = list(Status.values)
ALL_ROLES = list(ActorRole)


NEEDS_CONTRACTOR = ("assigned", "scheduled", "in_progress")


def _request_in(status: str, *, org=None, to: str = "") -> MaintenanceRequest:
    """A request sitting in `status`, with whatever that status needs (triage, a contractor)."""
    request = factories.MaintenanceRequestFactory(
        unit=factories.UnitFactory(
            property=factories.PropertyFactory(organization=org or factories.OrganizationFactory())
        )
    )
    request.category, request.priority = "plumbing", "medium"
    if status in ("assigned", "scheduled", "in_progress", "completed", "closed", "reopened") or to in NEEDS_CONTRACTOR:
        request.assigned_contractor = factories.ContractorFactory(organization=request.organization)
    request.status = status
    request.save()
    return request


def _actor_for(role: ActorRole, request: MaintenanceRequest) -> Actor:
    if role == ActorRole.AGENT:
        return Actor.agent_named("analyzer")
    if role == ActorRole.STAFF:
        return Actor.of(factories.StaffFactory(organization=request.organization))
    if role == ActorRole.TENANT:
        return Actor.of(request.reporter)
    contractor = request.assigned_contractor or factories.ContractorFactory(organization=request.organization)
    if request.assigned_contractor is None:
        request.assigned_contractor = contractor
        request.save()
    return Actor.of(contractor.user)


ALLOWED = [(frm, to, role) for (frm, to), roles in services.TRANSITIONS.items() for role in sorted(roles)]
FORBIDDEN_BY_ROLE = [
    (frm, to, role) for (frm, to), roles in services.TRANSITIONS.items() for role in ALL_ROLES if role not in roles
]
NOT_A_TRANSITION = [(frm, to) for frm in ALL_STATUSES for to in ALL_STATUSES if (frm, to) not in services.TRANSITIONS]


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to", "role"), ALLOWED, ids=[f"{f}->{t}:{r}" for f, t, r in ALLOWED])
def test_allowed_transition_moves_and_is_on_the_timeline(frm, to, role, django_capture_on_commit_callbacks):
    request = _request_in(frm, to=to)
    actor = _actor_for(role, request)
    received = []

    def receiver(**payload):
        received.append(payload)

    events.request_status_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.maintenance_request_transition(
                request=request, to_status=to, actor=actor, note="Because it is so."
            )
    finally:
        events.request_status_changed.disconnect(receiver)

    assert result.status == to
    assert MaintenanceRequest.objects.get(pk=request.pk).status == to
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.STATUS)
    assert (event.from_status, event.to_status, event.note) == (frm, to, "Because it is so.")
    assert event.actor_user == actor.user
    assert event.actor_agent == actor.agent
    assert received and received[0]["request_id"] == request.pk and received[0]["to_status"] == to


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frm", "to", "role"), FORBIDDEN_BY_ROLE, ids=[f"{f}->{t}:{r}" for f, t, r in FORBIDDEN_BY_ROLE]
)
def test_role_that_may_not_make_a_move_is_refused(frm, to, role):
    request = _request_in(frm)
    actor = _actor_for(role, request)
    with pytest.raises(InvalidTransition):
        services.maintenance_request_transition(request=request, to_status=to, actor=actor, note="reason")
    assert MaintenanceRequest.objects.get(pk=request.pk).status == frm
    assert not RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.STATUS).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to"), NOT_A_TRANSITION, ids=[f"{f}->{t}" for f, t in NOT_A_TRANSITION])
def test_moves_outside_the_machine_are_refused_even_for_staff(frm, to):
    request = _request_in(frm)
    with pytest.raises(InvalidTransition):
        services.maintenance_request_transition(
            request=request, to_status=to, actor=_actor_for(ActorRole.STAFF, request), note="reason"
        )
    assert MaintenanceRequest.objects.get(pk=request.pk).status == frm


@pytest.mark.django_db
def test_a_tenant_who_did_not_report_it_cannot_cancel():
    request = _request_in("submitted")
    neighbour = factories.TenancyFactory(unit=request.unit).tenant
    with pytest.raises(InvalidTransition):
        services.maintenance_request_transition(request=request, to_status="cancelled", actor=Actor.of(neighbour))


@pytest.mark.django_db
def test_a_contractor_not_on_the_job_cannot_start_it():
    request = _request_in("scheduled")
    stranger = factories.ContractorFactory(organization=request.organization)
    with pytest.raises(InvalidTransition):
        services.maintenance_request_transition(request=request, to_status="in_progress", actor=Actor.of(stranger.user))


@pytest.mark.django_db
def test_staff_of_another_organization_cannot_move_it():
    request = _request_in("submitted")
    outsider = factories.StaffFactory()
    with pytest.raises(InvalidTransition):
        services.maintenance_request_transition(request=request, to_status="cancelled", actor=Actor.of(outsider))


@pytest.mark.django_db
def test_superuser_acts_as_staff_anywhere():
    request = _request_in("submitted")
    services.maintenance_request_transition(
        request=request, to_status="cancelled", actor=Actor.of(factories.SuperuserFactory())
    )
    assert request.status == "cancelled"


@pytest.mark.django_db
def test_reopen_needs_a_reason():
    request = _request_in("completed")
    with pytest.raises(ValidationError):
        services.maintenance_request_transition(request=request, to_status="reopened", actor=Actor.of(request.reporter))
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "completed"


@pytest.mark.django_db
def test_triaged_needs_category_and_priority():
    request = factories.MaintenanceRequestFactory()
    with pytest.raises(InvalidTransition):
        services.maintenance_request_transition(
            request=request, to_status="triaged", actor=Actor.agent_named("analyzer")
        )


@pytest.mark.django_db
def test_a_declined_job_loses_its_contractor():
    request = _request_in("assigned")
    contractor_user = request.assigned_contractor.user
    services.maintenance_request_transition(
        request=request, to_status="triaged", actor=Actor.of(contractor_user), note="Fully booked this week."
    )
    request.refresh_from_db()
    assert request.status == "triaged" and request.assigned_contractor is None


@pytest.mark.django_db
def test_no_event_is_published_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    request = _request_in("submitted")
    received = []
    events.request_status_changed.connect(lambda **p: received.append(p), weak=False, dispatch_uid="rollback-test")
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    services.maintenance_request_transition(
                        request=request, to_status="cancelled", actor=Actor.of(request.reporter)
                    )
                    raise RuntimeError("boom")
            except RuntimeError:
                pass
    finally:
        events.request_status_changed.disconnect(dispatch_uid="rollback-test")
    assert callbacks == [] and received == []
    assert MaintenanceRequest.objects.get(pk=request.pk).status == "submitted"


@pytest.mark.django_db
def test_create_checks_the_tenancy_and_records_the_creation(unit, tenant, django_capture_on_commit_callbacks):
    received = []
    events.request_created.connect(lambda **p: received.append(p), weak=False, dispatch_uid="create-test")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            request = services.maintenance_request_create(
                reporter=tenant, unit=unit, title=" Leak ", description="Water under the sink."
            )
    finally:
        events.request_created.disconnect(dispatch_uid="create-test")
    assert request.title == "Leak" and request.status == "submitted"
    assert request.organization == unit.property.organization
    assert request.events.get().kind == RequestEvent.Kind.CREATED
    assert received == [{"signal": events.request_created, "sender": None, "request_id": request.pk}]

    stranger = factories.TenancyFactory().tenant
    with pytest.raises(NotPermitted):
        services.maintenance_request_create(reporter=stranger, unit=unit, title="x", description="y")


@pytest.mark.django_db
def test_create_refuses_windows_without_time_zone(unit, tenant):
    with pytest.raises(ValidationError):
        services.maintenance_request_create(
            reporter=tenant,
            unit=unit,
            title="Leak",
            description="Drip",
            availability_windows=[{"start": "2026-12-01T09:00", "end": "2026-12-01T12:00"}],
        )


@pytest.mark.django_db
def test_staff_override_keeps_the_reason_and_sets_due_by(staff, unit, tenant):
    request = services.maintenance_request_create(reporter=tenant, unit=unit, title="Leak", description="Drip")
    services.maintenance_request_set_triage(
        request=request, actor=Actor.agent_named("analyzer"), category="plumbing", priority="medium"
    )
    with pytest.raises(ValidationError):
        services.maintenance_request_set_triage(
            request=request, actor=Actor.of(staff), category="plumbing", priority="high"
        )
    services.maintenance_request_set_triage(
        request=request,
        actor=Actor.of(staff),
        category="plumbing",
        priority="emergency",
        estimated_cost_min=Decimal("100"),
        estimated_cost_max=Decimal("300"),
        reason="Water is reaching the flat below.",
    )
    request.refresh_from_db()
    assert request.priority == "emergency"
    assert (request.due_by - request.created_at).total_seconds() == 4 * 3600
    override = request.events.get(kind=RequestEvent.Kind.TRIAGE_OVERRIDE)
    assert "medium → emergency" in override.note and "flat below" in override.note
    assert override.actor_user == staff and override.is_shared is False


@pytest.mark.django_db
def test_assign_refuses_a_contractor_of_another_organization(staff):
    request = _request_in("triaged", org=staff.organization)
    outsider = factories.ContractorFactory()
    with pytest.raises(ValidationError):
        services.maintenance_request_assign(request=request, contractor=outsider, actor=Actor.of(staff))
    mine = factories.ContractorFactory(organization=staff.organization)
    services.maintenance_request_assign(request=request, contractor=mine, actor=Actor.of(staff))
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_contractor == mine
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == [RequestEvent.Kind.ASSIGNMENT, RequestEvent.Kind.STATUS]


@pytest.mark.django_db
def test_only_staff_write_staff_only_comments(staff, unit, tenant):
    request = services.maintenance_request_create(reporter=tenant, unit=unit, title="Leak", description="Drip")
    services.comment_create(request=request, author=staff, body="Owner is slow to pay.", visibility="staff")
    services.comment_create(request=request, author=tenant, body="Thanks!")
    with pytest.raises(NotPermitted):
        services.comment_create(request=request, author=tenant, body="sneaky", visibility="staff")
    with pytest.raises(NotPermitted):
        services.comment_create(request=request, author=factories.StaffFactory(), body="hi")


@pytest.mark.django_db(transaction=True)
def test_two_racing_callers_move_a_request_only_once():
    """On PostgreSQL the row lock and the compare-and-set let exactly one of two threads win."""
    require_service("postgresql")
    request = _request_in("completed")
    staff = factories.StaffFactory(organization=request.organization)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(to_status: str, actor: Actor) -> None:
        try:
            barrier.wait(timeout=5)
            services.maintenance_request_transition(request=request, to_status=to_status, actor=actor, note="race")
            outcomes.append("ok")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("closed", Actor.of(staff))),
        threading.Thread(target=attempt, args=("reopened", Actor.of(request.reporter))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(outcomes) == ["ok", "refused"]
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.STATUS).count() == 1
