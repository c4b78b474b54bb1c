"""The base classes of every API view.

ScopedAPIView is the one place where scoping happens: before any handler runs it asks the view's
`visible_to(user)` for what the caller may see, and when the URL names an object it loads it from
there, so an object outside the caller's scope answers 404 whatever the handler would have done.
Which roles may call a method at all is declared beside it (`roles`, checked by HasRole, 403).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from domi.accounts.models import User

from .audit import audit_actor_record
from .filters import FilterBackend
from .pagination import Pagination
from .parsers import BoundedJSONParser
from .permissions import HasRole


class BaseAPIView(GenericAPIView):
    permission_classes = [HasRole]
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    # JSON only; an upload endpoint names the multipart parser itself.
    parser_classes = [BoundedJSONParser]
    # No OPTIONS: the OpenAPI schema describes every endpoint.
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    # {"POST": STAFF_ONLY, ...}; a method not named is open to every signed-in role.
    roles: dict[str, frozenset] = {}
    # More error statuses an operation can answer, for the schema: {"POST": (409, 429)}.
    error_statuses: dict[str, tuple[int, ...]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, roles
        audit_actor_record(request.user)
        self.load_scope(request, **kwargs)

    def load_scope(self, request: Request, **kwargs: Any) -> None:
        pass

    def get_serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self, "user": self.request.user}

    def validated(self, serializer_class: type[serializers.Serializer], *, partial: bool = False) -> dict[str, Any]:
        """The request body, validated by an input serializer (400 in the error shape when it is not valid)."""
        serializer = serializer_class(data=self.request.data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def output(self, serializer_class: type[serializers.Serializer], instance: Any, *, status: int = 200) -> Response:
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=status)


class PublicAPIView(BaseAPIView):
    """An endpoint anyone may call: signing in with credentials or a refresh token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get_authenticate_header(self, request: Request) -> str:
        # Without authenticators DRF would turn a refused credential (401) into 403.
        return 'Bearer realm="api"'


class ScopedAPIView(BaseAPIView):
    """Every endpoint that shows or changes data. Subclasses say what a user may see in `visible_to`."""

    lookup_url_kwarg = "pk"
    scope: QuerySet
    object: Model

    def visible_to(self, user: User) -> QuerySet:
        raise ImproperlyConfigured(f"{type(self).__name__} must say what a caller may see (visible_to).")

    def load_scope(self, request: Request, **kwargs: Any) -> None:
        self.scope = self.visible_to(request.user)
        if self.lookup_url_kwarg in kwargs:
            self.object = get_object_or_404(self.scope, pk=kwargs[self.lookup_url_kwarg])
            self.check_object_permissions(request, self.object)

    def get_queryset(self) -> QuerySet:
        if hasattr(self, "scope"):
            return self.scope
        return self.visible_to(self.request.user)  # the schema generator, which runs no handler

    def rescoped(self, instance: Model) -> Model:
        """After a write, inside its transaction: the object read again through the caller's scope.

        A write that would leave its result outside what the caller may see is undone (404).
        """
        fresh = self.rescoped_or_none(instance)
        if fresh is None:
            raise NotFound()
        return fresh

    def rescoped_or_none(self, instance: Model) -> Model | None:
        """For a write that may rightly take the object out of the caller's scope (a contractor declines)."""
        return self.visible_to(self.request.user).filter(pk=instance.pk).first()

    def paginated(self, queryset: QuerySet, serializer_class: type[serializers.Serializer]) -> Response:
        """Filter (the view's filterset), paginate and serialize a list."""
        page = self.paginate_queryset(self.filter_queryset(queryset))
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def paginated_rows(self, queryset: QuerySet, rows: Callable[[QuerySet], QuerySet], render: Callable) -> Response:
        """A list read as plain rows: filter, turn into rows (values_list), paginate, render each page's rows."""
        page = self.paginate_queryset(CountedRows(self.filter_queryset(queryset), rows))
        return self.get_paginated_response(render(page))


class CountedRows(Sequence):
    """A filtered queryset's rows for the paginator, counted on the queryset itself.

    The rows join what they show (a request's unit, property and contractor); counted through them, the
    database would join every matching row just to count it. Counted on the filtered queryset, it counts
    the matching rows alone, and only the page's rows are joined.
    """

    def __init__(self, filtered: QuerySet, rows: Callable[[QuerySet], QuerySet]) -> None:
        self.filtered = filtered
        self.rows = rows(filtered)
        self.ordered = filtered.ordered

    def count(self) -> int:
        return self.filtered.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]
