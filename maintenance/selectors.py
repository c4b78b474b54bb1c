"""Reads of maintenance data, always scoped by who asks."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from domi.accounts.models import User

from .models import Comment, MaintenanceRequest, RequestEvent


def request_list_visible_to(user: User) -> QuerySet[MaintenanceRequest]:
    """Staff see their organization's requests, tenants their own, contractors the jobs given to them."""
    qs = MaintenanceRequest.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in User.STAFF_ROLES:
        return qs.filter(organization_id=user.organization_id) if user.organization_id else qs.none()
    if user.role == User.Role.CONTRACTOR:
        return qs.filter(assigned_contractor__user=user, organization_id=user.organization_id)
    return qs.filter(reporter=user)


def request_timeline(*, request: MaintenanceRequest, user: User) -> QuerySet[RequestEvent]:
    events = request.events.select_related("actor_user")
    if user.is_superuser or user.role in User.STAFF_ROLES:
        return events
    return events.filter(is_shared=True)


def request_comments(*, request: MaintenanceRequest, user: User) -> QuerySet[Comment]:
    comments = request.comments.select_related("author")
    if user.is_superuser or user.role in User.STAFF_ROLES:
        return comments
    return comments.filter(visibility=Comment.Visibility.SHARED)


def overdue_filter() -> Q:
    from django.utils import timezone

    from .models import OPEN_STATUSES

    return Q(status__in=OPEN_STATUSES, due_by__lt=timezone.now())
