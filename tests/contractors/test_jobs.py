"""The job from the contractor's side: offer, accept, decline, time-out, reschedule, start, complete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from domi.errors import Conflict, NotPermitted
from maintenance import events, selectors, services
from maintenance.actors import Actor
from maintenance.models import Appointment, JobLine, JobOffer
from tests import factories

from .conftest import COORDINATOR


@pytest.fixture
def declined_events():
    heard = []

    def receiver(sender, **payload):
        heard.append(payload)

    events.job_declined.connect(receiver)
    yield heard
    events.job_declined.disconnect(receiver)


def _offer(request):
    return request.offers.get(status=JobOffer.Status.OFFERED)


def test_assigning_offers_the_job(job, contractor):
    offer = _offer(job)
    assert offer.contractor == contractor and offer.expires_at > timezone.now()


def test_accept_confirms_the_visit_and_schedules(job, contractor):
    services.job_offer_accept(offer=_offer(job), actor=Actor.of(contractor.user))
    job.refresh_from_db()
    visit = job.appointments.get()
    assert job.status == "scheduled"
    assert visit.status == Appointment.Status.CONFIRMED and visit.sequence == 1
    assert job.offers.get().status == JobOffer.Status.ACCEPTED
    assert job.events.filter(to_status="scheduled", actor_user=contractor.user).exists()


def test_another_contractor_cannot_answer(job, org):
    stranger = factories.ContractorFactory(organization=org)
    with pytest.raises(NotPermitted):
        services.job_offer_accept(offer=_offer(job), actor=Actor.of(stranger.user))


def test_decline_goes_back_to_triaged_with_reason_and_event(
    job, contractor, declined_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.job_offer_decline(offer=_offer(job), actor=Actor.of(contractor.user), reason="No parts in stock")
    job.refresh_from_db()
    assert job.status == "triaged" and job.assigned_contractor is None
    for callback in callbacks:  # the upper apps react after commit; here only the event is checked
        callback()
    assert job.appointments.get().status == Appointment.Status.CANCELLED
    assert job.events.filter(to_status="triaged", actor_user=contractor.user, note__contains="No parts").exists()
    assert selectors.declined_contractor_ids(job.pk) == {contractor.pk}
    assert declined_events[-1]["request_id"] == job.pk and declined_events[-1]["contractor_id"] == contractor.pk


def test_decline_needs_a_reason(job, contractor):
    with pytest.raises(ValidationError):
        services.job_offer_decline(offer=_offer(job), actor=Actor.of(contractor.user), reason=" ")


def test_no_answer_is_reminded_once_then_expires_like_a_decline(job, contractor, settings):
    settings.DOMI_JOB_OFFER_REMIND_AFTER_MINUTES = 60
    settings.DOMI_JOB_OFFER_EXPIRE_AFTER_REMINDER_MINUTES = 30
    now = timezone.now()
    assert services.job_offers_sweep(now=now) == {"reminded": 0, "expired": 0}
    assert services.job_offers_sweep(now=now + timedelta(minutes=61)) == {"reminded": 1, "expired": 0}
    assert services.job_offers_sweep(now=now + timedelta(minutes=62)) == {"reminded": 0, "expired": 0}
    assert services.job_offers_sweep(now=now + timedelta(minutes=95)) == {"reminded": 0, "expired": 1}
    assert services.job_offers_sweep(now=now + timedelta(minutes=96)) == {"reminded": 0, "expired": 0}
    job.refresh_from_db()
    assert job.status == "triaged"
    assert job.offers.get().status == JobOffer.Status.EXPIRED
    assert selectors.declined_contractor_ids(job.pk) == {contractor.pk}


def test_the_sweep_task_is_scheduled_and_safe_to_run_twice(job):
    from django_celery_beat.models import PeriodicTask

    from maintenance.tasks import sweep_job_offers

    assert PeriodicTask.objects.filter(task="maintenance.sweep_job_offers").count() == 1
    sweep_job_offers.delay()
    sweep_job_offers.delay()
    assert job.offers.get().status == JobOffer.Status.OFFERED


def test_reschedule_moves_the_visit_and_refuses_a_double_booking(job, contractor, unit, tenant):
    other = factories.MaintenanceRequestFactory(
        unit=unit, reporter=tenant, status="triaged", category="plumbing", priority="low"
    )
    services.maintenance_request_assign(request=other, contractor=contractor, actor=COORDINATOR)
    visit = job.appointments.get()
    elsewhere = services.appointment_propose(request=other, actor=COORDINATOR, start=visit.start + timedelta(hours=4))
    actor = Actor.of(contractor.user)
    with pytest.raises(Conflict):
        services.appointment_reschedule(request=job, actor=actor, start=elsewhere.start + timedelta(minutes=30))
    moved = services.appointment_reschedule(request=job, actor=actor, start=visit.start + timedelta(days=1))
    assert moved.pk == visit.pk and moved.sequence == 1 and moved.start == visit.start + timedelta(days=1)


def test_start_and_complete_with_lines_and_photo(job, contractor):

    actor = Actor.of(contractor.user)
    services.job_offer_accept(offer=_offer(job), actor=actor)
    services.job_start(request=job, actor=actor)
    photo = _jpeg_upload()
    services.job_complete(
        request=job,
        actor=actor,
        notes="Replaced the washer.",
        lines=[
            {"kind": "labour", "description": "Labour", "quantity": "1.5", "unit_price": "80"},
            {"kind": "part", "description": "Washer", "quantity": 2, "unit_price": "2.50"},
        ],
        photos=[photo],
    )
    job.refresh_from_db()
    assert job.status == "completed"
    assert [line.amount for line in JobLine.objects.filter(request=job)] == [120, 5]
    assert job.attachments.filter(kind="completion_photo").count() == 1
    assert job.appointments.get().status == Appointment.Status.COMPLETED
    assert job.events.filter(to_status="completed", note="Replaced the washer.").exists()


def test_a_bad_line_completes_nothing(job, contractor):
    actor = Actor.of(contractor.user)
    services.job_offer_accept(offer=_offer(job), actor=actor)
    services.job_start(request=job, actor=actor)
    with pytest.raises(ValidationError):
        services.job_complete(
            request=job,
            actor=actor,
            notes="Done",
            lines=[{"kind": "part", "description": "x", "quantity": 0, "unit_price": 1}],
        )
    job.refresh_from_db()
    assert job.status == "in_progress"


def _jpeg_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("done.jpg", buffer.getvalue(), content_type="image/jpeg")
