from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from domi.accounts.models import Invitation
from domi.api.filters import StableOrderingFilter


class InvitationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Invitation.Status.choices,
        method="filter_status",
        help_text="pending: the link still works; expired: pending but past its expiry.",
    )
    role = django_filters.ChoiceFilter(choices=Invitation.Role.choices)
    search = django_filters.CharFilter(method="filter_search", help_text="E-mail address or name.")
    ordering = StableOrderingFilter(fields=["created_at", "expires_at", "email"])

    class Meta:
        model = Invitation
        fields = ["status", "role", "search"]

    def filter_status(self, queryset: QuerySet[Invitation], name: str, value: str) -> QuerySet[Invitation]:
        if value == Invitation.Status.PENDING:
            return queryset.open()
        if value == Invitation.Status.EXPIRED:
            return queryset.expired()
        return queryset.filter(status=value)

    def filter_search(self, queryset: QuerySet[Invitation], name: str, value: str) -> QuerySet[Invitation]:
        return queryset.filter(
            Q(email__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value)
        )
