"""The password-reset link of an e-mail: choose a new password, then sign in with it."""

import streamlit as st

from streamlit_app import accounts, session
from streamlit_app.client import ApiError, DomiClient

FORM = "reset_password"
AGAIN_FORM = "reset_password_again"
PASSWORD_KEY = f"{FORM}_new_password"
REPEAT_KEY = f"{FORM}_new_password_again"
FIELDS = {"new_password", "new_password_again"}
LINK_KEY = f"{FORM}_link"

st.title("Choose a new password")

uid, key = st.query_params.get("uid", ""), st.query_params.get("key", "")
if st.session_state.get(LINK_KEY) != (uid, key):
    session.clear_errors(FORM)  # what was said about another link (a newer one was asked for and opened)
    st.session_state[LINK_KEY] = (uid, key)
error: ApiError | None = st.session_state.get(session.errors_key(FORM))
link_refused = error is not None and (error.code == "invalid_key" or {"uid", "key"} & set(error.fields))
if not uid or not key or link_refused:
    if link_refused:
        st.error(error.message if error.code == "invalid_key" else "This link is not valid.", icon="⚠️")
    else:
        st.error("This link is incomplete. Please open it again from the e-mail, or copy the whole address.")
    st.write("Ask for a new link below; the newest link is the one that works.")
    accounts.forgot_password_form(AGAIN_FORM)
    accounts.leave_link_button(key="reset_password_leave")
    st.stop()

with st.form(FORM):
    accounts.new_password_inputs(FORM, key=PASSWORD_KEY, repeat_key=REPEAT_KEY, field="new_password")
    session.form_error(FORM, FIELDS)
    submitted = st.form_submit_button("Save the new password", type="primary", width="stretch")

if submitted:
    password, again = st.session_state[PASSWORD_KEY], st.session_state[REPEAT_KEY]

    def reset() -> None:
        accounts.passwords_match(password, again, field="new_password_again")
        DomiClient().password_reset_confirm(uid=uid, key=key, new_password=password)

    session.submit(FORM, reset)
    st.session_state.pop(PASSWORD_KEY, None)
    st.session_state.pop(REPEAT_KEY, None)
    if session.signed_in():
        session.end()  # the reset signed the account out everywhere, this browser too
    accounts.leave_link(notice="Your password is changed. Please sign in with your new password.")

accounts.leave_link_button(key="reset_password_leave")
