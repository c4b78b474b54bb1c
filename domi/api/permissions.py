"""Which roles may call an endpoint at all. What each may see is the selectors' business (404 outside it)."""

from __future__ import annotations

import enum
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from domi.accounts.models import User


class CallerRole(enum.StrEnum):
    STAFF = "staff"
    TENANT = "tenant"
    CONTRACTOR = "contractor"


STAFF, TENANT, CONTRACTOR = CallerRole.STAFF, CallerRole.TENANT, CallerRole.CONTRACTOR
EVERYONE = frozenset(CallerRole)
STAFF_ONLY = frozenset({STAFF})


def caller_role(user: User) -> CallerRole:
    """The part a signed-in person plays in the API; a superuser acts as staff of every organization."""
    if user.is_superuser or user.role in User.STAFF_ROLES:
        return STAFF
    if user.role == User.Role.CONTRACTOR:
        return CONTRACTOR
    return TENANT


class HasRole(BasePermission):
    """The caller is signed in and their role is one the view allows for this method.

    A view declares `roles = {"GET": EVERYONE, "POST": STAFF_ONLY}`; a method it does not name is open
    to every signed-in role. The answer is the same whatever object the URL names, so it leaks nothing.
    """

    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        method = "GET" if request.method == "HEAD" else request.method
        allowed = getattr(view, "roles", {}).get(method, EVERYONE)
        return caller_role(user) in allowed
