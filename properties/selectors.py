"""Reads of properties, units and tenancies, always scoped by who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from domi.accounts.models import User

from .models import Property, Tenancy, Unit


def _is_staff(user: User) -> bool:
    return user.role in User.STAFF_ROLES and user.organization_id is not None


def property_list_visible_to(user: User) -> QuerySet[Property]:
    """Staff see their organization's buildings; the superuser every one."""
    qs = Property.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if _is_staff(user):
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def unit_list_visible_to(user: User) -> QuerySet[Unit]:
    """Staff see their organization's units, a tenant the units they rent now (where they can report problems)."""
    qs = Unit.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if _is_staff(user):
        return qs.filter(property__organization_id=user.organization_id)
    if user.role == User.Role.TENANT:
        return qs.filter(pk__in=Tenancy.objects.active().filter(tenant=user).values("unit_id"))
    return qs.none()


def tenancy_list_visible_to(user: User) -> QuerySet[Tenancy]:
    """Staff see their organization's tenancies, a tenant their own (past ones too)."""
    qs = Tenancy.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if _is_staff(user):
        return qs.filter(unit__property__organization_id=user.organization_id)
    if user.role == User.Role.TENANT:
        return qs.filter(tenant=user)
    return qs.none()


def tenant_list_visible_to(user: User) -> QuerySet[User]:
    """The tenants staff may give a tenancy to: those of their organization."""
    qs = User.objects.filter(role=User.Role.TENANT, is_active=True)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if _is_staff(user):
        return qs.filter(organization_id=user.organization_id)
    return qs.none()
