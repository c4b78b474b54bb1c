"""Tenant pages: report a problem and see the triage; follow, confirm, reopen, rate and comment."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from icalendar import Calendar
from PIL import Image

from maintenance.models import Attachment, Comment, MaintenanceRequest
from streamlit_app.appointments import appointment_ics
from streamlit_app.client import DomiClient
from tests.portal.conftest import texts

pytestmark = pytest.mark.django_db(transaction=True)
TENANT = "tenant@demo.domi"
SUBMIT = "FormSubmitter:report-Send"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def tenant_request(title: str) -> MaintenanceRequest:
    return MaintenanceRequest.objects.get(reporter__email=TENANT, title=title)


def open_request(at, title: str):
    at.switch_page("views/tenant_requests.py").run()
    at.selectbox(key="tenant_request_pick").set_value(tenant_request(title).pk).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_tenant_lands_on_report_a_problem_for_their_unit(portal):
    at = portal(TENANT)

    assert at.title[0].value == "Report a problem"
    assert at.selectbox(key="report_unit").options == [
        "Harbor View Apartments, unit 2A (100 Embarcadero, San Francisco)"
    ]


def test_a_reported_leak_shows_its_triage_and_keeps_its_photo(portal):
    at = portal(TENANT)
    at.text_input(key="report_title").input("Kitchen tap dripping")
    at.text_area(key="report_description").input("The kitchen tap keeps dripping, a slow drip into the sink.")
    at.checkbox(key="report_permission").check()
    day = date.today() + timedelta(days=2)
    at.date_input(key="report_window_0_day").set_value(day)
    at.time_input(key="report_window_0_from").set_value(time(9, 0))
    at.time_input(key="report_window_0_to").set_value(time(12, 0))
    at.file_uploader[0].set_value(("sink.png", png(), "image/png"))

    at.button(key=SUBMIT).click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Thank you, we have your request"
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Category"] == "Plumbing"
    assert metrics["Priority"].endswith(("Low", "Medium", "High"))
    assert metrics["Expected response"].startswith("within ")
    request = tenant_request("Kitchen tap dripping")
    assert request.permission_to_enter is True
    assert len(request.availability_windows) == 1
    assert Attachment.objects.filter(request=request, kind="photo", original_name="sink.png").exists()


def test_an_emergency_shows_the_safety_instructions_first(portal):
    at = portal(TENANT)
    at.text_input(key="report_title").input("Gas smell")
    at.text_area(key="report_description").input("I smell gas in the kitchen, it is strong near the stove.")

    at.button(key=SUBMIT).click().run()

    # The demo organization's autonomy asks staff to confirm an emergency; the instructions go out first anyway.
    assert at.error, "the safety instructions are shown as an error box"
    assert "This is an emergency" in at.error[0].value
    assert "leave" in at.error[0].value.lower()
    assert {metric.label: metric.value for metric in at.metric}["Priority"] in ("🔴 Emergency", "Being confirmed")


def test_a_refused_report_shows_the_error_at_the_field_and_keeps_what_was_typed(portal):
    at = portal(TENANT)
    at.text_input(key="report_title").input("   ")
    at.text_area(key="report_description").input("The bedroom window does not close.")

    at.button(key=SUBMIT).click().run()

    assert at.title[0].value == "Report a problem"
    assert "This field may not be blank." in [error.value for error in at.error]
    assert at.text_area(key="report_description").value == "The bedroom window does not close."
    assert not MaintenanceRequest.objects.filter(description="The bedroom window does not close.").exists()


def test_a_half_filled_time_window_is_pointed_out(portal):
    at = portal(TENANT)
    at.text_input(key="report_title").input("Squeaky door")
    at.text_area(key="report_description").input("The bedroom door squeaks.")
    at.date_input(key="report_window_1_day").set_value(date.today() + timedelta(days=1))

    at.button(key=SUBMIT).click().run()

    assert "Window 2 needs a day, a start and an end time." in [error.value for error in at.error]
    assert at.text_input(key="report_title").value == "Squeaky door"


def test_my_requests_shows_the_timeline_and_the_visit_with_a_calendar_file(portal):
    at = open_request(portal(TENANT), "Locked out")

    assert "Locked out" in [subheader.value for subheader in at.subheader]
    assert "Visit scheduled" in texts(at)
    assert any(button.label == "Add to calendar (.ics)" for button in at.get("download_button"))


def test_the_calendar_file_holds_the_visit(api_url):
    api = DomiClient()
    api.sign_in(email=TENANT, password="domi-demo")
    request = api.request_get(tenant_request("Locked out").pk)
    visit = request["appointments"][0]

    event = Calendar.from_ical(appointment_ics(request, visit)).walk("VEVENT")[0]

    assert str(event["summary"]) == "Domi visit: Locked out"
    assert event.decoded("dtstart").isoformat().startswith(visit["start"].replace("Z", ""))
    assert "100 Embarcadero" in str(event["location"])


def test_the_tenant_confirms_the_work_is_done(portal):
    at = open_request(portal(TENANT), "No hot water")
    request = tenant_request("No hot water")

    at.button(key=f"confirm_button_{request.pk}").click().run()

    request.refresh_from_db()
    assert request.status == "closed"
    assert "Thank you: the request is closed." in texts(at)


def test_the_tenant_reopens_with_a_reason(portal):
    at = open_request(portal(TENANT), "No hot water")
    request = tenant_request("No hot water")
    form = f"reopen_{request.pk}"

    at.text_area(key=f"{form}_reason").input("Still only lukewarm water.")
    at.button(key=f"FormSubmitter:{form}-Reopen the request").click().run()

    request.refresh_from_db()
    assert request.status == "reopened"


def test_the_tenant_rates_the_work(portal):
    at = open_request(portal(TENANT), "No hot water")
    request = tenant_request("No hot water")
    form = f"rate_{request.pk}"

    at.radio(key=f"{form}_rating").set_value(4)
    at.text_area(key=f"{form}_feedback").input("Quick and tidy.")
    at.button(key=f"FormSubmitter:{form}-Send rating").click().run()

    request.refresh_from_db()
    assert request.tenant_rating == 4
    assert "Thank you for your rating." in texts(at)


def test_the_tenant_comments(portal):
    at = open_request(portal(TENANT), "Locked out")
    request = tenant_request("Locked out")
    form = f"tenant_comment_{request.pk}"

    at.text_area(key=f"{form}_body").input("The buzzer does not work; please call me.")
    at.button(key=f"FormSubmitter:{form}-Send comment").click().run()

    assert Comment.objects.filter(request=request, body="The buzzer does not work; please call me.").exists()
    assert "The buzzer does not work; please call me." in texts(at)


def test_the_photo_uploader_states_the_api_limits(portal):
    at = portal(TENANT)

    uploader = at.file_uploader[0]
    assert uploader.help == "Up to 10 files per request; photos up to 10 MB each, videos up to 30 MB each."
    assert uploader.proto.max_upload_size_mb == 30  # not Streamlit's default of 200 MB
    assert "pdf" not in [kind.lstrip(".") for kind in uploader.allowed_type]  # the API refuses a PDF as a photo


def test_an_oversize_photo_is_refused_before_anything_is_sent(portal):
    at = portal(TENANT)
    at.text_input(key="report_title").input("Cracked window")
    at.text_area(key="report_description").input("The living room window has a long crack.")
    big = png() + b"\0" * (11 * 1024 * 1024)
    at.file_uploader[0].set_value([("window.png", png(), "image/png"), ("crack.png", big, "image/png")])

    at.button(key=SUBMIT).click().run()

    assert at.title[0].value == "Report a problem"
    assert [error.value for error in at.error] == ["crack.png is 11.0 MB; photos may be at most 10 MB."]
    assert at.text_input(key="report_title").value == "Cracked window"
    assert not MaintenanceRequest.objects.filter(title="Cracked window").exists()


def test_more_photos_than_a_request_may_have_are_refused(portal):
    at = portal(TENANT)
    at.text_input(key="report_title").input("Mould in the bathroom")
    at.text_area(key="report_description").input("Black mould spreading on the bathroom ceiling.")
    at.file_uploader[0].set_value([(f"mould-{n}.png", png(), "image/png") for n in range(11)])

    at.button(key=SUBMIT).click().run()

    assert [error.value for error in at.error] == [
        "A request may have at most 10 files. You chose 11: please leave out 1."
    ]
    assert not MaintenanceRequest.objects.filter(title="Mould in the bathroom").exists()


def test_adding_photos_counts_the_files_the_request_has_already(portal):
    at = open_request(portal(TENANT), "Locked out")
    request = tenant_request("Locked out")
    form = f"tenant_photos_{request.pk}"
    at.file_uploader(key=f"{form}_files_0").set_value(
        [("door-1.png", png(), "image/png"), ("door-2.png", png(), "image/png")]
    )
    at.button(key=f"FormSubmitter:{form}-Upload").click().run()
    assert Attachment.objects.filter(request=request).count() == 2

    uploader = at.file_uploader(key=f"{form}_files_1")
    assert uploader.help.startswith("Up to 10 files per request (2 added already, so 8 more);")
    uploader.set_value([(f"door-{n}.png", png(), "image/png") for n in range(3, 12)])
    at.button(key=f"FormSubmitter:{form}-Upload").click().run()

    assert [error.value for error in at.error] == [
        "A request may have at most 10 files; it has 2 already. You chose 9: please leave out 1."
    ]
    assert Attachment.objects.filter(request=request).count() == 2
