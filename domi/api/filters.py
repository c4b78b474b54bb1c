"""Filters shared by the API's lists."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class StableOrderingFilter(django_filters.OrderingFilter):
    """?ordering=a,-b (else the model's ordering), with the primary key as the last tie-breaker, so rows that
    tie never move between pages."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        chosen = [self.get_ordering_value(param) for param in value or [] if param not in EMPTY_VALUES]
        ordering = chosen or list(qs.query.order_by) or list(qs.model._meta.ordering)
        if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            last = ordering[-1] if ordering else ""
            ordering.append("-pk" if last.startswith("-") else "pk")
        return qs.order_by(*ordering)


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """?field=a&field=b: any of the choices, on a column of the list's own table.

    No DISTINCT (django-filter's default, meant for a to-many join): a column of the row itself cannot
    repeat a row, and a DISTINCT made the database compare whole rows to count and page a filtered list.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("help_text", "Repeat for several.")
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number the database can hold (so a huge value is a 400, never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, minus the cost of a filter form when the request names none of its filters.

    Building a filterset (its filters copied, their form fields and form made) is a large share of a short
    list's time; a request without filter parameters (the first page of a list, the portal polling it) gets
    what the filterset does with no values at all: its ordering filters' default order, nothing filtered.
    """

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(request.query_params, filterset_class):
            for filter_ in filterset_class.base_filters.values():
                if isinstance(filter_, django_filters.OrderingFilter):
                    queryset = filter_.filter(queryset, None)
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_a_filter(params: Any, filterset_class: type[django_filters.FilterSet]) -> bool:
    # A range filter "created" reads created_after and created_before: a parameter counts if it is a
    # filter's name or starts with it and an underscore.
    names = filterset_class.base_filters.keys()
    return any(key == name or key.startswith(f"{name}_") for key in params for name in names)
