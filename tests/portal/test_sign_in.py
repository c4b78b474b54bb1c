"""Signing in and out, the silent token refresh, an expired session and an API that cannot be reached."""

from __future__ import annotations

import pytest

from tests.portal.conftest import open_portal, sign_in, texts

pytestmark = pytest.mark.django_db(transaction=True)


def test_wrong_password_is_refused_with_a_message(api_url):
    at = sign_in(open_portal(), "tenant@demo.domi", "not-the-password")

    assert [error.value for error in at.error] == ["Wrong e-mail address or password."]
    assert at.text_input(key="sign_in_email").value == "tenant@demo.domi"


def test_an_expired_access_token_is_refreshed_without_the_person_noticing(portal):
    at = portal("tenant@demo.domi")
    api = at.session_state["domi_client"]
    old_refresh = api.refresh_token
    api.access_token = "expired"

    at.switch_page("views/tenant_requests.py").run()

    assert not at.exception
    assert at.title[0].value == "My requests"
    assert api.refresh_token != old_refresh  # refresh tokens rotate; the new one is kept


def test_a_revoked_session_sends_the_person_back_to_sign_in(portal):
    at = portal("tenant@demo.domi")
    api = at.session_state["domi_client"]
    api.access_token, api.refresh_token = "expired", "revoked"

    at.run()

    assert "Your session has expired. Please sign in again." in texts(at)
    assert at.text_input(key="sign_in_email").value == ""


def test_sign_out_forgets_the_person(portal):
    at = portal("manager@demo.domi")

    at.button(key="sign_out").click().run()

    assert "You are signed out." in texts(at)
    assert "domi_client" not in at.session_state


def test_an_unreachable_api_is_said_plainly(api_url, monkeypatch):
    monkeypatch.setenv("DOMI_API_URL", "http://127.0.0.1:9")  # the discard port: nothing listens

    at = sign_in(open_portal(), "tenant@demo.domi")

    assert "cannot be reached" in texts(at)
