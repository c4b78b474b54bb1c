from __future__ import annotations

from rest_framework import serializers

from notifications.events import ALL_EVENTS, Channel, Event
from notifications.models import Notification, NotificationPreference


class NotificationOutput(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "link", "request", "is_read", "read_at", "created_at"]


class UnreadCountOutput(serializers.Serializer):
    count = serializers.IntegerField()


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


class PreferenceOutput(serializers.ModelSerializer):
    class Meta:
        model = NotificationPreference
        fields = ["id", "event", "channel", "enabled"]


class PreferenceInput(serializers.Serializer):
    event = serializers.ChoiceField(
        choices=[(ALL_EVENTS, "Every event"), *Event.choices],
        help_text='An event, or "*" for every event (a preference for the event itself still wins).',
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    enabled = serializers.BooleanField()
