"""Contractor page: the jobs, accepting with a visit, declining, starting and completing with photos."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from PIL import Image

from maintenance.models import Attachment, MaintenanceRequest
from streamlit_app.client import DomiClient
from tests.portal.conftest import texts

pytestmark = pytest.mark.django_db(transaction=True)
CONTRACTOR = "contractor@demo.domi"


@pytest.fixture
def offered_job(api_url) -> MaintenanceRequest:
    """A dripping tap the demo tenant reports, which the crew offers to the demo plumber."""
    tenant = DomiClient()
    tenant.sign_in(email="tenant@demo.domi", password="domi-demo")
    created = tenant.request_create(
        unit=tenant.unit_list()[0]["id"],
        title="Kitchen tap dripping",
        description="The kitchen tap keeps dripping, a slow drip into the sink.",
    )
    job = MaintenanceRequest.objects.get(pk=created["id"])
    assert job.status == "assigned", "the crew offers the job to the demo plumber"
    assert job.assigned_contractor.user.email == CONTRACTOR
    return job


def pick(at, job: MaintenanceRequest):
    at.selectbox(key="contractor_job_pick").set_value(job.pk).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_contractor_sees_their_jobs(portal):
    at = portal(CONTRACTOR)

    assert at.title[0].value == "My jobs"
    jobs = MaintenanceRequest.objects.filter(assigned_contractor__user__email=CONTRACTOR)
    assert len(at.selectbox(key="contractor_job_pick").options) == jobs.count() > 0
    assert {metric.label for metric in at.metric} == {"New offers", "Upcoming", "In progress"}


def test_the_contractor_accepts_starts_and_completes_a_job_with_photos(offered_job, portal):
    at = pick(portal(CONTRACTOR), offered_job)
    labels = at.selectbox(key="contractor_job_pick").options  # as the page words them
    assert f"Kitchen tap dripping · Harbor View Apartments 2A · #{offered_job.pk}" in labels
    assert any(caption.value.startswith("New offer · #") for caption in at.main.caption)
    form = f"accept_{offered_job.pk}"
    at.date_input(key=f"{form}_day").set_value(date.today() + timedelta(days=3))
    at.time_input(key=f"{form}_time").set_value(time(7, 0))

    at.button(key=f"FormSubmitter:{form}-Accept").click().run()

    offered_job.refresh_from_db()
    assert offered_job.status == "scheduled", texts(at)
    assert "Job accepted and visit booked." in texts(at)
    assert any(button.label == "Add to calendar (.ics)" for button in at.get("download_button"))

    at.button(key=f"start_button_{offered_job.pk}").click().run()
    offered_job.refresh_from_db()
    assert offered_job.status == "in_progress"

    form = f"complete_{offered_job.pk}"
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 10)).save(buffer, format="JPEG")
    at.text_area(key=f"{form}_notes").input("Replaced the tap washer; no more drip.")
    at.file_uploader[0].set_value(("tap.jpg", buffer.getvalue(), "image/jpeg"))
    at.button(key=f"FormSubmitter:{form}-Mark as completed").click().run()

    offered_job.refresh_from_db()
    assert offered_job.status in ("completed", "closed")  # quality control may close it at once
    assert Attachment.objects.filter(request=offered_job, kind="completion_photo").count() == 1
    assert "Job completed. Thank you!" in texts(at)


def test_completing_without_notes_is_refused_at_the_field(offered_job, portal):
    at = pick(portal(CONTRACTOR), offered_job)
    form = f"accept_{offered_job.pk}"
    at.date_input(key=f"{form}_day").set_value(date.today() + timedelta(days=3))
    at.time_input(key=f"{form}_time").set_value(time(7, 0))
    at.button(key=f"FormSubmitter:{form}-Accept").click().run()
    at.button(key=f"start_button_{offered_job.pk}").click().run()

    at.button(key=f"FormSubmitter:complete_{offered_job.pk}-Mark as completed").click().run()

    offered_job.refresh_from_db()
    assert offered_job.status == "in_progress"
    assert "This field may not be blank." in [error.value for error in at.error]


def test_the_contractor_declines_with_a_reason(offered_job, portal):
    at = pick(portal(CONTRACTOR), offered_job)
    form = f"decline_{offered_job.pk}"

    at.text_area(key=f"{form}_reason").input("Fully booked this week.")
    at.button(key=f"FormSubmitter:{form}-Decline").click().run()

    offered_job.refresh_from_db()
    assert offered_job.assigned_contractor is None or offered_job.assigned_contractor.user.email != CONTRACTOR
    assert "Job declined." in texts(at)
    assert not any("Kitchen tap dripping" in label for label in at.selectbox(key="contractor_job_pick").options)
