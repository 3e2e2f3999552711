"""Schema migrations of the board file: schema N -> N+1, applied in memory on read."""

from __future__ import annotations

from typing import Any

from .layout import META_ID, SCHEMA_VERSION

# Migrations: schema N -> N+1, applied in memory on read; the file is rewritten on the next commit
# (the pre-migration file is kept among the backups).
MIGRATIONS: dict[int, Any] = {}


def migrate(tables: dict[str, Any]) -> dict[str, Any]:
    """The tables brought up to this reqboard's schema; a newer schema is left as it is (read-only)."""
    meta = tables["meta"][META_ID]
    while meta["schema"] < SCHEMA_VERSION:
        step = MIGRATIONS[meta["schema"]]
        tables = step(tables)
        meta = tables["meta"][META_ID]
        meta["schema"] += 1
    return tables
