"""Message wording: text messages within two segments, the fixed parts kept, each audience addressed as itself."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import content, services
from notifications.content import fit_sms, sms_encoding, sms_segments, sms_units
from notifications.events import Audience, Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("€" * 80, "gsm7", 160, 1),  # the extension table costs two septets each
        ("ñé¿ü" * 40, "gsm7", 160, 1),  # in the GSM alphabet
        ("á" * 70, "ucs2", 70, 1),
        ("á" * 71, "ucs2", 71, 2),
        ("á" * 134, "ucs2", 134, 2),
        ("😀" * 35, "ucs2", 70, 1),  # an emoji is two UTF-16 units
    ],
)
def test_segments_are_counted_as_the_networks_count_them(text, encoding, units, segments):
    assert (sms_encoding(text), sms_units(text), sms_segments(text)) == (encoding, units, segments)


def test_a_short_message_is_left_alone():
    assert fit_sms("Domi: your visit is at 9:00.") == "Domi: your visit is at 9:00."


def test_a_long_message_is_cut_at_a_word_and_keeps_its_link_whole():
    link = "https://portal.example/?request=0f8fad5b-d9cb-469f-a165-70867728950e&action=confirm"
    text = "Domi: " + " ".join(["wordy"] * 80)
    fitted = fit_sms(text, tail=link)
    assert sms_segments(fitted) <= 2
    assert fitted.endswith("... " + link)
    assert " wordy... " in fitted  # cut between words, not inside one


def test_typographic_characters_do_not_force_ucs2():
    fitted = fit_sms("Domi: the plumber’s visit – “tomorrow” … OK")
    assert fitted == 'Domi: the plumber\'s visit - "tomorrow" ... OK'
    assert sms_encoding(fitted) == "gsm7"


def test_accents_are_dropped_only_when_that_saves_the_message_from_being_cut():
    short = "Domi: la visita está confirmada."
    assert fit_sms(short) == short  # fits as UCS-2: accents kept
    long = "Domi: " + "la reparación está confirmada y el técnico llegará mañana. " * 3
    fitted = fit_sms(long.strip())
    assert sms_segments(fitted) <= 2 and sms_encoding(fitted) == "gsm7"
    assert "reparacion esta confirmada" in fitted and not fitted.endswith("...")


def test_a_very_long_agent_sms_still_fits(world, after_commit, sms_outbox):
    with after_commit():
        services.notify(
            event=Event.WORK_STARTED,
            request_id=world.request.pk,
            audience=Audience.TENANT,
            words={"sms": "Hola 😀 " * 200},
        )
    assert sms_segments(sms_outbox[0]["body"]) <= 2


def test_words_longer_than_their_limit_are_cut():
    words = content.clean_words({"subject": "s" * 500, "body": "b" * 9000, "sms": None})
    assert len(words["subject"]) == content.WORD_LIMITS["subject"]
    assert len(words["body"]) == content.WORD_LIMITS["body"]
    assert "sms" not in words


def test_a_tenant_told_of_an_assignment_is_not_asked_to_book_a_visit(world, after_commit):
    with after_commit():
        services.notify(event=Event.JOB_ASSIGNED, request_id=world.request.pk, audience=Audience.TENANT)
    body = mail.outbox[0].body
    assert f"{world.contractor.company_name} will take care of" in body
    assert "Please book a visit" not in body


def test_the_callers_safety_instructions_win_over_the_stored_ones(world, after_commit, sms_outbox):
    world.request.safety_instructions = ["Old advice"]
    world.request.save()
    with after_commit():
        services.notify(
            event=Event.SAFETY_INSTRUCTIONS,
            request_id=world.request.pk,
            audience=Audience.TENANT,
            urgent=True,
            extra_context={"safety_instructions": ["Turn off the gas at the meter.", "Open the windows."]},
        )
    assert "- Turn off the gas at the meter.\n- Open the windows." in mail.outbox[0].body
    assert "Old advice" not in mail.outbox[0].body
    assert sms_outbox[0]["body"] == "Domi SAFETY: Turn off the gas at the meter. Open the windows."


def test_staff_links_open_the_back_office_and_others_the_portal(world, settings):
    settings.DOMI_BASE_URL = "https://office.example"
    settings.DOMI_PORTAL_URL = "https://portal.example/"
    assert content.request_link(request=world.request, audience=Audience.STAFF) == (
        f"https://office.example/admin/maintenance/maintenancerequest/{world.request.pk}/change/"
    )
    assert content.request_link(request=world.request, audience=Audience.TENANT) == (
        f"https://portal.example/?request={world.request.public_id}"
    )


def test_times_are_shown_in_the_organizations_time_zone(world, after_commit):
    from datetime import UTC, datetime

    from tests import factories as base

    world.request.organization.timezone = "America/Los_Angeles"
    world.request.organization.save()
    base.AppointmentFactory(
        request=world.request,
        contractor=world.contractor,
        start=datetime(2030, 1, 15, 17, 0, tzinfo=UTC),
        end=datetime(2030, 1, 15, 19, 0, tzinfo=UTC),
    )
    with after_commit():
        services.notify(event=Event.APPOINTMENT_BOOKED, request_id=world.request.pk, audience=Audience.TENANT)
    assert "When: Tuesday 15 January, 09:00–11:00" in mail.outbox[0].body
