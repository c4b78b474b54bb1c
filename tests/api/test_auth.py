"""Signing in with JWT: tokens, expiry, refresh rotation, reuse, sign-out, rate limits, the profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from domi.accounts import authentication
from domi.accounts.authentication import JWTAuthentication, RecentUsers
from domi.accounts.models import User
from tests import factories
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
REQUESTS = "/api/v1/requests/"


def sign_in(api, email, password=PASSWORD, **extra):
    return api.post(TOKEN, {"email": email, "password": password}, format="json", **extra)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    return body["error"]


@pytest.mark.django_db
class TestSignIn:
    def test_email_and_password_give_a_working_token_pair(self, api, tenant):
        response = sign_in(api, tenant.email.upper())  # the address is matched case-insensitively

        assert response.status_code == 200
        assert set(response.json()) == {"access", "refresh"}
        me = api.get(ME, **bearer(response.json()["access"]))
        assert me.status_code == 200 and me.json()["email"] == tenant.email

    def test_a_wrong_password_is_401_in_the_error_shape(self, api, tenant):
        error = assert_error(sign_in(api, tenant.email, "wrong"), 401, "not_authenticated")
        assert "password" in error["message"]

    def test_an_inactive_account_cannot_sign_in(self, api, tenant):
        tenant.is_active = False
        tenant.save()
        assert_error(sign_in(api, tenant.email), 401, "not_authenticated")

    def test_a_malformed_body_is_400_with_the_fields(self, api):
        error = assert_error(api.post(TOKEN, {"email": "not-an-address"}, format="json"), 400, "validation_error")
        assert set(error["fields"]) == {"email", "password"}

    def test_no_token_is_401_with_a_bearer_challenge(self, api):
        response = api.get(ME)
        assert_error(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_an_expired_access_token_is_refused(self, api, tenant):
        token = AccessToken.for_user(tenant)
        token.set_exp(lifetime=-timedelta(seconds=1))
        assert_error(api.get(ME, **bearer(str(token))), 401, "token_expired")

    def test_a_refresh_token_is_not_an_access_token(self, api, tenant):
        refresh = RefreshToken.for_user(tenant)
        assert_error(api.get(ME, **bearer(str(refresh))), 401, "token_wrong_type")


@pytest.mark.django_db
class TestRefreshAndLogout:
    def test_refresh_rotates_the_refresh_token(self, api, tenant):
        first = sign_in(api, tenant.email).json()

        response = api.post(REFRESH, {"refresh": first["refresh"]}, format="json")

        assert response.status_code == 200
        second = response.json()
        assert second["refresh"] != first["refresh"]
        assert api.get(ME, **bearer(second["access"])).status_code == 200
        # The new refresh token works once too.
        assert api.post(REFRESH, {"refresh": second["refresh"]}, format="json").status_code == 200

    def test_a_used_refresh_token_is_refused_and_revokes_the_whole_family(self, api, tenant):
        first = sign_in(api, tenant.email).json()
        second = api.post(REFRESH, {"refresh": first["refresh"]}, format="json").json()
        other_session = sign_in(api, tenant.email).json()

        error = assert_error(api.post(REFRESH, {"refresh": first["refresh"]}, format="json"), 401, "token_revoked")

        assert "blacklisted" in error["message"]
        # Someone holds a copy of a token: every refresh token of the account is revoked.
        assert api.post(REFRESH, {"refresh": second["refresh"]}, format="json").status_code == 401
        assert api.post(REFRESH, {"refresh": other_session["refresh"]}, format="json").status_code == 401
        # Another person's sessions are untouched.
        someone_else = factories.TenancyFactory().tenant
        theirs = sign_in(api, someone_else.email).json()
        assert api.post(REFRESH, {"refresh": theirs["refresh"]}, format="json").status_code == 200

    def test_a_copy_used_after_an_earlier_sign_out_everywhere_still_revokes_the_family(self, api, tenant):
        from domi.accounts.services import user_refresh_tokens_revoke

        stale = sign_in(api, tenant.email).json()
        user_refresh_tokens_revoke(user_id=tenant.pk)  # as a password change does
        first = sign_in(api, tenant.email).json()
        second = api.post(REFRESH, {"refresh": first["refresh"]}, format="json").json()

        # The token revoked with all the others is refused and revokes nothing more.
        assert_error(api.post(REFRESH, {"refresh": stale["refresh"]}, format="json"), 401, "token_revoked")
        assert api.post(REFRESH, {"refresh": second["refresh"]}, format="json").status_code == 200
        third = sign_in(api, tenant.email).json()
        # A token used once since then, coming back, is a stolen copy: the whole family goes.
        assert_error(api.post(REFRESH, {"refresh": first["refresh"]}, format="json"), 401, "token_revoked")
        assert api.post(REFRESH, {"refresh": third["refresh"]}, format="json").status_code == 401

    def test_an_expired_refresh_token_is_refused(self, api, tenant):
        refresh = RefreshToken.for_user(tenant)
        refresh.set_exp(lifetime=-timedelta(seconds=1))
        assert_error(api.post(REFRESH, {"refresh": str(refresh)}, format="json"), 401, "token_expired")

    def test_a_forged_refresh_token_is_refused(self, api, tenant):
        token = str(RefreshToken.for_user(tenant))
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert_error(api.post(REFRESH, {"refresh": forged}, format="json"), 401, "token_invalid")

    def test_the_refresh_of_a_deactivated_account_is_refused(self, api, tenant):
        pair = sign_in(api, tenant.email).json()
        tenant.is_active = False
        tenant.save()
        assert_error(api.post(REFRESH, {"refresh": pair["refresh"]}, format="json"), 401, "account_inactive")

    def test_logout_revokes_the_refresh_token(self, api, tenant):
        pair = sign_in(api, tenant.email).json()

        assert api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 204

        assert_error(api.post(REFRESH, {"refresh": pair["refresh"]}, format="json"), 401, "token_revoked")
        # Signing out twice is refused, but does not sign the person out of their other sessions.
        other = sign_in(api, tenant.email).json()
        assert api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 401
        assert api.post(REFRESH, {"refresh": other["refresh"]}, format="json").status_code == 200

    def test_logout_with_a_bad_token_is_401(self, api):
        assert_error(api.post(LOGOUT, {"refresh": "nonsense"}, format="json"), 401, "token_invalid")


@pytest.mark.django_db
class TestRateLimits:
    # Rates per hour, so a test never straddles the end of a counting window.
    def test_sign_in_failures_are_limited_per_account_and_address(self, api, tenant, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "3/h", "token_per_ip": "100/h"}
        for _ in range(3):
            assert sign_in(api, tenant.email, "wrong", REMOTE_ADDR="203.0.113.66").status_code == 401

        response = sign_in(api, tenant.email, REMOTE_ADDR="203.0.113.66")  # even the right password

        error = assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 3601
        assert "throttled" in error["message"].lower()
        # The owner, signing in from another address, is not kept out by someone guessing elsewhere.
        assert sign_in(api, tenant.email, REMOTE_ADDR="198.51.100.5").status_code == 200
        # Another account is not held up.
        other = factories.TenancyFactory().tenant
        assert sign_in(api, other.email, REMOTE_ADDR="203.0.113.66").status_code == 200

    def test_the_account_limit_ignores_the_case_of_the_address(self, api, tenant, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "2/h", "token_per_ip": "100/h"}
        sign_in(api, tenant.email.upper(), "wrong")
        sign_in(api, tenant.email, "wrong")
        assert sign_in(api, f" {tenant.email.title()} ").status_code == 429

    def test_sign_in_is_limited_per_address(self, api, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "100/h", "token_per_ip": "2/h"}
        for n in range(2):
            assert sign_in(api, f"nobody{n}@example.com", "x", REMOTE_ADDR="203.0.113.7").status_code == 401

        response = sign_in(api, "nobody9@example.com", "x", REMOTE_ADDR="203.0.113.7")

        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        assert sign_in(api, "nobody9@example.com", "x", REMOTE_ADDR="203.0.113.8").status_code == 401

    def test_refresh_is_limited_per_address(self, api, tenant, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_refresh_per_ip": "1/h"}
        api.post(REFRESH, {"refresh": "x"}, format="json")
        assert_error(api.post(REFRESH, {"refresh": "x"}, format="json"), 429, "throttled")


@pytest.mark.django_db
class TestMe:
    def test_me_shows_the_profile_role_and_organization(self, api, staff):
        api.force_authenticate(staff)
        body = api.get(ME).json()
        assert body["role"] == "manager" and body["email"] == staff.email
        assert body["organization"]["id"] == staff.organization_id
        assert body["is_superuser"] is False

    def test_the_superuser_has_no_organization(self, api, superuser):
        api.force_authenticate(superuser)
        assert api.get(ME).json()["organization"] is None

    def test_a_person_edits_their_name_phone_and_language_but_not_role_or_login(self, api, tenant):
        api.force_authenticate(tenant)

        response = api.patch(
            ME,
            {"first_name": "Ana", "phone": "+34600000000", "language": "es", "role": "admin", "email": "x@y.z"},
            format="json",
        )

        assert response.status_code == 200
        tenant.refresh_from_db()
        assert (tenant.first_name, tenant.phone, tenant.language) == ("Ana", "+34600000000", "es")
        assert tenant.role == "tenant" and tenant.email != "x@y.z"

    def test_an_unknown_language_is_400(self, api, tenant):
        api.force_authenticate(tenant)
        error = assert_error(api.patch(ME, {"language": "xx"}, format="json"), 400, "validation_error")
        assert "language" in error["fields"]


def queries_of(api, token: str, path: str = ME) -> tuple[int, int]:
    """One signed-in call: its status and how many queries it made."""
    with CaptureQueriesContext(connection) as queries:
        status = api.get(path, **bearer(token)).status_code
    return status, len(queries.captured_queries)


@pytest.fixture
def later(monkeypatch):
    """later(seconds): the process's clock moves on (the window the token's user is kept for)."""
    now = authentication.time.monotonic()

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return now + Clock.ahead

        ahead = 0.0

    monkeypatch.setattr(authentication, "time", Clock)

    def move(seconds: float) -> None:
        Clock.ahead += seconds

    return move


@pytest.mark.django_db
class TestTheUserBehindAToken:
    """domi/accounts/authentication.py: a process reads a token's user at most every DOMI_AUTH_USER_SECONDS."""

    def test_a_second_call_within_the_window_does_not_read_the_user_again(self, api, staff):
        token = str(AccessToken.for_user(staff))
        first, second = queries_of(api, token), queries_of(api, token)
        assert first[0] == second[0] == 200
        assert second[1] == first[1] - 1
        assert api.get(ME, **bearer(token)).json()["email"] == staff.email

    def test_a_deactivation_saved_here_refuses_the_very_next_call(self, api, tenant):
        token = str(AccessToken.for_user(tenant))
        assert api.get(REQUESTS, **bearer(token)).status_code == 200
        tenant.is_active = False
        tenant.save()
        assert_error(api.get(REQUESTS, **bearer(token)), 401, "account_inactive")

    def test_a_move_to_another_organization_saved_here_applies_to_the_very_next_call(self, api, staff, other_org):
        factories.MaintenanceRequestFactory(unit=factories.UnitFactory(property__organization=staff.organization))
        token = str(AccessToken.for_user(staff))
        assert api.get(REQUESTS, **bearer(token)).json()["count"] == 1
        staff.organization = other_org
        staff.save()
        assert api.get(REQUESTS, **bearer(token)).json()["count"] == 0

    def test_a_change_saved_by_another_process_applies_once_the_window_has_passed(self, api, tenant, later, settings):
        settings.DOMI_AUTH_USER_SECONDS = 5
        token = str(AccessToken.for_user(tenant))
        assert api.get(ME, **bearer(token)).status_code == 200
        User.objects.filter(pk=tenant.pk).update(is_active=False)  # no signal here, as from another process

        later(4.9)
        assert api.get(REQUESTS, **bearer(token)).status_code == 200  # answered from the row read 4.9 s ago
        later(0.2)
        assert_error(api.get(REQUESTS, **bearer(token)), 401, "account_inactive")

    def test_the_own_account_is_read_afresh_within_the_window(self, api, tenant):
        token = str(AccessToken.for_user(tenant))
        assert api.get(ME, **bearer(token)).status_code == 200
        User.objects.filter(pk=tenant.pk).update(is_active=False)  # as from another process
        assert_error(api.get(ME, **bearer(token)), 401, "account_inactive")
        assert_error(api.patch(ME, {"language": "es"}, format="json", **bearer(token)), 401, "account_inactive")

    def test_with_no_window_every_call_reads_the_user(self, api, tenant, settings):
        settings.DOMI_AUTH_USER_SECONDS = 0
        token = str(AccessToken.for_user(tenant))
        first, second = queries_of(api, token), queries_of(api, token)
        assert first == second == (200, first[1])
        User.objects.filter(pk=tenant.pk).update(is_active=False)
        assert_error(api.get(ME, **bearer(token)), 401, "account_inactive")

    def test_a_refused_user_is_not_kept(self, api, tenant):
        token = str(AccessToken.for_user(tenant))
        User.objects.filter(pk=tenant.pk).update(is_active=False)
        assert_error(api.get(ME, **bearer(token)), 401, "account_inactive")
        User.objects.filter(pk=tenant.pk).update(is_active=True)
        assert api.get(ME, **bearer(token)).status_code == 200

    def test_a_deleted_user_is_refused_at_once(self, api, staff):
        token = str(AccessToken.for_user(staff))
        assert api.get(REQUESTS, **bearer(token)).status_code == 200
        staff.delete()
        assert_error(api.get(REQUESTS, **bearer(token)), 401, "account_inactive")

    def test_with_revocation_by_password_every_call_reads_the_user(self, api, tenant, monkeypatch):
        monkeypatch.setattr(authentication.api_settings, "CHECK_REVOKE_TOKEN", True)
        token = str(AccessToken.for_user(tenant))
        first, second = queries_of(api, token, REQUESTS), queries_of(api, token, REQUESTS)
        assert first == second == (200, first[1])
        tenant.set_password("a-new-password-2026")
        tenant.save()
        assert_error(api.get(REQUESTS, **bearer(token)), 401, "token_revoked")

    def test_each_call_gets_a_user_of_its_own(self, tenant):
        token = AccessToken.for_user(tenant)
        first = JWTAuthentication().get_user(token)
        first.first_name = "Changed in one request only"
        second = JWTAuthentication().get_user(token)  # from the row kept
        assert second == first and second is not first
        assert second.first_name == tenant.first_name and second.email == tenant.email

    def test_the_rows_kept_are_bounded_the_oldest_going_first(self):
        kept = RecentUsers(max_size=2)
        for user_id in (1, 2, 3):
            kept.put(user_id, (user_id,), seconds=60)
        assert [kept.get(1), kept.get(2), kept.get(3)] == [None, (2,), (3,)]


