"""iCalendar (.ics) files for appointments, attached to the e-mails that book, move or cancel them."""

from __future__ import annotations

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from maintenance.models import Appointment


def appointment_ics(*, appointment: Appointment, summary: str, description: str = "", cancelled: bool = False) -> str:
    """One appointment as a calendar file; the same UID each time, so a change updates the entry."""
    request = appointment.request
    unit = request.unit
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Domi//Property maintenance//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"appointment-{appointment.pk}@domi")
    entry.add("dtstamp", now)
    entry.add("dtstart", appointment.start)
    entry.add("dtend", appointment.end)
    entry.add("summary", summary)
    entry.add("location", f"{unit.property.address} ({unit.label})")
    if description:
        entry.add("description", description)
    # Calendar programs apply the newest version of an entry: a higher sequence wins.
    entry.add("sequence", max(0, int((now - appointment.created_at).total_seconds() // 60)))
    entry.add("status", "CANCELLED" if cancelled or appointment.status == Appointment.Status.CANCELLED else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical().decode()
