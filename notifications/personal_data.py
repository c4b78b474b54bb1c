"""The notifications app's part of a person's personal data: what was sent to them, their preferences."""

from __future__ import annotations

from typing import Any

from domi.accounts.models import User
from domi.accounts.personal_data import REMOVED_TEXT, Erasure, PersonalDataSection

from .models import Delivery, Notification, NotificationPreference, QuietHours, SmsOptOut


def _export(user: User) -> tuple[Any, list[tuple[str, str]]]:
    deliveries = list(
        Delivery.objects.filter(recipient=user)
        .order_by("created_at")
        .values("channel", "address", "event", "subject", "body", "status", "created_at")
    )
    notifications = list(
        Notification.objects.filter(recipient=user)
        .order_by("created_at")
        .values("event", "title", "body", "created_at")
    )
    preferences = list(NotificationPreference.objects.filter(user=user).values())
    for row in preferences:
        row.pop("id", None)
        row.pop("user_id", None)
    return {"deliveries": deliveries, "in_app": notifications, "preferences": preferences}, []


def _erase(erasure: Erasure) -> None:
    user = erasure.user
    # The delivery log keeps that something was sent and how it went; not to whom or what it said.
    Delivery.objects.filter(recipient=user).update(
        address="", subject=REMOVED_TEXT, body=REMOVED_TEXT, html_body="", ics="", link=""
    )
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    QuietHours.objects.filter(user=user).delete()
    if user.phone:
        SmsOptOut.objects.filter(phone=user.phone).delete()


section = PersonalDataSection(name="notifications", export=_export, erase=_erase)
