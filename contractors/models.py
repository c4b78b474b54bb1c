"""An organization's roster of contractors: trades, where they work, what they charge."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from domi.accounts.models import Invitation, Organization
from domi.taxonomy import Category


class Trade(models.Model):
    """One category of the triage taxonomy that a contractor can fix."""

    code = models.CharField(max_length=32, choices=Category.choices, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()


class Contractor(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="contractors")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contractor_profile",
        help_text="The login the contractor uses to see and run their jobs.",
    )
    company_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    trades = models.ManyToManyField(Trade, related_name="contractors")
    hourly_rate = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal(0))]
    )
    call_out_fee = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal(0))]
    )
    emergency_24_7 = models.BooleanField("24/7 emergency cover", default=False)
    insurance_expires_on = models.DateField(null=True, blank=True)
    licence_number = models.CharField(max_length=64, blank=True)
    rating = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(5))],
        help_text="Average score from 0 to 5, kept up to date by quality control.",
    )
    jobs_scored = models.PositiveIntegerField(default=0, help_text="How many finished jobs the rating averages.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "company_name"], name="contractor_unique_company_per_organization"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="contractor_hourly_rate_not_negative"),
            models.CheckConstraint(condition=Q(call_out_fee__gte=0), name="contractor_call_out_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0, rating__lte=5), name="contractor_rating_0_to_5"
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return self.company_name

    @property
    def insurance_valid(self) -> bool:
        return self.insurance_expires_on is not None and self.insurance_expires_on >= timezone.localdate()


class ServiceArea(models.Model):
    """A postal code, or the start of one, that the contractor covers ("941" covers 94110)."""

    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="service_areas")
    postal_prefix = models.CharField(
        max_length=16,
        validators=[RegexValidator(r"^[A-Za-z0-9 -]+$", "Letters, digits, spaces and hyphens only.")],
    )

    class Meta:
        ordering = ["postal_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["contractor", "postal_prefix"], name="service_area_unique_prefix"),
        ]

    def __str__(self) -> str:
        return self.postal_prefix

    def covers(self, postal_code: str) -> bool:
        return _normalise_postal(postal_code).startswith(_normalise_postal(self.postal_prefix))


def _normalise_postal(code: str) -> str:
    return code.replace(" ", "").replace("-", "").upper()


class AvailabilityWindow(models.Model):
    """A weekly recurring stretch of working time, in the organization's time zone (wall-clock time).

    A window does not cross midnight: an overnight shift is two windows. On a daylight-saving day
    the window keeps its wall-clock times, so it is an hour shorter or longer in real time.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="availability_windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["contractor", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="availability_window_ordered"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="availability_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """A dated exception: the contractor does not work from start to end (holiday, sick day, other job)."""

    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="time_off_ends_after_start")]
        indexes = [models.Index(fields=["contractor", "end"])]

    def __str__(self) -> str:
        return f"{self.contractor}: off {self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}"


def _webhook_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A booking system that hears of jobs: for one contractor of the organization, or for all of them.

    Outgoing events are signed with the secret; an endpoint with a contractor may also send signed
    commands back (accept, decline, schedule) for that contractor's jobs.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="webhook_endpoints")
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        help_text="Only this contractor's jobs; empty for every job of the organization.",
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, default=_webhook_secret)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "url"]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        from domi.outbound import AddressRefused, resolve

        try:
            resolve(self.url)
        except AddressRefused as exc:
            raise ValidationError({"url": str(exc)}) from exc


class WebhookDelivery(models.Model):
    """One event sent to one endpoint; its attempts are logged beside it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(unique=True, editable=False)
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "status"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    # How many bytes the receiver answered with; its words are not kept (they are not ours to show).
    response_bytes = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error[:40]}"


class ContractorInvitation(models.Model):
    """What accepting an invitation for a roster entry gives: the new account becomes that contractor's login."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, primary_key=True, related_name="contractor_offer"
    )
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="invitations")

    class Meta:
        ordering = ["-invitation__created_at"]

    def __str__(self) -> str:
        return f"{self.invitation.email} for {self.contractor}"
