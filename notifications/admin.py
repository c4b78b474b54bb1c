"""The back office for notifications: the delivery log (with resend), inboxes, preferences, quiet hours, opt-outs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from domi.accounts.models import User
from domi.admin_site import OrganizationScopedAdmin, is_org_staff, run_service_on_each

from . import selectors, services
from .models import Delivery, Notification, NotificationPreference, QuietHours, SmsOptOut

STATUS_COLOURS = {
    Delivery.Status.QUEUED: "#6b7280",
    Delivery.Status.SENDING: "#2563eb",
    Delivery.Status.SENT: "#15803d",
    Delivery.Status.FAILED: "#b91c1c",
    Delivery.Status.SUPPRESSED: "#b45309",
}


@admin.register(Delivery)
class DeliveryAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    list_display = [
        "created_at",
        "event",
        "channel",
        "recipient_label",
        "address",
        "status_badge",
        "attempts",
        "urgent",
        "sent_at",
    ]
    list_filter = ["status", "channel", "event", "urgent", "audience"]
    search_fields = ["address", "recipient__email", "idempotency_key", "provider_id"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fieldsets = [
        (None, {"fields": ["status", "error", "event", "audience", "channel", "recipient", "address", "request"]}),
        ("Message", {"fields": ["language", "template", "subject", "body", "link", "ics"]}),
        (
            "Delivery",
            {
                "fields": [
                    "urgent",
                    "attempts",
                    "send_after",
                    "next_attempt_at",
                    "last_attempt_at",
                    "sent_at",
                    "provider_id",
                    "idempotency_key",
                    "created_at",
                ]
            },
        ),
    ]

    # The log is written by the system only; staff read it and resend what failed.
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return is_org_staff(request)

    @admin.display(description="Recipient", ordering="recipient__email")
    def recipient_label(self, obj: Delivery) -> str:
        return str(obj.recipient) if obj.recipient_id else "(no login)"

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Delivery) -> str:
        text = "held" if obj.is_held else obj.get_status_display()
        return format_html(
            '<span title="{}" style="background:{};color:#fff;padding:2px 8px;border-radius:9px">{}</span>',
            obj.error,
            STATUS_COLOURS.get(obj.status, "#6b7280"),
            text,
        )

    @admin.action(description="Send the selected failed deliveries again", permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        run_service_on_each(self, request, queryset, "Resend", lambda d: services.delivery_resend(delivery=d))


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("no", "Unread"), ("yes", "Read")]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    list_display = ["created_at", "recipient", "event", "title", "read_at"]
    list_filter = ["event", ReadFilter]
    search_fields = ["recipient__email", "title"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "organization", "request", "delivery", "event", "title", "body", "link", "read_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(OrganizationScopedAdmin):
    organization_lookup = "user__organization"
    list_display = ["user", "event", "channel", "enabled"]
    list_filter = ["channel", "enabled", "event"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(QuietHours)
class QuietHoursAdmin(OrganizationScopedAdmin):
    organization_lookup = "user__organization"
    list_display = ["user", "start", "end", "time_zone"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(OrganizationScopedAdmin):
    """Opt-outs belong to phone numbers, not organizations: staff see those of their own people."""

    organization_lookup = None  # type: ignore[assignment]
    list_display = ["phone", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["phone"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SmsOptOut]:
        queryset = SmsOptOut.objects.all()
        if request.user.is_superuser:
            return queryset
        phones = User.objects.filter(organization_id=request.user.organization_id).exclude(phone="")
        return queryset.filter(phone__in={selectors.phone_normalise(p) for p in phones.values_list("phone", flat=True)})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):  # type: ignore[no-untyped-def]
        return ["phone", "source", "created_at"] if obj else ["source", "created_at"]

    def save_model(self, request: HttpRequest, obj: SmsOptOut, form: Any, change: bool) -> None:
        if change:
            return
        saved = services.sms_opt_out(phone=obj.phone, source=SmsOptOut.Source.STAFF)
        obj.pk, obj.phone = saved.pk, saved.phone
