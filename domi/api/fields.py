"""Input fields shared by the API's serializers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers

from domi.accounts.models import User


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id chosen among what the caller may use, e.g. `unit` among the units a tenant rents.

    An id outside that scope gets the same "does not exist" answer as an id that exists nowhere, so
    input validation never tells one organization about another's objects.
    """

    def __init__(self, *, model: type[Model], scope: Callable[[User], QuerySet], **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.scope(self.context["request"].user)
