"""Tenant: report a problem, then see how Domi assessed it."""

from datetime import date, datetime, time

import streamlit as st

from streamlit_app import display, forms, session
from streamlit_app.client import ApiError, RequestDetail, SessionExpired, Unit, Upload

FORM = "report"
WINDOW_ROWS = 3
FIELDS = {"unit", "title", "description", "permission_to_enter", "availability_windows", "files"}
SUBMITTED_KEY = "report_submitted_id"
UPLOAD_PROBLEM_KEY = "report_upload_problem"
UPLOADER_ROUND_KEY = "report_uploader_round"
TEXT_KEYS = ["report_unit", "report_title", "report_description", "report_permission"]
WINDOW_KEYS = [f"report_window_{row}_{part}" for row in range(WINDOW_ROWS) for part in ("day", "from", "to")]

api = session.client()
zone = session.timezone()


def unit_label(unit: Unit) -> str:
    place = unit["property"]
    return f"{place['name']}, unit {unit['label']} ({place['address_line1']}, {place['city']})"


def availability_windows() -> list[tuple[datetime, datetime]]:
    """The windows filled in, as times at the property; a half-filled row is the tenant's mistake to fix."""
    windows, problems = [], []
    for row in range(WINDOW_ROWS):
        day: date | None = st.session_state.get(f"report_window_{row}_day")
        start: time | None = st.session_state.get(f"report_window_{row}_from")
        end: time | None = st.session_state.get(f"report_window_{row}_to")
        if day is None and start is None and end is None:
            continue
        if day is None or start is None or end is None:
            problems.append(f"Window {row + 1} needs a day, a start and an end time.")
            continue
        windows.append((datetime.combine(day, start, zone), datetime.combine(day, end, zone)))
    if problems:
        raise ApiError(
            "Please check the times you are at home.",
            status=400,
            code="validation_error",
            fields={"availability_windows": problems},
        )
    return windows


def send_report(units: dict[int, Unit]) -> RequestDetail:
    uploads = st.session_state.get(f"report_photos_{st.session_state.get(UPLOADER_ROUND_KEY, 0)}") or []
    # Before the request is made: a refused photo would leave the request sent without it.
    forms.uploads_check(uploads)
    request = api.request_create(
        unit=st.session_state["report_unit"],
        title=st.session_state["report_title"].strip(),
        description=st.session_state["report_description"].strip(),
        permission_to_enter=st.session_state["report_permission"],
        availability_windows=availability_windows(),
    )
    st.session_state.pop(UPLOAD_PROBLEM_KEY, None)
    if uploads:
        files = [Upload(name=f.name, content=f.getvalue(), content_type=f.type or "") for f in uploads]
        try:
            api.attachment_upload(request["id"], files=files, kind="photo")
        except ApiError as error:
            if isinstance(error, SessionExpired):
                raise
            reasons = "; ".join(error.field_messages("files")) or error.message
            st.session_state[UPLOAD_PROBLEM_KEY] = (
                f"Your request was sent, but the photos were not: {reasons} You can add photos under My requests."
            )
    return request


def report_form(units: dict[int, Unit]) -> None:
    session.keep_values(*TEXT_KEYS, *WINDOW_KEYS)
    st.title("Report a problem")
    st.write("Tell us what is wrong. Domi assesses it straight away and finds someone to fix it.")
    with st.form(FORM):
        st.selectbox(
            "Where is the problem?", options=list(units), format_func=lambda i: unit_label(units[i]), key="report_unit"
        )
        session.field_error(FORM, "unit")
        st.text_input(
            "What is wrong, in a few words",
            max_chars=200,
            key="report_title",
            placeholder="Leak under the kitchen sink",
        )
        session.field_error(FORM, "title")
        st.text_area(
            "Describe the problem",
            key="report_description",
            max_chars=10000,
            placeholder="Where it is, since when, how bad it is. Mention any smell of gas, smoke or sparks.",
        )
        session.field_error(FORM, "description")
        st.file_uploader(
            "Photos (optional)",
            type=forms.PHOTO_TYPES,
            accept_multiple_files=True,
            key=f"report_photos_{st.session_state.get(UPLOADER_ROUND_KEY, 0)}",
            help=forms.upload_help(forms.PHOTO_TYPES),
            max_upload_size=forms.upload_max_mb(forms.PHOTO_TYPES),
        )
        session.field_error(FORM, "files")
        st.checkbox("The contractor may enter when I am not at home", key="report_permission")
        session.field_error(FORM, "permission_to_enter")
        st.markdown("**When are you at home?** (optional, times at the property)")
        for row in range(WINDOW_ROWS):
            day, start, end = st.columns([2, 1, 1])
            day.date_input(f"Day {row + 1}", value=None, min_value=date.today(), key=f"report_window_{row}_day")
            start.time_input("From", value=None, step=1800, key=f"report_window_{row}_from")
            end.time_input("To", value=None, step=1800, key=f"report_window_{row}_to")
        session.field_error(FORM, "availability_windows")
        session.form_error(FORM, FIELDS)
        submitted = st.form_submit_button("Send", type="primary", width="stretch")
    if submitted:
        request = session.submit(FORM, lambda: send_report(units))
        for key in TEXT_KEYS[1:] + WINDOW_KEYS:
            st.session_state.pop(key, None)
        st.session_state[UPLOADER_ROUND_KEY] = st.session_state.get(UPLOADER_ROUND_KEY, 0) + 1
        st.session_state[SUBMITTED_KEY] = request["id"]
        st.rerun()


@st.fragment(run_every="5s")
def submitted_request(request_id: int) -> None:
    """The triage as soon as Domi has it, and the timeline moving as the crew works."""
    with session.guarded():
        request = api.request_get(request_id)
    st.subheader(request["title"])
    st.caption(display.request_caption(request))
    display.triage_result(request, zone)
    with st.expander("What happened so far", expanded=True):
        display.timeline(request, zone)


if SUBMITTED_KEY in st.session_state:
    st.title("Thank you, we have your request")
    problem = st.session_state.get(UPLOAD_PROBLEM_KEY)
    if problem:
        st.warning(problem, icon="📷")
    submitted_request(st.session_state[SUBMITTED_KEY])
    if st.button("Report another problem", key="report_again"):
        st.session_state.pop(SUBMITTED_KEY)
        st.session_state.pop(UPLOAD_PROBLEM_KEY, None)
        st.rerun()
else:
    units = {unit["id"]: unit for unit in api.unit_list()}
    if not units:
        st.title("Report a problem")
        st.info("You have no current tenancy, so there is no home to report a problem for.")
    else:
        report_form(units)
