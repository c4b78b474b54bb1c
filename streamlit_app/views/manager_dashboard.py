"""Manager: the open requests by status and priority."""

import altair as alt
import pandas as pd
import streamlit as st

from streamlit_app import display, session

api = session.client()

st.title("Dashboard")
open_requests = api.request_list(status=display.OPEN_STATUSES)

overdue = sum(1 for request in open_requests if request["is_overdue"])
review = sum(1 for request in open_requests if request["status"] == "needs_review")
emergencies = sum(1 for request in open_requests if request["priority"] == "emergency")
first, second = st.columns(2)
first.metric("Open requests", len(open_requests))
second.metric("Overdue", overdue)
third, fourth = st.columns(2)
third.metric("Needs review", review)
fourth.metric("Open emergencies", emergencies)

if not open_requests:
    st.info("No open requests. 🎉")
    st.stop()

frame = pd.DataFrame(
    {
        "status": [display.status_label(request["status"]) for request in open_requests],
        "priority": [display.PRIORITY_LABELS.get(request["priority"], "Not assessed") for request in open_requests],
        "overdue": ["Overdue" if request["is_overdue"] else "On time" for request in open_requests],
    }
)
status_order = [display.status_label(status) for status in display.OPEN_STATUSES]
priority_order = [*display.PRIORITY_LABELS.values(), "Not assessed"]
priority_colors = ["#d62728", "#ff7f0e", "#f2c12e", "#2ca02c", "#9e9e9e"]

st.subheader("Open requests by status")
by_status = (
    alt.Chart(frame)
    .mark_bar()
    .encode(
        y=alt.Y("status:N", sort=status_order, title=None),
        x=alt.X("count():Q", title="Requests"),
        color=alt.Color(
            "priority:N",
            scale=alt.Scale(domain=priority_order, range=priority_colors),
            sort=priority_order,
            legend=alt.Legend(orient="bottom", title="Priority"),
        ),
        order=alt.Order("priority_rank:Q"),
        tooltip=["status:N", "priority:N", "count():Q"],
    )
    .transform_calculate(priority_rank=f"indexof({priority_order!r}, datum.priority)")
)
st.altair_chart(by_status, width="stretch")

st.subheader("Open requests by priority")
by_priority = (
    alt.Chart(frame)
    .mark_bar()
    .encode(
        x=alt.X("priority:N", sort=priority_order, title=None),
        y=alt.Y("count():Q", title="Requests"),
        color=alt.Color(
            "overdue:N",
            scale=alt.Scale(domain=["Overdue", "On time"], range=["#d62728", "#4c78a8"]),
            legend=alt.Legend(orient="bottom", title=None),
        ),
        tooltip=["priority:N", "overdue:N", "count():Q"],
    )
)
st.altair_chart(by_priority, width="stretch")

st.page_link("views/manager_overdue.py", label=f"See the {overdue} overdue requests", icon="⏰")
st.page_link("views/manager_review.py", label=f"See the {review} requests that need review", icon="👀")
