"""Maintenance requests through the API: reporting, what each role sees, the state machine, filters."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maintenance.models import Comment, MaintenanceRequest, RequestEvent, Status
from tests import factories

from .test_auth import assert_error
from .world import build_world

REQUESTS = "/api/v1/requests/"


def detail_url(request_or_pk) -> str:
    pk = getattr(request_or_pk, "pk", request_or_pk)
    return f"{REQUESTS}{pk}/"


@pytest.mark.django_db
class TestReporting:
    def test_a_tenant_reports_a_problem_in_their_unit(self, api, tenant, unit):
        api.force_authenticate(tenant)

        response = api.post(
            REQUESTS,
            {
                "unit": unit.pk,
                "title": "  Kitchen tap drips ",
                "description": "Since Monday.",
                "permission_to_enter": True,
                "availability_windows": [{"start": "2030-01-02T09:00:00+01:00", "end": "2030-01-02T12:00:00+01:00"}],
            },
            format="json",
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "submitted" and body["title"] == "Kitchen tap drips"
        assert body["unit"]["id"] == unit.pk and body["reporter"]["email"] == tenant.email
        # Kept as instants, in UTC.
        assert body["availability_windows"] == [
            {"start": "2030-01-02T08:00:00+00:00", "end": "2030-01-02T11:00:00+00:00"}
        ]
        assert [e["kind"] for e in body["timeline"]] == ["created"]
        assert body["allowed_transitions"] == ["cancelled"]
        assert MaintenanceRequest.objects.get(pk=body["id"]).reporter == tenant

    def test_a_window_that_ends_before_it_starts_is_400(self, api, tenant, unit):
        api.force_authenticate(tenant)
        response = api.post(
            REQUESTS,
            {
                "unit": unit.pk,
                "title": "Leak",
                "description": "Drip.",
                "availability_windows": [{"start": "2030-01-02T12:00:00Z", "end": "2030-01-02T09:00:00Z"}],
            },
            format="json",
        )
        error = assert_error(response, 400, "validation_error")
        assert "availability_windows" in error["fields"]

    def test_a_unit_not_rented_says_the_same_as_a_unit_that_does_not_exist(self, api, tenant, other_org):
        """Validation does not reveal that another organization's unit exists."""
        elsewhere = factories.UnitFactory(property=factories.PropertyFactory(organization=other_org))
        api.force_authenticate(tenant)

        def unit_error(unit_id: int) -> str:
            body = {"unit": unit_id, "title": "Leak", "description": "Drip."}
            error = assert_error(api.post(REQUESTS, body, format="json"), 400, "validation_error")
            return re.sub(r"\d+", "N", str(error["fields"]["unit"]))

        assert unit_error(elsewhere.pk) == unit_error(elsewhere.pk + 1000)

    def test_a_past_tenancy_gives_no_right_to_report(self, api, unit):
        past = factories.TenancyFactory(
            unit=unit,
            start_date=timezone.localdate() - timedelta(days=400),
            end_date=timezone.localdate() - timedelta(days=30),
        )
        api.force_authenticate(past.tenant)
        response = api.post(REQUESTS, {"unit": unit.pk, "title": "Leak", "description": "Drip."}, format="json")
        assert_error(response, 400, "validation_error")

    def test_reporting_is_limited_per_person(self, api, tenant, unit, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "request_create_per_user": "2/h"}
        api.force_authenticate(tenant)
        body = {"unit": unit.pk, "title": "Leak", "description": "Drip."}
        assert [api.post(REQUESTS, body, format="json").status_code for _ in range(2)] == [201, 201]

        response = api.post(REQUESTS, body, format="json")

        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        assert MaintenanceRequest.objects.count() == 2

    @pytest.mark.crew
    def test_the_ai_crew_triages_a_reported_problem(self, api, tenant, unit, django_capture_on_commit_callbacks):
        from domi.celery import app

        previous, app.conf.task_always_eager = app.conf.task_always_eager, True
        try:
            api.force_authenticate(tenant)
            with django_capture_on_commit_callbacks(execute=True):
                response = api.post(
                    REQUESTS,
                    {"unit": unit.pk, "title": "Water leaking from ceiling", "description": "Dripping fast."},
                    format="json",
                )
            assert response.status_code == 201
        finally:
            app.conf.task_always_eager = previous
        request = MaintenanceRequest.objects.get(pk=response.json()["id"])
        assert request.status != Status.SUBMITTED
        assert request.category and request.priority


