"""Tenant: my requests, each with its timeline, visits, comments and what I can do now."""

import streamlit as st

from streamlit_app import display, forms, session
from streamlit_app.client import RequestDetail

PICK_KEY = "tenant_request_pick"
RATING_STARS = {n: "★" * n + "☆" * (5 - n) for n in range(1, 6)}

api = session.client()
zone = session.timezone()

st.title("My requests")
session.show_flash()

my_requests = api.request_list(ordering="-created_at")
if not my_requests:
    st.info("You have not reported anything yet.")
    st.page_link("views/tenant_report.py", label="Report a problem", icon="📝")
    st.stop()

by_id = {request["id"]: request for request in my_requests}
if st.session_state.get(PICK_KEY) not in by_id:
    st.session_state[PICK_KEY] = my_requests[0]["id"]
request_id = st.selectbox(
    "Request",
    options=list(by_id),
    # No status in the label: the browser keeps the label it picked, and one that changed with the status
    # would send the picker back to the first request.
    format_func=lambda i: f"{by_id[i]['title']} · reported {display.local_time(by_id[i]['created_at'], zone)}",
    key=PICK_KEY,
)
request = api.request_get(request_id)


@st.fragment(run_every="10s")
def progress(request_id: int, status_when_drawn: str) -> None:
    """Refreshes by itself; when the status moves, the whole page is redrawn so the actions match."""
    with session.guarded():
        current = api.request_get(request_id)
    if current["status"] != status_when_drawn:
        st.rerun(scope="app")
    st.subheader(current["title"])
    st.caption(display.request_caption(current))
    display.triage_result(current, zone)
    with st.expander("Timeline", expanded=True):
        display.timeline(current, zone)


def actions(request: RequestDetail) -> None:
    allowed = request["allowed_transitions"]
    rid = request["id"]
    if request["status"] == "completed":
        st.info("The contractor says the work is done. Is it?", icon="🔧")
    if "closed" in allowed and request["status"] == "completed":
        form = f"confirm_{rid}"
        session.form_error(form, set())
        if st.button("Yes, the work is done", key=f"confirm_button_{rid}", type="primary"):
            session.submit(form, lambda: api.request_confirm(rid))
            session.flash("Thank you: the request is closed.")
            st.rerun()
    if "reopened" in allowed:
        with st.expander("No, it is not fixed: reopen"):
            forms.reason_form(
                f"reopen_{rid}",
                label="What is still wrong?",
                button="Reopen the request",
                action=lambda reason: api.request_reopen(rid, reason=reason),
                done="The request is reopened; we will be in touch.",
            )
    if request["status"] in ("completed", "closed"):
        rate(request)
    if "cancelled" in allowed:
        with st.expander("Cancel this request"):
            forms.reason_form(
                f"cancel_{rid}",
                label="Why? (optional)",
                button="Cancel the request",
                action=lambda reason: api.request_cancel(rid, reason=reason),
                done="The request is cancelled.",
                required=False,
            )


def rate(request: RequestDetail) -> None:
    rid = request["id"]
    form = f"rate_{rid}"
    st.markdown("**Rate the work**")
    if request.get("tenant_rating"):
        st.caption(f"You rated it {RATING_STARS[request['tenant_rating']]}. You can change your rating.")
    with st.form(form):
        st.radio(
            "How was the work?",
            options=list(RATING_STARS),
            format_func=RATING_STARS.get,
            index=(request.get("tenant_rating") or 5) - 1,
            horizontal=True,
            key=f"{form}_rating",
        )
        session.field_error(form, "rating")
        st.text_area("Anything to add? (optional)", key=f"{form}_feedback", max_chars=5000)
        session.field_error(form, "feedback")
        session.form_error(form, {"rating", "feedback"})
        submitted = st.form_submit_button("Send rating")
    if submitted:
        session.submit(
            form,
            lambda: api.request_rate(
                rid,
                rating=st.session_state[f"{form}_rating"],
                feedback=st.session_state[f"{form}_feedback"].strip(),
            ),
        )
        st.session_state.pop(f"{form}_feedback", None)
        session.flash("Thank you for your rating.")
        st.rerun()


progress(request["id"], request["status"])
actions(request)

st.subheader("Visit")
display.appointments(request, zone, key="tenant")

st.subheader("Comments")
display.comments(request, zone)
forms.comment_form(api, request, key="tenant")

with st.expander("Details and photos"):
    st.write(request["description"])
    st.markdown("**Contractor may enter when I am out:** " + ("yes" if request["permission_to_enter"] else "no"))
    st.markdown("**When I am at home:**")
    display.windows(request, zone)
    forms.attachments(request)
    forms.photo_form(api, request, key="tenant")
