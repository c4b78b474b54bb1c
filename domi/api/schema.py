"""OpenAPI: every operation documents the error responses it can give, in the one error shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable, machine-readable code, e.g. invalid_transition.")
    message = serializers.CharField(help_text="A sentence for people.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="For validation errors: the messages for each field that is wrong.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: "The input is not valid; `error.fields` says what is wrong.",
    401: "Not signed in, or the token is invalid or expired.",
    403: "Your role may not do this.",
    404: "No such object, or it is outside what you may see.",
    409: "The request's status does not allow this now (code invalid_transition), or another conflict.",
    429: "Too many attempts; retry after the number of seconds in the Retry-After header.",
}


def error_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=_DESCRIPTIONS[status])


class DomiAutoSchema(AutoSchema):
    """Adds the error responses an operation can give to the success responses its view declares.

    A view may name more with `error_statuses = {"POST": (409,)}`; rate-limited views list 429 there.
    """

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        # Below @extend_schema's override of get_response_serializers, so it sees every operation.
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            code = str(status)
            if code not in responses:
                responses[code] = self._get_response_for_code(error_response(status), code, direction=direction)
            if status == 429:
                responses[code].setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before trying again.",
                }
        return responses

    def _error_statuses(self) -> list[int]:
        statuses: set[int] = set()
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            statuses |= {401, 403}
        if "{" in self.path:
            statuses.add(404)
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(400)
        if self.method == "GET" and self._is_list_view():
            # A refused filter or ordering value (400); a page below 1 or past the end (404).
            statuses |= {400, 404}
        statuses |= set(getattr(self.view, "error_statuses", {}).get(self.method, ()))
        return sorted(statuses)
