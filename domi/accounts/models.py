"""Organizations and the people who use Domi, each with one role."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A property-management company: it owns properties, staff and a contractor roster."""

    class Autonomy(models.TextChoices):
        SUGGEST = "suggest", _("Suggest: every agent decision waits for staff")
        APPROVE = "approve", _("Approve: agents act below the thresholds, ask above")
        AUTO = "auto", _("Auto: agents act and staff are told")

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    ai_autonomy = models.CharField(max_length=16, choices=Autonomy.choices, default=Autonomy.APPROVE)
    # In "approve" mode the agents act on their own only at or below both of these.
    ai_cost_threshold = models.DecimalField(
        "AI acts alone up to this estimated cost",
        max_digits=10,
        decimal_places=2,
        default=Decimal("750.00"),
        validators=[MinValueValidator(Decimal(0))],
    )
    ai_priority_threshold = models.CharField(
        "AI acts alone up to this priority",
        max_length=16,
        choices=[("emergency", "Emergency"), ("high", "High"), ("medium", "Medium"), ("low", "Low")],
        default="high",
        help_text="Emergencies above this still get their safety instructions at once.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.ADMIN)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person; the e-mail address is the login."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Organization admin")
        MANAGER = "manager", _("Property manager")
        TENANT = "tenant", _("Tenant")
        CONTRACTOR = "contractor", _("Contractor")

    STAFF_ROLES = (Role.ADMIN, Role.MANAGER)

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TENANT)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="members", null=True, blank=True
    )
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, choices=[("en", "English"), ("es", "Español")], default="en")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        indexes = [models.Index(fields=["organization", "role"])]
        constraints = [
            # Everyone but a superuser belongs to exactly one organization.
            models.CheckConstraint(
                condition=Q(is_superuser=True) | Q(organization__isnull=False),
                name="user_has_organization_unless_superuser",
            ),
            # Only organization staff may enter the back office.
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(is_superuser=True) | Q(role__in=["admin", "manager"]),
                name="user_back_office_only_for_staff_roles",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_org_staff(self) -> bool:
        return self.is_active and self.role in self.STAFF_ROLES and self.organization_id is not None

    @property
    def is_tenant(self) -> bool:
        return self.role == self.Role.TENANT

    @property
    def is_contractor(self) -> bool:
        return self.role == self.Role.CONTRACTOR
