"""GDPR: a tenant's personal-data export (API, admin) and an erasure that leaves no trace of them.

After the erasure no text of any column of any table (JSON included: audit log, AI runs, payloads) holds
the person's name, e-mail address or phone number, and the media folder none of their files; the invoice
of their job is kept, with a placeholder where they were; the erasure is in the audit log.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from domi.accounts.models import User
from domi.accounts.personal_data import PLACEHOLDER, personal_data_erase
from domi.errors import NotPermitted
from maintenance import services
from maintenance.actors import Actor
from maintenance.models import Attachment, Invoice
from tests import factories
from tests.notifications.factories import DeliveryFactory

from .test_money_and_feeds import _accept

FIRST, LAST = "Zebulon", "Quaxleigh"
EMAIL = "zebulon.quaxleigh@example.com"
PHONE = "+447700900987"
FILE_MARK = b"ZQ-PRIVATE-PHOTO-BYTES-4242"

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(unit):
    return factories.TenancyFactory(
        unit=unit,
        tenant__first_name=FIRST,
        tenant__last_name=LAST,
        tenant__email=EMAIL,
        tenant__phone=PHONE,
        tenant__organization=unit.property.organization,
    ).tenant


@pytest.fixture
def history(person, unit, contractor, staff, django_capture_on_commit_callbacks):
    """A request of theirs that went all the way to an invoice, with their words, files and messages."""
    request = factories.MaintenanceRequestFactory(
        unit=unit,
        reporter=person,
        status="triaged",
        category="plumbing",
        priority="medium",
        title="Boiler",
        description=f"I am {FIRST} {LAST}, call me on {PHONE} or write to {EMAIL}.",
    )
    factories.CommentFactory(request=request, author=person, body="It is leaking again, my neighbour knows me.")
    factories.CommentFactory(request=request, author=staff, body=f"Spoke to {FIRST} {LAST} about access.")
    factories.AttachmentFactory(request=request, uploaded_by=person, file__data=FILE_MARK, file__filename="boiler.jpg")
    DeliveryFactory(request=request, recipient=person, body=f"Dear {FIRST}, we got your report.")
    DeliveryFactory(
        request=request,
        recipient=contractor.user,
        audience="contractor",
        address=contractor.user.email,
        body=f"New job at {unit}: ask for {FIRST} {LAST} ({PHONE}).",
    )
    services.maintenance_request_assign(request=request, contractor=contractor, actor=Actor.agent_named("test"))
    services.appointment_propose(
        request=request, actor=Actor.agent_named("test"), start=timezone.now() + timedelta(days=1)
    )
    _accept(request, contractor)
    services.job_start(request=request, actor=Actor.of(contractor.user))
    services.job_complete(
        request=request,
        actor=Actor.of(contractor.user),
        notes=f"Fixed the boiler; {FIRST} was home.",
        lines=[{"kind": "labour", "description": f"Labour at {LAST}'s flat", "quantity": 1, "unit_price": "80"}],
    )
    invoice = services.invoice_submit(request=request, actor=Actor.of(contractor.user))
    return request, invoice


def _traces(needles: list[str]) -> list[tuple[str, str, str]]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                name = connection.ops.quote_name(column.name)
                for needle in needles:
                    cursor.execute(
                        f"SELECT 1 FROM {connection.ops.quote_name(table)} "  # noqa: S608
                        f"WHERE UPPER(CAST({name} AS TEXT)) LIKE UPPER(%s) LIMIT 1",
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone():
                        found.append((table, column.name, needle))
    return found


def _media_traces(names: list[str]) -> list[str]:
    found = []
    for folder, _, files in os.walk(settings.MEDIA_ROOT):
        for filename in files:
            path = os.path.join(folder, filename)
            with open(path, "rb") as handle:
                if FILE_MARK in handle.read() or any(path.endswith(n) for n in names):
                    found.append(path)
    return found


def test_erasure_leaves_no_trace_and_keeps_the_invoice(person, history, org, django_capture_on_commit_callbacks):
    request, invoice = history
    files = [a.file.name for a in Attachment.objects.filter(uploaded_by=person)]
    needles = [FIRST, LAST, EMAIL, PHONE]
    assert {needle for _, _, needle in _traces(needles)} == set(needles)  # the check finds what is there
    assert _media_traces(files)
    boss = factories.OrgAdminFactory(organization=org)

    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(user=person, by=boss)

    assert _traces(needles) == []
    assert _media_traces(files) == []
    kept = Invoice.objects.get(pk=invoice.pk)
    assert kept.total == invoice.total and kept.request_id == request.pk
    assert PLACEHOLDER in kept.lines.get().description
    erased = User.objects.get(pk=person.pk)
    assert not erased.is_active and not erased.has_usable_password()
    entry = LogEntry.objects.filter(additional_data__erasure=True).get()
    assert entry.actor == boss and entry.object_pk == str(person.pk)


def test_only_an_organization_admin_erases(person, staff, org):
    with pytest.raises(NotPermitted):
        personal_data_erase(user=person, by=staff)
    with pytest.raises(NotPermitted):
        personal_data_erase(user=person, by=factories.OrgAdminFactory())  # of another organization
    assert User.objects.get(pk=person.pk).email == EMAIL


def test_the_admin_action_erases(client, person, history, org):
    boss = factories.OrgAdminFactory(organization=org)
    client.force_login(boss)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_personal_data", "_selected_action": [person.pk]},
    )
    assert User.objects.get(pk=person.pk).email == f"erased-{person.pk}@erased.invalid"


def _archive(content: bytes) -> tuple[dict, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("personal-data.json"))
    return data, {name: archive.read(name) for name in archive.namelist() if name.startswith("files/")}


def test_the_person_downloads_their_data_from_the_api(person, history):
    api = APIClient()
    api.force_authenticate(person)
    response = api.get("/api/v1/me/personal-data/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data, files = _archive(response.content)
    assert data["profile"]["email"] == EMAIL and data["profile"]["phone"] == PHONE
    assert [r["title"] for r in data["maintenance"]["requests"]] == ["Boiler"]
    assert [c["body"] for c in data["maintenance"]["comments"]] == ["It is leaking again, my neighbour knows me."]
    assert any(d["body"].startswith(f"Dear {FIRST}") for d in data["notifications"]["deliveries"])
    assert all(not d["body"].startswith("New job") for d in data["notifications"]["deliveries"])  # not theirs
    assert list(files.values()) == [FILE_MARK]
    assert data["properties"]["tenancies"][0]["unit"]


def test_the_export_needs_a_sign_in():
    assert APIClient().get("/api/v1/me/personal-data/").status_code == 401


def test_an_admin_exports_a_person_from_the_back_office(client, person, history, org, other_org):
    boss = factories.OrgAdminFactory(organization=org)
    client.force_login(boss)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "export_personal_data", "_selected_action": [person.pk]},
    )
    assert response["Content-Type"] == "application/zip"
    data, _ = _archive(response.content)
    assert data["profile"]["email"] == EMAIL
    # Staff of another organization do not even see the person.
    client.force_login(factories.OrgAdminFactory(organization=other_org))
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "export_personal_data", "_selected_action": [person.pk]},
    )
    assert response.get("Content-Type") != "application/zip"
