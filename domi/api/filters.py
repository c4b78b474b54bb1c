"""Filters shared by the API's lists."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES
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


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number the database can hold (so a huge value is a 400, never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
