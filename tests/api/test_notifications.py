"""A person's in-app inbox and notification preferences through the API."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationPreference
from tests.notifications.factories import NotificationFactory

from .test_auth import assert_error


@pytest.mark.django_db
class TestInbox:
    @pytest.fixture
    def inbox(self, tenant, staff):
        mine = [NotificationFactory(recipient=tenant, title=f"Mine {n}") for n in range(3)]
        NotificationFactory(recipient=tenant, title="Old", read_at=timezone.now())
        NotificationFactory(recipient=staff, title="Not mine")
        return mine

    def test_a_person_sees_only_their_own_newest_first(self, api, tenant, inbox):
        api.force_authenticate(tenant)
        titles = [n["title"] for n in api.get("/api/v1/notifications/").json()["results"]]
        assert titles == ["Old", "Mine 2", "Mine 1", "Mine 0"]
        unread = api.get("/api/v1/notifications/?unread=true").json()["results"]
        assert [n["title"] for n in unread] == ["Mine 2", "Mine 1", "Mine 0"]
        assert all(n["is_read"] is False for n in unread)

    def test_unread_count_mark_one_and_mark_all(self, api, tenant, staff, inbox):
        api.force_authenticate(tenant)
        assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 3}

        read = api.post(f"/api/v1/notifications/{inbox[0].pk}/read/").json()

        assert read["is_read"] is True and read["read_at"]
        assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 2}
        assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
        assert api.get("/api/v1/notifications/unread-count/").json() == {"count": 0}
        assert Notification.objects.filter(recipient=staff, read_at__isnull=True).count() == 1

    def test_someone_elses_notification_is_404(self, api, staff, inbox):
        api.force_authenticate(staff)
        assert_error(api.post(f"/api/v1/notifications/{inbox[0].pk}/read/"), 404, "not_found")

    def test_page_size_is_capped_at_100(self, api, tenant):
        Notification.objects.bulk_create(
            [Notification(recipient=tenant, event="work_started", title=f"n{n}") for n in range(105)]
        )
        api.force_authenticate(tenant)
        body = api.get("/api/v1/notifications/?page_size=1000").json()
        assert body["count"] == 105 and len(body["results"]) == 100


@pytest.mark.django_db
class TestPreferences:
    def test_a_person_turns_a_channel_off_and_on(self, api, tenant):
        api.force_authenticate(tenant)

        first = api.post(
            "/api/v1/notifications/preferences/", {"event": "*", "channel": "sms", "enabled": False}, format="json"
        )
        again = api.post(
            "/api/v1/notifications/preferences/", {"event": "*", "channel": "sms", "enabled": True}, format="json"
        )

        assert first.status_code == again.status_code == 200
        assert first.json()["id"] == again.json()["id"]
        rows = api.get("/api/v1/notifications/preferences/").json()["results"]
        assert rows == [{"id": first.json()["id"], "event": "*", "channel": "sms", "enabled": True}]
        assert NotificationPreference.objects.get(user=tenant).enabled is True

    def test_an_unknown_event_or_channel_is_400(self, api, tenant):
        api.force_authenticate(tenant)
        response = api.post(
            "/api/v1/notifications/preferences/", {"event": "party", "channel": "fax", "enabled": True}, format="json"
        )
        assert set(assert_error(response, 400, "validation_error")["fields"]) == {"event", "channel"}
