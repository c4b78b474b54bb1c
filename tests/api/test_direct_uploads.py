"""Direct-to-S3 uploads on the default (local) storage: refused with a pointer to the multipart endpoint.

The uploads themselves, on real S3-protocol servers, are in tests/maintenance/test_uploads_s3.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from maintenance import services
from maintenance.models import DirectUpload
from maintenance.tasks import expire_direct_uploads

from .world import build_world

pytestmark = pytest.mark.django_db

FORM = {"filename": "leak.jpg", "size": 4_000_000, "content_type": "image/jpeg", "kind": "photo"}


@pytest.fixture
def world():
    return build_world()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _start_url(world) -> str:
    return reverse("v1:requests-direct-uploads", kwargs={"pk": world.request.pk})


def test_on_local_storage_the_caller_is_told_to_use_the_multipart_endpoint(world):
    response = _client(world.tenant_owner).post(_start_url(world), FORM, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "direct_upload_unavailable"
    assert "multipart" in error["message"]
    assert not DirectUpload.objects.exists(), "nothing is recorded for a form that was not handed out"


def test_who_may_upload_which_kind_is_checked_first(world):
    # Tenants may not upload invoices, whatever the storage; the multipart endpoint says the same.
    response = _client(world.tenant_owner).post(
        _start_url(world), {**FORM, "content_type": "application/pdf", "kind": "invoice"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content_type": "image/svg+xml"}, "content_type"),
        ({"content_type": "text/html"}, "content_type"),
        ({"size": 0}, "size"),
        ({"filename": ""}, "filename"),
        ({"kind": "selfie"}, "kind"),
    ],
)
def test_a_declaration_that_cannot_be_accepted_is_a_validation_error(world, change, field):
    response = _client(world.tenant_owner).post(_start_url(world), {**FORM, **change}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {field}


def test_completing_an_upload_that_does_not_exist_is_not_found(world):
    url = reverse("v1:requests-direct-upload-complete", kwargs={"pk": world.request.pk, "upload_id": uuid.uuid4()})
    response = _client(world.tenant_owner).post(url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_sweep_expires_overdue_pending_uploads_and_is_scheduled(world, settings):
    def pending(expires_at):
        return DirectUpload.objects.create(
            request=world.request,
            uploader=world.tenant_owner,
            filename="clip.mp4",
            size=1000,
            content_type="video/mp4",
            kind="video",
            expires_at=expires_at,
        )

    now = timezone.now()
    grace = timedelta(seconds=settings.DOMI_DIRECT_UPLOAD_GRACE_SECONDS)
    overdue = pending(now - grace - timedelta(seconds=1))
    in_grace = pending(now - grace + timedelta(minutes=1))  # the form expired, completing is still allowed
    fresh = pending(now + timedelta(minutes=5))

    assert services.direct_uploads_expire(now=now) == {"expired": 1, "orphans_deleted": 0}
    expire_direct_uploads.delay()  # again, through the task: nothing more to do
    expire_direct_uploads.delay()

    statuses = dict(DirectUpload.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: "expired", in_grace.pk: "pending", fresh.pk: "pending"}
    assert DirectUpload.objects.get(pk=overdue.pk).closed_at == now
    task = PeriodicTask.objects.get(task="maintenance.expire_direct_uploads")
    assert task.enabled and task.interval.every == 15