def readable(error: dict) -> None:
    """The message is a sentence for a person, not a repr of the framework's objects."""
    message = error["message"]
    assert message and message[0].isupper() and message.endswith(".")
    for internal in ("ErrorDetail", "{", "'detail'", "token_not_valid", "Token is"):
        assert internal not in message, message


@pytest.mark.django_db
class TestBadTokens:
    """Every kind of token the API refuses answers the one error shape, a sentence and a stable code."""

    def test_an_expired_access_token(self, api, tenant):
        token = AccessToken.for_user(tenant)
        token.set_exp(lifetime=-timedelta(seconds=1))
        readable(assert_error(api.get(REQUESTS, **bearer(str(token))), 401, "token_expired"))

    def test_a_forged_access_token(self, api, tenant):
        token = str(AccessToken.for_user(tenant))
        head, payload, signature = token.split(".")
        forged = f"{head}.{payload}.{signature[::-1]}"
        readable(assert_error(api.get(REQUESTS, **bearer(forged)), 401, "token_invalid"))

    def test_a_token_signed_with_another_key(self, api, tenant, settings):
        from rest_framework_simplejwt.backends import TokenBackend

        claims = dict(AccessToken.for_user(tenant).payload)
        foreign = TokenBackend("HS256", signing_key="not-our-secret-key-at-all-0123456789").encode(claims)
        readable(assert_error(api.get(REQUESTS, **bearer(foreign)), 401, "token_invalid"))

    def test_garbage(self, api):
        readable(assert_error(api.get(REQUESTS, **bearer("not-a-token")), 401, "token_invalid"))

    def test_a_refresh_token_as_access(self, api, tenant):
        refresh = str(RefreshToken.for_user(tenant))
        readable(assert_error(api.get(REQUESTS, **bearer(refresh)), 401, "token_wrong_type"))

    def test_the_token_of_an_unknown_user(self, api, tenant):
        token = AccessToken.for_user(tenant)
        token["user_id"] = str(10_000_000)
        readable(assert_error(api.get(REQUESTS, **bearer(str(token))), 401, "account_inactive"))

    def test_a_token_without_a_user(self, api, tenant):
        token = AccessToken.for_user(tenant)
        del token["user_id"]
        readable(assert_error(api.get(REQUESTS, **bearer(str(token))), 401, "token_invalid"))

    def test_a_malformed_authorization_header(self, api, tenant):
        token = str(AccessToken.for_user(tenant))
        response = api.get(REQUESTS, HTTP_AUTHORIZATION=f"Bearer {token} extra")
        readable(assert_error(response, 401, "bad_authorization_header"))
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_a_bad_refresh_token(self, api, tenant):
        readable(assert_error(api.post(REFRESH, {"refresh": "nonsense"}, format="json"), 401, "token_invalid"))
        access = str(AccessToken.for_user(tenant))
        readable(assert_error(api.post(REFRESH, {"refresh": access}, format="json"), 401, "token_invalid"))


