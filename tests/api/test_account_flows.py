"""E-mail verification, e-mail change, password reset and password change, whole, through the API and the mail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.forms import default_token_generator
from django.core import mail, signing
from django.test import override_settings

from tests import factories
from tests.factories import PASSWORD

from .test_auth import assert_error, bearer, sign_in

VERIFY = "/api/v1/auth/email/verify/"
RESEND = "/api/v1/auth/email/resend/"
CHANGE_EMAIL = "/api/v1/auth/email/change/"
RESET = "/api/v1/auth/password/reset/"
RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
CHANGE_PASSWORD = "/api/v1/auth/password/change/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"

NEW_PASSWORD = "a-fresh-and-long-passphrase-42"


def link(message: mail.EmailMessage, action: str) -> dict[str, str]:
    """The query of the portal link for `action` in a mail, e.g. {"action": "verify-email", "key": ...}."""
    for url in re.findall(r"https?://\S+", message.body):
        query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
        if query.get("action") == action:
            assert url.startswith("https://portal.example/?"), url
            return query
    raise AssertionError(f"no {action} link in: {message.body}")


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.DOMI_PORTAL_URL = "https://portal.example"


@pytest.fixture
def post(api, django_capture_on_commit_callbacks):
    """POST as `user` (or anonymously) and run what waits for the commit: the mail."""

    def call(url: str, data: dict | None = None, *, user=None, **extra):
        api.force_authenticate(user=user)
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(url, data or {}, format="json", **extra)

    return call


def me(api, user) -> dict:
    api.force_authenticate(user=user)
    return api.get(ME).json()


@pytest.mark.django_db
class TestEmailVerification:
    def test_the_link_in_the_mail_verifies_the_sign_in_address(self, api, post, tenant):
        assert me(api, tenant)["email_verified"] is False

        response = post(RESEND, user=tenant)

        assert response.status_code == 202
        assert response.json() == {"email": tenant.email, "email_verified": False, "pending_email": None}
        (message,) = mail.outbox
        assert message.to == [tenant.email] and "Confirm your e-mail address" in message.subject
        confirmed = post(VERIFY, {"key": link(message, "verify-email")["key"]})  # no sign-in needed
        assert confirmed.status_code == 200
        assert confirmed.json() == {"email": tenant.email, "email_verified": True, "pending_email": None}
        assert me(api, tenant)["email_verified"] is True

    def test_a_used_key_is_refused(self, post, tenant):
        post(RESEND, user=tenant)
        key = link(mail.outbox[0], "verify-email")["key"]
        assert post(VERIFY, {"key": key}).status_code == 200

        error = assert_error(post(VERIFY, {"key": key}), 400, "invalid_key")
        assert "key" in error["fields"]

    @pytest.mark.parametrize(
        "tamper", [lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"), lambda key: "nonsense"]
    )
    def test_a_wrong_key_is_refused(self, api, post, tenant, tamper):
        post(RESEND, user=tenant)
        key = link(mail.outbox[0], "verify-email")["key"]

        assert_error(post(VERIFY, {"key": tamper(key)}), 400, "invalid_key")
        assert me(api, tenant)["email_verified"] is False

    def test_an_expired_key_is_refused(self, api, post, tenant, monkeypatch):
        post(RESEND, user=tenant)
        key = link(mail.outbox[0], "verify-email")["key"]
        later = signing.time.time() + 4 * 24 * 3600  # ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS is 3
        monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))

        assert_error(post(VERIFY, {"key": key}), 400, "invalid_key")
        assert me(api, tenant)["email_verified"] is False

    def test_nothing_to_resend_once_verified(self, post, tenant):
        post(RESEND, user=tenant)
        post(VERIFY, {"key": link(mail.outbox[0], "verify-email")["key"]})

        assert_error(post(RESEND, user=tenant), 409, "already_verified")
        assert len(mail.outbox) == 1

    def test_resending_is_limited_per_person(self, post, tenant, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "verification_send_per_user": "2/h"}
        assert post(RESEND, user=tenant).status_code == 202
        assert post(RESEND, user=tenant).status_code == 202

        response = post(RESEND, user=tenant)

        assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 3600
        assert len(mail.outbox) == 2
        other = factories.TenantFactory()
        assert post(RESEND, user=other).status_code == 202  # counted per person

    def test_anonymous_callers_cannot_ask_for_a_link(self, post):
        assert_error(post(RESEND), 401, "not_authenticated")


@pytest.mark.django_db
class TestEmailChange:
    def test_the_new_address_becomes_the_login_once_verified(self, api, post, tenant):
        old = tenant.email

        response = post(CHANGE_EMAIL, {"email": "New.Me@Example.com", "password": PASSWORD}, user=tenant)

        assert response.status_code == 202
        assert response.json() == {"email": old, "email_verified": False, "pending_email": "new.me@example.com"}
        (message,) = mail.outbox
        assert message.to == ["new.me@example.com"] and "new e-mail address" in message.subject
        # Until the link is opened the old address stays the login.
        assert sign_in(api, old).status_code == 200
        assert sign_in(api, "new.me@example.com").status_code == 401

        confirmed = post(VERIFY, {"key": link(message, "verify-email")["key"]})

        assert confirmed.json() == {"email": "new.me@example.com", "email_verified": True, "pending_email": None}
        assert sign_in(api, "new.me@example.com").status_code == 200
        assert sign_in(api, old).status_code == 401
        notice = mail.outbox[-1]
        assert notice.to == [old] and "new.me@example.com" in notice.body

    def test_a_newer_change_replaces_an_unconfirmed_one(self, api, post, tenant):
        post(CHANGE_EMAIL, {"email": "first@example.com", "password": PASSWORD}, user=tenant)
        first_key = link(mail.outbox[0], "verify-email")["key"]
        post(CHANGE_EMAIL, {"email": "second@example.com", "password": PASSWORD}, user=tenant)

        assert_error(post(VERIFY, {"key": first_key}), 400, "invalid_key")
        assert me(api, tenant)["pending_email"] == "second@example.com"
        # A resend goes to the address being confirmed, not the login.
        post(RESEND, user=tenant)
        assert mail.outbox[-1].to == ["second@example.com"]

    def test_the_current_password_is_required(self, post, tenant):
        error = assert_error(
            post(CHANGE_EMAIL, {"email": "new@example.com", "password": "wrong"}, user=tenant), 400, "validation_error"
        )
        assert set(error["fields"]) == {"password"}
        assert mail.outbox == []

    def test_an_address_of_another_account_is_refused(self, post, tenant, staff):
        error = assert_error(
            post(CHANGE_EMAIL, {"email": staff.email.upper(), "password": PASSWORD}, user=tenant),
            400,
            "validation_error",
        )
        assert set(error["fields"]) == {"email"}

    def test_an_address_taken_before_verification_is_refused(self, api, post, tenant):
        post(CHANGE_EMAIL, {"email": "wanted@example.com", "password": PASSWORD}, user=tenant)
        factories.TenantFactory(email="wanted@example.com")

        assert_error(post(VERIFY, {"key": link(mail.outbox[0], "verify-email")["key"]}), 409, "email_taken")
        assert me(api, tenant)["email"] == tenant.email


@pytest.mark.django_db
class TestPasswordReset:
    def test_an_unknown_address_gets_the_same_answer_and_no_mail(self, post, tenant):
        known = post(RESET, {"email": tenant.email})
        unknown = post(RESET, {"email": "nobody@example.com"})

        assert known.status_code == unknown.status_code == 202
        assert known.json() == unknown.json()
        assert [m.to for m in mail.outbox] == [[tenant.email]]

    def test_an_inactive_account_gets_no_mail(self, post, tenant):
        tenant.is_active = False
        tenant.save()
        assert post(RESET, {"email": tenant.email}).status_code == 202
        assert mail.outbox == []

    def test_the_link_sets_a_new_password_once_and_signs_out_everywhere(self, api, post, tenant):
        old_refresh = sign_in(api, tenant.email).json()["refresh"]
        post(RESET, {"email": tenant.email.upper()})
        query = link(mail.outbox[0], "reset-password")
        confirm = {"uid": query["uid"], "key": query["key"], "new_password": NEW_PASSWORD}

        assert post(RESET_CONFIRM, confirm).status_code == 204

        new_session = sign_in(api, tenant.email, NEW_PASSWORD)
        assert new_session.status_code == 200
        assert sign_in(api, tenant.email, PASSWORD).status_code == 401
        assert_error(api.post(REFRESH, {"refresh": old_refresh}, format="json"), 401, "token_revoked")
        # That was a device that had not heard of the reset, not a stolen token: the new session carries on.
        assert api.post(REFRESH, {"refresh": new_session.json()["refresh"]}, format="json").status_code == 200
        # The link reached their mailbox: the address is verified now; and they are told of the change.
        assert me(api, tenant)["email_verified"] is True
        assert mail.outbox[-1].to == [tenant.email] and "password was changed" in mail.outbox[-1].subject
        # Used once: the key signs the old password.
        error = assert_error(
            post(RESET_CONFIRM, {**confirm, "new_password": "another-long-passphrase-7"}), 400, "invalid_key"
        )
        assert "key" in error["fields"]
        assert sign_in(api, tenant.email, NEW_PASSWORD).status_code == 200

    def test_an_expired_link_is_refused(self, api, post, tenant, monkeypatch):
        post(RESET, {"email": tenant.email})
        query = link(mail.outbox[0], "reset-password")
        monkeypatch.setattr(default_token_generator, "_now", lambda: datetime.now() + timedelta(hours=25))

        response = post(RESET_CONFIRM, {"uid": query["uid"], "key": query["key"], "new_password": NEW_PASSWORD})

        assert_error(response, 400, "invalid_key")
        assert sign_in(api, tenant.email, PASSWORD).status_code == 200

    def test_the_lifetime_is_the_password_reset_timeout_setting(self, api, post, tenant, monkeypatch):
        post(RESET, {"email": tenant.email})
        query = link(mail.outbox[0], "reset-password")
        monkeypatch.setattr(default_token_generator, "_now", lambda: datetime.now() + timedelta(hours=2))
        confirm = {"uid": query["uid"], "key": query["key"], "new_password": NEW_PASSWORD}

        with override_settings(PASSWORD_RESET_TIMEOUT=3600):
            assert_error(post(RESET_CONFIRM, confirm), 400, "invalid_key")
        assert post(RESET_CONFIRM, confirm).status_code == 204  # the default (24 hours) still holds it

    @pytest.mark.parametrize("weak", ["12345678", "password", "short"])
    def test_a_weak_password_is_refused_with_fields_and_the_link_keeps_working(self, api, post, tenant, weak):
        post(RESET, {"email": tenant.email})
        query = link(mail.outbox[0], "reset-password")

        error = assert_error(
            post(RESET_CONFIRM, {"uid": query["uid"], "key": query["key"], "new_password": weak}),
            400,
            "validation_error",
        )

        assert set(error["fields"]) == {"new_password"} and error["fields"]["new_password"]
        assert sign_in(api, tenant.email, PASSWORD).status_code == 200
        strong = {"uid": query["uid"], "key": query["key"], "new_password": NEW_PASSWORD}
        assert post(RESET_CONFIRM, strong).status_code == 204

    def test_a_password_like_the_address_is_refused(self, post, tenant):
        post(RESET, {"email": tenant.email})
        query = link(mail.outbox[0], "reset-password")
        similar = tenant.email.split("@")[0] + "1"

        response = post(RESET_CONFIRM, {"uid": query["uid"], "key": query["key"], "new_password": similar})

        assert "new_password" in assert_error(response, 400, "validation_error")["fields"]

    def test_another_accounts_uid_does_not_fit_the_key(self, post, tenant, staff):
        from allauth.account.utils import user_pk_to_url_str

        post(RESET, {"email": tenant.email})
        query = link(mail.outbox[0], "reset-password")

        response = post(
            RESET_CONFIRM, {"uid": user_pk_to_url_str(staff), "key": query["key"], "new_password": NEW_PASSWORD}
        )

        assert_error(response, 400, "invalid_key")

    def test_requests_are_limited_per_email_and_per_address(self, post, tenant, settings):
        settings.DOMI_RATELIMITS = {
            **settings.DOMI_RATELIMITS,
            "password_reset_per_email": "2/h",
            "password_reset_per_ip": "4/h",
        }
        assert post(RESET, {"email": tenant.email}).status_code == 202
        assert post(RESET, {"email": f" {tenant.email.upper()} "}).status_code == 202
        response = post(RESET, {"email": tenant.email})
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        assert len(mail.outbox) == 2

        assert post(RESET, {"email": "someone@example.com"}).status_code == 202  # 4th from this address
        response = post(RESET, {"email": "someone.else@example.com"})  # 5th
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
class TestPasswordChange:
    def test_the_current_password_is_required(self, api, post, tenant):
        response = post(CHANGE_PASSWORD, {"current_password": "wrong", "new_password": NEW_PASSWORD}, user=tenant)

        error = assert_error(response, 400, "validation_error")
        assert set(error["fields"]) == {"current_password"}
        assert sign_in(api, tenant.email, PASSWORD).status_code == 200

    def test_a_weak_new_password_is_refused_with_fields(self, post, tenant):
        response = post(CHANGE_PASSWORD, {"current_password": PASSWORD, "new_password": "12345678"}, user=tenant)

        assert set(assert_error(response, 400, "validation_error")["fields"]) == {"new_password"}

    def test_changing_revokes_every_refresh_token_and_hands_out_a_new_pair(self, api, post, tenant):
        first = sign_in(api, tenant.email).json()
        second = sign_in(api, tenant.email).json()
        api.credentials(**bearer(first["access"]))
        with_token = api.post(
            CHANGE_PASSWORD, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
        )
        api.credentials()

        assert with_token.status_code == 200
        pair = with_token.json()
        assert set(pair) == {"access", "refresh"}
        refreshed = api.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
        assert refreshed.status_code == 200
        for old in (first["refresh"], second["refresh"]):
            assert_error(api.post(REFRESH, {"refresh": old}, format="json"), 401, "token_revoked")
        # Stale devices presenting revoked tokens do not sign the person out of the session they just made.
        assert api.post(REFRESH, {"refresh": refreshed.json()["refresh"]}, format="json").status_code == 200
        assert sign_in(api, tenant.email, NEW_PASSWORD).status_code == 200
        assert sign_in(api, tenant.email, PASSWORD).status_code == 401

    def test_attempts_are_limited_per_person(self, post, tenant, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "password_change_per_user": "2/h"}
        wrong = {"current_password": "wrong", "new_password": NEW_PASSWORD}
        post(CHANGE_PASSWORD, wrong, user=tenant)
        post(CHANGE_PASSWORD, wrong, user=tenant)

        response = post(CHANGE_PASSWORD, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, user=tenant)

        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0

    def test_anonymous_callers_are_refused(self, post):
        assert_error(post(CHANGE_PASSWORD, {"current_password": "x", "new_password": "y"}), 401, "not_authenticated")
