"""The invitation link of an e-mail: see what it offers, choose a password, and be signed straight in."""

from datetime import datetime

import streamlit as st

from streamlit_app import accounts, session
from streamlit_app.client import ApiError, ApiUnreachable, DomiClient, InvitationPreview

FORM = "accept_invitation"
PREVIEWS_KEY = "invitation_previews"
FIRST_NAME_KEY = f"{FORM}_first_name"
LAST_NAME_KEY = f"{FORM}_last_name"
PASSWORD_KEY = f"{FORM}_password"
REPEAT_KEY = f"{FORM}_password_again"
FIELDS = {"key", "first_name", "last_name", "password", "password_again"}
CLOSED = {
    "accepted": "This invitation was already accepted: sign in with **{email}**.",
    "revoked": "This invitation was withdrawn. If you still want to join, ask {organization} for a new one.",
    "expired": "This invitation has expired. Ask {organization} to send it again: the new link will work.",
}

st.title("Join Domi")

key = st.query_params.get("key", "")
if not key:
    st.error("This link is incomplete. Please open it again from the e-mail, or copy the whole address.", icon="🔗")
    accounts.leave_link_button(key="accept_invitation_leave")
    st.stop()


def preview_of(key: str) -> InvitationPreview | ApiError:
    """What the invitation offers, read once per link (the reruns of the form do not read it again)."""
    previews: dict[str, InvitationPreview | ApiError] = st.session_state.setdefault(PREVIEWS_KEY, {})
    if key not in previews:
        try:
            previews[key] = DomiClient().invitation_inspect(key=key)
        except ApiError as error:
            previews[key] = error
    return previews[key]


def expiry(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%d %b %Y")


def accept(preview: InvitationPreview) -> None:
    password, again = st.session_state[PASSWORD_KEY], st.session_state[REPEAT_KEY]

    def make_account() -> None:
        accounts.passwords_match(password, again, field="password_again")
        try:
            DomiClient().invitation_accept(
                key=key,
                password=password,
                first_name=st.session_state[FIRST_NAME_KEY].strip(),
                last_name=st.session_state[LAST_NAME_KEY].strip(),
            )
        except ApiError as error:
            if error.status == 409:
                st.session_state[PREVIEWS_KEY].pop(key, None)  # read it again: it may be closed now
            raise

    session.submit(FORM, make_account)
    # Whoever was signed in on this browser before is not the person who just joined.
    session.end()
    api = DomiClient()
    try:
        api.sign_in(email=preview["email"], password=password)
        person = api.me()
    except (ApiError, ApiUnreachable):
        # The account is made; only the sign-in did not go through (e.g. too many attempts from here).
        accounts.leave_link(notice="Your account is ready. Please sign in.", sign_in_email=preview["email"])
    else:
        session.start(api, person)
        name = person["first_name"] or person["email"]
        accounts.leave_link(notice=f"Welcome to Domi, {name}! Your account is ready and you are signed in.")


preview = preview_of(key)
if isinstance(preview, ApiError):
    st.error(preview.message, icon="⚠️")
    if preview.code == "invalid_key":
        st.info("Ask the person who invited you to send the invitation again: the newest link is the one that works.")
    elif st.button("Try again", key="accept_invitation_retry"):
        st.session_state[PREVIEWS_KEY].pop(key, None)
        st.rerun()
    accounts.leave_link_button(key="accept_invitation_leave")
    st.stop()

if preview["status"] != "pending":
    message = CLOSED[preview["status"]].format(email=preview["email"], organization=preview["organization"])
    if preview["status"] == "accepted":
        st.info(message)
    else:
        st.error(message, icon="⚠️")
    accounts.leave_link_button(key="accept_invitation_leave", sign_in_email=preview["email"])
    st.stop()

role = accounts.ROLE_LABELS.get(preview["role"], preview["role"]).lower()
st.write(f"**{preview['organization']}** invites you to join Domi as a {role}.")
if preview["summary"]:
    st.markdown(f"**What it is for:** {preview['summary']}")
st.caption(f"You will sign in with {preview['email']}. The invitation is open until {expiry(preview['expires_at'])}.")

st.session_state.setdefault(FIRST_NAME_KEY, preview["first_name"])
st.session_state.setdefault(LAST_NAME_KEY, preview["last_name"])
with st.form(FORM):
    session.field_error(FORM, "key")
    first, last = st.columns(2)
    with first:
        st.text_input("First name", key=FIRST_NAME_KEY, max_chars=150, autocomplete="given-name")
        session.field_error(FORM, "first_name")
    with last:
        st.text_input("Last name", key=LAST_NAME_KEY, max_chars=150, autocomplete="family-name")
        session.field_error(FORM, "last_name")
    accounts.new_password_inputs(
        FORM,
        key=PASSWORD_KEY,
        repeat_key=REPEAT_KEY,
        field="password",
        label="Choose a password",
        repeat_label="The password again",
    )
    session.form_error(FORM, FIELDS)
    submitted = st.form_submit_button("Create my account", type="primary", width="stretch")

if submitted:
    accept(preview)

if session.signed_in():
    accounts.leave_link_button(key="accept_invitation_leave")
else:
    st.caption("Already have an account?")
    accounts.leave_link_button("Sign in instead", key="accept_invitation_leave")
