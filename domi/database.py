"""PostgreSQL connections: timestamps read with the C parser of the standard library.

Django reads every timestamptz through psycopg's pure-Python parser (a regular expression and a dozen
int() calls a value), then stamps Django's time zone on it. A page of 50 requests carries 150 of them,
which took longer than running the page's query. PostgreSQL writes them in ISO 8601 in the session's
time zone (Django sets it), which datetime.fromisoformat parses in C; anything it cannot read (BC
dates, infinity, another DateStyle) goes to Django's own loader, so the values are the same either way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def timestamps_parsed_in_c(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: give a new PostgreSQL connection the faster timestamptz loader."""
    if connection.vendor != "postgresql":
        return
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader, is_psycopg3

    if not is_psycopg3:
        return

    class IsoTzLoader(BaseTzLoader):
        # Django's create_cursor compares this with the connection's time zone: equal, it adds nothing.
        timezone = connection.timezone

        def load(self, data: Any) -> datetime:
            try:
                value = datetime.fromisoformat(bytes(data).decode())
            except ValueError:
                return super().load(data)
            return value if value.tzinfo is self.timezone else value.replace(tzinfo=self.timezone)

    connection.connection.adapters.register_loader("timestamptz", IsoTzLoader)
