"""The verification link of an e-mail: posts its key at once and says what came of it, signed in or not."""

import streamlit as st

from streamlit_app import accounts, session
from streamlit_app.client import ApiError, DomiClient, EmailStatus, SessionExpired

RESULTS_KEY = "verify_email_results"
RESEND_FORM = "verify_email_resend"

st.title("Verify your e-mail address")
session.show_flash()

key = st.query_params.get("key", "")
if not key:
    st.error("This link is incomplete. Please open it again from the e-mail, or copy the whole address.", icon="🔗")
    accounts.leave_link_button(key="verify_email_leave")
    st.stop()

# A key works once: remember the answer, so the reruns of this page do not post it again.
results: dict[str, EmailStatus | ApiError] = st.session_state.setdefault(RESULTS_KEY, {})
if key not in results:
    try:
        results[key] = DomiClient().email_verify(key=key)
    except ApiError as error:
        results[key] = error
result = results[key]

if not isinstance(result, ApiError):
    st.success(f"Thank you: **{result['email']}** is verified. It is the address you sign in with.", icon="✅")
    if session.signed_in():
        try:
            session.update_me(session.client().me())  # the address may be a new sign-in address
        except SessionExpired:
            session.end()  # the session ran out meanwhile; the verification stands, and the key is spent
            st.session_state[RESULTS_KEY] = results
    accounts.leave_link_button(key="verify_email_leave", sign_in_email=result["email"])
    st.stop()

st.error(result.message, icon="⚠️")
if result.code == "invalid_key":
    if session.signed_in():
        st.write("You can have a new link sent to you now.")
        session.form_error(RESEND_FORM, set())
        if st.button("Send me a new link", key="verify_email_resend_button", type="primary"):
            status = session.submit(RESEND_FORM, lambda: session.client().email_verification_resend())
            session.flash(f"A new link is on its way to {status['pending_email'] or status['email']}.")
            st.rerun()
    else:
        st.info("Sign in and open **My account** to have a new link sent to you.", icon="💡")
elif result.code == "email_taken":
    st.info("Sign in with your current address and choose another one under **My account**.", icon="💡")
elif st.button("Try again", key="verify_email_retry"):
    results.pop(key)
    st.rerun()
accounts.leave_link_button(key="verify_email_leave")
