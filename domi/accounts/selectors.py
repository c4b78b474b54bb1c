"""Reads of organizations and people, scoped by who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Invitation, Organization, User


def organization_list_visible_to(user: User) -> QuerySet[Organization]:
    """The superuser sees every organization, staff their own, anyone else none."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    if user.role in User.STAFF_ROLES and user.organization_id:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def invitation_list_visible_to(user: User) -> QuerySet[Invitation]:
    """Staff see their organization's invitations, the superuser every one, anyone else none."""
    qs = Invitation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in User.STAFF_ROLES and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def user_email_verified(user: User) -> bool:
    """Whether the address the person signs in with is verified (reads a prefetched emailaddress_set)."""
    login = user.email.lower()
    return any(address.verified for address in user.emailaddress_set.all() if address.email == login)


def user_pending_email(user: User) -> str | None:
    """The new address of an e-mail change waiting for its verification link, if any."""
    login = user.email.lower()
    return next((a.email for a in user.emailaddress_set.all() if not a.verified and a.email != login), None)
