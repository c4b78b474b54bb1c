"""An organization's roster of contractors: trades, where they work, what they charge."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from domi.accounts.models import Organization
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
