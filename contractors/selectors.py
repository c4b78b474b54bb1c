"""Reads of the contractor roster, always scoped by who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from domi.accounts.models import User

from .models import Contractor


def contractor_list_visible_to(user: User) -> QuerySet[Contractor]:
    """Staff see their organization's roster, a contractor their own entry, the superuser every one."""
    qs = Contractor.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in User.STAFF_ROLES and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    if user.role == User.Role.CONTRACTOR:
        return qs.filter(user=user)
    return qs.none()


def contractor_list_assignable_by(user: User) -> QuerySet[Contractor]:
    """The active contractors staff may give a job to."""
    if not user.is_authenticated or not (user.is_superuser or user.role in User.STAFF_ROLES):
        return Contractor.objects.none()
    return contractor_list_visible_to(user).filter(is_active=True)


def contractor_login_list_visible_to(user: User) -> QuerySet[User]:
    """The contractor logins staff may link to a roster entry: those of their organization."""
    qs = User.objects.filter(role=User.Role.CONTRACTOR, is_active=True)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in User.STAFF_ROLES and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()
