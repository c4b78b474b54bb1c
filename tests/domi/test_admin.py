"""The back office: only organization staff get in, and they see only their own organization."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from agents.models import AgentRun, StepClaim
from contractors.models import Trade
from domi.accounts.models import Organization, User
from maintenance.models import DirectUpload, MaintenanceRequest, RequestEvent
from tests import factories
from tests.factories import PASSWORD


def _world(org):
    """One of every model in an organization."""
    request = factories.MaintenanceRequestFactory(
        unit=factories.UnitFactory(property=factories.PropertyFactory(organization=org))
    )
    contractor = factories.ContractorFactory(organization=org)
    return {
        "organization": org,
        "property": request.unit.property,
        "unit": request.unit,
        "tenancy": request.unit.tenancies.get(),
        "user": request.reporter,
        "contractor": contractor,
        "maintenancerequest": request,
        "requestevent": factories.RequestEventFactory(request=request),
        "comment": factories.CommentFactory(request=request),
        "attachment": factories.AttachmentFactory(request=request),
        "directupload": DirectUpload.objects.create(
            request=request,
            uploader=request.reporter,
            filename="leak.png",
            size=68,
            content_type="image/png",
            kind="photo",
            expires_at=request.created_at,
        ),
        "appointment": factories.AppointmentFactory(request=request, contractor=contractor),
        "servicearea": factories.ServiceAreaFactory(contractor=contractor),
        "agentrun": AgentRun.objects.create(
            organization=org,
            request=request,
            agent="analyzer",
            model_name="local",
            prompt_version="test",
            outcome="succeeded",
            output={"category": "plumbing", "priority": "low"},
        ),
        "stepclaim": StepClaim.objects.create(request=request, step="analyzer", until=request.created_at),
    }


SCOPED_MODELS = [
    "organization",
    "property",
    "unit",
    "tenancy",
    "user",
    "contractor",
    "maintenancerequest",
    "requestevent",
    "comment",
    "attachment",
    "directupload",
    "appointment",
    "servicearea",
    "agentrun",
    "stepclaim",
]


def _admin_url(obj, view: str) -> str:
    meta = obj._meta
    if view == "changelist":
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def test_every_model_has_an_admin():
    from django.apps import apps

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "properties", "contractors", "maintenance", "notifications", "agents"}
    ]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", SCOPED_MODELS)
def test_staff_see_their_own_objects_and_none_of_another_organization(client, model_name):
    mine = _world(factories.OrganizationFactory(name="Mine"))
    theirs = _world(factories.OrganizationFactory(name="Theirs"))
    staff = factories.StaffFactory(organization=mine["organization"])
    client.force_login(staff)

    own, foreign = mine[model_name], theirs[model_name]
    listing = client.get(_admin_url(own, "changelist"))
    assert listing.status_code == 200
    pks = {obj.pk for obj in listing.context["cl"].result_list}
    assert own.pk in pks
    assert foreign.pk not in pks

    assert client.get(_admin_url(own, "change")).status_code == 200
    # Another organization's object does not exist for this user: the admin redirects with "doesn't exist".
    response = client.get(_admin_url(foreign, "change"))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


@pytest.mark.django_db
def test_foreign_key_choices_are_scoped(client):
    mine = _world(factories.OrganizationFactory(name="Mine"))
    theirs = _world(factories.OrganizationFactory(name="Theirs"))
    client.force_login(factories.StaffFactory(organization=mine["organization"]))
    response = client.get(_admin_url(mine["appointment"], "change"))
    choices = {str(c) for c in response.context["adminform"].form.fields["contractor"].queryset}
    assert mine["contractor"].company_name in choices
    assert theirs["contractor"].company_name not in choices


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [factories.TenantFactory, factories.ContractorUserFactory])
def test_tenants_and_contractors_cannot_log_in(client, factory):
    user = factory()
    # Even a wrongly set flag does not open the door.
    User.objects.filter(pk=user.pk).update(is_staff=False)
    response = client.post(reverse("admin:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200  # the login form again, with an error
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_staff_log_in_with_email(client):
    staff = factories.StaffFactory()
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_changelist_shows_badges_and_overdue(client, staff):
    from datetime import timedelta

    from django.utils import timezone

    request = factories.MaintenanceRequestFactory(
        unit=factories.UnitFactory(property=factories.PropertyFactory(organization=staff.organization)),
        status="triaged",
        category="plumbing",
        priority="emergency",
        due_by=timezone.now() - timedelta(hours=1),
    )
    client.force_login(staff)
    response = client.get(reverse("admin:maintenance_maintenancerequest_changelist"))
    body = response.content.decode()
    assert request.title in body
    assert "overdue" in body and "Emergency" in body
    overdue_only = client.get(reverse("admin:maintenance_maintenancerequest_changelist") + "?overdue=yes")
    assert [r.pk for r in overdue_only.context["cl"].result_list] == [request.pk]


@pytest.mark.django_db
def test_assign_action_asks_for_a_contractor_then_goes_through_the_state_machine(client, staff):
    request = factories.MaintenanceRequestFactory(
        unit=factories.UnitFactory(property=factories.PropertyFactory(organization=staff.organization)),
        status="triaged",
        category="plumbing",
        priority="medium",
    )
    mine = factories.ContractorFactory(organization=staff.organization)
    foreign = factories.ContractorFactory()
    client.force_login(staff)
    url = reverse("admin:maintenance_maintenancerequest_changelist")

    form_page = client.post(url, {"action": "assign_contractor", "_selected_action": [request.pk]})
    assert form_page.status_code == 200
    offered = set(form_page.context["form"].fields["contractor"].queryset)
    assert mine in offered and foreign not in offered

    refused = client.post(
        url, {"action": "assign_contractor", "_selected_action": [request.pk], "apply": "1", "contractor": foreign.pk}
    )
    assert refused.status_code == 200  # the form again: that contractor is not a choice
    request.refresh_from_db()
    assert request.status == "triaged"

    done = client.post(
        url, {"action": "assign_contractor", "_selected_action": [request.pk], "apply": "1", "contractor": mine.pk}
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_contractor == mine
    assert request.events.filter(kind=RequestEvent.Kind.STATUS, actor_user=staff, to_status="assigned").exists()


@pytest.mark.django_db
def test_transition_action_reports_refusals_per_request(client, staff):
    unit = factories.UnitFactory(property=factories.PropertyFactory(organization=staff.organization))
    submitted = factories.MaintenanceRequestFactory(unit=unit)
    closed = factories.MaintenanceRequestFactory(unit=unit, status="closed")
    client.force_login(staff)
    url = reverse("admin:maintenance_maintenancerequest_changelist")
    response = client.post(
        url,
        {"action": "mark_cancelled", "_selected_action": [submitted.pk, closed.pk], "apply": "1", "note": "dup"},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("1 done" in t for t in texts)
    assert any(str(closed) in t and "cannot become cancelled" in t for t in texts), texts
    assert MaintenanceRequest.objects.get(pk=submitted.pk).status == "cancelled"
    assert MaintenanceRequest.objects.get(pk=closed.pk).status == "closed"


@pytest.mark.django_db
def test_override_triage_action_needs_a_reason(client, staff):
    request = factories.MaintenanceRequestFactory(
        unit=factories.UnitFactory(property=factories.PropertyFactory(organization=staff.organization)),
    )
    client.force_login(staff)
    url = reverse("admin:maintenance_maintenancerequest_changelist")
    data = {
        "action": "override_triage",
        "_selected_action": [request.pk],
        "apply": "1",
        "category": "electrical",
        "priority": "high",
    }
    assert client.post(url, data).status_code == 200  # no reason: the form again
    assert client.post(url, {**data, "reason": "Tenant called: it is the breaker."}).status_code == 302
    request.refresh_from_db()
    assert (request.category, request.priority) == ("electrical", "high")


@pytest.mark.django_db
def test_staff_cannot_grant_themselves_superuser_or_move_organizations(client, staff, other_org):
    client.force_login(staff)
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields and "organization" not in form.fields


@pytest.mark.django_db
def test_new_property_lands_in_the_staff_members_organization(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:properties_property_add"),
        {
            "name": "New Block",
            "address_line1": "1 Main St",
            "city": "Springfield",
            "postal_code": "12345",
            "country": "US",
            "approval_limit": "800.00",
            "units-TOTAL_FORMS": "0",
            "units-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    from properties.models import Property

    assert Property.objects.get(name="New Block").organization == staff.organization


def test_trades_match_the_taxonomy(db):
    from domi.taxonomy import Category

    assert sorted(Trade.objects.values_list("code", flat=True)) == sorted(Category.values)
    assert Organization.objects.count() == 0