@pytest.mark.django_db
class TestSignOutEndsAccess:
    def test_the_access_token_stops_working_at_sign_out(self, api, tenant):
        pair = sign_in(api, tenant.email).json()
        assert api.get(REQUESTS, **bearer(pair["access"])).status_code == 200

        assert api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 204

        readable(assert_error(api.get(REQUESTS, **bearer(pair["access"])), 401, "token_revoked"))
        readable(assert_error(api.get(ME, **bearer(pair["access"])), 401, "token_revoked"))

    def test_signing_in_again_at_once_works(self, api, tenant):
        pair = sign_in(api, tenant.email).json()
        api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")
        again = sign_in(api, tenant.email).json()  # within the same second as the sign-out
        assert api.get(REQUESTS, **bearer(again["access"])).status_code == 200

    def test_another_device_refreshes_and_goes_on(self, api, tenant):
        phone, laptop = sign_in(api, tenant.email).json(), sign_in(api, tenant.email).json()
        api.post(LOGOUT, {"refresh": laptop["refresh"]}, format="json")

        assert_error(api.get(REQUESTS, **bearer(phone["access"])), 401, "token_revoked")
        renewed = api.post(REFRESH, {"refresh": phone["refresh"]}, format="json")
        assert renewed.status_code == 200
        assert api.get(REQUESTS, **bearer(renewed.json()["access"])).status_code == 200

    def test_a_password_change_ends_older_access_tokens(self, api, tenant):
        old = sign_in(api, tenant.email).json()
        response = api.post(
            "/api/v1/auth/password/change/",
            {"current_password": PASSWORD, "new_password": "a-fresh-and-long-passphrase-42"},
            format="json",
            **bearer(old["access"]),
        )
        assert response.status_code == 200, response.content
        assert_error(api.get(REQUESTS, **bearer(old["access"])), 401, "token_revoked")
        assert api.get(REQUESTS, **bearer(response.json()["access"])).status_code == 200

    def test_a_sign_out_in_another_process_applies_once_the_window_has_passed(self, api, tenant, later, settings):
        settings.DOMI_AUTH_USER_SECONDS = 5
        pair = sign_in(api, tenant.email).json()
        assert api.get(REQUESTS, **bearer(pair["access"])).status_code == 200
        # As another process signs out: the row changes, this process is not told.
        User.objects.filter(pk=tenant.pk).update(access_tokens_revoked_at=timezone.now())

        later(4.9)
        assert api.get(REQUESTS, **bearer(pair["access"])).status_code == 200
        later(0.2)
        assert_error(api.get(REQUESTS, **bearer(pair["access"])), 401, "token_revoked")

    def test_the_check_costs_no_query(self, api, tenant):
        pair = sign_in(api, tenant.email).json()
        first, second = queries_of(api, pair["access"], REQUESTS), queries_of(api, pair["access"], REQUESTS)
        api.post(LOGOUT, {"refresh": sign_in(api, tenant.email).json()["refresh"]}, format="json")
        fresh = sign_in(api, tenant.email).json()["access"]
        queries_of(api, fresh, REQUESTS)
        assert queries_of(api, fresh, REQUESTS) == second and second[1] == first[1] - 1
