"""The back office for maintenance requests: the queue, the timeline, and actions through the state machine."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from contractors.models import Contractor
from domi.admin_site import OrganizationScopedAdmin, ReadOnly, ScopedInline, action_with_form, run_service_on_each
from domi.taxonomy import Category, Priority

from . import selectors, services
from .actors import Actor
from .models import (
    Appointment,
    Attachment,
    CalendarFeedToken,
    Comment,
    ContractorScorecard,
    DirectUpload,
    Invoice,
    InvoiceLine,
    JobLine,
    JobOffer,
    MaintenanceRequest,
    Payment,
    PaymentWebhookEvent,
    RequestEvent,
    Status,
)

STATUS_COLOURS = {
    Status.SUBMITTED: "#6b7280",
    Status.TRIAGED: "#2563eb",
    Status.NEEDS_REVIEW: "#b91c1c",
    Status.AWAITING_APPROVAL: "#b45309",
    Status.ASSIGNED: "#7c3aed",
    Status.SCHEDULED: "#0891b2",
    Status.IN_PROGRESS: "#0d9488",
    Status.COMPLETED: "#15803d",
    Status.CLOSED: "#374151",
    Status.REOPENED: "#c2410c",
    Status.CANCELLED: "#9ca3af",
}
PRIORITY_COLOURS = {
    Priority.EMERGENCY: "#b91c1c",
    Priority.HIGH: "#c2410c",
    Priority.MEDIUM: "#b45309",
    Priority.LOW: "#15803d",
}


def _badge(text: str, colour: str) -> str:
    return format_html(
        '<span style="background:{};color:#fff;padding:2px 8px;border-radius:9px;white-space:nowrap">{}</span>',
        colour,
        text,
    )


class RequestEventInline(ScopedInline, admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "note", "is_shared"]
    readonly_fields = fields
    verbose_name_plural = "Timeline"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description="By")
    def actor(self, obj: RequestEvent) -> str:
        return obj.actor_label


class CommentInline(ScopedInline, admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = ["created_at", "author", "visibility", "body"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # comments are written through the "Add comment" action, which goes through the service


class AttachmentInline(ScopedInline, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["created_at", "kind", "file", "original_name", "content_type", "size", "uploaded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AppointmentInline(ScopedInline, admin.TabularInline):
    model = Appointment
    extra = 0
    fields = ["contractor", "start", "end", "status"]


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("yes", "Overdue"), ("no", "On time")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        from .selectors import overdue_filter

        if self.value() == "yes":
            return queryset.filter(overdue_filter())
        if self.value() == "no":
            return queryset.exclude(overdue_filter())
        return queryset


class AssignContractorForm(forms.Form):
    contractor = forms.ModelChoiceField(queryset=Contractor.objects.none())
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organization_id=None, is_superuser=False, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        qs = Contractor.objects.filter(is_active=True).prefetch_related("trades")
        if not is_superuser:
            qs = qs.filter(organization_id=organization_id)
        self.fields["contractor"].queryset = qs


class TriageOverrideForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices)
    priority = forms.ChoiceField(choices=Priority.choices)
    estimated_cost_min = forms.DecimalField(required=False, min_value=Decimal(0), decimal_places=2)
    estimated_cost_max = forms.DecimalField(required=False, min_value=Decimal(0), decimal_places=2)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        low, high = data.get("estimated_cost_min"), data.get("estimated_cost_max")
        if low is not None and high is not None and high < low:
            raise forms.ValidationError("The maximum cost must not be below the minimum.")
        return data


class ReasonForm(forms.Form):
    note = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(choices=Comment.Visibility.choices)


def _transition_action(to_status: str, label: str, *, ask_reason: bool = False):  # type: ignore[no-untyped-def]
    action_name = f"mark_{to_status}"

    def action(modeladmin, request: HttpRequest, queryset: QuerySet):  # type: ignore[no-untyped-def]
        actor = Actor.of(request.user)
        if ask_reason:
            return action_with_form(
                modeladmin,
                request,
                queryset,
                form_class=ReasonForm,
                title=label,
                action_name=action_name,
                apply=lambda obj, data: services.maintenance_request_transition(
                    request=obj, to_status=to_status, actor=actor, note=data["note"]
                ),
            )
        run_service_on_each(
            modeladmin,
            request,
            queryset,
            label,
            lambda obj: services.maintenance_request_transition(request=obj, to_status=to_status, actor=actor),
        )
        return None

    action.__name__ = action_name
    return admin.action(description=label)(action)


@admin.register(MaintenanceRequest)
class MaintenanceRequestAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    list_display = [
        "id",
        "title",
        "status_badge",
        "priority_badge",
        "category",
        "property_name",
        "unit_label",
        "assigned_contractor",
        "age",
        "due",
    ]
    list_display_links = ["id", "title"]
    list_filter = [
        "status",
        "priority",
        "category",
        OverdueFilter,
        ("unit__property", admin.RelatedOnlyFieldListFilter),
        ("assigned_contractor", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["=id", "title", "description", "unit__label", "unit__property__name", "reporter__email"]
    list_select_related = ["unit__property", "assigned_contractor", "reporter"]
    date_hierarchy = "created_at"
    list_per_page = 50
    inlines = [RequestEventInline, CommentInline, AttachmentInline, AppointmentInline]
    readonly_fields = [
        "public_id",
        "organization",
        "reporter",
        "status",
        "category",
        "priority",
        "estimated_cost_min",
        "estimated_cost_max",
        "safety_instructions",
        "assigned_contractor",
        "due_by",
        "created_at",
        "updated_at",
        "triaged_at",
        "assigned_at",
        "completed_at",
        "closed_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "description", "unit", "reporter", "status"]}),
        (
            "Triage",
            {
                "fields": [
                    "category",
                    "priority",
                    ("estimated_cost_min", "estimated_cost_max"),
                    "safety_instructions",
                    "due_by",
                ]
            },
        ),
        ("Access", {"fields": ["permission_to_enter", "availability_windows"]}),
        ("Job", {"fields": ["assigned_contractor", "assigned_at"]}),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "public_id",
                    "organization",
                    "created_at",
                    "updated_at",
                    "triaged_at",
                    "completed_at",
                    "closed_at",
                ],
            },
        ),
    ]
    actions = [
        "assign_contractor",
        "override_triage",
        "add_comment",
        _transition_action(Status.TRIAGED, "Mark triaged (or approve the cost)"),
        _transition_action(Status.NEEDS_REVIEW, "Send to needs review"),
        _transition_action(Status.SCHEDULED, "Mark scheduled"),
        _transition_action(Status.IN_PROGRESS, "Mark work started"),
        _transition_action(Status.COMPLETED, "Mark completed"),
        _transition_action(Status.CLOSED, "Close"),
        _transition_action(Status.REOPENED, "Reopen…", ask_reason=True),
        _transition_action(Status.CANCELLED, "Cancel…", ask_reason=True),
    ]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        # Requests are reported by tenants (or staff on their behalf) through the API, which runs the service.
        return False

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: MaintenanceRequest) -> str:
        return _badge(obj.get_status_display(), STATUS_COLOURS.get(obj.status, "#6b7280"))

    @admin.display(description="Priority", ordering="priority")
    def priority_badge(self, obj: MaintenanceRequest) -> str:
        if not obj.priority:
            return "—"
        return _badge(obj.get_priority_display(), PRIORITY_COLOURS[obj.priority])

    @admin.display(description="Property", ordering="unit__property__name")
    def property_name(self, obj: MaintenanceRequest) -> str:
        return obj.unit.property.name

    @admin.display(description="Unit", ordering="unit__label")
    def unit_label(self, obj: MaintenanceRequest) -> str:
        return obj.unit.label

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj: MaintenanceRequest) -> str:
        return timesince(obj.created_at, timezone.now(), depth=1)

    @admin.display(description="Due by", ordering="due_by")
    def due(self, obj: MaintenanceRequest) -> str:
        if obj.due_by is None:
            return "—"
        text = timezone.localtime(obj.due_by).strftime("%Y-%m-%d %H:%M")
        if obj.is_overdue:
            return format_html('<strong style="color:#b91c1c">⚠ {} (overdue)</strong>', text)
        return text

    @admin.action(description="Assign a contractor…")
    def assign_contractor(self, request, queryset):  # type: ignore[no-untyped-def]
        actor = Actor.of(request.user)
        return action_with_form(
            self,
            request,
            queryset,
            form_class=AssignContractorForm,
            form_kwargs={
                "organization_id": request.user.organization_id,
                "is_superuser": request.user.is_superuser,
            },
            title="Assign a contractor",
            action_name="assign_contractor",
            apply=lambda obj, data: services.maintenance_request_assign(
                request=obj, contractor=data["contractor"], actor=actor, note=data["note"]
            ),
        )

    @admin.action(description="Override triage…")
    def override_triage(self, request, queryset):  # type: ignore[no-untyped-def]
        actor = Actor.of(request.user)
        return action_with_form(
            self,
            request,
            queryset,
            form_class=TriageOverrideForm,
            title="Override triage",
            action_name="override_triage",
            apply=lambda obj, data: services.maintenance_request_set_triage(
                request=obj,
                actor=actor,
                category=data["category"],
                priority=data["priority"],
                estimated_cost_min=data["estimated_cost_min"],
                estimated_cost_max=data["estimated_cost_max"],
                reason=data["reason"],
            ),
        )

    @admin.action(description="Add a comment…")
    def add_comment(self, request, queryset):  # type: ignore[no-untyped-def]
        return action_with_form(
            self,
            request,
            queryset,
            form_class=CommentForm,
            title="Add a comment",
            action_name="add_comment",
            apply=lambda obj, data: services.comment_create(
                request=obj, author=request.user, body=data["body"], visibility=data["visibility"]
            ),
        )


@admin.register(Appointment)
class AppointmentAdmin(OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["request", "contractor", "start", "end", "status"]
    list_filter = ["status", ("contractor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["request__title", "contractor__company_name"]
    list_select_related = ["request", "contractor"]
    date_hierarchy = "start"
    autocomplete_fields = ["request"]


@admin.register(Comment)
class CommentAdmin(OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["request", "author", "visibility", "created_at"]
    list_filter = ["visibility"]
    search_fields = ["body", "request__title", "author__email"]
    list_select_related = ["request", "author"]
    readonly_fields = ["request", "author", "visibility", "body", "created_at"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(Attachment)
class AttachmentAdmin(OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["original_name", "request", "kind", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "request__title"]
    list_select_related = ["request", "uploaded_by"]
    readonly_fields = ["request", "file", "original_name", "content_type", "size", "kind", "uploaded_by", "created_at"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(DirectUpload)
class DirectUploadAdmin(ReadOnly, OrganizationScopedAdmin):
    """Files posted straight to S3 and how their check went; the services and the sweep change them, not staff."""

    organization_lookup = "request__organization"
    list_display = ["filename", "request", "kind", "content_type", "size", "status", "uploader", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["filename", "request__title", "refusal_code"]
    list_select_related = ["request", "uploader"]
    readonly_fields = [
        "request",
        "uploader",
        "key",
        "filename",
        "size",
        "content_type",
        "kind",
        "status",
        "expires_at",
        "created_at",
        "closed_at",
        "attachment",
        "refusal_code",
        "refusal_reason",
    ]


@admin.register(RequestEvent)
class RequestEventAdmin(ReadOnly, OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["created_at", "request", "kind", "from_status", "to_status", "actor", "note"]
    list_filter = ["kind", "to_status"]
    search_fields = ["request__title", "note", "actor_agent", "actor_user__email"]
    list_select_related = ["request", "actor_user"]
    date_hierarchy = "created_at"

    @admin.display(description="By")
    def actor(self, obj: RequestEvent) -> str:
        return obj.actor_label


# -- jobs, invoices, payments, calendar feeds, scorecards ----------------------------------------


@admin.register(JobOffer)
class JobOfferAdmin(OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["request", "contractor", "status", "offered_at", "reminded_at", "expires_at", "responded_at"]
    list_filter = ["status"]
    list_select_related = ["request", "contractor"]
    readonly_fields = [
        "request",
        "contractor",
        "status",
        "reason",
        "offered_at",
        "responded_at",
        "reminded_at",
        "expires_at",
    ]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(JobLine)
class JobLineAdmin(OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["request", "kind", "description", "quantity", "unit_price"]
    list_select_related = ["request"]
    readonly_fields = ["request", "kind", "description", "quantity", "unit_price", "created_at"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(OrganizationScopedAdmin):
    organization_lookup = "user__organization"
    list_display = ["user", "rotated_at", "last_used_at"]
    readonly_fields = ["user", "token_hash", "created_at", "rotated_at", "last_used_at"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


class InvoiceLineInline(ScopedInline, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ["kind", "description", "quantity", "unit_price", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class PaymentInline(ScopedInline, admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ["gateway", "status", "amount", "reference", "external_id", "created_at", "completed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class PaymentReferenceForm(forms.Form):
    reference = forms.CharField(max_length=200, help_text="Bank transfer reference, cheque number, ...")


@admin.register(Invoice)
class InvoiceAdmin(OrganizationScopedAdmin):
    organization_lookup = "request__organization"
    list_display = ["__str__", "contractor", "status", "total", "estimate", "needs_approval", "payment", "submitted_at"]
    list_filter = ["status", "needs_approval"]
    list_select_related = ["request", "contractor"]
    readonly_fields = [
        "request",
        "contractor",
        "number",
        "status",
        "currency",
        "tax_rate",
        "subtotal",
        "tax",
        "total",
        "estimate",
        "needs_approval",
        "pdf",
        "submitted_at",
        "decided_at",
        "decided_by",
        "rejection_reason",
        "paid_at",
    ]
    inlines = [InvoiceLineInline, PaymentInline]
    actions = ["approve", "reject", "record_payment"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description="Payment")
    def payment(self, obj: Invoice) -> str:
        return obj.payment_state

    @admin.action(description="Approve the selected invoices")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            "Approve",
            lambda invoice: services.invoice_approve(invoice=invoice, user=request.user),
        )

    @admin.action(description="Reject the selected invoices…")
    def reject(self, request: HttpRequest, queryset: QuerySet):  # type: ignore[no-untyped-def]
        return action_with_form(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title="Reject invoices",
            action_name="reject",
            apply=lambda invoice, data: services.invoice_reject(
                invoice=invoice, user=request.user, reason=data["note"] or ""
            ),
        )

    @admin.action(description="Record an external payment…")
    def record_payment(self, request: HttpRequest, queryset: QuerySet):  # type: ignore[no-untyped-def]
        return action_with_form(
            self,
            request,
            queryset,
            form_class=PaymentReferenceForm,
            title="Record payment",
            action_name="record_payment",
            apply=lambda invoice, data: services.payment_record_manual(
                invoice=invoice, user=request.user, reference=data["reference"]
            ),
        )


@admin.register(InvoiceLine)
class InvoiceLineAdmin(OrganizationScopedAdmin):
    organization_lookup = "invoice__request__organization"
    list_display = ["invoice", "kind", "description", "quantity", "unit_price", "amount"]
    readonly_fields = ["invoice", "kind", "description", "quantity", "unit_price", "amount"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(Payment)
class PaymentAdmin(OrganizationScopedAdmin):
    organization_lookup = "invoice__request__organization"
    list_display = ["invoice", "gateway", "status", "amount", "reference", "created_at", "completed_at"]
    list_filter = ["gateway", "status"]
    readonly_fields = [
        "invoice",
        "gateway",
        "status",
        "amount",
        "currency",
        "reference",
        "external_id",
        "recorded_by",
        "created_at",
        "completed_at",
    ]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(PaymentWebhookEvent)
class PaymentWebhookEventAdmin(OrganizationScopedAdmin):
    organization_lookup = "payment__invoice__request__organization"
    list_display = ["gateway", "event_type", "event_id", "payment", "received_at"]
    readonly_fields = ["gateway", "event_type", "event_id", "payment", "received_at"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(ContractorScorecard)
class ContractorScorecardAdmin(ReadOnly, OrganizationScopedAdmin):
    """Read-only: how each contractor does on the jobs (no tenant rating yet: requests carry none)."""

    organization_lookup = "organization"
    list_display = [
        "company_name",
        "rating",
        "offers_answered",
        "acceptance_rate",
        "on_time_rate",
        "avg_hours_to_complete",
        "reopen_rate",
        "cost_vs_estimate",
    ]

    def get_changelist_instance(self, request):  # type: ignore[no-untyped-def]
        changelist = super().get_changelist_instance(request)
        self._cards = selectors.contractor_scorecards(contractor_ids=[c.pk for c in changelist.result_list])
        return changelist

    def _card(self, obj: Contractor, key: str) -> str:
        cards = getattr(self, "_cards", None) or selectors.contractor_scorecards(contractor_ids=[obj.pk])
        value = cards.get(obj.pk, {}).get(key)
        if value is None:
            return "—"
        if key.endswith("_rate"):
            return f"{value:.0%}"
        return str(value)

    @admin.display(description="Offers answered")
    def offers_answered(self, obj: Contractor) -> str:
        return self._card(obj, "offers_answered")

    @admin.display(description="Acceptance")
    def acceptance_rate(self, obj: Contractor) -> str:
        return self._card(obj, "acceptance_rate")

    @admin.display(description="On time")
    def on_time_rate(self, obj: Contractor) -> str:
        return self._card(obj, "on_time_rate")

    @admin.display(description="Hours to complete")
    def avg_hours_to_complete(self, obj: Contractor) -> str:
        return self._card(obj, "avg_hours_to_complete")

    @admin.display(description="Reopened")
    def reopen_rate(self, obj: Contractor) -> str:
        return self._card(obj, "reopen_rate")

    @admin.display(description="Invoiced ÷ estimate")
    def cost_vs_estimate(self, obj: Contractor) -> str:
        return self._card(obj, "cost_vs_estimate")
