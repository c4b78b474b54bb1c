"""Every user can get the address of their calendar feed; a new one revokes the old."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories

URL = "/api/v1/me/calendar-feed/"


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [factories.TenantFactory, factories.StaffFactory, factories.ContractorUserFactory])
def test_every_role_gets_a_working_feed_address_and_a_new_one_revokes_it(factory, settings, client):
    settings.DOMI_BASE_URL = "https://domi.example.com"
    api = APIClient()
    api.force_authenticate(factory())

    first = api.post(URL)

    assert first.status_code == 201
    url = first.json()["url"]
    assert url.startswith("https://domi.example.com/integrations/calendar/") and url.endswith(".ics")
    path = url.removeprefix("https://domi.example.com")
    feed = client.get(path)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content

    second = api.post(URL).json()["url"]
    assert second != url
    assert client.get(path).status_code == 404


def test_a_feed_address_needs_a_sign_in(db):
    assert APIClient().post(URL).status_code == 401
