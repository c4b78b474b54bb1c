"""The API's shared machinery: scoping by default, the audit log's actor, methods that are not offered."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from django.urls import URLPattern, URLResolver, get_resolver

from domi.api.views import PublicAPIView, ScopedAPIView
from maintenance.models import MaintenanceRequest
from properties.models import Property

from .test_auth import assert_error, bearer, sign_in
from .world import build_world


def _v1_view_classes() -> list[type]:
    (v1,) = [p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/"]
    classes = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                classes.append(pattern.callback.view_class)

    walk(v1.url_patterns)
    return classes


def test_every_view_is_scoped_except_the_sign_in_endpoints():
    public = {cls.__name__ for cls in _v1_view_classes() if issubclass(cls, PublicAPIView)}
    sign_in = {"TokenObtainView", "TokenRefreshView", "LogoutView"}
    # The account flows whose credential is the key of a link mailed to the person (or that answer nothing).
    by_mailed_key = {
        "EmailVerifyView",
        "PasswordResetView",
        "PasswordResetConfirmView",
        "InvitationInspectView",
        "InvitationAcceptView",
    }
    assert public == sign_in | by_mailed_key
    for cls in _v1_view_classes():
        assert issubclass(cls, ScopedAPIView | PublicAPIView), cls


@pytest.mark.django_db
class TestMethods:
    def test_options_is_not_offered(self, api, staff):
        api.force_authenticate(staff)
        assert_error(api.options("/api/v1/requests/"), 405, "method_not_allowed")

    def test_head_follows_the_roles_of_get(self, api, tenant):
        api.force_authenticate(tenant)
        assert api.head("/api/v1/properties/").status_code == 403
        assert api.head("/api/v1/units/").status_code == 200

    def test_a_method_not_offered_is_405(self, api, staff):
        api.force_authenticate(staff)
        assert_error(api.delete("/api/v1/properties/"), 405, "method_not_allowed")

    def test_a_form_body_is_415(self, api, staff):
        api.force_authenticate(staff)
        response = api.post("/api/v1/properties/", {"name": "x"})  # multipart
        assert_error(response, 415, "unsupported_media_type")


@pytest.mark.django_db
class TestAuditActor:
    def test_changes_made_with_a_bearer_token_name_the_caller(self, api):
        world = build_world()
        access = sign_in(api, world.staff.email).json()["access"]

        response = api.patch(
            f"/api/v1/properties/{world.property.pk}/", {"city": "Berkeley"}, format="json", **bearer(access)
        )

        assert response.status_code == 200
        entry = LogEntry.objects.get_for_object(world.property).latest("timestamp")
        assert entry.actor == world.staff and "city" in entry.changes_dict
        assert entry.remote_addr == "127.0.0.1"

    def test_a_request_reported_through_the_api_names_the_tenant(self, api):
        world = build_world()
        access = sign_in(api, world.tenant_owner.email).json()["access"]

        response = api.post(
            "/api/v1/requests/",
            {"unit": world.unit.pk, "title": "Leak", "description": "Drip."},
            format="json",
            **bearer(access),
        )

        request = MaintenanceRequest.objects.get(pk=response.json()["id"])
        assert LogEntry.objects.get_for_object(request).get().actor == world.tenant_owner

    def test_anonymous_changes_name_nobody_and_nothing_leaks_between_requests(self, api):
        world = build_world()
        receivers_before = len(pre_save.receivers)
        access = sign_in(api, world.staff.email).json()["access"]
        api.patch(f"/api/v1/properties/{world.property.pk}/", {"city": "A"}, format="json", **bearer(access))
        api.patch(f"/api/v1/properties/{world.property.pk}/", {"city": "B"}, format="json")  # no token: 401

        assert len(pre_save.receivers) == receivers_before
        assert Property.objects.get(pk=world.property.pk).city == "A"
