"""The account's forms more than one page uses, and the pages the links in Domi's e-mails open.

Every link in the mail leads to the portal with its query: `?action=verify-email&key=...`,
`?action=reset-password&uid=...&key=...` or `?action=accept-invitation&key=...`.
"""

from __future__ import annotations

import streamlit as st

from streamlit_app import session
from streamlit_app.client import ApiError, DomiClient

ROLE_LABELS = {"tenant": "Tenant", "contractor": "Contractor", "manager": "Manager", "admin": "Administrator"}
LANGUAGES = {"en": "English", "es": "Español"}
# The API's password rules (Django's validators), said before the person types one.
PASSWORD_RULES = "At least 8 characters, not a common password, not only digits, not like your name or address."  # noqa: S105
SIGN_IN_EMAIL_KEY = "sign_in_email"  # the sign-in form's e-mail field


def new_password_inputs(
    form: str, *, key: str, repeat_key: str, field: str, label: str = "New password", repeat_label: str = ""
) -> None:
    """A new password typed twice, with the rules and, under each input, the API's error for it.

    `field` is the API's name for the password; the second input's errors come as `<field>_again`.
    """
    st.text_input(label, type="password", key=key, autocomplete="new-password")
    st.caption(PASSWORD_RULES)
    session.field_error(form, field)
    st.text_input(
        repeat_label or f"The {label.lower()} again", type="password", key=repeat_key, autocomplete="new-password"
    )
    session.field_error(form, f"{field}_again")


def passwords_match(password: str, again: str, *, field: str) -> None:
    """Refuse, in the API's error shape, a password typed differently the second time (`field` is the second)."""
    if password != again:
        raise ApiError(
            "Please type the same password twice.",
            status=400,
            code="validation_error",
            fields={field: ["The two passwords are not the same."]},
        )


def leave_link(*, notice: str | None = None, sign_in_email: str | None = None) -> None:
    """Close the page of an e-mail's link: forget its query and go on to sign-in or the person's pages."""
    st.query_params.clear()
    if notice:
        st.session_state[session.NOTICE_KEY] = notice
    if sign_in_email and not session.signed_in():
        st.session_state[SIGN_IN_EMAIL_KEY] = sign_in_email
    st.rerun()


def leave_link_button(label: str | None = None, *, key: str, sign_in_email: str | None = None) -> None:
    """The way out of a link's page: into the portal when signed in, else to the sign-in form."""
    label = label or ("Continue to Domi" if session.signed_in() else "Go to sign in")
    if st.button(label, key=key):
        leave_link(sign_in_email=sign_in_email)


def forgot_password_form(form: str) -> None:
    """Ask for a password-reset link; the answer is the same whether or not an account uses the address."""
    email_key = f"{form}_email"
    answer_key = f"{form}_answer"
    answer = st.session_state.get(answer_key)
    if answer:
        st.success(f"{answer} Check your inbox, and your spam folder, in a few minutes.", icon="📬")
    with st.form(form):
        st.text_input("Your e-mail address", key=email_key, autocomplete="email")
        session.field_error(form, "email")
        session.form_error(form, {"email"})
        submitted = st.form_submit_button("Send me a link to choose a new password")
    if submitted:
        email = st.session_state[email_key].strip()
        st.session_state.pop(answer_key, None)
        st.session_state[answer_key] = session.submit(form, lambda: DomiClient().password_reset_request(email=email))
        st.rerun()
