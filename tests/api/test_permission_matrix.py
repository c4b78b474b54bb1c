"""Every endpoint and method of /api/v1/, called by every kind of caller, answers exactly as the matrix says.

A route under /api/v1/ without a row here fails the suite (test_every_endpoint_has_a_row), so a new
endpoint is not safe by accident only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from maintenance.models import Status
from tests.factories import PASSWORD

from .world import CALLERS, World, build_world

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def expect(
    anonymous: int,
    tenant_owner: int,
    tenant_other: int,
    contractor_assigned: int,
    contractor_other: int,
    staff: int,
    staff_other: int,
    superuser: int,
) -> dict[str, int]:
    return dict(zip(CALLERS, (anonymous, tenant_owner, tenant_other, contractor_assigned, contractor_other, staff,
                              staff_other, superuser), strict=True))  # fmt: skip


@dataclass(frozen=True)
class Row:
    name: str  # the route's name under the v1 namespace
    method: str
    expected: dict[str, int]
    status: str = Status.SCHEDULED  # the world's request is in this status
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    body: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    format: str = "json"  # "multipart" for uploads
    # The error code every 409 of this row must carry (e.g. direct uploads on the default, local storage).
    conflict_code: str | None = None


def on_request(w: World) -> dict[str, Any]:
    return {"pk": w.request.pk}


def on_attachment(w: World) -> dict[str, Any]:
    """A photo the tenant who reported the request uploaded."""
    from tests.factories import AttachmentFactory

    return {"pk": w.request.pk, "attachment_id": AttachmentFactory(request=w.request).pk}


def on_direct_upload(w: World) -> dict[str, Any]:
    """A direct upload the tenant who reported the request started (rows: only they may complete it)."""
    from maintenance.models import DirectUpload

    upload = DirectUpload.objects.create(
        request=w.request,
        uploader=w.tenant_owner,
        filename="leak.png",
        size=68,
        content_type="image/png",
        kind="photo",
        expires_at=timezone.now() + timedelta(minutes=10),
    )
    return {"pk": w.request.pk, "upload_id": upload.pk}


def _invoice(w: World, *, approved: bool = False) -> int:
    """The contractor's invoice for the world's completed job; without an estimate it awaits staff approval."""
    from maintenance import services
    from maintenance.actors import Actor

    line = {"kind": "labour", "description": "Replace the washer", "quantity": "1", "unit_price": "80.00"}
    invoice = services.invoice_submit(request=w.request, actor=Actor.of(w.contractor.user), lines=[line])
    if approved:
        services.invoice_approve(invoice=invoice, user=w.staff)
    return invoice.pk


def on_invoice(w: World) -> dict[str, Any]:
    return {"pk": _invoice(w)}


def on_approved_invoice(w: World) -> dict[str, Any]:
    return {"pk": _invoice(w, approved=True)}


def _png(name: str) -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


NEW_PASSWORD = "a-fresh-and-long-passphrase-42"


def _verification_key(w: World) -> dict[str, Any]:
    """The key of a verification link for the first tenant's sign-in address."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    address = EmailAddress.objects.create(user=w.tenant_owner, email=w.tenant_owner.email, primary=True)
    return {"key": EmailConfirmationHMAC(address).key}


