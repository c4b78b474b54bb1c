"""Sign in with e-mail and password, or ask for a link to choose a new password."""

import streamlit as st

from streamlit_app import accounts, session
from streamlit_app.client import ApiError, ApiUnreachable, DomiClient, InvalidCredentials

FORM = "sign_in"
FORGOT_FORM = "forgot_password"

st.title("🏠 Domi")
st.write("Report and follow maintenance in your home, run your jobs, or watch your properties.")

notice = st.session_state.pop(session.NOTICE_KEY, None)
if notice:
    st.info(notice)

with st.form(FORM):
    email = st.text_input("E-mail", key="sign_in_email", autocomplete="email")
    session.field_error(FORM, "email")
    password = st.text_input("Password", type="password", key="sign_in_password", autocomplete="current-password")
    session.field_error(FORM, "password")
    submitted = st.form_submit_button("Sign in", type="primary", use_container_width=True)

if submitted:
    session.clear_errors(FORM)
    api = DomiClient()
    try:
        api.sign_in(email=email.strip(), password=password)
        person = api.me()
    except InvalidCredentials:
        st.error("Wrong e-mail address or password.")
    except ApiUnreachable:
        st.error(session.UNREACHABLE_MESSAGE, icon="🔌")
    except ApiError as error:
        if error.fields:
            session.remember_errors(FORM, error)
            st.rerun()
        st.error(error.message)
    else:
        st.session_state.pop("sign_in_password", None)
        session.start(api, person)
        st.rerun()

forgot_started = f"{FORGOT_FORM}_answer" in st.session_state or session.errors_key(FORGOT_FORM) in st.session_state
with st.expander("Forgot your password?", expanded=forgot_started):
    st.caption("We will e-mail you a link to choose a new one.")
    accounts.forgot_password_form(FORGOT_FORM)
