"""A person's in-app inbox and what they want to hear about. Everyone sees only their own."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts.models import User
from domi.api.views import ScopedAPIView
from notifications import selectors, services
from notifications.models import Notification, NotificationPreference

from . import selectors as api_selectors
from .serializers import MarkedOutput, NotificationOutput, PreferenceInput, PreferenceOutput, UnreadCountOutput

TAGS = ["notifications"]


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", help_text="Only unread (or read)."
    )

    class Meta:
        model = Notification
        fields = ["unread", "request"]


class InboxScope(ScopedAPIView):
    def visible_to(self, user: User) -> QuerySet[Notification]:
        return selectors.notification_list_for(user=user)


class NotificationListView(InboxScope):
    filterset_class = NotificationFilter

    @extend_schema(tags=TAGS, summary="My notifications, newest first", responses={200: NotificationOutput(many=True)})
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, NotificationOutput)


class UnreadCountView(InboxScope):
    @extend_schema(tags=TAGS, summary="How many of my notifications are unread", responses={200: UnreadCountOutput})
    def get(self, request: Request) -> Response:
        return Response({"count": selectors.notification_unread_count(user=request.user)})


class MarkReadView(InboxScope):
    @extend_schema(tags=TAGS, summary="Mark one notification read", request=None, responses={200: NotificationOutput})
    def post(self, request: Request, pk: int) -> Response:
        notification = services.notification_mark_read(notification=self.object, user=request.user)
        return self.output(NotificationOutput, notification)


class MarkAllReadView(InboxScope):
    @extend_schema(tags=TAGS, summary="Mark all my notifications read", request=None, responses={200: MarkedOutput})
    def post(self, request: Request) -> Response:
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class PreferenceListView(ScopedAPIView):
    def visible_to(self, user: User) -> QuerySet[NotificationPreference]:
        return api_selectors.preference_list_for(user=user)

    @extend_schema(
        tags=TAGS,
        summary="What I chose to hear about",
        description="Without a row, the defaults for your role apply.",
        responses={200: PreferenceOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.paginated(self.scope, PreferenceOutput)

    @extend_schema(
        tags=TAGS,
        summary="Turn an event on or off on a channel",
        request=PreferenceInput,
        responses={200: PreferenceOutput},
    )
    def post(self, request: Request) -> Response:
        data = self.validated(PreferenceInput)
        preference = services.notification_preference_set(user=request.user, **data)
        return self.output(PreferenceOutput, preference)