def _reset_link(w: World) -> dict[str, Any]:
    """The uid and key of a password-reset link for the first tenant, and a new password."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = w.tenant_owner
    return {
        "uid": user_pk_to_url_str(user),
        "key": default_token_generator.make_token(user),
        "new_password": NEW_PASSWORD,
    }


def _tenant_invitation(w: World) -> Any:
    from properties.services import tenancy_invitation_create

    return tenancy_invitation_create(unit=w.other_unit, email="new.tenant@example.com", invited_by=w.staff)


def on_invitation(w: World) -> dict[str, Any]:
    return {"pk": _tenant_invitation(w).pk}


def on_contractor_without_login(w: World) -> dict[str, Any]:
    from tests.factories import ContractorFactory

    return {"pk": ContractorFactory(organization=w.org, company_name="Roof Ltd", user=None).pk}


ALL_SIGNED_IN = expect(401, 200, 200, 200, 200, 200, 200, 200)
REQUEST_READERS = expect(401, 200, 404, 200, 404, 200, 404, 200)
STAFF_WRITES = expect(401, 403, 403, 403, 403, 200, 404, 200)
TENANT_MOVES = expect(401, 200, 404, 403, 403, 200, 404, 200)
CONTRACTOR_MOVES = expect(401, 403, 403, 200, 404, 200, 404, 200)

ROWS = [
    # --- sign-in and the profile
    Row("auth-token", "post", expect(*[200] * 8), body=lambda w: {"email": w.tenant_owner.email, "password": PASSWORD}),
    Row(
        "auth-token-refresh",
        "post",
        expect(*[200] * 8),
        body=lambda w: {"refresh": str(RefreshToken.for_user(w.tenant_owner))},
    ),
    Row("auth-logout", "post", expect(*[204] * 8), body=lambda w: {"refresh": str(RefreshToken.for_user(w.staff))}),
    Row("me", "get", ALL_SIGNED_IN),
    Row("me", "patch", ALL_SIGNED_IN, body=lambda w: {"language": "es"}),
    Row("me-personal-data", "get", ALL_SIGNED_IN),
    Row("me-calendar-feed", "post", expect(401, *[201] * 7)),
    # --- requests
    Row("requests-list", "get", ALL_SIGNED_IN),
    Row(
        "requests-list",
        "post",
        expect(401, 201, 400, 403, 403, 201, 400, 201),
        body=lambda w: {"unit": w.unit.pk, "title": "Leak", "description": "Water under the sink."},
    ),
    Row("requests-detail", "get", REQUEST_READERS, kwargs=on_request),
    Row("requests-allowed-transitions", "get", REQUEST_READERS, kwargs=on_request),
    Row("requests-comments", "get", REQUEST_READERS, kwargs=on_request),
    Row(
        "requests-comments",
        "post",
        expect(401, 201, 404, 201, 404, 201, 404, 201),
        kwargs=on_request,
        body=lambda w: {"body": "Any news?"},
    ),
    Row("requests-attachments", "get", REQUEST_READERS, kwargs=on_request),
    Row(
        "requests-attachments",
        "post",
        expect(401, 201, 404, 201, 404, 201, 404, 201),
        kwargs=on_request,
        body=lambda w: {"files": [_png("leak.png")], "kind": "document"},
        format="multipart",
    ),
    # Direct-to-S3 uploads: the same callers as the multipart upload; the matrix runs on local storage,
    # where those allowed are told to use the multipart endpoint (409 direct_upload_unavailable).
    Row(
        "requests-direct-uploads",
        "post",
        expect(401, 409, 404, 409, 404, 409, 404, 409),
        kwargs=on_request,
        body=lambda w: {"filename": "leak.png", "size": 68, "content_type": "image/png", "kind": "document"},
        conflict_code="direct_upload_unavailable",
    ),
    # Only who started an upload may complete it: everyone else finds no such upload.
    Row(
        "requests-direct-upload-complete",
        "post",
        expect(401, 409, 404, 404, 404, 404, 404, 404),
        kwargs=on_direct_upload,
        conflict_code="direct_upload_unavailable",
    ),
    Row("requests-attachment-detail", "get", REQUEST_READERS, kwargs=on_attachment),
    Row("requests-attachment-detail", "delete", expect(401, 204, 404, 403, 404, 204, 404, 204), kwargs=on_attachment),
    Row(
        "requests-transition",
        "post",
        expect(401, 200, 404, 409, 404, 200, 404, 200),
        status=Status.ASSIGNED,
        kwargs=on_request,
        body=lambda w: {"to_status": "cancelled", "note": "Fixed it myself."},
    ),
    Row("requests-cancel", "post", TENANT_MOVES, status=Status.ASSIGNED, kwargs=on_request),
    Row("requests-confirm", "post", TENANT_MOVES, status=Status.COMPLETED, kwargs=on_request),
    Row(
        "requests-reopen",
        "post",
        TENANT_MOVES,
        status=Status.COMPLETED,
        kwargs=on_request,
        body=lambda w: {"reason": "Still drips."},
    ),
    Row("requests-accept", "post", CONTRACTOR_MOVES, status=Status.ASSIGNED, kwargs=on_request),
    Row(
        "requests-decline",
        "post",
        # The contractor's job is no longer theirs to see once declined: 204.
        expect(401, 403, 403, 204, 404, 200, 404, 200),
        status=Status.ASSIGNED,
        kwargs=on_request,
        body=lambda w: {"reason": "Fully booked this week."},
    ),
    Row("requests-start", "post", CONTRACTOR_MOVES, status=Status.SCHEDULED, kwargs=on_request),
    Row(
        "requests-complete",
        "post",
        CONTRACTOR_MOVES,
        status=Status.IN_PROGRESS,
        kwargs=on_request,
        body=lambda w: {"notes": "Replaced the washer."},
    ),
    Row(
        "requests-rate",
        "post",
        expect(401, 200, 404, 403, 403, 403, 403, 403),
        status=Status.COMPLETED,
        kwargs=on_request,
        body=lambda w: {"rating": 4, "feedback": "Quick and tidy."},
    ),
    Row(
        "requests-visit",
        "post",
        expect(401, 403, 403, 200, 404, 200, 404, 200),
        status=Status.ASSIGNED,
        kwargs=on_request,
        body=lambda w: {"start": (timezone.now() + timedelta(days=2)).isoformat(), "duration_minutes": 90},
    ),
    Row(
        "requests-triage",
        "post",
        STAFF_WRITES,
        status=Status.ASSIGNED,
        kwargs=on_request,
        body=lambda w: {"category": "plumbing", "priority": "high", "reason": "Water near sockets."},
    ),
    Row(
        "requests-assign",
        "post",
        STAFF_WRITES,
        status=Status.TRIAGED,
        kwargs=on_request,
        body=lambda w: {"contractor": w.contractor.pk},
    ),
    # --- properties, units, tenancies
    Row("properties-list", "get", expect(401, 403, 403, 403, 403, 200, 200, 200)),
    Row(
        "properties-list",
        "post",
        expect(401, 403, 403, 403, 403, 201, 400, 201),
        body=lambda w: {
            "organization": w.org.pk,
            "name": "Garden Court",
            "address_line1": "1 Garden Way",
            "city": "Oakland",
            "postal_code": "94601",
        },
    ),
    Row(
        "properties-detail",
        "get",
        expect(401, 403, 403, 403, 403, 200, 404, 200),
        kwargs=lambda w: {"pk": w.property.pk},
    ),
    Row(
        "properties-detail",
        "patch",
        STAFF_WRITES,
        kwargs=lambda w: {"pk": w.property.pk},
        body=lambda w: {"approval_limit": "800.00"},
    ),
    Row("units-list", "get", expect(401, 200, 200, 403, 403, 200, 200, 200)),
    Row(
        "units-list",
        "post",
        expect(401, 403, 403, 403, 403, 201, 400, 201),
        body=lambda w: {"property": w.property.pk, "label": "3C", "floor": 3},
    ),
    Row("units-detail", "get", expect(401, 200, 404, 403, 403, 200, 404, 200), kwargs=lambda w: {"pk": w.unit.pk}),
    Row("units-detail", "patch", STAFF_WRITES, kwargs=lambda w: {"pk": w.unit.pk}, body=lambda w: {"bedrooms": 2}),
    Row("tenancies-list", "get", expect(401, 200, 200, 403, 403, 200, 200, 200)),
    Row(
        "tenancies-list",
        "post",
        expect(401, 403, 403, 403, 403, 201, 400, 201),
        body=lambda w: {"tenant": w.tenant_other.pk, "unit": w.unit.pk, "start_date": str(timezone.localdate())},
    ),
    Row(
        "tenancies-detail",
        "get",
        expect(401, 200, 404, 403, 403, 200, 404, 200),
        kwargs=lambda w: {"pk": w.tenancy.pk},
    ),
    Row(
        "tenancies-detail",
        "patch",
        STAFF_WRITES,
        kwargs=lambda w: {"pk": w.tenancy.pk},
        body=lambda w: {"end_date": str(timezone.localdate() + timedelta(days=30))},
    ),
    # --- contractors
    Row("contractors-list", "get", expect(401, 403, 403, 200, 200, 200, 200, 200)),
    Row(
        "contractors-list",
        "post",
        expect(401, 403, 403, 403, 403, 201, 400, 201),
        body=lambda w: {"organization": w.org.pk, "company_name": "Roof Ltd", "trades": ["structural"]},
    ),
    Row(
        "contractors-detail",
        "get",
        expect(401, 403, 403, 200, 404, 200, 404, 200),
        kwargs=lambda w: {"pk": w.contractor.pk},
    ),
    Row(
        "contractors-detail",
        "patch",
        STAFF_WRITES,
        kwargs=lambda w: {"pk": w.contractor.pk},
        body=lambda w: {"phone": "+14155550111", "postal_prefixes": ["941", "946"]},
    ),
    # --- notifications: one's own only, superuser included
    Row("notifications-list", "get", ALL_SIGNED_IN),
    Row("notifications-unread-count", "get", ALL_SIGNED_IN),
    Row("notifications-read-all", "post", ALL_SIGNED_IN),
    Row(
        "notifications-read",
        "post",
        expect(401, 200, 404, 404, 404, 404, 404, 404),
        kwargs=lambda w: {"pk": w.notification.pk},
    ),
    Row("notifications-preferences", "get", ALL_SIGNED_IN),
    Row(
        "notifications-preferences",
        "post",
        ALL_SIGNED_IN,
        body=lambda w: {"event": "*", "channel": "sms", "enabled": False},
    ),
    # --- invoices and payments: staff and the job's contractor; tenants never (403 by role)
    Row("requests-invoices", "get", CONTRACTOR_MOVES, status=Status.COMPLETED, kwargs=on_request),
    Row(
        "requests-invoices",
        "post",
        expect(401, 403, 403, 201, 404, 201, 404, 201),
        status=Status.COMPLETED,
        kwargs=on_request,
        body=lambda w: {
            "number": "INV-7",
            "tax_rate": "0.1",
            "lines": [{"description": "Replace the washer", "quantity": "1.5", "unit_price": "80.00"}],
        },
    ),
    # A contractor sees the invoices they submitted, so the other contractor gets an empty list.
    Row("invoices-list", "get", expect(401, 403, 403, 200, 200, 200, 200, 200)),
    Row("invoices-detail", "get", CONTRACTOR_MOVES, status=Status.COMPLETED, kwargs=on_invoice),
    Row("invoices-approve", "post", STAFF_WRITES, status=Status.COMPLETED, kwargs=on_invoice),
    Row(
        "invoices-reject",
        "post",
        STAFF_WRITES,
        status=Status.COMPLETED,
        kwargs=on_invoice,
        body=lambda w: {"reason": "The quote was 60."},
    ),
    Row(
        "invoices-payments",
        "post",
        expect(401, 403, 403, 403, 403, 201, 404, 201),
        status=Status.COMPLETED,
        kwargs=on_approved_invoice,
        body=lambda w: {"reference": "BANK-2024-118"},
    ),
    # --- contractor scorecards: staff their organization's, a contractor their own
    Row("scorecards-list", "get", expect(401, 403, 403, 200, 200, 200, 200, 200)),
    Row(
        "contractors-scorecard",
        "get",
        expect(401, 403, 403, 200, 404, 200, 404, 200),
        kwargs=lambda w: {"pk": w.contractor.pk},
    ),
    # --- the manager's dashboard figures: staff only, their organization's (other staff: their own, empty)
    Row("reports-overview", "get", expect(401, 403, 403, 403, 403, 200, 200, 200)),
    # --- account flows: e-mail verification, passwords, joining by invitation (the public ones answer anyone)
    Row("auth-email-verify", "post", expect(*[200] * 8), body=_verification_key),
    Row("auth-email-resend", "post", expect(401, *[202] * 7)),
    Row(
        "auth-email-change",
        "post",
        expect(401, *[202] * 7),
        body=lambda w: {"email": "new.address@example.com", "password": PASSWORD},
    ),
    Row("auth-password-reset", "post", expect(*[202] * 8), body=lambda w: {"email": w.tenant_owner.email}),
    Row("auth-password-reset-confirm", "post", expect(*[204] * 8), body=_reset_link),
    Row(
        "auth-password-change",
        "post",
        expect(401, *[200] * 7),
        body=lambda w: {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Row(
        "auth-invitation-inspect", "post", expect(*[200] * 8), body=lambda w: {"key": _tenant_invitation(w).issued_key}
    ),
    Row(
        "auth-invitation-accept",
        "post",
        expect(*[201] * 8),
        body=lambda w: {"key": _tenant_invitation(w).issued_key, "password": NEW_PASSWORD},
    ),
    # --- invitations: staff of the organization; another organization's are not found
    Row("invitations-list", "get", expect(401, 403, 403, 403, 403, 200, 200, 200)),
    Row("invitations-detail", "get", STAFF_WRITES, kwargs=on_invitation),
    Row("invitations-revoke", "post", STAFF_WRITES, kwargs=on_invitation),
    Row("invitations-resend", "post", STAFF_WRITES, kwargs=on_invitation),
    Row(
        "units-invitations",
        "post",
        expect(401, 403, 403, 403, 403, 201, 404, 201),
        kwargs=lambda w: {"pk": w.other_unit.pk},
        body=lambda w: {"email": "new.tenant@example.com"},
    ),
    Row(
        "contractors-invitations",
        "post",
        expect(401, 403, 403, 403, 403, 201, 404, 201),
        kwargs=on_contractor_without_login,
    ),
]


def _v1_routes() -> set[tuple[str, str]]:
    """(route name, method) of every view under /api/v1/, read off the URL resolver."""
    (v1,) = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/"]
    found: set[tuple[str, str]] = set()

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"{pattern.pattern} has no name, so the matrix cannot name it"
                view_class = pattern.callback.view_class
                found.update((pattern.name, m) for m in HTTP_METHODS if hasattr(view_class, m))

    walk(v1.url_patterns)
    return found


def test_every_endpoint_has_a_row_and_every_row_an_endpoint():
    rows = {(row.name, row.method) for row in ROWS}
    routes = _v1_routes()
    assert routes - rows == set(), "endpoints without a row in the permission matrix"
    assert rows - routes == set(), "rows for endpoints that do not exist"
    assert len(rows) == len(ROWS), "a row is listed twice"


@pytest.mark.django_db
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method.upper()} {row.name}")
def test_permission_matrix(row: Row, caller: str):
    world = build_world(status=row.status)
    client = APIClient()
    user = world.caller(caller)
    if user is not None:
        client.force_authenticate(user=user)
    url = reverse(f"v1:{row.name}", kwargs=row.kwargs(world))

    response = getattr(client, row.method)(url, row.body(world), format=row.format)

    assert response.status_code == row.expected[caller], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    if response.status_code == 409 and row.conflict_code:
        assert response.json()["error"]["code"] == row.conflict_code
