"""My account, for every role: details, the sign-in address and its verification, the password."""

from __future__ import annotations

import pytest
import requests
from allauth.account.models import EmailAddress
from django.core import mail

from domi.accounts.models import User
from tests.portal.conftest import PASSWORD, mailed_link, open_portal, sign_in, texts

pytestmark = pytest.mark.django_db(transaction=True)
ACCOUNT = "views/account.py"
NEW_PASSWORD = "a-fresh-and-long-passphrase-42"
CHANGE_PASSWORD = "FormSubmitter:password_change-Change my password"
CHANGE_EMAIL = "FormSubmitter:email_change-Change my e-mail address"


def my_account(at):
    at.switch_page(ACCOUNT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at) -> list[str]:
    return [error.value for error in at.error]


@pytest.mark.parametrize(
    ("email", "who"),
    [
        ("tenant@demo.domi", "**Terry Tenant**  \nTenant · Demo Property Co."),
        ("contractor@demo.domi", "**Pat Plumber**  \nContractor · Demo Property Co."),
        ("manager@demo.domi", "**Morgan Manager**  \nManager · Demo Property Co."),
    ],
)
def test_every_role_has_my_account(portal, email, who):
    at = my_account(portal(email))

    assert at.title[0].value == "My account"
    assert who in texts(at)
    assert "Language: English" in texts(at)


def test_the_details_are_saved(portal):
    at = my_account(portal("tenant@demo.domi"))
    at.text_input(key="profile_last_name").input("Tenant-Smith")
    at.selectbox(key="profile_language").set_value("es")

    at.button(key="FormSubmitter:profile-Save my details").click().run()

    assert "Your details are saved." in texts(at)
    assert "Language: Español" in texts(at)
    assert at.session_state["domi_me"]["last_name"] == "Tenant-Smith"  # the sidebar's name follows
    person = User.objects.get(email="tenant@demo.domi")
    assert (person.last_name, person.language) == ("Tenant-Smith", "es")


def test_the_password_is_changed_and_this_session_stays_signed_in(portal, api_url):
    at = my_account(portal("tenant@demo.domi"))
    api = at.session_state["domi_client"]
    old_refresh = api.refresh_token
    at.text_input(key="password_change_current_password").input(PASSWORD)
    at.text_input(key="password_change_new_password").input(NEW_PASSWORD)
    at.text_input(key="password_change_new_password_again").input(NEW_PASSWORD)

    at.button(key=CHANGE_PASSWORD).click().run()

    assert "Your password is changed. You stay signed in here; other devices must sign in again." in texts(at)
    assert at.text_input(key="password_change_current_password").value == ""  # not left in the form
    # The old refresh token was revoked; the session kept the new pair, so the next refresh still works.
    revoked = requests.post(f"{api_url}/api/v1/auth/token/refresh/", json={"refresh": old_refresh}, timeout=30)
    assert revoked.status_code == 401
    assert api.refresh_token != old_refresh
    api.access_token = "expired"
    at.switch_page("views/tenant_requests.py").run()
    assert at.title[0].value == "My requests"
    assert "domi_client" in at.session_state
    assert errors(sign_in(open_portal(), "tenant@demo.domi", PASSWORD)) == ["Wrong e-mail address or password."]
    assert sign_in(open_portal(), "tenant@demo.domi", NEW_PASSWORD).title[0].value == "Report a problem"


def test_a_wrong_current_password_is_refused_at_the_field_and_nothing_typed_is_lost(portal):
    at = my_account(portal("manager@demo.domi"))
    at.text_input(key="password_change_current_password").input("not-the-password")
    at.text_input(key="password_change_new_password").input(NEW_PASSWORD)
    at.text_input(key="password_change_new_password_again").input(NEW_PASSWORD)

    at.button(key=CHANGE_PASSWORD).click().run()

    assert errors(at) == ["Please type your current password."]
    assert at.text_input(key="password_change_new_password").value == NEW_PASSWORD
    assert User.objects.get(email="manager@demo.domi").check_password(PASSWORD)


def test_new_passwords_typed_differently_are_refused_before_asking_the_api(portal):
    at = my_account(portal("manager@demo.domi"))
    at.text_input(key="password_change_current_password").input(PASSWORD)
    at.text_input(key="password_change_new_password").input(NEW_PASSWORD)
    at.text_input(key="password_change_new_password_again").input(NEW_PASSWORD + "!")

    at.button(key=CHANGE_PASSWORD).click().run()

    assert errors(at) == ["The two passwords are not the same."]
    assert User.objects.get(email="manager@demo.domi").check_password(PASSWORD)


def test_a_new_address_waits_for_its_link_then_becomes_the_login(portal):
    at = my_account(portal("tenant@demo.domi"))
    at.text_input(key="email_change_email").input("terry@example.com")
    at.text_input(key="email_change_password").input(PASSWORD)

    at.button(key=CHANGE_EMAIL).click().run()

    page = texts(at)
    assert "We sent a link to terry@example.com" in page
    assert "Waiting for you to confirm **terry@example.com**" in page
    assert "Until then you sign in with **tenant@demo.domi**." in page
    assert mailed_link("verify-email", "terry@example.com")

    at.button(key="email_resend_button").click().run()

    assert "A new link is on its way to terry@example.com." in texts(at)
    assert len([message for message in mail.outbox if message.to == ["terry@example.com"]]) == 2
    query = mailed_link("verify-email", "terry@example.com")
    # The person opens the link on this browser, signed in.
    at.query_params.update(query)
    at.run()
    assert "Thank you: **terry@example.com** is verified." in texts(at)
    at.button(key="verify_email_leave").click().run()
    at = my_account(at)
    assert "You sign in with **terry@example.com** · verified ✅" in texts(at)
    assert at.session_state["domi_me"]["email"] == "terry@example.com"


def test_an_address_change_with_the_wrong_password_is_refused_at_the_field(portal):
    at = my_account(portal("tenant@demo.domi"))
    at.text_input(key="email_change_email").input("terry@example.com")
    at.text_input(key="email_change_password").input("not-the-password")

    at.button(key=CHANGE_EMAIL).click().run()

    assert errors(at) == ["The password is not correct."]
    assert at.text_input(key="email_change_email").value == "terry@example.com"
    assert not [message for message in mail.outbox if message.to == ["terry@example.com"]]


def test_an_unverified_address_can_have_its_link_sent_again(portal):
    EmailAddress.objects.filter(email="lucia@demo.domi").update(verified=False)
    at = my_account(portal("lucia@demo.domi"))
    assert "**lucia@demo.domi** is not verified yet" in texts(at)

    at.button(key="email_resend_button").click().run()

    assert "A new link is on its way to lucia@demo.domi." in texts(at)
    assert mailed_link("verify-email", "lucia@demo.domi")


def test_a_tenant_downloads_their_data(portal):
    import io
    import json
    import zipfile

    at = my_account(portal("tenant@demo.domi"))
    at.button(key="personal_data_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]

    archive = at.session_state["personal_data_archive"]
    data = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("personal-data.json"))
    assert data["profile"]["email"] == "tenant@demo.domi"
    assert data["maintenance"]["requests"]  # the demo tenant's requests
    assert "Download my data (zip)" in str(at)


def test_a_person_gets_their_calendar_feed_address(portal):
    at = my_account(portal("tenant@demo.domi"))
    at.button(key="calendar_feed_issue").click().run()
    assert not at.exception, [e.value for e in at.exception]
    url = at.session_state["calendar_feed_url"]
    assert "/integrations/calendar/" in url and url.endswith(".ics")
    assert url in [code.value for code in at.code]
