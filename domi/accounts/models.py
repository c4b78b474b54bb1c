"""Organizations and the people who use Domi, each with one role."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
    # When every refresh token of the person was last revoked (a password change or reset, a stolen token):
    # a revoked token issued before it that comes back is a stale device, not a theft.
    refresh_tokens_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the person's access tokens were last revoked (a sign-out, a password change, a stolen token): an
    # access token issued before it is refused (domi/accounts/authentication.py).
    access_tokens_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Pending and not yet expired: the link still works."""
        return self.filter(status=Invitation.Status.PENDING, expires_at__gt=timezone.now())

    def expired(self) -> InvitationQuerySet:
        return self.filter(status=Invitation.Status.PENDING, expires_at__lte=timezone.now())


class Invitation(models.Model):
    """An e-mail invitation to join an organization as a tenant or a contractor.

    The invitee opens the link, sets a password and so creates their account; that also verifies the
    address. What else accepting gives (the tenancy of a unit, the login of a roster entry) is recorded
    beside it by the app that owns that thing, and done by the acceptor that app registers
    (services.invitation_acceptor_register). Only a digest of the link's key is stored.
    """

    class Role(models.TextChoices):
        TENANT = "tenant", _("Tenant")
        CONTRACTOR = "contractor", _("Contractor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")
        # Shown, never stored: a pending invitation past its expiry.
        EXPIRED = "expired", _("Expired")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices)
    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text="What accepting gives, in words.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )
    user = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        help_text="The account made by accepting.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    # The link's key, on the instance that issued it only (services._issue_key): the database keeps its digest.
    issued_key: str = ""

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "revoked"]), name="invitation_status_stored"
            ),
            # One open invitation per address in an organization: resend or revoke it rather than add another.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} invitation for {self.email}"

    @property
    def current_status(self) -> str:
        if self.status == self.Status.PENDING and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.status
