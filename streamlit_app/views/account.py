"""Everyone: my details, my sign-in address and its verification, my password."""

import streamlit as st

from streamlit_app import accounts, session
from streamlit_app.client import Me

PROFILE_FORM = "profile"
PROFILE_KEYS = {name: f"{PROFILE_FORM}_{name}" for name in ("first_name", "last_name", "phone", "language")}
RESEND_FORM = "email_resend"
EMAIL_FORM = "email_change"
EMAIL_KEY, EMAIL_PASSWORD_KEY = f"{EMAIL_FORM}_email", f"{EMAIL_FORM}_password"
PASSWORD_FORM = "password_change"  # noqa: S105 (a form's name)
CURRENT_KEY, NEW_KEY, REPEAT_KEY = (
    f"{PASSWORD_FORM}_current_password",
    f"{PASSWORD_FORM}_new_password",
    f"{PASSWORD_FORM}_new_password_again",
)

CALENDAR_FEED_FORM = "calendar_feed"
CALENDAR_FEED_KEY = "calendar_feed_url"
PERSONAL_DATA_FORM = "personal_data"
PERSONAL_DATA_KEY = "personal_data_archive"

api = session.client()
# Read again, not from the session: a link opened in another tab may have verified or changed the address.
person = api.me()
session.update_me(person)


def who(person: Me) -> None:
    name = f"{person['first_name']} {person['last_name']}".strip() or person["email"]
    organization = (person.get("organization") or {}).get("name") or "no organization"
    role = accounts.ROLE_LABELS.get(person["role"], person["role"])
    st.markdown(f"**{name}**  \n{role} · {organization}")
    st.caption(f"Language: {accounts.LANGUAGES.get(person['language'], person['language'])}")


def profile_form(person: Me) -> None:
    session.keep_values(*PROFILE_KEYS.values())
    for name, key in PROFILE_KEYS.items():
        st.session_state.setdefault(key, person[name])
    with st.form(PROFILE_FORM):
        first, last = st.columns(2)
        with first:
            st.text_input("First name", key=PROFILE_KEYS["first_name"], max_chars=150)
            session.field_error(PROFILE_FORM, "first_name")
        with last:
            st.text_input("Last name", key=PROFILE_KEYS["last_name"], max_chars=150)
            session.field_error(PROFILE_FORM, "last_name")
        st.text_input("Phone", key=PROFILE_KEYS["phone"], max_chars=32, autocomplete="tel")
        session.field_error(PROFILE_FORM, "phone")
        st.selectbox(
            "Language of Domi's messages",
            options=list(accounts.LANGUAGES),
            format_func=accounts.LANGUAGES.__getitem__,
            key=PROFILE_KEYS["language"],
        )
        session.field_error(PROFILE_FORM, "language")
        session.form_error(PROFILE_FORM, set(PROFILE_KEYS))
        submitted = st.form_submit_button("Save my details")
    if submitted:
        typed = {name: st.session_state[key] for name, key in PROFILE_KEYS.items()}
        saved = session.submit(
            PROFILE_FORM,
            lambda: api.me_update(
                first_name=typed["first_name"].strip(),
                last_name=typed["last_name"].strip(),
                phone=typed["phone"].strip(),
                language=typed["language"],
            ),
        )
        session.update_me(saved)
        session.flash("Your details are saved.")
        st.rerun()


def email_status(person: Me) -> None:
    pending = person["pending_email"]
    if pending:
        st.info(
            f"Waiting for you to confirm **{pending}**: open the link we sent there. "
            f"Until then you sign in with **{person['email']}**.",
            icon="📬",
        )
    elif not person["email_verified"]:
        st.warning(
            f"**{person['email']}** is not verified yet: open the link we sent there, or ask for a new one.",
            icon="📧",
        )
    else:
        st.markdown(f"You sign in with **{person['email']}** · verified ✅")
    if pending or not person["email_verified"]:
        session.form_error(RESEND_FORM, set())
        if st.button("Send the link again", key="email_resend_button"):
            status = session.submit(RESEND_FORM, api.email_verification_resend)
            session.flash(f"A new link is on its way to {status['pending_email'] or status['email']}.")
            st.rerun()


