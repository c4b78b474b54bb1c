"""Contractor: offers to accept or decline, upcoming visits, start and complete jobs, invoice finished ones."""

from datetime import datetime, time, timedelta

import streamlit as st

from streamlit_app import display, forms, invoicing, session
from streamlit_app.client import RequestDetail, RequestSummary, Upload

PICK_KEY = "contractor_job_pick"
GROUPS = {
    "assigned": "New offer",
    "reopened": "Reopened",
    "scheduled": "Upcoming",
    "in_progress": "In progress",
    "completed": "Done",
    "closed": "Done",
}
GROUP_ORDER = ["assigned", "reopened", "in_progress", "scheduled", "completed", "closed"]

api = session.client()
zone = session.timezone()

st.title("My jobs")
session.show_flash()

jobs = sorted(
    api.request_list(), key=lambda job: GROUP_ORDER.index(job["status"]) if job["status"] in GROUP_ORDER else 99
)
if not jobs:
    st.info("No jobs for you at the moment.")
    st.stop()

offers = [job for job in jobs if job["status"] in ("assigned", "reopened")]
upcoming = [job for job in jobs if job["status"] == "scheduled"]
active = [job for job in jobs if job["status"] == "in_progress"]
new, soon, working = st.columns(3)
new.metric("New offers", len(offers))
soon.metric("Upcoming", len(upcoming))
working.metric("In progress", len(active))


def job_group(job: RequestSummary) -> str:
    return GROUPS.get(job["status"], display.status_label(job["status"]))


def job_label(job: RequestSummary) -> str:
    """The job in the picker. Nothing in it may change with the job's status: the browser keeps the label it
    picked, and a label that no longer matches after accepting or starting would send the picker back to the
    first job."""
    unit = job["unit"]
    return f"{job['title']} · {unit['property']['name']} {unit['label']} · #{job['id']}"


def visit_proposal(job: RequestDetail) -> datetime:
    """The proposed visit, else the tenant's first window, else tomorrow morning: a start to edit."""
    proposed = [visit for visit in job["appointments"] if visit["status"] in ("proposed", "confirmed")]
    if proposed:
        return display.parse_time(proposed[0]["start"]).astimezone(zone)
    if job["availability_windows"]:
        return display.parse_time(job["availability_windows"][0]["start"]).astimezone(zone)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(9, 0), zone)


def accept_form(job: RequestDetail) -> None:
    rid = job["id"]
    form = f"accept_{rid}"
    proposal = visit_proposal(job)
    with st.form(form):
        st.markdown("**Accept the job and book the visit** (times at the property)")
        day, at = st.columns(2)
        day.date_input("Day", value=proposal.date(), key=f"{form}_day")
        at.time_input("Time", value=proposal.time().replace(second=0, microsecond=0), step=900, key=f"{form}_time")
        session.field_error(form, "start")
        st.number_input("Duration (minutes)", min_value=15, max_value=720, value=120, step=15, key=f"{form}_minutes")
        session.field_error(form, "duration_minutes")
        session.form_error(form, {"start", "duration_minutes"})
        submitted = st.form_submit_button("Accept", type="primary", width="stretch")
    if submitted:
        start = datetime.combine(st.session_state[f"{form}_day"], st.session_state[f"{form}_time"], zone)
        session.submit(
            form,
            lambda: api.request_accept(rid, start=start, duration_minutes=int(st.session_state[f"{form}_minutes"])),
        )
        session.flash("Job accepted and visit booked.")
        st.rerun()