@pytest.mark.django_db
class TestWhatEachRoleSees:
    def test_a_contractor_sees_no_tenant_contact_before_accepting(self, api):
        world = build_world(status=Status.ASSIGNED)
        api.force_authenticate(world.contractor.user)

        detail = api.get(detail_url(world.request))
        listing = api.get(REQUESTS)

        for response in (detail, listing):
            text = response.content.decode()
            assert world.tenant_owner.email not in text and world.tenant_owner.phone not in text
        assert detail.json()["reporter"]["email"] is None and detail.json()["reporter"]["phone"] is None

        visit = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
        accepted = api.post(f"{detail_url(world.request)}accept/", {"start": visit.isoformat()}, format="json")

        assert accepted.status_code == 200, accepted.content
        assert accepted.json()["status"] == "scheduled"
        assert accepted.json()["appointments"][0]["status"] == "confirmed"
        assert accepted.json()["reporter"] == {
            "id": world.tenant_owner.pk,
            "name": world.tenant_owner.get_full_name(),
            "email": world.tenant_owner.email,
            "phone": world.tenant_owner.phone,
        }

    def test_tenants_and_contractors_see_no_staff_only_comments_or_events(self, api):
        world = build_world(status=Status.SCHEDULED)
        Comment.objects.create(
            request=world.request, author=world.staff, body="Owner is slow to pay", visibility="staff"
        )
        factories.RequestEventFactory(request=world.request, note="Internal: check the budget", is_shared=False)

        for user in (world.tenant_owner, world.contractor.user):
            api.force_authenticate(user)
            detail = api.get(detail_url(world.request)).content.decode()
            comments = api.get(f"{detail_url(world.request)}comments/").content.decode()
            assert "Owner is slow" not in detail and "Owner is slow" not in comments
            assert "Internal: check" not in detail

        api.force_authenticate(world.staff)
        detail = api.get(detail_url(world.request)).json()
        assert {c["body"] for c in detail["comments"]} == {"It drips at night.", "Owner is slow to pay"}
        assert "Internal: check the budget" in [e["note"] for e in detail["timeline"]]

    def test_people_are_shown_by_name_and_role_never_by_email(self, api):
        world = build_world()
        world.tenant_owner.first_name = world.tenant_owner.last_name = ""
        world.tenant_owner.save()
        api.force_authenticate(world.contractor.user)
        world.request.status = Status.ASSIGNED
        world.request.save()

        comment = api.get(detail_url(world.request)).json()["comments"][0]

        assert comment["author"] == {"name": "Tenant", "role": "tenant"}

    def test_a_tenant_cannot_write_a_staff_only_comment(self, api):
        world = build_world()
        api.force_authenticate(world.tenant_owner)
        response = api.post(
            f"{detail_url(world.request)}comments/", {"body": "x", "visibility": "staff"}, format="json"
        )
        assert_error(response, 403, "permission_denied")

    def test_staff_write_staff_only_comments(self, api):
        world = build_world()
        api.force_authenticate(world.staff)
        response = api.post(
            f"{detail_url(world.request)}comments/", {"body": "Ring first", "visibility": "staff"}, format="json"
        )
        assert response.status_code == 201
        assert response.json()["visibility"] == "staff" and response.json()["author"]["role"] == "manager"

    def test_tenants_do_not_see_invoices(self, api):
        world = build_world(status=Status.COMPLETED)
        factories.AttachmentFactory(request=world.request, kind="photo", original_name="leak.jpg")
        factories.AttachmentFactory(
            request=world.request, kind="invoice", original_name="invoice.pdf", uploaded_by=world.contractor.user
        )
        api.force_authenticate(world.tenant_owner)
        assert [a["original_name"] for a in api.get(detail_url(world.request)).json()["attachments"]] == ["leak.jpg"]
        api.force_authenticate(world.staff)
        assert len(api.get(detail_url(world.request)).json()["attachments"]) == 2

    def test_a_contractor_lists_only_their_jobs(self, api):
        world = build_world(status=Status.SCHEDULED)
        factories.MaintenanceRequestFactory(unit=world.unit, reporter=world.tenant_owner)  # nobody's job yet
        factories.MaintenanceRequestFactory(
            unit=world.unit, reporter=world.tenant_owner, status="assigned", assigned_contractor=world.contractor_other
        )
        api.force_authenticate(world.contractor.user)
        assert [r["id"] for r in api.get(REQUESTS).json()["results"]] == [world.request.pk]


