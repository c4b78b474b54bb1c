"""Buildings, the units in them, and who lives where from when to when."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from domi.accounts.models import Invitation, Organization


class Property(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="properties")
    name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=16, db_index=True)
    country = models.CharField(max_length=2, default="US")
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    # Repairs estimated above this need the owner's approval before a contractor is booked.
    approval_limit = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("500.00"), validators=[MinValueValidator(Decimal(0))]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "properties"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="property_unique_name_per_organization"),
            models.CheckConstraint(condition=Q(approval_limit__gte=0), name="property_approval_limit_not_negative"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="property_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}"]
        return ", ".join(p for p in parts if p)


class Unit(models.Model):
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="units")
    label = models.CharField(max_length=50, help_text="Apartment or unit number, e.g. 3B.")
    floor = models.SmallIntegerField(null=True, blank=True)
    bedrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["property__name", "label"]
        constraints = [
            models.UniqueConstraint(fields=["property", "label"], name="unit_unique_label_per_property"),
        ]

    def __str__(self) -> str:
        return f"{self.property.name} · {self.label}"


class TenancyQuerySet(models.QuerySet["Tenancy"]):
    def active(self, on=None) -> TenancyQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class Tenancy(models.Model):
    tenant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tenancies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="tenancies")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenancyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "tenancies"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="tenancy_ends_after_it_starts",
            ),
            models.UniqueConstraint(fields=["tenant", "unit", "start_date"], name="tenancy_unique_start"),
        ]
        indexes = [models.Index(fields=["unit", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.tenant} in {self.unit}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class TenancyInvitation(models.Model):
    """What accepting an invitation to a unit gives: the tenancy of that unit from the start date."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, primary_key=True, related_name="tenancy_offer"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="invitations")
    start_date = models.DateField()

    class Meta:
        ordering = ["-invitation__created_at"]

    def __str__(self) -> str:
        return f"{self.invitation.email} to {self.unit} from {self.start_date}"