def complete_form(job: RequestDetail) -> None:
    rid = job["id"]
    form = f"complete_{rid}"
    round_key = f"{form}_round"
    uploader_key = f"{form}_photos_{st.session_state.get(round_key, 0)}"
    session.keep_values(f"{form}_notes")
    with st.form(form):
        st.markdown("**Complete the job**")
        st.text_area("What did you do?", key=f"{form}_notes", max_chars=5000)
        session.field_error(form, "notes")
        st.file_uploader(
            "Photos of the finished work",
            type=forms.PHOTO_TYPES,
            accept_multiple_files=True,
            key=uploader_key,
            help=forms.upload_help(forms.PHOTO_TYPES, already=len(job.get("attachments") or [])),
            max_upload_size=forms.upload_max_mb(forms.PHOTO_TYPES),
        )
        session.field_error(form, "files")
        session.form_error(form, {"notes", "files"})
        submitted = st.form_submit_button("Mark as completed", type="primary", width="stretch")
    if submitted:
        notes = st.session_state[f"{form}_notes"].strip()
        photos = st.session_state.get(uploader_key) or []

        def finish() -> None:
            # Photos first: if one is refused the job stays in progress and nothing is half-done.
            if photos:
                forms.uploads_check(photos, already=len(job.get("attachments") or []))
                files = [Upload(name=f.name, content=f.getvalue(), content_type=f.type or "") for f in photos]
                api.attachment_upload(rid, files=files, kind="completion_photo")
                st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
            api.request_complete(rid, notes=notes)

        session.submit(form, finish)
        st.session_state.pop(f"{form}_notes", None)
        session.flash("Job completed. Thank you!")
        st.rerun()


def actions(job: RequestDetail) -> None:
    rid = job["id"]
    if job["status"] in ("assigned", "reopened") and "scheduled" in job["allowed_transitions"]:
        offer = job.get("job_offer")
        if offer and offer["status"] == "offered":
            st.warning(f"Please answer by {display.local_time(offer['expires_at'], zone)}.", icon="⏳")
        accept_form(job)
        if "triaged" in job["allowed_transitions"]:
            with st.expander("Decline the job"):
                forms.reason_form(
                    f"decline_{rid}",
                    label="Why can you not take it?",
                    button="Decline",
                    action=lambda reason: api.request_decline(rid, reason=reason),
                    done="Job declined.",
                )
    if job["status"] == "scheduled" and "in_progress" in job["allowed_transitions"]:
        form = f"start_{rid}"
        session.form_error(form, set())
        if st.button("Start the work", key=f"start_button_{rid}", type="primary", width="stretch"):
            session.submit(form, lambda: api.request_start(rid))
            session.flash("Work started.")
            st.rerun()
    if job["status"] == "in_progress" and "completed" in job["allowed_transitions"]:
        complete_form(job)


by_id = {job["id"]: job for job in jobs}
if st.session_state.get(PICK_KEY) not in by_id:
    st.session_state[PICK_KEY] = jobs[0]["id"]
job_id = st.selectbox("Job", options=list(by_id), format_func=lambda i: job_label(by_id[i]), key=PICK_KEY)
job = api.request_get(job_id)
place = job["unit"]["property"]

st.subheader(job["title"])
st.caption(f"{job_group(job)} · {display.request_caption(job)}")
st.markdown(
    f"📍 {place['address_line1']}, {place['city']} {place['postal_code']} · unit **{job['unit']['label']}**  \n"
    f"{display.category_label(job['category'])} · {display.priority_label(job['priority'])}"
    + (f" · act by {display.local_time(job['due_by'], zone)}" if job.get("due_by") else "")
)
for line in job.get("safety_instructions") or []:
    st.error(line, icon="🚨")
st.write(job["description"])
actions(job)
invoicing.invoice_section(api, job)

st.subheader("Visit")
display.appointments(job, zone, key="contractor")
with st.expander("Tenant", expanded=False):
    reporter = job["reporter"]
    st.markdown(f"**{reporter['name']}**")
    if reporter.get("phone") or reporter.get("email"):
        st.markdown(f"📞 {reporter.get('phone') or '—'} · ✉️ {reporter.get('email') or '—'}")
    else:
        st.caption("Contact details appear once you accept the job.")
    st.markdown("**May enter when out:** " + ("yes" if job["permission_to_enter"] else "no"))
    st.markdown("**At home:**")
    display.windows(job, zone)

st.subheader("Comments")
display.comments(job, zone)
forms.comment_form(api, job, key="contractor")
with st.expander("Files"):
    forms.attachments(job)
with st.expander("Timeline"):
    display.timeline(job, zone)