@pytest.mark.django_db
class TestTheStateMachine:
    def test_a_tenant_cancels_through_the_generic_transition(self, api):
        world = build_world(status=Status.SUBMITTED)
        api.force_authenticate(world.tenant_owner)

        response = api.post(
            f"{detail_url(world.request)}transition/", {"to_status": "cancelled", "note": "Fixed"}, format="json"
        )

        assert response.status_code == 200 and response.json()["status"] == "cancelled"
        event = response.json()["timeline"][-1]
        assert (event["from_status"], event["to_status"], event["note"]) == ("submitted", "cancelled", "Fixed")
        assert event["actor"] == {"type": "user", "name": world.tenant_owner.get_full_name(), "role": "tenant"}

    def test_a_move_the_status_does_not_allow_is_409(self, api):
        world = build_world(status=Status.SUBMITTED)
        api.force_authenticate(world.tenant_owner)
        error = assert_error(api.post(f"{detail_url(world.request)}confirm/", format="json"), 409, "invalid_transition")
        assert "submitted" in error["message"]
        error = assert_error(
            api.post(f"{detail_url(world.request)}transition/", {"to_status": "closed"}, format="json"),
            409,
            "invalid_transition",
        )
        world.request.refresh_from_db()
        assert world.request.status == Status.SUBMITTED

    def test_an_unknown_status_is_400(self, api):
        world = build_world(status=Status.SUBMITTED)
        api.force_authenticate(world.staff)
        response = api.post(f"{detail_url(world.request)}transition/", {"to_status": "done"}, format="json")
        assert "to_status" in assert_error(response, 400, "validation_error")["fields"]

    def test_reopen_needs_a_reason(self, api):
        world = build_world(status=Status.COMPLETED)
        api.force_authenticate(world.tenant_owner)
        error = assert_error(
            api.post(f"{detail_url(world.request)}reopen/", {}, format="json"), 400, "validation_error"
        )
        assert "reason" in error["fields"]

    def test_decline_needs_a_reason(self, api):
        world = build_world(status=Status.ASSIGNED)
        api.force_authenticate(world.contractor.user)
        response = api.post(f"{detail_url(world.request)}decline/", {"reason": ""}, format="json")
        assert "reason" in assert_error(response, 400, "validation_error")["fields"]

    def test_the_state_machines_demand_for_a_note_names_the_moves_field(self, api):
        world = build_world(status=Status.AWAITING_APPROVAL)  # cancelling from here needs a reason
        api.force_authenticate(world.staff)
        response = api.post(f"{detail_url(world.request)}cancel/", {}, format="json")
        assert set(assert_error(response, 400, "validation_error")["fields"]) == {"reason"}
        response = api.post(f"{detail_url(world.request)}cancel/", {"reason": "Owner said no"}, format="json")
        assert response.json()["status"] == "cancelled"

    def test_a_contractor_runs_the_job_from_acceptance_to_completion(self, api):
        world = build_world(status=Status.ASSIGNED)
        api.force_authenticate(world.contractor.user)
        url = detail_url(world.request)

        offer = api.get(url).json()["job_offer"]
        assert offer["status"] == "offered" and offer["contractor"] == world.contractor.pk
        accepted = api.post(f"{url}accept/", format="json").json()  # no visit yet: still assigned
        assert (accepted["status"], accepted["job_offer"]) == ("assigned", None)
        start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
        proposed = api.post(f"{url}visit/", {"start": start.isoformat(), "duration_minutes": 60}, format="json").json()
        assert proposed["appointments"][0]["end"] == (start + timedelta(minutes=60)).isoformat().replace("+00:00", "Z")
        # The visit is agreed: the contractor confirms, and the job is scheduled.
        assert api.post(f"{url}accept/", format="json").json()["status"] == "scheduled"
        assert api.post(f"{url}start/", format="json").json()["status"] == "in_progress"
        done = api.post(f"{url}complete/", {"notes": "Replaced the washer."}, format="json").json()

        assert done["status"] == "completed" and done["completed_at"]
        assert done["timeline"][-1]["note"] == "Replaced the washer."

        api.force_authenticate(world.tenant_owner)
        closed = api.post(f"{url}confirm/", format="json").json()
        assert closed["status"] == "closed" and closed["allowed_transitions"] == []

    def test_completion_records_labour_and_parts_and_needs_notes(self, api):
        world = build_world(status=Status.IN_PROGRESS)
        api.force_authenticate(world.contractor.user)
        url = f"{detail_url(world.request)}complete/"
        assert "notes" in assert_error(api.post(url, {"notes": " "}, format="json"), 400, "validation_error")["fields"]
        bad_line = {"notes": "Done", "lines": [{"kind": "part", "description": "Washer", "quantity": "0"}]}
        assert "lines" in assert_error(api.post(url, bad_line, format="json"), 400, "validation_error")["fields"]

        lines = [
            {"kind": "labour", "description": "Plumber, 1 h", "quantity": "1.00", "unit_price": "80.00"},
            {"kind": "part", "description": "Washer", "quantity": "2", "unit_price": "1.50"},
        ]
        response = api.post(url, {"notes": "Replaced the washer.", "lines": lines}, format="json")

        assert response.status_code == 200 and response.json()["status"] == "completed"
        assert sorted(line.amount for line in world.request.job_lines.all()) == [Decimal("3.00"), Decimal("80.00")]

    def test_a_visit_that_clashes_with_another_is_409(self, api):
        world = build_world(status=Status.ASSIGNED)
        start = timezone.now() + timedelta(days=3)
        other = factories.MaintenanceRequestFactory(
            unit=world.unit, reporter=world.tenant_owner, status="scheduled", assigned_contractor=world.contractor
        )
        factories.AppointmentFactory(
            request=other, contractor=world.contractor, start=start, end=start + timedelta(hours=2), status="confirmed"
        )
        api.force_authenticate(world.contractor.user)

        response = api.post(
            f"{detail_url(world.request)}visit/", {"start": (start + timedelta(hours=1)).isoformat()}, format="json"
        )

        assert_error(response, 409, "double_booking")
        assert not world.request.appointments.exists()

    def test_the_tenant_rates_the_finished_work(self, api):
        world = build_world(status=Status.COMPLETED)
        api.force_authenticate(world.tenant_owner)
        url = f"{detail_url(world.request)}rate/"

        response = api.post(url, {"rating": 2, "feedback": "Still a bit damp."}, format="json")

        assert response.status_code == 200 and response.json()["tenant_rating"] == 2
        assert response.json()["comments"][-1]["body"] == "Still a bit damp."
        assert "rating" in assert_error(api.post(url, {"rating": 6}, format="json"), 400, "validation_error")["fields"]
        world.request.refresh_from_db()
        assert world.request.tenant_rating == 2

    def test_unfinished_work_cannot_be_rated(self, api):
        world = build_world(status=Status.IN_PROGRESS)
        api.force_authenticate(world.tenant_owner)
        response = api.post(f"{detail_url(world.request)}rate/", {"rating": 5}, format="json")
        assert_error(response, 409, "invalid_transition")

    def test_a_contractor_who_declines_no_longer_sees_the_job(self, api):
        world = build_world(status=Status.ASSIGNED)
        api.force_authenticate(world.contractor.user)

        response = api.post(f"{detail_url(world.request)}decline/", {"reason": "Booked up"}, format="json")

        assert response.status_code == 204
        world.request.refresh_from_db()
        assert world.request.status == Status.TRIAGED and world.request.assigned_contractor is None
        assert api.get(detail_url(world.request)).status_code == 404
        assert world.request.events.filter(note__endswith="Booked up", actor_user=world.contractor.user).exists()
        assert world.request.offers.get().status == "declined"

    def test_allowed_transitions_follow_the_role(self, api):
        world = build_world(status=Status.ASSIGNED)
        url = f"{detail_url(world.request)}allowed-transitions/"
        api.force_authenticate(world.tenant_owner)
        assert api.get(url).json() == {"allowed_transitions": ["cancelled"]}
        api.force_authenticate(world.contractor.user)
        assert sorted(api.get(url).json()["allowed_transitions"]) == ["scheduled", "triaged"]

    def test_staff_override_the_triage_with_a_reason(self, api):
        world = build_world(status=Status.SUBMITTED)
        api.force_authenticate(world.staff)

        response = api.post(
            f"{detail_url(world.request)}triage/",
            {
                "category": "electrical",
                "priority": "emergency",
                "estimated_cost_min": "100.00",
                "estimated_cost_max": "250.00",
                "reason": "Sparks from the socket.",
            },
            format="json",
        )

        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["category"], body["priority"]) == ("electrical", "emergency")
        assert Decimal(body["estimated_cost_max"]) == Decimal("250.00") and body["due_by"]
        override = world.request.events.get(kind=RequestEvent.Kind.TRIAGE_OVERRIDE)
        assert "Sparks" in override.note and override.is_shared is False
        api.force_authenticate(world.tenant_owner)
        assert "triage_override" not in [e["kind"] for e in api.get(detail_url(world.request)).json()["timeline"]]

    def test_a_triage_needs_a_reason_and_an_ordered_cost_range(self, api):
        world = build_world(status=Status.SUBMITTED)
        api.force_authenticate(world.staff)
        response = api.post(
            f"{detail_url(world.request)}triage/",
            {"category": "plumbing", "priority": "low", "estimated_cost_min": "300", "estimated_cost_max": "100"},
            format="json",
        )
        fields = assert_error(response, 400, "validation_error")["fields"]
        assert "reason" in fields

    def test_staff_assign_a_contractor_of_their_roster_only(self, api):
        world = build_world(status=Status.TRIAGED)
        rival = factories.ContractorFactory(organization=world.other_org)
        inactive = factories.ContractorFactory(organization=world.org, is_active=False)
        api.force_authenticate(world.staff)
        url = f"{detail_url(world.request)}assign/"

        for contractor in (rival, inactive):
            response = api.post(url, {"contractor": contractor.pk}, format="json")
            assert "contractor" in assert_error(response, 400, "validation_error")["fields"]

        response = api.post(url, {"contractor": world.contractor_other.pk, "note": "Spark Co has time"}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "assigned"
        assert response.json()["assigned_contractor"] == {"id": world.contractor_other.pk, "company_name": "Spark Co"}

    def test_assigning_a_closed_request_is_409(self, api):
        world = build_world(status=Status.CLOSED)
        api.force_authenticate(world.staff)
        response = api.post(f"{detail_url(world.request)}assign/", {"contractor": world.contractor.pk}, format="json")
        assert_error(response, 409, "invalid_transition")


@pytest.mark.django_db
class TestListing:
    @pytest.fixture
    def rows(self, org, unit, staff):
        now = timezone.now()
        contractor = factories.ContractorFactory(organization=org)
        other_unit = factories.UnitFactory(property=factories.PropertyFactory(organization=org))

        def make(**kwargs):
            request = factories.MaintenanceRequestFactory(unit=kwargs.pop("unit", unit), **kwargs)
            return request

        return {
            "leak": make(title="Leaking tap", category="plumbing", priority="low", created_at=now - timedelta(days=10)),
            "spark": make(
                title="Sparking socket",
                description="Smells of burning",
                category="electrical",
                priority="emergency",
                status="assigned",
                assigned_contractor=contractor,
                due_by=now - timedelta(hours=1),
                created_at=now - timedelta(days=2),
            ),
            "door": make(
                title="Door sticks",
                unit=other_unit,
                category="doors_windows",
                priority="medium",
                status="closed",
                due_by=now - timedelta(days=1),
                created_at=now - timedelta(days=1),
            ),
            "heat": make(title="No heating", category="hvac", priority="high", due_by=now + timedelta(days=2)),
            "contractor": contractor,
            "other_unit": other_unit,
        }

    def titles(self, api, query: str = "") -> list[str]:
        response = api.get(f"{REQUESTS}?{query}")
        assert response.status_code == 200, response.content
        return [r["title"] for r in response.json()["results"]]

    def test_filters(self, api, staff, rows):
        api.force_authenticate(staff)
        assert self.titles(api) == ["No heating", "Door sticks", "Sparking socket", "Leaking tap"]
        assert self.titles(api, "status=closed&status=assigned") == ["Door sticks", "Sparking socket"]
        assert self.titles(api, "priority=emergency") == ["Sparking socket"]
        assert self.titles(api, "category=hvac") == ["No heating"]
        assert self.titles(api, f"unit={rows['other_unit'].pk}") == ["Door sticks"]
        assert self.titles(api, f"property={rows['other_unit'].property_id}") == ["Door sticks"]
        assert self.titles(api, f"contractor={rows['contractor'].pk}") == ["Sparking socket"]
        assert self.titles(api, "overdue=true") == ["Sparking socket"]  # the closed one is not overdue
        assert "Sparking socket" not in self.titles(api, "overdue=false")
        day = timezone.localdate()
        assert self.titles(
            api, f"created_after={day - timedelta(days=3)}&created_before={day - timedelta(days=1)}"
        ) == [
            "Door sticks",
            "Sparking socket",
        ]
        assert self.titles(api, f"due_after={day + timedelta(days=1)}") == ["No heating"]
        assert self.titles(api, "search=burning") == ["Sparking socket"]
        assert self.titles(api, "search=TAP leaking") == ["Leaking tap"]

    def test_the_choice_filters_neither_repeat_nor_deduplicate_rows(self, api, staff, rows):
        api.force_authenticate(staff)
        query = "status=closed&status=assigned&status=submitted&priority=emergency&priority=low&category=electrical"
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{REQUESTS}?{query}")
        statements = [q["sql"] for q in queries.captured_queries]

        assert response.json()["count"] == 1 and self.titles(api, query) == ["Sparking socket"]
        # A filter on one column cannot repeat a row: a DISTINCT would only make the database sort and
        # compare whole rows to count and page the list.
        assert len(statements) == 2 and not [sql for sql in statements if "DISTINCT" in sql]

    def test_ordering(self, api, staff, rows):
        api.force_authenticate(staff)
        assert self.titles(api, "ordering=priority") == ["Sparking socket", "No heating", "Door sticks", "Leaking tap"]
        assert self.titles(api, "ordering=-priority")[0] == "Leaking tap"
        assert self.titles(api, "ordering=title") == sorted(self.titles(api))
        assert_error(api.get(f"{REQUESTS}?ordering=reporter__email"), 400, "validation_error")

    def test_an_id_filter_outside_the_scope_gives_an_empty_list_not_an_error(self, api, other_staff, rows):
        api.force_authenticate(other_staff)
        assert self.titles(api, f"unit={rows['other_unit'].pk}") == []

    def test_bad_filter_values_are_400(self, api, staff):
        api.force_authenticate(staff)
        assert "status" in assert_error(api.get(f"{REQUESTS}?status=lost"), 400, "validation_error")["fields"]
        assert_error(api.get(f"{REQUESTS}?created_after=yesterday"), 400, "validation_error")

    def test_pages(self, api, staff, rows):
        api.force_authenticate(staff)
        first = api.get(f"{REQUESTS}?page_size=3").json()
        second = api.get(first["next"]).json()
        assert first["count"] == 4 and len(first["results"]) == 3 and len(second["results"]) == 1
        assert_error(api.get(f"{REQUESTS}?page=9"), 404, "not_found")


@pytest.mark.django_db
class TestContactAfterTheJob:
    """A contractor's view of the tenant's phone and e-mail ends a grace period after the job is done."""

    def reporter_seen_by_contractor(self, api, world) -> dict:
        api.force_authenticate(world.contractor.user)
        response = api.get(detail_url(world.request))
        assert response.status_code == 200
        return response.json()["reporter"]

    @pytest.mark.parametrize("status", [Status.COMPLETED, Status.CLOSED])
    def test_shown_within_the_grace_period_hidden_after(self, api, settings, status):
        settings.DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION = 48
        world = build_world(status=status)
        MaintenanceRequest.objects.filter(pk=world.request.pk).update(completed_at=timezone.now() - timedelta(hours=47))
        assert self.reporter_seen_by_contractor(api, world)["phone"] == world.tenant_owner.phone

        MaintenanceRequest.objects.filter(pk=world.request.pk).update(completed_at=timezone.now() - timedelta(hours=49))
        reporter = self.reporter_seen_by_contractor(api, world)
        assert reporter["phone"] is None and reporter["email"] is None
        text = api.get(detail_url(world.request)).content.decode()
        assert world.tenant_owner.phone not in text and world.tenant_owner.email not in text
        assert reporter["name"] == world.tenant_owner.get_full_name()  # who it was for stays on the job

    def test_a_grace_period_of_zero_hides_it_at_completion(self, api, settings):
        settings.DOMI_CONTRACTOR_CONTACT_HOURS_AFTER_COMPLETION = 0
        world = build_world(status=Status.COMPLETED)
        MaintenanceRequest.objects.filter(pk=world.request.pk).update(completed_at=timezone.now())
        assert self.reporter_seen_by_contractor(api, world)["phone"] is None

    def test_a_reopened_job_shares_it_again(self, api):
        world = build_world(status=Status.REOPENED)
        MaintenanceRequest.objects.filter(pk=world.request.pk).update(
            completed_at=timezone.now() - timedelta(days=30), assigned_contractor=world.contractor
        )
        assert self.reporter_seen_by_contractor(api, world)["phone"] == world.tenant_owner.phone

    def test_staff_and_the_tenant_still_see_it(self, api):
        world = build_world(status=Status.CLOSED)
        MaintenanceRequest.objects.filter(pk=world.request.pk).update(completed_at=timezone.now() - timedelta(days=30))
        for user in (world.staff, world.tenant_owner):
            api.force_authenticate(user)
            assert api.get(detail_url(world.request)).json()["reporter"]["phone"] == world.tenant_owner.phone