def email_form() -> None:
    with st.form(EMAIL_FORM):
        st.text_input("New e-mail address", key=EMAIL_KEY, autocomplete="email")
        session.field_error(EMAIL_FORM, "email")
        st.text_input("Your current password", type="password", key=EMAIL_PASSWORD_KEY, autocomplete="current-password")
        session.field_error(EMAIL_FORM, "password")
        session.form_error(EMAIL_FORM, {"email", "password"})
        submitted = st.form_submit_button("Change my e-mail address")
    if submitted:
        email, password = st.session_state[EMAIL_KEY].strip(), st.session_state[EMAIL_PASSWORD_KEY]
        status = session.submit(EMAIL_FORM, lambda: api.email_change(email=email, password=password))
        st.session_state.pop(EMAIL_KEY, None)
        st.session_state.pop(EMAIL_PASSWORD_KEY, None)
        session.flash(
            f"We sent a link to {status['pending_email']}: open it to sign in with that address. "
            f"Until then you sign in with {status['email']}."
        )
        st.rerun()


def password_form() -> None:
    with st.form(PASSWORD_FORM):
        st.text_input("Current password", type="password", key=CURRENT_KEY, autocomplete="current-password")
        session.field_error(PASSWORD_FORM, "current_password")
        accounts.new_password_inputs(PASSWORD_FORM, key=NEW_KEY, repeat_key=REPEAT_KEY, field="new_password")
        session.form_error(PASSWORD_FORM, {"current_password", "new_password", "new_password_again"})
        submitted = st.form_submit_button("Change my password")
    if submitted:
        current, new, again = (st.session_state[key] for key in (CURRENT_KEY, NEW_KEY, REPEAT_KEY))

        def change() -> None:
            accounts.passwords_match(new, again, field="new_password_again")
            # The client keeps the new token pair of the answer: the old refresh tokens are revoked.
            api.password_change(current_password=current, new_password=new)

        session.submit(PASSWORD_FORM, change)
        for key in (CURRENT_KEY, NEW_KEY, REPEAT_KEY):
            st.session_state.pop(key, None)
        session.flash("Your password is changed. You stay signed in here; other devices must sign in again.")
        st.rerun()


def calendar_feed() -> None:
    st.caption("Subscribe to your visits in your calendar app. A new address stops the previous one working.")
    if st.button("Get my calendar feed address", key="calendar_feed_issue"):
        st.session_state[CALENDAR_FEED_KEY] = session.submit(CALENDAR_FEED_FORM, api.calendar_feed_issue)
    session.form_error(CALENDAR_FEED_FORM, set())
    url = st.session_state.get(CALENDAR_FEED_KEY)
    if url:
        st.code(url, language=None)


def personal_data() -> None:
    st.caption("Everything Domi holds about you: your details, requests, comments, messages and files.")
    if st.button("Prepare a copy of my data", key="personal_data_prepare"):
        st.session_state[PERSONAL_DATA_KEY] = session.submit(PERSONAL_DATA_FORM, api.personal_data_export)
    session.form_error(PERSONAL_DATA_FORM, set())
    archive = st.session_state.get(PERSONAL_DATA_KEY)
    if archive:
        st.download_button(
            "Download my data (zip)",
            data=archive,
            file_name="domi-personal-data.zip",
            mime="application/zip",
            key="personal_data_download",
        )


st.title("My account")
session.show_flash()
who(person)

st.subheader("My details")
profile_form(person)

st.subheader("E-mail address")
email_status(person)
with st.expander("Change my e-mail address", expanded=session.errors_key(EMAIL_FORM) in st.session_state):
    email_form()

st.subheader("Password")
password_form()

st.subheader("Calendar")
calendar_feed()

st.subheader("My data")
personal_data()
