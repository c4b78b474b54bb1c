"""Domi's portal: `streamlit run streamlit_app/app.py` (the API's address in DOMI_API_URL).

Signs the person in, then offers the pages of their role; a link from one of Domi's e-mails
(`?action=...`) opens its own page first. Every page talks to the API through streamlit_app.client only.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts only this folder on sys.path; the pages import the package by its full name.
PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if PROJECT_ROOT not in sys.path:
    sys.path.insert(0, PROJECT_ROOT)

import streamlit as st  # noqa: E402

from streamlit_app import session  # noqa: E402
from streamlit_app.client import ApiUnreachable, SessionExpired  # noqa: E402

st.set_page_config(page_title="Domi", page_icon="🏠", layout="centered")

ACCOUNT_PAGE = st.Page("views/account.py", title="My account", icon="👤")
PAGES_BY_ROLE = {
    "tenant": [
        st.Page("views/tenant_report.py", title="Report a problem", icon="📝", default=True),
        st.Page("views/tenant_requests.py", title="My requests", icon="📋"),
        ACCOUNT_PAGE,
    ],
    "contractor": [
        st.Page("views/contractor_jobs.py", title="My jobs", icon="🧰", default=True),
        st.Page("views/contractor_invoices.py", title="My invoices", icon="🧾"),
        ACCOUNT_PAGE,
    ],
    "manager": [
        st.Page("views/manager_dashboard.py", title="Dashboard", icon="📊", default=True),
        st.Page("views/manager_overdue.py", title="Overdue", icon="⏰"),
        st.Page("views/manager_review.py", title="Needs review", icon="👀"),
        ACCOUNT_PAGE,
    ],
}
PAGES_BY_ROLE["admin"] = PAGES_BY_ROLE["manager"]
# The pages the links in Domi's e-mails open (`?action=...`): before sign-in, or instead of the person's pages.
LINK_PAGES = {
    "accept-invitation": st.Page("views/accept_invitation.py", title="Join Domi", icon="✉️"),
    "reset-password": st.Page("views/reset_password.py", title="Choose a new password", icon="🔑"),
    "verify-email": st.Page("views/verify_email.py", title="Verify your e-mail address", icon="📧"),
}


def sidebar() -> None:
    person = session.me()
    with st.sidebar:
        name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip() or person["email"]
        st.markdown(f"**{name}**")
        organization = person.get("organization") or {}
        st.caption(f"{person['role'].capitalize()} · {organization.get('name', '')}")
        if st.button("Sign out", key="sign_out", icon="🚪"):
            session.end(notice="You are signed out.")
            st.rerun()


action = st.query_params.get("action")
if action in LINK_PAGES:
    page = st.navigation([LINK_PAGES[action]], position="hidden")
elif session.signed_in():
    pages = PAGES_BY_ROLE.get(session.me()["role"], [])
    if not pages:
        st.error("This account has no pages in the portal.")
        st.stop()
    page = st.navigation(pages)
    sidebar()
    # A notice left for a signed-in person, e.g. the welcome after accepting an invitation.
    notice = st.session_state.pop(session.NOTICE_KEY, None)
    if notice:
        st.toast(notice)
else:
    page = st.navigation([st.Page("views/sign_in.py", title="Sign in", icon="🔑", default=True)], position="hidden")

try:
    page.run()
except (SessionExpired, ApiUnreachable) as error:
    session.handle_session_errors(error)
