from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from domi.admin_site import OrganizationScopedAdmin, ScopedInline

from .models import (
    AvailabilityWindow,
    Contractor,
    ContractorInvitation,
    ServiceArea,
    TimeOff,
    Trade,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class ServiceAreaInline(ScopedInline, admin.TabularInline):
    model = ServiceArea
    extra = 1


class AvailabilityWindowInline(ScopedInline, admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class TimeOffInline(ScopedInline, admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    # The taxonomy's codes: read-only reference data, for superusers.
    list_display = ["code"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Contractor)
class ContractorAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    sets_organization = True
    list_display = [
        "company_name",
        "trade_list",
        "hourly_rate",
        "call_out_fee",
        "emergency_24_7",
        "rating",
        "insurance",
        "is_active",
    ]
    list_filter = ["is_active", "emergency_24_7", "trades"]
    search_fields = ["company_name", "contact_name", "email", "phone", "licence_number"]
    filter_horizontal = ["trades"]
    inlines = [ServiceAreaInline, AvailabilityWindowInline, TimeOffInline]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("trades")

    @admin.display(description="Trades")
    def trade_list(self, obj: Contractor) -> str:
        return ", ".join(t.get_code_display() for t in obj.trades.all())

    @admin.display(description="Insurance", ordering="insurance_expires_on")
    def insurance(self, obj: Contractor) -> str:
        if obj.insurance_expires_on is None:
            return format_html('<span style="color:#b91c1c">missing</span>')
        days = (obj.insurance_expires_on - timezone.localdate()).days
        colour = "#b91c1c" if days < 0 else "#b45309" if days <= 30 else "inherit"
        return format_html('<span style="color:{}">{}</span>', colour, obj.insurance_expires_on)


@admin.register(ServiceArea)
class ServiceAreaAdmin(OrganizationScopedAdmin):
    organization_lookup = "contractor__organization"
    list_display = ["postal_prefix", "contractor"]
    search_fields = ["postal_prefix", "contractor__company_name"]
    list_select_related = ["contractor"]


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(OrganizationScopedAdmin):
    organization_lookup = "contractor__organization"
    list_display = ["contractor", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    list_select_related = ["contractor"]


@admin.register(TimeOff)
class TimeOffAdmin(OrganizationScopedAdmin):
    organization_lookup = "contractor__organization"
    list_display = ["contractor", "start", "end", "reason"]
    list_select_related = ["contractor"]
    date_hierarchy = "start"


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    sets_organization = True
    list_display = ["url", "contractor", "is_active", "created_at"]
    list_filter = ["is_active"]


class WebhookAttemptInline(ScopedInline, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "created_at", "status_code", "response_bytes", "duration_ms", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganizationScopedAdmin):
    organization_lookup = "endpoint__organization"
    list_display = ["event", "endpoint", "status", "attempts", "created_at", "delivered_at"]
    list_filter = ["status", "event"]
    readonly_fields = ["endpoint", "event_id", "event", "payload", "status", "attempts", "created_at", "delivered_at"]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(OrganizationScopedAdmin):
    organization_lookup = "delivery__endpoint__organization"
    list_display = ["delivery", "number", "status_code", "duration_ms", "created_at"]
    readonly_fields = ["delivery", "number", "status_code", "response_bytes", "error", "duration_ms", "created_at"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False


@admin.register(ContractorInvitation)
class ContractorInvitationAdmin(OrganizationScopedAdmin):
    organization_lookup = "contractor__organization"
    list_display = ["invitation", "contractor"]
    list_select_related = ["invitation", "contractor"]
    search_fields = ["invitation__email", "contractor__company_name"]
    readonly_fields = ["invitation", "contractor"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False
