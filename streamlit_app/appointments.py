"""A visit as an iCalendar file, so tenants and contractors can put it in their own calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from streamlit_app.client import Appointment, RequestDetail


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def appointment_ics(request: RequestDetail, visit: Appointment) -> bytes:
    unit = request["unit"]
    place = unit["property"]
    calendar = Calendar()
    calendar.add("prodid", "-//Domi//Maintenance portal//EN")
    calendar.add("version", "2.0")
    event = Event()
    # Stable per visit, so importing a moved visit again updates the entry instead of adding one.
    event.add("uid", f"domi-appointment-{visit['id']}@domi")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", _parse(visit["start"]))
    event.add("dtend", _parse(visit["end"]))
    event.add("summary", f"Domi visit: {request['title']}")
    event.add("location", f"{place['address_line1']}, {place['city']} {place['postal_code']} (unit {unit['label']})")
    contractor = (request.get("assigned_contractor") or {}).get("company_name", "")
    event.add("description", f"Request #{request['id']}. {contractor}".strip())
    event.add("status", "CONFIRMED" if visit["status"] == "confirmed" else "TENTATIVE")
    calendar.add_component(event)
    return calendar.to_ical()
