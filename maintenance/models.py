"""A tenant's maintenance request and everything that happens to it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contractors.models import Contractor
from domi.accounts.models import Organization
from domi.taxonomy import Category, Priority
from properties.models import Unit


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    TRIAGED = "triaged", _("Triaged")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    ASSIGNED = "assigned", _("Assigned")
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which the request still needs someone to act.
OPEN_STATUSES = frozenset(Status) - {Status.CLOSED, Status.CANCELLED, Status.COMPLETED}


class MaintenanceRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Kept beside the unit so every scoped read filters one indexed column.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="maintenance_requests")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="maintenance_requests")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_requests")
    title = models.CharField(max_length=200)
    description = models.TextField()
    permission_to_enter = models.BooleanField(default=False)
    # The tenant's windows: [{"start": ISO-8601, "end": ISO-8601}, ...]
    availability_windows = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    category = models.CharField(max_length=32, choices=Category.choices, blank=True)
    priority = models.CharField(max_length=16, choices=Priority.choices, blank=True)
    estimated_cost_min = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    estimated_cost_max = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    safety_instructions = models.JSONField(default=list, blank=True)
    assigned_contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, null=True, blank=True, related_name="jobs"
    )
    due_by = models.DateTimeField(null=True, blank=True, help_text="When someone must have acted, by priority.")

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_cost_min__isnull=True)
                | Q(estimated_cost_max__isnull=True)
                | Q(estimated_cost_max__gte=F("estimated_cost_min")),
                name="request_cost_range_ordered",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="request_status_valid"),
            models.CheckConstraint(
                condition=Q(category="") | Q(category__in=Category.values), name="request_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority="") | Q(priority__in=Priority.values), name="request_priority_valid"
            ),
            # A request from assigned onwards has a contractor.
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "scheduled", "in_progress"])
                | Q(assigned_contractor__isnull=False),
                name="request_assigned_has_contractor",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "priority"]),
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["organization", "due_by"]),
            models.Index(fields=["assigned_contractor", "status"]),
            models.Index(fields=["reporter", "-created_at"]),
            models.Index(fields=["unit", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_by is not None and self.due_by < timezone.now()


class RequestEvent(models.Model):
    """One entry on a request's timeline: a status change or a decision, with who made it."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        TRIAGE_OVERRIDE = "triage_override", _("Triage overridden")
        ASSIGNMENT = "assignment", _("Contractor assigned")
        NOTE = "note", _("Note")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STATUS)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_agent = models.CharField(max_length=64, blank=True, help_text="The AI agent or system job that acted.")
    note = models.TextField(blank=True)
    # Shared events appear on the tenant's timeline; staff-only ones do not.
    is_shared = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_user__isnull=True) | Q(actor_agent=""), name="event_one_actor_kind"
            ),
        ]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_status} → {self.to_status}"

    @property
    def actor_label(self) -> str:
        if self.actor_user_id:
            return str(self.actor_user)
        return self.actor_agent or "system"


class Comment(models.Model):
    class Visibility(models.TextChoices):
        SHARED = "shared", _("Shared with tenant and contractor")
        STAFF = "staff", _("Staff only")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.SHARED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"Comment by {self.author} on #{self.request_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Keys that cannot be guessed; the original name is kept in the row, not the path.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"requests/{instance.request.public_id}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo of the problem")
        COMPLETION_PHOTO = "completion_photo", _("Completion photo")
        INVOICE = "invoice", _("Invoice")
        DOCUMENT = "document", _("Document")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PHOTO)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Appointment(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="appointments")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["contractor", "start"]), models.Index(fields=["request", "status"])]

    def __str__(self) -> str:
        return f"{self.contractor} at {self.start:%Y-%m-%d %H:%M}"
