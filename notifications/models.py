"""The delivery log, in-app notifications, and what each person wants to hear about and when."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from domi.accounts.models import Organization
from maintenance.models import MaintenanceRequest

from .events import ALL_EVENTS, Audience, Channel, Event


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by a worker that is talking to the provider right now.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Deliberately not sent: the number texted STOP.
    SUPPRESSED = "suppressed", _("Suppressed")


class Delivery(models.Model):
    """One message to one person on one channel: what was sent, to where, and how it went."""

    Status = DeliveryStatus

    # Kept on the row so the back office scopes the log by one indexed column.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    request = models.ForeignKey(
        MaintenanceRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    # Empty for a contractor who has no login: the message goes to the roster's address.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True, help_text="E-mail address or phone number.")
    language = models.CharField(max_length=8, default="en")
    event = models.CharField(max_length=32, choices=Event.choices)
    template = models.CharField(max_length=200)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    ics = models.TextField(blank=True, help_text="An iCalendar attachment sent with the e-mail.")
    # Not a URLField: an internal host name without a dot (http://portal:8501) is a fine link here.
    link = models.CharField(max_length=500, blank=True)
    urgent = models.BooleanField(default=False)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # Held back (quiet hours) until this time; a periodic job releases it.
    send_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the retry after a failed attempt is due; the sweep resends what is overdue by then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="delivery_channel_valid"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_sent_at"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"]),
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["request", "event"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} by {self.channel} to {self.address or self.recipient_id}"

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.QUEUED and self.send_after is not None and self.send_after > timezone.now()


class Notification(models.Model):
    """A message in a person's in-app inbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    request = models.ForeignKey(
        MaintenanceRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    # The delivery that put it here; unique, so delivering twice never makes two.
    delivery = models.OneToOneField(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    # Not a URLField: an internal host name without a dot (http://portal:8501) is a fine link here.
    link = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Whether a person hears an event on a channel. Without a row the defaults of events.py apply."""

    EVENT_CHOICES = [(ALL_EVENTS, "Every event"), *Event.choices]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    event = models.CharField(
        max_length=32, choices=EVENT_CHOICES, help_text="“Every event” applies unless a row names the event."
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "channel"], name="preference_unique_per_event_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.event} by {self.channel} {'on' if self.enabled else 'off'}"


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"{value!r} is not a time zone.") from exc


class QuietHours(models.Model):
    """A daily window in which non-urgent text messages wait. It may run past midnight (22:00–07:00)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours")
    start = models.TimeField(help_text="Local time the quiet starts, e.g. 22:00.")
    end = models.TimeField(help_text="Local time the quiet ends, e.g. 07:00.")
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Empty: the organization's time zone.",
    )

    class Meta:
        verbose_name_plural = "quiet hours"
        constraints = [
            models.CheckConstraint(condition=~Q(start=models.F("end")), name="quiet_hours_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.start:%H:%M}–{self.end:%H:%M}"


class SmsOptOut(models.Model):
    """A phone number that asked for no more text messages (it texted STOP, or the carrier says so)."""

    class Source(models.TextChoices):
        KEYWORD = "keyword", _("Texted STOP")
        PROVIDER = "provider", _("The SMS provider reported it unsubscribed")
        STAFF = "staff", _("Entered by staff")

    phone = models.CharField(max_length=32, unique=True, help_text="Normalised: + and digits.")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.KEYWORD)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "SMS opt-out"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.phone
