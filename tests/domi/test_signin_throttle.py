"""The sign-in throttle of the back office and the API, and the sliding windows of every rate limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from domi.api import ratelimit
from tests import factories
from tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.5"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def admin_login(client, email, password, address=ATTACKER):
    return client.post(reverse("admin:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def api_sign_in(email, password, address=ATTACKER):
    return APIClient().post(TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address)


class TestSlidingWindows:
    def test_a_window_slides_over_the_clock_boundary(self):
        # 5 an hour: five hits late in one clock hour; a minute after the hour turns the sliding window still
        # holds them (a clock window would count afresh and let five more in).
        end_of_hour = 3600 * 1000 - 60
        for n in range(5):
            assert not ratelimit.sliding_usage(
                group="g", value="v", rate="5/h", increment=True, now=end_of_hour + n
            ).should_limit

        just_after = ratelimit.sliding_usage(group="g", value="v", rate="5/h", increment=True, now=end_of_hour + 120)

        assert just_after.should_limit
        assert 0 < just_after.wait <= 3600

    def test_the_old_hits_fade_out_as_the_window_moves_on(self):
        start = 3600 * 2000
        for n in range(5):
            ratelimit.sliding_usage(group="g", value="v", rate="5/h", increment=True, now=start + n)
        # Half an hour into the next window half of them still count: two more fit, not five.
        later = start + 3600 + 1800
        allowed = [
            not ratelimit.sliding_usage(group="g", value="v", rate="5/h", increment=True, now=later + n).should_limit
            for n in range(4)
        ]
        assert allowed == [True, True, False, False]

    def test_request_creation_is_limited_across_an_hour_boundary(self, monkeypatch, tenant, unit, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "request_create_per_user": "3/h"}
        clock = {"now": 3600 * 3000 - 30.0}

        class Clock:
            @staticmethod
            def time():
                return clock["now"]

        monkeypatch.setattr(ratelimit, "time", Clock)
        api = APIClient()
        api.force_authenticate(tenant)
        body = {"unit": unit.pk, "title": "Leak", "description": "Drip."}
        codes = [api.post("/api/v1/requests/", body, format="json").status_code for _ in range(3)]
        clock["now"] += 60  # the clock hour has turned
        codes.append(api.post("/api/v1/requests/", body, format="json").status_code)
        assert codes == [201, 201, 201, 429]


@pytest.mark.django_db
class TestAdminLogin:
    def test_wrong_passwords_cool_the_account_down_from_that_address(self, client, staff, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "5/m", "token_per_ip": "100/m"}
        for _ in range(5):
            assert admin_login(client, staff.email, "wrong").status_code == 200

        response = admin_login(client, staff.email, PASSWORD)  # the right password, too late

        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 60
        assert "Too many sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_owner_gets_in_from_their_own_address_meanwhile(self, client, staff, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "5/m", "token_per_ip": "100/m"}
        for _ in range(20):
            admin_login(client, staff.email, "wrong")

        response = admin_login(client, staff.email, PASSWORD, address=OWNER)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(staff.pk)

    def test_every_attempt_from_one_address_counts(self, client, org, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "100/m", "token_per_ip": "3/m"}
        people = [factories.StaffFactory(organization=org) for _ in range(4)]
        codes = [admin_login(client, person.email, "wrong").status_code for person in people[:3]]
        codes.append(admin_login(client, people[3].email, PASSWORD).status_code)
        assert codes == [200, 200, 200, 429]

    def test_guesses_spread_over_addresses_hold_back_new_addresses_only(self, client, staff, settings):
        settings.DOMI_RATELIMITS = {
            **settings.DOMI_RATELIMITS,
            "token_per_account": "5/m",
            "token_per_ip": "100/m",
            "token_failures_per_account": "10/h",
        }
        assert admin_login(client, staff.email, PASSWORD, address=OWNER).status_code == 302  # a known address
        client.logout()
        for n in range(10):
            admin_login(client, staff.email, "wrong", address=f"192.0.2.{n + 1}")

        assert admin_login(client, staff.email, PASSWORD, address="192.0.2.200").status_code == 429
        assert admin_login(client, staff.email, PASSWORD, address=OWNER).status_code == 302

    def test_a_right_password_clears_the_failures_of_its_address(self, client, staff, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "3/m", "token_per_ip": "100/m"}
        for _ in range(2):
            admin_login(client, staff.email, "wrong")
        assert admin_login(client, staff.email, PASSWORD).status_code == 302
        client.logout()
        for _ in range(2):
            admin_login(client, staff.email, "wrong")
        assert admin_login(client, staff.email, PASSWORD).status_code == 302

    def test_the_admin_and_the_api_share_the_counts(self, client, staff, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "4/m", "token_per_ip": "100/m"}
        for _ in range(2):
            assert api_sign_in(staff.email, "wrong").status_code == 401
        for _ in range(2):
            assert admin_login(client, staff.email, "wrong").status_code == 200

        assert api_sign_in(staff.email, PASSWORD).status_code == 429
        assert admin_login(client, staff.email, PASSWORD).status_code == 429


@pytest.mark.django_db
class TestWhileTheSharedCacheIsDown:
    """Redis gone: signing in and reporting go on, each process counting in its own memory meanwhile."""

    @pytest.fixture(autouse=True)
    def _redis_unreachable(self, settings):
        ratelimit._local.clear()
        ratelimit.cache_outage.forget()
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
        yield
        ratelimit._local.clear()
        ratelimit.cache_outage.forget()

    def test_a_tenant_signs_in_and_reports_a_problem(self, tenant, unit):
        signed_in = api_sign_in(tenant.email, PASSWORD)
        assert signed_in.status_code == 200
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['access']}")
        body = {"unit": unit.pk, "title": "Leak", "description": "Water drips from the pipe under the sink."}
        assert api.post("/api/v1/requests/", body, format="json").status_code == 201

    def test_guessing_is_still_held_back(self, staff, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "token_per_account": "3/m", "token_per_ip": "100/m"}
        codes = [api_sign_in(staff.email, "wrong").status_code for _ in range(3)]
        codes.append(api_sign_in(staff.email, PASSWORD).status_code)
        assert codes == [401, 401, 401, 429]
