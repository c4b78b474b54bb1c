from django.contrib import admin

from domi.admin_site import OrganizationScopedAdmin, ScopedInline

from .models import Property, Tenancy, TenancyInvitation, Unit


class UnitInline(ScopedInline, admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["label", "floor", "bedrooms"]
    show_change_link = True


class TenancyInline(ScopedInline, admin.TabularInline):
    model = Tenancy
    extra = 0
    fields = ["tenant", "start_date", "end_date"]
    autocomplete_fields = ["tenant"]


@admin.register(Property)
class PropertyAdmin(OrganizationScopedAdmin):
    organization_lookup = "organization"
    sets_organization = True
    list_display = ["name", "address_line1", "city", "postal_code", "approval_limit", "unit_count"]
    list_filter = ["city", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "address_line1", "city", "postal_code"]
    inlines = [UnitInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        from django.db.models import Count

        return super().get_queryset(request).annotate(_unit_count=Count("units"))

    @admin.display(description="Units", ordering="_unit_count")
    def unit_count(self, obj: Property) -> int:
        return obj._unit_count


@admin.register(Unit)
class UnitAdmin(OrganizationScopedAdmin):
    organization_lookup = "property__organization"
    list_display = ["label", "property", "floor", "bedrooms", "current_tenants"]
    list_filter = [("property", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["label", "property__name", "property__postal_code"]
    list_select_related = ["property"]
    inlines = [TenancyInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("tenancies__tenant")

    @admin.display(description="Tenants now")
    def current_tenants(self, obj: Unit) -> str:
        return ", ".join(str(t.tenant) for t in obj.tenancies.all() if t.is_active) or "—"


@admin.register(Tenancy)
class TenancyAdmin(OrganizationScopedAdmin):
    organization_lookup = "unit__property__organization"
    list_display = ["tenant", "unit", "start_date", "end_date", "is_active"]
    list_filter = [("unit__property", admin.RelatedOnlyFieldListFilter), "start_date"]
    search_fields = ["tenant__email", "tenant__first_name", "tenant__last_name", "unit__label"]
    list_select_related = ["tenant", "unit__property"]
    autocomplete_fields = ["tenant", "unit"]
    date_hierarchy = "start_date"

    @admin.display(boolean=True, description="Active")
    def is_active(self, obj: Tenancy) -> bool:
        return obj.is_active


@admin.register(TenancyInvitation)
class TenancyInvitationAdmin(OrganizationScopedAdmin):
    organization_lookup = "unit__property__organization"
    list_display = ["invitation", "unit", "start_date"]
    list_select_related = ["invitation", "unit__property"]
    search_fields = ["invitation__email", "unit__label", "unit__property__name"]
    readonly_fields = ["invitation", "unit", "start_date"]

    def has_add_permission(self, request, *args):  # type: ignore[no-untyped-def]
        return False
