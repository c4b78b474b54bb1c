from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from domi.accounts.models import Organization, User
from domi.accounts.selectors import user_email_verified
from maintenance.models import MaintenanceRequest, Status

OUR_APPS = {"accounts", "properties", "contractors", "maintenance", "notifications", "agents"}


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in OUR_APPS}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_complete():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    first_statuses = sorted(MaintenanceRequest.objects.values_list("pk", "status", "created_at"))
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert sorted(MaintenanceRequest.objects.values_list("pk", "status", "created_at")) == first_statuses

    demo = Organization.objects.get(name="Demo Property Co.")
    assert demo.properties.count() == 3
    assert 18 <= sum(p.units.count() for p in demo.properties.all()) <= 22
    assert demo.contractors.count() == 10
    requests = MaintenanceRequest.objects.filter(organization=demo)
    assert 55 <= requests.count() <= 65
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    ages = sorted(r.created_at for r in requests)
    assert (ages[-1] - ages[0]).days >= 60
    assert Organization.objects.count() == 2

    for email in [
        "admin@demo.domi",
        "manager@demo.domi",
        "tenant@demo.domi",
        "contractor@demo.domi",
        "manager@other.domi",
        "tenant@other.domi",
    ]:
        assert email in out.getvalue()
        user = User.objects.get(email=email)
        assert user.check_password("domi-demo")
        assert user_email_verified(user), "the demo's addresses need no verification link"
    assert MaintenanceRequest.objects.filter(reporter__email="tenant@demo.domi").count() >= 4
    assert MaintenanceRequest.objects.filter(assigned_contractor__user__email="contractor@demo.domi").exists()


@pytest.mark.django_db
def test_demo_manager_can_use_the_back_office():
    call_command("seed_demo", "--quiet")
    client = Client()
    assert client.login(username="manager@demo.domi", password="domi-demo")
    response = client.get("/admin/maintenance/maintenancerequest/")
    assert response.status_code == 200
    shown = {r.organization.name for r in response.context["cl"].result_list}
    assert shown == {"Demo Property Co."}
