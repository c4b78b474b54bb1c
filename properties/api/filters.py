from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from domi.api.filters import IdFilter, StableOrderingFilter
from properties.models import Property, Tenancy, Unit


class PropertyFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Name, address, city or postal code.")
    postal_code = django_filters.CharFilter(lookup_expr="istartswith")
    ordering = StableOrderingFilter(fields=["name", "city", "postal_code", "created_at"])

    class Meta:
        model = Property
        fields = ["search", "postal_code"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(address_line1__icontains=value)
            | Q(city__icontains=value)
            | Q(postal_code__istartswith=value)
        )


class UnitFilter(django_filters.FilterSet):
    property = IdFilter(field_name="property_id")
    search = django_filters.CharFilter(method="filter_search", help_text="Unit label or building name.")
    ordering = StableOrderingFilter(fields=[("property__name", "property"), "label", "floor", "created_at"])

    class Meta:
        model = Unit
        fields = ["property", "search"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(label__icontains=value) | Q(property__name__icontains=value))


class TenancyFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit_id")
    property = IdFilter(field_name="unit__property_id")
    tenant = IdFilter(field_name="tenant_id")
    active = django_filters.BooleanFilter(method="filter_active", help_text="Only tenancies running today (or not).")
    ordering = StableOrderingFilter(fields=["start_date", "end_date", "created_at"])

    class Meta:
        model = Tenancy
        fields = ["unit", "property", "tenant", "active"]

    def filter_active(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        today = timezone.localdate()
        running = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
        return queryset.filter(running) if value else queryset.exclude(running)
