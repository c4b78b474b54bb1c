"""The audit log's actor for API calls."""

from __future__ import annotations

from auditlog.context import auditlog_value

from domi.accounts.models import User


def audit_actor_record(user: User) -> None:
    """Make the signed-in API caller the actor of the audit entries the rest of this request writes.

    AuditlogMiddleware runs before DRF authenticates a bearer token, so it saw an anonymous visitor. Its
    context is a dict in a ContextVar that the log-entry receiver reads whenever an entry is saved; we
    fill the actor in there. Nesting auditlog's set_actor() instead would leave the middleware's receiver
    connected for good (auditlog 3 never restores the outer context), a leak on every request.
    """
    if not user.is_authenticated:
        return
    try:
        context = auditlog_value.get()
    except LookupError:  # not inside AuditlogMiddleware: nothing records entries for this request
        return
    # DRF's user wins over the middleware's: with a session cookie and a bearer token, the token acts.
    context["actor"] = user
