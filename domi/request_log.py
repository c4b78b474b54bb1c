"""The request log: django-structlog writes one line per request when it ends; it also names the client."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def user_agent_logged(sender: Any, request: HttpRequest, log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    """bind_extra_request_finished_metadata: the user agent, which only request_started carried."""
    log_kwargs["user_agent"] = request.META.get("HTTP_USER_AGENT")
