"""Domi's portal: `streamlit run streamlit_app/app.py` (the API's address in DOMI_API_URL).

Signs the person in, then offers the pages of their role. Every page talks to the API through
streamlit_app.client only.
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

PAGES_BY_ROLE = {
    "tenant": [
        st.Page("views/tenant_report.py", title="Report a problem", icon="📝", default=True),
        st.Page("views/tenant_requests.py", title="My requests", icon="📋"),
    ],
    "contractor": [
        st.Page("views/contractor_jobs.py", title="My jobs", icon="🧰", default=True),
        st.Page("views/contractor_invoices.py", title="My invoices", icon="🧾"),
    ],
    "manager": [
        st.Page("views/manager_dashboard.py", title="Dashboard", icon="📊", default=True),
        st.Page("views/manager_overdue.py", title="Overdue", icon="⏰"),
        st.Page("views/manager_review.py", title="Needs review", icon="👀"),
    ],
}
PAGES_BY_ROLE["admin"] = PAGES_BY_ROLE["manager"]


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


if session.signed_in():
    pages = PAGES_BY_ROLE.get(session.me()["role"], [])
    if not pages:
        st.error("This account has no pages in the portal.")
        st.stop()
    page = st.navigation(pages)
    sidebar()
else:
    page = st.navigation([st.Page("views/sign_in.py", title="Sign in", icon="🔑", default=True)], position="hidden")

try:
    page.run()
except (SessionExpired, ApiUnreachable) as error:
    session.handle_session_errors(error)
