from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from contractors.models import Contractor
from domi.api.filters import StableOrderingFilter
from domi.taxonomy import Category


class ContractorFilter(django_filters.FilterSet):
    trade = django_filters.ChoiceFilter(field_name="trades__code", choices=Category.choices, distinct=True)
    postal_code = django_filters.CharFilter(method="filter_postal_code", help_text="Covers this postal code.")
    is_active = django_filters.BooleanFilter()
    emergency_24_7 = django_filters.BooleanFilter()
    search = django_filters.CharFilter(method="filter_search", help_text="Company or contact name, e-mail.")
    ordering = StableOrderingFilter(fields=["company_name", "rating", "hourly_rate", "created_at"])

    class Meta:
        model = Contractor
        fields = ["trade", "postal_code", "is_active", "emergency_24_7", "search"]

    def filter_postal_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A service area covers a postal code that starts with its prefix ("941" covers 94110).
        code = value.replace(" ", "").replace("-", "").upper()
        prefixes = {code[:n] for n in range(1, len(code) + 1)}
        return queryset.filter(service_areas__postal_prefix__in=prefixes).distinct()

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(company_name__icontains=value) | Q(contact_name__icontains=value) | Q(email__icontains=value)
        )
