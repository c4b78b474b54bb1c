"""Reads of organizations and people, scoped by who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Organization, User


def organization_list_visible_to(user: User) -> QuerySet[Organization]:
    """The superuser sees every organization, staff their own, anyone else none."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    if user.role in User.STAFF_ROLES and user.organization_id:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()
