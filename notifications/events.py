"""What Domi tells people about: event codes, audiences, channels, and who gets what by default.

These are the codes `notify(event=...)` accepts. Each event has a message template per language under
`notifications/templates/notifications/messages/<language>/<event>.txt`.
"""

from __future__ import annotations

from django.db import models


class Event(models.TextChoices):
    REQUEST_RECEIVED = "request_received", "Request received"
    SAFETY_INSTRUCTIONS = "safety_instructions", "Safety instructions"
    EMERGENCY_ALERT = "emergency_alert", "Emergency alert"
    JOB_OFFERED = "job_offered", "Job offered"
    JOB_ASSIGNED = "job_assigned", "Job assigned"
    JOB_ACCEPTED = "job_accepted", "Job accepted"
    JOB_DECLINED = "job_declined", "Job declined"
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    APPOINTMENT_CHANGED = "appointment_changed", "Appointment changed"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Appointment cancelled"
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder"
    WORK_STARTED = "work_started", "Work started"
    WORK_COMPLETED = "work_completed", "Work completed"
    REQUEST_REOPENED = "request_reopened", "Request reopened"
    REQUEST_CLOSED = "request_closed", "Request closed"
    REQUEST_CANCELLED = "request_cancelled", "Request cancelled"
    NEEDS_REVIEW = "needs_review", "Needs review"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    NO_UPDATE = "no_update", "No update for 72 hours"
    COMMENT_ADDED = "comment_added", "Comment added"
    INVOICE_SUBMITTED = "invoice_submitted", "Invoice submitted"
    INVOICE_APPROVED = "invoice_approved", "Invoice approved"
    INVOICE_REJECTED = "invoice_rejected", "Invoice rejected"
    INVOICE_PAID = "invoice_paid", "Invoice paid"
    INSURANCE_EXPIRING = "insurance_expiring", "Insurance expiring"
    DAILY_DIGEST = "daily_digest", "Daily digest"


class Audience(models.TextChoices):
    TENANT = "tenant", "The request's reporter"
    STAFF = "staff", "The organization's admins and managers"
    CONTRACTOR = "contractor", "The assigned contractor"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    IN_APP = "in_app", "In-app"


# A preference row with this event applies to every event on its channel (a specific row still wins).
ALL_EVENTS = "*"

# Tenants get a text message only when it matters now; everything else is e-mail and in-app.
TENANT_SMS_EVENTS = frozenset(
    {
        Event.REQUEST_RECEIVED,
        Event.SAFETY_INSTRUCTIONS,
        Event.EMERGENCY_ALERT,
        Event.APPOINTMENT_BOOKED,
        Event.APPOINTMENT_CHANGED,
        Event.APPOINTMENT_CANCELLED,
        Event.APPOINTMENT_REMINDER,
        Event.WORK_STARTED,
        Event.WORK_COMPLETED,
    }
)

ALL_CHANNELS = frozenset(Channel)


def default_channels(*, role: str, event: str) -> frozenset[str]:
    """The channels a person hears an event on when they have set no preference for it.

    `role` is the person's part: "tenant", "staff" or "contractor".
    """
    if role == Audience.CONTRACTOR:
        return ALL_CHANNELS
    if role == Audience.TENANT and event in TENANT_SMS_EVENTS:
        return ALL_CHANNELS
    return frozenset({Channel.EMAIL, Channel.IN_APP})
