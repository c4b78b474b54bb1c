"""The pages the links in Domi's e-mails open: join by invitation, reset a forgotten password, verify an address.

Staff invite and people ask for links through the API; the test reads the link out of the mail (the live
server runs in this process) and opens the portal with its query, as the person's browser would.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from contractors.models import Contractor
from domi.accounts.models import Invitation, User
from properties.models import Tenancy, Unit
from tests import factories
from tests.portal.conftest import PASSWORD, api_post, mailed_link, open_portal, sign_in, texts

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "a-fresh-and-long-passphrase-42"
INVITEE = "ana.ruiz@example.com"
ACCEPT = "FormSubmitter:accept_invitation-Create my account"
RESET = "FormSubmitter:reset_password-Save the new password"


def vacant_unit() -> Unit:
    return Unit.objects.get(property__name="Harbor View Apartments", label="4A")


def invite_tenant(api_url: str, email: str = INVITEE, **names: str) -> dict[str, str]:
    """Staff invite a tenant to the vacant unit; the query of the link in the invitation mail."""
    response = api_post(
        api_url, f"/units/{vacant_unit().pk}/invitations/", {"email": email, **names}, as_email="manager@demo.domi"
    )
    assert response.status_code == 201, response.text
    return mailed_link("accept-invitation", email)


def fill_accept_form(at, password: str, again: str | None = None, *, last_name: str = ""):
    at.text_input(key="accept_invitation_last_name").input(last_name)
    at.text_input(key="accept_invitation_password").input(password)
    at.text_input(key="accept_invitation_password_again").input(password if again is None else again)
    return at.button(key=ACCEPT).click().run()


def errors(at) -> list[str]:
    return [error.value for error in at.error]


# --- joining by invitation


def test_an_invited_tenant_joins_from_the_link_and_is_signed_straight_in(api_url):
    query = invite_tenant(api_url, first_name="Ana")

    at = open_portal(query)

    assert at.title[0].value == "Join Domi"
    page = texts(at)
    assert "**Demo Property Co.** invites you to join Domi as a tenant." in page
    assert f"**What it is for:** Tenancy of Harbor View Apartments · 4A from {timezone.localdate().isoformat()}" in page
    assert f"You will sign in with {INVITEE}." in page
    assert at.text_input(key="accept_invitation_first_name").value == "Ana"  # from the invitation

    at = fill_accept_form(at, NEW_PASSWORD, last_name="Ruiz")

    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["domi_me"]["email"] == INVITEE
    assert at.title[0].value == "Report a problem"
    assert at.selectbox(key="report_unit").options == [
        "Harbor View Apartments, unit 4A (100 Embarcadero, San Francisco)"
    ]
    assert "Welcome to Domi, Ana!" in texts(at)
    assert "action" not in at.query_params  # a reload does not open the used link again
    person = User.objects.get(email=INVITEE)
    assert (person.first_name, person.last_name) == ("Ana", "Ruiz")
    assert Tenancy.objects.filter(tenant=person, unit=vacant_unit()).exists()


def test_an_invited_contractor_joins_and_lands_on_their_jobs(api_url):
    contractor = Contractor.objects.filter(organization__name="Demo Property Co.", user__isnull=True).first()
    response = api_post(
        api_url,
        f"/contractors/{contractor.pk}/invitations/",
        {"email": "crew@example.com"},
        as_email="manager@demo.domi",
    )
    assert response.status_code == 201, response.text

    at = open_portal(mailed_link("accept-invitation", "crew@example.com"))
    assert "as a contractor" in texts(at)
    assert f"Login for {contractor.company_name}" in texts(at)
    at = fill_accept_form(at, NEW_PASSWORD, last_name="Crew")

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "My jobs"
    contractor.refresh_from_db()
    assert contractor.user.email == "crew@example.com"


def test_passwords_typed_differently_are_pointed_out_and_nothing_typed_is_lost(api_url):
    at = open_portal(invite_tenant(api_url))

    at = fill_accept_form(at, NEW_PASSWORD, "a-fresh-and-long-passphrase-43", last_name="Ruiz")

    assert "The two passwords are not the same." in errors(at)
    assert at.text_input(key="accept_invitation_last_name").value == "Ruiz"
    assert at.text_input(key="accept_invitation_password").value == NEW_PASSWORD
    assert not User.objects.filter(email=INVITEE).exists()


def test_a_weak_password_is_refused_at_the_field_and_the_invitation_still_works(api_url):
    at = open_portal(invite_tenant(api_url))

    at = fill_accept_form(at, "12345678", last_name="Ruiz")

    assert "This password is entirely numeric." in errors(at)
    assert at.text_input(key="accept_invitation_last_name").value == "Ruiz"
    assert not User.objects.filter(email=INVITEE).exists()

    at = fill_accept_form(at, NEW_PASSWORD, last_name="Ruiz")

    assert at.session_state["domi_me"]["email"] == INVITEE


def test_an_invitation_already_accepted_says_to_sign_in_and_fills_in_the_address(api_url):
    query = invite_tenant(api_url)
    accepted = api_post(api_url, "/auth/invitations/accept/", {"key": query["key"], "password": NEW_PASSWORD})
    assert accepted.status_code == 201, accepted.text

    at = open_portal(query)

    assert f"This invitation was already accepted: sign in with **{INVITEE}**." in texts(at)
    assert not at.get("form")
    at.button(key="accept_invitation_leave").click().run()
    assert at.text_input(key="sign_in_email").value == INVITEE
    at = sign_in(at, INVITEE, NEW_PASSWORD)
    assert at.title[0].value == "Report a problem"


def test_an_invitation_accepted_elsewhere_meanwhile_is_said_when_submitting(api_url):
    query = invite_tenant(api_url)
    at = open_portal(query)
    api_post(api_url, "/auth/invitations/accept/", {"key": query["key"], "password": NEW_PASSWORD})

    at = fill_accept_form(at, "another-long-passphrase-7")

    assert f"This invitation was already accepted: sign in with **{INVITEE}**." in texts(at)
    assert "domi_client" not in at.session_state


def test_a_withdrawn_invitation_says_to_ask_for_a_new_one(api_url):
    query = invite_tenant(api_url)
    pk = Invitation.objects.get(email=INVITEE).pk
    assert api_post(api_url, f"/invitations/{pk}/revoke/", {}, as_email="manager@demo.domi").status_code == 200

    at = open_portal(query)

    assert "This invitation was withdrawn. If you still want to join, ask Demo Property Co. for a new one." in errors(
        at
    )
    assert not at.get("form")


def test_an_unknown_invitation_link_says_so_and_how_to_get_a_new_one(api_url):
    at = open_portal({"action": "accept-invitation", "key": "not-a-real-key"})

    assert "This invitation link is not valid: it may have been replaced by a newer one." in errors(at)
    assert "Ask the person who invited you to send the invitation again" in texts(at)
    at.button(key="accept_invitation_leave").click().run()
    assert at.text_input(key="sign_in_email").value == ""  # the sign-in page
    assert "action" not in at.query_params


# --- a forgotten password


def ask_for_a_reset_link(at, email: str):
    at.text_input(key="forgot_password_email").input(email)
    return at.button(key="FormSubmitter:forgot_password-Send me a link to choose a new password").click().run()


def test_a_forgotten_password_is_reset_from_the_link_and_the_person_signs_in_with_it(api_url):
    at = ask_for_a_reset_link(open_portal(), "tenant@demo.domi")
    assert "If an active account signs in with this address, a link to reset its password is on its way." in texts(at)

    at = open_portal(mailed_link("reset-password", "tenant@demo.domi"))
    assert at.title[0].value == "Choose a new password"
    at.text_input(key="reset_password_new_password").input(NEW_PASSWORD)
    at.text_input(key="reset_password_new_password_again").input(NEW_PASSWORD)
    at.button(key=RESET).click().run()

    assert "Your password is changed. Please sign in with your new password." in texts(at)
    assert "action" not in at.query_params
    assert errors(sign_in(open_portal(), "tenant@demo.domi", PASSWORD)) == ["Wrong e-mail address or password."]
    at = sign_in(at, "tenant@demo.domi", NEW_PASSWORD)
    assert at.title[0].value == "Report a problem"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(api_url):
    known = texts(ask_for_a_reset_link(open_portal(), "tenant@demo.domi"))
    unknown = texts(ask_for_a_reset_link(open_portal(), "nobody@example.com"))

    assert known == unknown
    assert [message.to for message in mail.outbox] == [["tenant@demo.domi"]]


def test_a_mistyped_address_is_refused_at_the_field(api_url):
    at = ask_for_a_reset_link(open_portal(), "tenant@")

    assert "Enter a valid email address." in errors(at)
    assert at.text_input(key="forgot_password_email").value == "tenant@"
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_at_the_field_and_the_link_keeps_working(api_url):
    ask_for_a_reset_link(open_portal(), "tenant@demo.domi")
    at = open_portal(mailed_link("reset-password", "tenant@demo.domi"))
    at.text_input(key="reset_password_new_password").input("password")
    at.text_input(key="reset_password_new_password_again").input("password")
    at.button(key=RESET).click().run()

    assert "This password is too common." in errors(at)
    assert at.text_input(key="reset_password_new_password").value == "password"

    at.text_input(key="reset_password_new_password").input(NEW_PASSWORD)
    at.text_input(key="reset_password_new_password_again").input(NEW_PASSWORD)
    at.button(key=RESET).click().run()
    assert "Your password is changed. Please sign in with your new password." in texts(at)


def test_a_used_reset_link_says_so_and_offers_a_new_one(api_url):
    ask_for_a_reset_link(open_portal(), "tenant@demo.domi")
    query = mailed_link("reset-password", "tenant@demo.domi")
    used = api_post(api_url, "/auth/password/reset/confirm/", {**query, "new_password": NEW_PASSWORD})
    assert used.status_code == 204
    at = open_portal(query)
    at.text_input(key="reset_password_new_password").input("another-long-passphrase-7")
    at.text_input(key="reset_password_new_password_again").input("another-long-passphrase-7")

    at.button(key=RESET).click().run()

    assert "This password-reset link is not valid, was already used or has expired." in errors(at)
    mails_before = len(mail.outbox)
    at.text_input(key="reset_password_again_email").input("tenant@demo.domi")
    at.button(key="FormSubmitter:reset_password_again-Send me a link to choose a new password").click().run()
    assert len(mail.outbox) == mails_before + 1
    assert mailed_link("reset-password", "tenant@demo.domi")["key"] != query["key"]


def test_an_incomplete_reset_link_offers_a_new_one(api_url):
    at = open_portal({"action": "reset-password", "key": "only-half"})

    assert errors(at)[0].startswith("This link is incomplete.")
    assert "reset_password_again_email" in [field.key for field in at.text_input]  # ask for a new link here
    assert "reset_password_new_password" not in [field.key for field in at.text_input]


# --- verifying an address


def change_address(api_url: str, email: str, new_email: str) -> dict[str, str]:
    """Ask, through the API, to sign in with a new address; the query of the link mailed there."""
    response = api_post(api_url, "/auth/email/change/", {"email": new_email, "password": PASSWORD}, as_email=email)
    assert response.status_code == 202, response.text
    return mailed_link("verify-email", new_email)


def test_the_verification_link_makes_the_new_address_the_login_without_signing_in(api_url):
    query = change_address(api_url, "tenant@demo.domi", "terry@example.com")

    at = open_portal(query)

    assert at.title[0].value == "Verify your e-mail address"
    assert "Thank you: **terry@example.com** is verified. It is the address you sign in with." in texts(at)
    at.button(key="verify_email_leave").click().run()
    assert "action" not in at.query_params
    assert at.text_input(key="sign_in_email").value == "terry@example.com"
    at = sign_in(at, "terry@example.com")
    assert at.title[0].value == "Report a problem"


def test_a_used_verification_link_says_so_and_how_to_get_a_new_one(api_url):
    query = change_address(api_url, "tenant@demo.domi", "terry@example.com")
    assert api_post(api_url, "/auth/email/verify/", {"key": query["key"]}).status_code == 200

    at = open_portal(query)

    assert "This verification link is not valid, was already used or has expired." in errors(at)
    assert "Sign in and open **My account** to have a new link sent to you." in texts(at)


def test_an_address_taken_meanwhile_says_what_to_do(api_url):
    query = change_address(api_url, "tenant@demo.domi", "wanted@example.com")
    factories.TenantFactory(email="wanted@example.com")  # an account made in the back office meanwhile

    at = open_portal(query)

    assert "Another account uses this address now." in errors(at)
    assert "choose another one under **My account**" in texts(at)


def test_a_signed_in_person_with_a_used_link_can_have_a_new_one_sent(portal):
    EmailAddress.objects.filter(email="contractor@demo.domi").update(verified=False)
    at = portal("contractor@demo.domi")
    at.query_params.update({"action": "verify-email", "key": "not-a-real-key"})
    at.run()
    assert "This verification link is not valid, was already used or has expired." in errors(at)

    at.button(key="verify_email_resend_button").click().run()

    assert "A new link is on its way to contractor@demo.domi." in texts(at)
    at.query_params.update(mailed_link("verify-email", "contractor@demo.domi"))
    at.run()
    assert "Thank you: **contractor@demo.domi** is verified. It is the address you sign in with." in texts(at)
    at.button(key="verify_email_leave").click().run()
    assert at.title[0].value == "My jobs"  # still signed in
