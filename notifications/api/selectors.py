"""Reads the notifications API needs that notifications.selectors does not have (yet)."""

from __future__ import annotations

from django.db.models import QuerySet

from domi.accounts.models import User
from notifications.models import NotificationPreference


def preference_list_for(*, user: User) -> QuerySet[NotificationPreference]:
    """A person's own notification preferences."""
    if not user.is_authenticated:
        return NotificationPreference.objects.none()
    return NotificationPreference.objects.filter(user=user)
