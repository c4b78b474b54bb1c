"""The password-reset request answers before anything about the account is looked up: the mail is a task's."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from domi.accounts import tasks

RESET = "/api/v1/auth/password/reset/"


@pytest.mark.django_db
def test_the_request_only_queues_the_mail(api, tenant, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks.password_reset_send, "delay", lambda email: queued.append(email))
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        known = api.post(RESET, {"email": tenant.email}, format="json")
        unknown = api.post(RESET, {"email": "nobody@example.com"}, format="json")

    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    # Same work for both: no account read, no mail composed inside the request.
    assert not [q["sql"] for q in queries.captured_queries if "accounts_user" in q["sql"]]
    assert mail.outbox == []
    assert queued == [tenant.email, "nobody@example.com"]


@pytest.mark.django_db
def test_the_task_sends_the_link_to_a_known_address_only(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.password_reset_send(tenant.email)
        tasks.password_reset_send("nobody@example.com")
    assert [message.to for message in mail.outbox] == [[tenant.email]]
    assert "reset-password" in mail.outbox[0].body


@pytest.mark.django_db
def test_confirming_resets_is_limited_per_address(api, settings):
    from django.core.cache import cache

    cache.clear()
    settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "password_reset_confirm_per_ip": "3/h"}
    body = {"uid": "1", "key": "guess", "new_password": "A-long-new-passw0rd!"}
    codes = [api.post(f"{RESET}confirm/", body, format="json").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
