"""Uploads through the API: multipart, several files, refusals in the error shape, links that work."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from maintenance.models import Attachment
from tests.maintenance import files

from .world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def tenant_client(world):
    client = APIClient()
    client.force_authenticate(world.tenant_owner)
    return client


def _url(world):
    return reverse("v1:requests-attachments", kwargs={"pk": world.request.pk})


def test_several_photos_at_once_come_back_with_working_links(world, tenant_client):
    response = tenant_client.post(
        _url(world),
        {
            "files": [
                SimpleUploadedFile("one.jpg", files.jpeg_with_gps(), content_type="image/jpeg"),
                SimpleUploadedFile("two.png", files.image_bytes("PNG"), content_type="image/png"),
            ]
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    body = body["results"]
    assert [item["original_name"] for item in body] == ["one.jpg", "two.png"]
    assert all(item["kind"] == "photo" for item in body)
    download = APIClient().get(body[0]["url"].replace("http://localhost:8000", ""))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")

    listing = tenant_client.get(_url(world)).json()
    assert listing["count"] == 2


def test_a_refusal_names_each_file_and_why(world, tenant_client):
    response = tenant_client.post(
        _url(world),
        {
            "files": [
                SimpleUploadedFile("fine.png", files.image_bytes("PNG")),
                SimpleUploadedFile("evil.svg", files.SVG_WITH_SCRIPT, content_type="image/svg+xml"),
                SimpleUploadedFile("smuggled.jpg", files.jpeg_with_gps() + files.zip_bytes()),
            ]
        },
        format="multipart",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "upload_rejected"
    assert error["fields"]["files"]["evil.svg"]["code"] == "unsupported_type"
    assert error["fields"]["files"]["smuggled.jpg"]["code"] == "polyglot"
    assert "fine.png" not in error["fields"]["files"]
    assert not Attachment.objects.exists(), "nothing of a refused upload is stored"


def test_no_files_and_json_bodies_are_refused(world, tenant_client):
    assert tenant_client.post(_url(world), {}, format="multipart").status_code == 400
    assert tenant_client.post(_url(world), {"files": []}, format="json").status_code == 415


def test_another_tenant_sees_nothing(world):
    client = APIClient()
    client.force_authenticate(world.tenant_other)
    assert client.get(_url(world)).status_code == 404
    response = client.post(
        _url(world), {"files": [SimpleUploadedFile("a.png", files.image_bytes("PNG"))]}, format="multipart"
    )
    assert response.status_code == 404
