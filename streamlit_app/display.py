"""How the portal shows a request: labels, times, the triage, the timeline, comments, visits."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from streamlit_app.appointments import appointment_ics
from streamlit_app.client import Appointment, RequestDetail, RequestSummary, api_url_from_environment

STATUS_LABELS = {
    "submitted": "Received",
    "triaged": "Assessed",
    "needs_review": "Being reviewed by staff",
    "awaiting_approval": "Waiting for approval",
    "assigned": "Contractor assigned",
    "scheduled": "Visit scheduled",
    "in_progress": "Work in progress",
    "completed": "Work completed",
    "closed": "Closed",
    "reopened": "Reopened",
    "cancelled": "Cancelled",
}
OPEN_STATUSES = [status for status in STATUS_LABELS if status not in ("closed", "cancelled")]
CATEGORY_LABELS = {
    "plumbing": "Plumbing",
    "electrical": "Electrical",
    "hvac": "Heating & cooling",
    "appliance": "Appliance",
    "structural": "Structural",
    "doors_windows": "Doors & windows",
    "pest": "Pest control",
    "safety": "Safety",
    "exterior": "Exterior & shared areas",
    "general": "General",
}
PRIORITY_LABELS = {"emergency": "Emergency", "high": "High", "medium": "Medium", "low": "Low"}
PRIORITY_ICONS = {"emergency": "🔴", "high": "🟠", "medium": "🟡", "low": "🟢"}
AGENT_NAMES = {
    "analyzer": "Domi assistant (assessment)",
    "coordinator": "Domi assistant (scheduling)",
    "communicator": "Domi assistant",
    "quality_control": "Domi assistant (quality check)",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category or "Not yet assessed")


def priority_label(priority: str) -> str:
    if not priority:
        return "Not yet assessed"
    return f"{PRIORITY_ICONS.get(priority, '')} {PRIORITY_LABELS.get(priority, priority)}".strip()


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def local_time(value: str | None, zone: ZoneInfo) -> str:
    if not value:
        return "—"
    return parse_time(value).astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def duration_words(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600)
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = round(hours / 24)
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{days} days"


def request_caption(request: RequestSummary) -> str:
    unit = request["unit"]
    return f"#{request['id']} · {unit['property']['name']} {unit['label']} · {status_label(request['status'])}"


def triage_result(request: RequestDetail, zone: ZoneInfo) -> None:
    """Category, priority, expected response time; for an emergency, the safety instructions first."""
    instructions = request.get("safety_instructions") or []
    if request["priority"] == "emergency" or instructions:
        lines = "\n".join(f"- {line}" for line in instructions) or "- Keep yourself and others safe."
        st.error(f"**This is an emergency. Do this now:**\n\n{lines}", icon="🚨")
    if not request["category"] and request["status"] == "submitted":
        st.info("Domi is assessing your request. This page updates by itself.", icon="⏳")
        return
    if request["status"] == "needs_review":
        st.info("A member of staff is checking Domi's assessment and will be in touch.", icon="👀")
    pending = "Being confirmed"
    category, priority, response = st.columns(3)
    category.metric("Category", category_label(request["category"]) if request["category"] else pending)
    priority.metric("Priority", priority_label(request["priority"]) if request["priority"] else pending)
    if request.get("due_by"):
        expected = parse_time(request["due_by"]) - parse_time(request["created_at"])
        response.metric("Expected response", f"within {duration_words(expected)}")
        st.caption(f"Someone will act by {local_time(request['due_by'], zone)}.")
    else:
        response.metric("Expected response", pending)


def timeline(request: RequestDetail, zone: ZoneInfo) -> None:
    for event in request["timeline"]:
        actor = event["actor"]
        who = AGENT_NAMES.get(actor["name"], "Domi assistant") if actor["type"] == "agent" else actor["name"]
        if event["kind"] in ("status", "created") and event["to_status"]:
            what = f"**{status_label(event['to_status'])}**"
        elif event["kind"] == "assignment":
            what = "**Contractor assigned**"
        elif event["kind"] == "triage_override":
            what = "**Assessment updated**"
        else:
            what = "Note"
        st.markdown(f"{what} — {who}  \n:gray[{local_time(event['created_at'], zone)}]")
        if event["note"]:
            st.caption(event["note"])


def comments(request: RequestDetail, zone: ZoneInfo) -> None:
    if not request["comments"]:
        st.caption("No comments yet.")
    for comment in request["comments"]:
        st.markdown(f"**{comment['author']['name']}** · :gray[{local_time(comment['created_at'], zone)}]")
        st.write(comment["body"])


def appointments(request: RequestDetail, zone: ZoneInfo, *, key: str) -> None:
    visits = [visit for visit in request["appointments"] if visit["status"] != "cancelled"]
    if not visits:
        st.caption("No visit booked yet.")
        return
    for visit in visits:
        _appointment(request, visit, zone, key=key)


def _appointment(request: RequestDetail, visit: Appointment, zone: ZoneInfo, *, key: str) -> None:
    start, end = parse_time(visit["start"]).astimezone(zone), parse_time(visit["end"]).astimezone(zone)
    contractor = (request.get("assigned_contractor") or {}).get("company_name", "The contractor")
    state = {"proposed": "proposed", "confirmed": "confirmed", "completed": "done"}.get(
        visit["status"], visit["status"]
    )
    st.markdown(f"📅 **{start:%a %d %b %Y}**, {start:%H:%M}–{end:%H:%M} · {contractor} · {state}")
    st.download_button(
        "Add to calendar (.ics)",
        data=appointment_ics(request, visit),
        file_name=f"domi-visit-{request['id']}-{visit['id']}.ics",
        mime="text/calendar",
        key=f"{key}_ics_{visit['id']}",
    )


def windows(request: RequestDetail, zone: ZoneInfo) -> None:
    if not request["availability_windows"]:
        st.caption("No times given.")
    for window in request["availability_windows"]:
        start, end = parse_time(window["start"]).astimezone(zone), parse_time(window["end"]).astimezone(zone)
        st.markdown(f"- {start:%a %d %b}, {start:%H:%M}–{end:%H:%M}")


def admin_change_url(request_id: int) -> str:
    """The request's page in the back office (the Django admin), where staff override and re-run."""
    base = os.environ.get("DOMI_ADMIN_URL") or f"{api_url_from_environment()}/admin"
    return f"{base.rstrip('/')}/maintenance/maintenancerequest/{request_id}/change/"


def staff_list(requests: list[RequestSummary], zone: ZoneInfo, *, empty: str) -> None:
    """Requests as short cards with a link into the back office; cards read better than a table on a phone."""
    if not requests:
        st.success(empty)
        return
    for request in requests:
        with st.container(border=True):
            unit = request["unit"]
            contractor = (request.get("assigned_contractor") or {}).get("company_name") or "no contractor"
            st.markdown(
                f"**{request['title']}**  \n"
                f"{unit['property']['name']} {unit['label']} · {status_label(request['status'])} · "
                f"{priority_label(request['priority'])} · {contractor}"
            )
            due = f"Due {local_time(request['due_by'], zone)}" if request.get("due_by") else "No due time yet"
            st.caption(f"#{request['id']} · reported {local_time(request['created_at'], zone)} · {due}")
            st.link_button("Open in the back office", admin_change_url(request["id"]), icon="↗️")
