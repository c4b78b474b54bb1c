"""Every money and integration change leaves an audit-log entry: webhook endpoints, invoices, payments."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from contractors.models import WebhookEndpoint
from maintenance import services
from maintenance.actors import Actor
from maintenance.models import JobLine

from .test_money_and_feeds import _complete

pytestmark = pytest.mark.django_db


def entries(obj):
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp"))


def test_a_webhook_endpoint_saved_in_the_admin_is_audited_with_its_actor_and_the_secret_masked(
    client, staff, monkeypatch
):
    from domi import outbound

    monkeypatch.setattr(outbound, "resolve", lambda url: None)  # the URL's check is not what is tested here
    client.force_login(staff)
    data = {"url": "https://hooks.example/in", "secret": "s3cr3t-value-for-the-test", "is_active": "on"}
    response = client.post(reverse("admin:contractors_webhookendpoint_add"), data)
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    client.post(
        reverse("admin:contractors_webhookendpoint_change", args=[endpoint.pk]),
        {"url": "https://hooks.example/in", "secret": endpoint.secret, "description": ""},
    )

    created, updated = entries(endpoint)
    assert created.action == LogEntry.Action.CREATE and created.actor == staff
    assert "s3cr3t-value-for-the-test" not in str(created.changes)
    assert updated.changes_dict["is_active"] == ["True", "False"] and updated.actor == staff


def test_invoices_and_payments_are_audited(job, contractor, staff):
    _complete(job, contractor)
    invoice = services.invoice_submit(request=job, actor=Actor.of(contractor.user))
    payment = services.payment_record_manual(invoice=invoice, user=staff, reference="BANK-123")

    assert entries(invoice)[0].action == LogEntry.Action.CREATE
    assert any("status" in e.changes_dict and e.changes_dict["status"][1] == "paid" for e in entries(invoice))
    assert entries(payment) and entries(payment)[0].changes_dict["reference"][1] == "BANK-123"
    assert entries(JobLine.objects.filter(request=job).first())
