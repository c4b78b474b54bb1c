"""The secret-token calendar feed: a person's visits as RFC 5545 text, for any calendar program to subscribe to."""

from __future__ import annotations

from datetime import UTC

from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from domi.accounts.models import User

from .models import Appointment

ICAL_STATUS = {
    Appointment.Status.PROPOSED: "TENTATIVE",
    Appointment.Status.CONFIRMED: "CONFIRMED",
    Appointment.Status.COMPLETED: "CONFIRMED",
    Appointment.Status.CANCELLED: "CANCELLED",
}


def appointment_uid(appointment: Appointment) -> str:
    # The same UID as the .ics in appointment e-mails, so both update one calendar entry.
    return f"appointment-{appointment.pk}@domi"


def _summary(appointment: Appointment, user: User) -> str:
    request = appointment.request
    if user.role == User.Role.CONTRACTOR:
        return f"Job #{request.pk}: {request.title}"
    if user.role == User.Role.TENANT:
        return f"Visit by {appointment.contractor.company_name}: {request.title}"
    return f"{appointment.contractor.company_name} at {request.unit.label}: {request.title}"


def calendar_feed_render(*, user: User, appointments: QuerySet[Appointment]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Domi//Property maintenance//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Domi visits")
    now = timezone.now().astimezone(UTC)
    for appointment in appointments:
        unit = appointment.request.unit
        entry = CalendarEvent()
        entry.add("uid", appointment_uid(appointment))
        entry.add("dtstamp", now)
        entry.add("last-modified", appointment.updated_at.astimezone(UTC))
        entry.add("dtstart", appointment.start.astimezone(UTC))
        entry.add("dtend", appointment.end.astimezone(UTC))
        entry.add("summary", _summary(appointment, user))
        entry.add("location", f"{unit.property.address} ({unit.label})")
        entry.add("status", ICAL_STATUS[appointment.status])
        entry.add("sequence", appointment.sequence)
        calendar.add_component(entry)
    return calendar.to_ical()
