"""Joining by invitation, whole, through the API and the mail: staff invite a tenant to a unit or a contractor's
person to their roster entry; the invitee sets a password from the link and signs in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contractors.models import Contractor
from domi.accounts.models import Invitation, User
from properties.models import Tenancy
from tests import factories

from .test_account_flows import link
from .test_auth import assert_error, bearer, sign_in

INSPECT = "/api/v1/auth/invitations/inspect/"
ACCEPT = "/api/v1/auth/invitations/accept/"
INVITATIONS = "/api/v1/invitations/"
PASSWORD = "a-fresh-and-long-passphrase-42"


def invite_tenant_url(unit) -> str:
    return f"/api/v1/units/{unit.pk}/invitations/"


def invite_contractor_url(contractor) -> str:
    return f"/api/v1/contractors/{contractor.pk}/invitations/"


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.DOMI_PORTAL_URL = "https://portal.example"


@pytest.fixture
def post(api, django_capture_on_commit_callbacks):
    """POST as `user` (or anonymously) and run what waits for the commit: the mail."""

    def call(url: str, data: dict | None = None, *, user=None):
        api.force_authenticate(user=user)
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(url, data or {}, format="json")

    return call


@pytest.fixture
def get(api):
    def call(url: str, *, user=None, **params):
        api.force_authenticate(user=user)
        return api.get(url, params)

    return call


@pytest.fixture
def roster_entry(org):
    return factories.ContractorFactory(
        organization=org, user=None, company_name="Drip Fixers", email="jobs@drip.example"
    )


def the_key(email: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email]][-1:]
    return link(message, "accept-invitation")["key"]


@pytest.mark.django_db
class TestTenantInvitation:
    def test_invited_tenant_sets_a_password_signs_in_and_sees_the_unit(self, api, post, get, staff, unit):
        response = post(invite_tenant_url(unit), {"email": "Ana@Example.com", "first_name": "Ana"}, user=staff)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["email"] == "ana@example.com" and body["role"] == "tenant" and body["status"] == "pending"
        assert body["unit"]["id"] == unit.pk and body["start_date"] == str(timezone.localdate())
        assert body["invited_by"]["id"] == staff.pk
        (message,) = mail.outbox
        assert message.to == ["ana@example.com"] and staff.organization.name in message.subject
        assert unit.label in message.body
        key = link(message, "accept-invitation")["key"]

        preview = post(INSPECT, {"key": key})
        assert preview.status_code == 200
        assert preview.json()["organization"] == staff.organization.name
        assert preview.json()["role"] == "tenant" and preview.json()["status"] == "pending"

        accepted = post(ACCEPT, {"key": key, "password": PASSWORD, "last_name": "Ruiz"})

        assert accepted.status_code == 201, accepted.content
        account = accepted.json()
        assert account["email"] == "ana@example.com" and account["role"] == "tenant"
        assert (account["first_name"], account["last_name"]) == ("Ana", "Ruiz")
        assert account["organization"]["id"] == staff.organization_id
        assert account["email_verified"] is True  # the link reached the mailbox
        tokens = sign_in(api, "ana@example.com", PASSWORD)
        assert tokens.status_code == 200
        api.force_authenticate(user=None)
        units = api.get("/api/v1/units/", **bearer(tokens.json()["access"])).json()["results"]
        assert [u["id"] for u in units] == [unit.pk]
        tenancy = Tenancy.objects.get(tenant__email="ana@example.com")
        assert tenancy.unit == unit and tenancy.start_date == timezone.localdate()
        listed = get(INVITATIONS, user=staff).json()["results"]
        assert [(i["email"], i["status"], i["user"]) for i in listed] == [
            ("ana@example.com", "accepted", account["id"])
        ]

    def test_the_tenancy_starts_on_the_date_given(self, post, staff, unit):
        start = timezone.localdate() + timedelta(days=14)
        post(invite_tenant_url(unit), {"email": "later@example.com", "start_date": str(start)}, user=staff)

        post(ACCEPT, {"key": the_key("later@example.com"), "password": PASSWORD})

        assert Tenancy.objects.get(tenant__email="later@example.com").start_date == start

    def test_accepting_twice_is_refused(self, post, staff, unit):
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)
        key = the_key("ana@example.com")
        assert post(ACCEPT, {"key": key, "password": PASSWORD}).status_code == 201

        assert_error(post(ACCEPT, {"key": key, "password": PASSWORD}), 409, "invitation_accepted")
        assert User.objects.filter(email="ana@example.com").count() == 1
        assert Tenancy.objects.filter(tenant__email="ana@example.com").count() == 1

    def test_an_expired_invitation_is_refused(self, post, staff, unit):
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)
        key = the_key("ana@example.com")
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

        assert post(INSPECT, {"key": key}).json()["status"] == "expired"
        assert_error(post(ACCEPT, {"key": key, "password": PASSWORD}), 409, "invitation_expired")
        assert not User.objects.filter(email="ana@example.com").exists()

    def test_the_expiry_is_a_setting(self, post, staff, unit, settings):
        settings.DOMI_INVITATION_EXPIRE_DAYS = 2
        before = timezone.now()
        body = post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff).json()

        expires = Invitation.objects.get(pk=body["id"]).expires_at
        assert before + timedelta(days=2) <= expires <= timezone.now() + timedelta(days=2)

    def test_a_revoked_invitation_is_refused(self, post, staff, unit):
        invitation = post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff).json()
        key = the_key("ana@example.com")

        revoked = post(f"{INVITATIONS}{invitation['id']}/revoke/", user=staff)

        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        assert_error(post(ACCEPT, {"key": key, "password": PASSWORD}), 409, "invitation_revoked")
        assert_error(post(f"{INVITATIONS}{invitation['id']}/resend/", user=staff), 409, "invitation_closed")

    def test_resending_replaces_the_link_and_the_expiry(self, post, staff, unit):
        invitation = post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff).json()
        old_key = the_key("ana@example.com")
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

        resent = post(f"{INVITATIONS}{invitation['id']}/resend/", user=staff)

        assert resent.status_code == 200 and resent.json()["status"] == "pending"
        new_key = the_key("ana@example.com")
        assert new_key != old_key and len(mail.outbox) == 2
        assert_error(post(ACCEPT, {"key": old_key, "password": PASSWORD}), 400, "invalid_key")
        assert post(ACCEPT, {"key": new_key, "password": PASSWORD}).status_code == 201
        assert_error(post(f"{INVITATIONS}{invitation['id']}/revoke/", user=staff), 409, "invitation_accepted")

    @pytest.mark.parametrize("weak", ["12345678", "ana@example", "short"])
    def test_a_weak_password_is_refused_and_the_invitation_stays_open(self, post, staff, unit, weak):
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)
        key = the_key("ana@example.com")

        error = assert_error(post(ACCEPT, {"key": key, "password": weak}), 400, "validation_error")

        assert set(error["fields"]) == {"password"}
        assert not User.objects.filter(email="ana@example.com").exists()
        assert post(ACCEPT, {"key": key, "password": PASSWORD}).status_code == 201

    def test_an_unknown_key_is_refused(self, post):
        assert_error(post(INSPECT, {"key": "not-a-key"}), 400, "invalid_key")
        assert_error(post(ACCEPT, {"key": "not-a-key", "password": PASSWORD}), 400, "invalid_key")

    def test_an_address_with_an_account_cannot_be_invited(self, post, staff, unit, tenant):
        assert_error(post(invite_tenant_url(unit), {"email": tenant.email.upper()}, user=staff), 409, "account_exists")
        assert mail.outbox == []

    def test_one_open_invitation_per_address(self, post, staff, unit):
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)

        assert_error(post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff), 409, "invitation_pending")
        assert Invitation.objects.count() == 1

    def test_a_former_address_of_another_account_can_be_invited(self, post, staff, unit):
        other = factories.TenantFactory(email="former@example.com")
        EmailAddress.objects.create(user=other, email="former@example.com", verified=True, primary=True)
        User.objects.filter(pk=other.pk).update(email="current@example.com")  # changed in the back office
        post(invite_tenant_url(unit), {"email": "former@example.com"}, user=staff)

        response = post(ACCEPT, {"key": the_key("former@example.com"), "password": PASSWORD})

        assert response.status_code == 201 and response.json()["email_verified"] is True

    def test_an_account_made_meanwhile_blocks_acceptance(self, post, staff, unit):
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)
        factories.TenantFactory(email="ana@example.com")

        assert_error(post(ACCEPT, {"key": the_key("ana@example.com"), "password": PASSWORD}), 409, "account_exists")
        assert Invitation.objects.get().status == "pending"


@pytest.mark.django_db
class TestContractorInvitation:
    def test_invited_contractor_signs_in_as_the_roster_entrys_login(self, api, post, get, staff, roster_entry):
        response = post(invite_contractor_url(roster_entry), user=staff)  # to the address on file

        assert response.status_code == 201, response.content
        assert response.json()["contractor"] == roster_entry.pk and response.json()["role"] == "contractor"
        (message,) = mail.outbox
        assert message.to == ["jobs@drip.example"] and "Drip Fixers" in message.body

        accepted = post(ACCEPT, {"key": link(message, "accept-invitation")["key"], "password": PASSWORD})

        assert accepted.status_code == 201, accepted.content
        assert accepted.json()["role"] == "contractor"
        roster_entry.refresh_from_db()
        assert roster_entry.user.email == "jobs@drip.example"
        tokens = sign_in(api, "jobs@drip.example", PASSWORD).json()
        api.force_authenticate(user=None)
        own = api.get("/api/v1/contractors/", **bearer(tokens["access"])).json()["results"]
        assert [c["id"] for c in own] == [roster_entry.pk]

    def test_another_address_may_be_given(self, post, staff, roster_entry):
        response = post(invite_contractor_url(roster_entry), {"email": "boss@drip.example"}, user=staff)

        assert response.status_code == 201 and [m.to for m in mail.outbox] == [["boss@drip.example"]]

    def test_accepting_twice_is_refused(self, post, staff, roster_entry):
        post(invite_contractor_url(roster_entry), user=staff)
        key = the_key("jobs@drip.example")
        assert post(ACCEPT, {"key": key, "password": PASSWORD}).status_code == 201

        assert_error(post(ACCEPT, {"key": key, "password": PASSWORD}), 409, "invitation_accepted")

    def test_a_contractor_with_a_login_is_not_invited(self, post, staff, contractor):
        assert_error(post(invite_contractor_url(contractor), user=staff), 409, "contractor_has_login")

    def test_one_open_invitation_per_contractor(self, post, staff, roster_entry):
        post(invite_contractor_url(roster_entry), user=staff)

        response = post(invite_contractor_url(roster_entry), {"email": "other@drip.example"}, user=staff)

        assert_error(response, 409, "invitation_pending")

    def test_an_entry_without_an_address_needs_one(self, post, staff, org):
        entry = factories.ContractorFactory(organization=org, user=None, email="")

        error = assert_error(post(invite_contractor_url(entry), user=staff), 400, "validation_error")

        assert set(error["fields"]) == {"email"}

    def test_an_expired_contractor_invitation_is_refused(self, post, staff, roster_entry):
        post(invite_contractor_url(roster_entry), user=staff)
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

        assert_error(
            post(ACCEPT, {"key": the_key("jobs@drip.example"), "password": PASSWORD}), 409, "invitation_expired"
        )
        assert Contractor.objects.get(pk=roster_entry.pk).user is None


@pytest.mark.django_db
class TestWhoMayInvite:
    def test_staff_of_another_organization_find_nothing(self, post, get, staff, other_staff, unit, roster_entry):
        invitation = post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff).json()

        assert_error(post(invite_tenant_url(unit), {"email": "x@example.com"}, user=other_staff), 404, "not_found")
        assert_error(post(invite_contractor_url(roster_entry), user=other_staff), 404, "not_found")
        assert_error(get(f"{INVITATIONS}{invitation['id']}/", user=other_staff), 404, "not_found")
        assert_error(post(f"{INVITATIONS}{invitation['id']}/revoke/", user=other_staff), 404, "not_found")
        assert_error(post(f"{INVITATIONS}{invitation['id']}/resend/", user=other_staff), 404, "not_found")
        assert get(INVITATIONS, user=other_staff).json()["results"] == []
        assert Invitation.objects.get().status == "pending" and len(mail.outbox) == 1

    @pytest.mark.parametrize("role", ["tenant", "contractor"])
    def test_tenants_and_contractors_cannot_invite(self, post, get, unit, roster_entry, tenant, contractor, role):
        caller = tenant if role == "tenant" else contractor.user

        assert_error(post(invite_tenant_url(unit), {"email": "x@example.com"}, user=caller), 403, "permission_denied")
        assert_error(post(invite_contractor_url(roster_entry), user=caller), 403, "permission_denied")
        assert_error(get(INVITATIONS, user=caller), 403, "permission_denied")
        assert Invitation.objects.count() == 0 and mail.outbox == []

    def test_the_list_filters_by_status_and_role(self, post, get, staff, unit, roster_entry):
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)
        post(invite_tenant_url(unit), {"email": "bob@example.com"}, user=staff)
        post(invite_contractor_url(roster_entry), user=staff)
        Invitation.objects.filter(email="bob@example.com").update(expires_at=timezone.now() - timedelta(days=1))

        def emails(**params):
            return sorted(i["email"] for i in get(INVITATIONS, user=staff, **params).json()["results"])

        assert emails(status="pending") == ["ana@example.com", "jobs@drip.example"]
        assert emails(status="expired") == ["bob@example.com"]
        assert emails(role="contractor") == ["jobs@drip.example"]
        assert emails(search="ANA") == ["ana@example.com"]


@pytest.mark.django_db
class TestRateLimits:
    def test_accepting_and_reading_invitations_is_limited_per_address(self, post, staff, unit, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "signup_per_ip": "3/h"}
        post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff)
        key = the_key("ana@example.com")
        assert post(INSPECT, {"key": key}).status_code == 200
        assert post(ACCEPT, {"key": "wrong", "password": PASSWORD}).status_code == 400
        assert post(ACCEPT, {"key": "wrong-again", "password": PASSWORD}).status_code == 400

        response = post(ACCEPT, {"key": key, "password": PASSWORD})

        assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= 3600
        assert not User.objects.filter(email="ana@example.com").exists()

    def test_invitations_sent_are_limited_per_staff_member(self, post, staff, unit, roster_entry, settings):
        settings.DOMI_RATELIMITS = {**settings.DOMI_RATELIMITS, "invitation_send_per_user": "2/h"}
        first = post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff).json()
        assert post(f"{INVITATIONS}{first['id']}/resend/", user=staff).status_code == 200

        response = post(invite_contractor_url(roster_entry), user=staff)

        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        assert len(mail.outbox) == 2
        colleague = factories.StaffFactory(organization=staff.organization)
        assert post(invite_contractor_url(roster_entry), user=colleague).status_code == 201


@pytest.mark.django_db
class TestBackOffice:
    def test_staff_see_and_revoke_only_their_organizations_invitations(self, client, post, staff, unit, other_staff):
        other_unit = factories.UnitFactory(property=factories.PropertyFactory(organization=other_staff.organization))
        mine = post(invite_tenant_url(unit), {"email": "ana@example.com"}, user=staff).json()
        theirs = post(invite_tenant_url(other_unit), {"email": "bob@example.com"}, user=other_staff).json()
        client.force_login(staff)
        url = reverse("admin:accounts_invitation_changelist")

        listed = {i.pk for i in client.get(url).context["cl"].result_list}
        assert listed == {mine["id"]}
        assert client.get(reverse("admin:accounts_invitation_change", args=[theirs["id"]])).status_code == 302
        client.post(url, {"action": "revoke", "_selected_action": [mine["id"], theirs["id"]]})
        assert Invitation.objects.get(pk=mine["id"]).status == "revoked"
        assert Invitation.objects.get(pk=theirs["id"]).status == "pending"
        offers = client.get(reverse("admin:properties_tenancyinvitation_changelist")).context["cl"].result_list
        assert [o.pk for o in offers] == [mine["id"]]

    def test_staff_see_only_their_organizations_email_addresses(self, client, staff, tenant, other_staff):
        mine = EmailAddress.objects.create(user=tenant, email=tenant.email, primary=True)
        theirs = EmailAddress.objects.create(user=other_staff, email=other_staff.email, primary=True)
        client.force_login(staff)

        listed = client.get(reverse("admin:account_emailaddress_changelist")).context["cl"].result_list

        assert [a.pk for a in listed] == [mine.pk]
        assert client.get(reverse("admin:account_emailaddress_change", args=[theirs.pk])).status_code == 302
