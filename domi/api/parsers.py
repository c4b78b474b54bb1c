"""The API's JSON parser: bounded in size and depth, so no body can make a request fail with a 500.

The standard library's parser recurses once per level and a 100 kB body of brackets ends in a
RecursionError (and a traceback in the log); orjson refuses nesting past its own limit, and this parser
refuses bodies larger than DOMI_API_MAX_JSON_BYTES and deeper than DOMI_API_MAX_JSON_DEPTH, all as a 400 in
the error shape. No endpoint takes anything near either bound.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in `value`, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        limit = settings.DOMI_API_MAX_JSON_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(f"The JSON body is larger than {limit} bytes.")
        if not body:
            raise ParseError("The JSON body is empty.")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ParseError("The body is not valid JSON.") from exc
        if json_depth(data) > settings.DOMI_API_MAX_JSON_DEPTH:
            raise ParseError(f"The JSON nests deeper than {settings.DOMI_API_MAX_JSON_DEPTH} levels.")
        return data
