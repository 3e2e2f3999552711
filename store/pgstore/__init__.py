"""The server storage: a board in a PostgreSQL database, shared by a team, with live updates.

`url` parses and prints a server location (never its password), `schema` holds the tables and their
migrations (`server init`), `server` the storage itself. Only this package imports psycopg, and only
when a postgresql:// store is opened.
"""

from __future__ import annotations

from .schema import SCHEMA_VERSION
from .server import ServerChange, ServerRevision, ServerStorage
from .url import ServerURL, is_server_location, redact

__all__ = ["SCHEMA_VERSION", "ServerChange", "ServerRevision", "ServerStorage", "ServerURL", "init_server",
           "is_server_location", "redact"]


def init_server(location: str) -> tuple[int | None, int]:
    """Make the board's tables in the database at `location`, or migrate them forward; returns the
    schema version found (None: none) and the version now. Idempotent. Raises Unsupported (a bad URL),
    ServerUnreachable, StoreUnreadable (the server refused, e.g. no right to create the schema)."""
    import psycopg

    from .schema import initialise
    from .server import CONNECT_TIMEOUT_S, translated, unreachable

    url = ServerURL.parse(location)
    try:
        conn = psycopg.connect(url.conninfo(), connect_timeout=CONNECT_TIMEOUT_S, application_name="reqboard init")
    except psycopg.Error as exc:
        raise unreachable(url, exc) from None
    try:
        with conn:
            return initialise(conn)
    except psycopg.Error as exc:
        raise translated(url, exc) from None
