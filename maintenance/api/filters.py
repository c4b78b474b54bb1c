from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from domi.api.filters import ChoicesFilter, IdFilter, StableOrderingFilter
from domi.taxonomy import Category, Priority
from maintenance.models import MaintenanceRequest, Status
from maintenance.selectors import overdue_filter, priority_rank


class RequestFilter(django_filters.FilterSet):
    status = ChoicesFilter(choices=Status.choices)
    priority = ChoicesFilter(choices=Priority.choices)
    category = ChoicesFilter(choices=Category.choices)
    # Ids are filtered, not validated: an id outside the caller's scope gives an empty list, not an error.
    property = IdFilter(field_name="unit__property_id")
    unit = IdFilter(field_name="unit_id")
    contractor = IdFilter(field_name="assigned_contractor_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue", help_text="Still open after its due-by time.")
    created = django_filters.DateFromToRangeFilter(field_name="created_at", help_text="created_after, created_before")
    due = django_filters.DateFromToRangeFilter(field_name="due_by", help_text="due_after, due_before")
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the title or description.")
    ordering = StableOrderingFilter(
        fields=[
            "created_at",
            "updated_at",
            "due_by",
            ("priority_rank", "priority"),
            "status",
            "title",
        ],
        help_text="created_at, updated_at, due_by, priority (most urgent first), status, title; "
        "a leading - reverses. Default: newest first.",
    )

    class Meta:
        model = MaintenanceRequest
        fields = ["status", "priority", "category", "property", "unit", "contractor", "overdue", "search"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset.annotate(priority_rank=priority_rank()))

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(overdue_filter()) if value else queryset.exclude(overdue_filter())

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        query = Q()
        for word in value.split()[:8]:
            query &= Q(title__icontains=word) | Q(description__icontains=word)
        return queryset.filter(query)
