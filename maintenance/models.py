"""A tenant's maintenance request and everything that happens to it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # The reporter's score of the finished work, 1 to 5; quality control reads it.
    tenant_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tenant_rating__isnull=True) | Q(tenant_rating__gte=1, tenant_rating__lte=5),
                name="request_tenant_rating_1_to_5",
            ),
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
        VIDEO = "video", _("Video")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    thumbnail = models.FileField(upload_to=attachment_path, max_length=255, blank=True)
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


def incoming_key() -> str:
    # Where a direct upload lands before it is checked: random, and apart from the attachments' keys.
    return f"incoming/{uuid.uuid4().hex}"


class DirectUpload(models.Model):
    """A file the client posts straight to the bucket (a presigned POST), then asks us to check and keep.

    The row records what was declared and who started it: only they may complete it, once. The object
    under `key` is deleted when the upload is completed, refused or expired.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="direct_uploads")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=255, unique=True, default=incoming_key, editable=False)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(validators=[MinValueValidator(1)])
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Attachment.Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # When the form stops working; completing is accepted a little longer (DOMI_DIRECT_UPLOAD_GRACE_SECONDS).
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    attachment = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    refusal_code = models.CharField(max_length=40, blank=True)
    refusal_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["request", "status"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


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
    # Raised on every change of time or status, so calendar programs apply the newest version.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["contractor", "start"]), models.Index(fields=["request", "status"])]

    def __str__(self) -> str:
        return f"{self.contractor} at {self.start:%Y-%m-%d %H:%M}"


# Appointments in these statuses hold the contractor's time; no two of one contractor may overlap
# (a row lock in the services everywhere, and an exclusion constraint on PostgreSQL).
HOLDING_APPOINTMENT_STATUSES = (Appointment.Status.PROPOSED, Appointment.Status.CONFIRMED)


class JobOffer(models.Model):
    """The job as offered to one contractor: they accept, decline with a reason, or let it expire."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="offers")
    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="offers")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFERED)
    reason = models.TextField(blank=True)
    offered_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="offered"), name="job_offer_one_open_per_request"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["offered", "accepted", "declined", "expired", "withdrawn"]),
                name="job_offer_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["contractor", "status"])]

    def __str__(self) -> str:
        return f"#{self.request_id} to {self.contractor}: {self.status}"


class JobLine(models.Model):
    """Labour or a part the contractor used on the job (what the invoice is built from)."""

    class Kind(models.TextChoices):
        LABOUR = "labour", _("Labour")
        PART = "part", _("Part")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.CASCADE, related_name="job_lines")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="job_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="job_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


class CalendarFeedToken(models.Model):
    """The secret in a person's calendar feed address; only its SHA-256 is stored. Rotating it kills the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    request = models.ForeignKey(MaintenanceRequest, on_delete=models.PROTECT, related_name="invoices")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=64, blank=True, help_text="The contractor's own invoice number.")
    status = models.CharField(max_length=20, choices=Status.choices)
    currency = models.CharField(max_length=3, default="USD")
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0"), validators=[MinValueValidator(Decimal(0))]
    )
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    estimate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    needs_approval = models.BooleanField(default=False)
    pdf = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_approval", "approved", "rejected", "paid"]),
                name="invoice_status_valid",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_not_negative"),
            # At most one live invoice per job: a rejected one may be replaced.
            models.UniqueConstraint(
                fields=["request"], condition=~Q(status="rejected"), name="invoice_one_live_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number or self.pk} for #{self.request_id}: {self.total} {self.currency}"

    @property
    def payment_state(self) -> str:
        """unpaid, pending (a payment is under way) or paid."""
        if self.status == self.Status.PAID:
            return "paid"
        if self.payments.filter(status=Payment.Status.PENDING).exists():
            return "pending"
        return "unpaid"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=8, choices=JobLine.Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["invoice", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=16)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    reference = models.CharField(max_length=200, blank=True, help_text="Bank reference, cheque number, ...")
    external_id = models.CharField(max_length=200, blank=True, help_text="The gateway's id (Stripe PaymentIntent).")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "external_id"], condition=~Q(external_id=""), name="payment_unique_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.amount} {self.currency}: {self.status}"


class PaymentWebhookEvent(models.Model):
    """A gateway's webhook event, kept by its id so a replayed event is handled once."""

    gateway = models.CharField(max_length=16)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="payment_webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_type} {self.event_id}"


class ContractorScorecard(Contractor):
    """The roster seen through the jobs: a read-only view for the back office (see selectors.contractor_scorecards)."""

    class Meta:
        proxy = True
        verbose_name = "contractor scorecard"
