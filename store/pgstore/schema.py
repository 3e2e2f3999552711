"""The board's tables in PostgreSQL: schema `reqboard`, versioned, migrated forward by `server init`.

    board          one row: the schema's version, the commit counter (generation), the meta record
                   (settings, sync records, the board's id), who committed last, and `instance`, this
                   database's own id (two URLs of one database are told to be one board by it)
    requirements   one row a requirement: uid (primary key), key and number (unique), version, the
                   card's columns (state, title, customer, owner, updated_by/at, priority) for people
                   reading the tables with SQL and for the board's first frame (the top cards of each
                   column, by the index on state, priority and number), `card` (what the board draws, see store.cards.card_fields) and
                   `record` (the full stored record), the generation that last wrote it
    removed        the key numbers a commit took a requirement off (a sync renumbering), so a
                   client reading only what changed since its last read drops them
    customers      one row a customer, by its casefolded name
    events         the history, one row an event, in commit order (`seq`), by key and by uid
    requirement_numbers, change_request_numbers
                   the key counters: sequences, so a key is never handed out twice

Every write stamps `committed_by` with the database login (`current_user`) and `committed_at` with
the server's clock, in a trigger nobody's client can bypass: the audit of who wrote what is the
server's, whatever a client says. Documents are `json`, not `jsonb`: they read back byte for byte as
written, keys in their order (jsonb would sort them, and a requirement's states entered would read
back in another order). A commit notifies channel `reqboard` with its generation (delivered
at commit), which open boards LISTEN on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SCHEMA = "reqboard"
SCHEMA_VERSION = 1
"""The newest schema this reqboard knows; a newer one opens read-only."""
CHANNEL = "reqboard"
"""The NOTIFY channel a commit announces its generation on."""

_VERSION_1 = """
CREATE TABLE reqboard.board (
    id              integer PRIMARY KEY CHECK (id = 1),
    schema_version  integer NOT NULL,
    generation      bigint NOT NULL DEFAULT 0,
    meta            json NOT NULL DEFAULT '{}'::json,
    committed_by    text NOT NULL DEFAULT current_user,
    committed_at    timestamptz NOT NULL DEFAULT now(),
    instance        text NOT NULL DEFAULT gen_random_uuid()::text
);
CREATE SEQUENCE reqboard.requirement_numbers MINVALUE 1 MAXVALUE 999999999;
CREATE SEQUENCE reqboard.change_request_numbers MINVALUE 1;
CREATE TABLE reqboard.requirements (
    uid           text PRIMARY KEY,
    number        integer NOT NULL CONSTRAINT requirements_number_key UNIQUE DEFERRABLE INITIALLY DEFERRED,
    key           text NOT NULL CONSTRAINT requirements_key_key UNIQUE DEFERRABLE INITIALLY DEFERRED,
    version       integer NOT NULL,
    state         text NOT NULL,
    title         text NOT NULL,
    customer      text NOT NULL DEFAULT '',
    owner         text NOT NULL DEFAULT '',
    updated_by    text NOT NULL DEFAULT '',
    updated_at    text NOT NULL DEFAULT '',
    priority      integer NOT NULL DEFAULT 0,
    generation    bigint NOT NULL,
    card          json NOT NULL,
    record        json NOT NULL,
    committed_by  text NOT NULL DEFAULT current_user,
    committed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX requirements_generation ON reqboard.requirements (generation);
CREATE INDEX requirements_column ON reqboard.requirements (state, priority DESC, number);
CREATE TABLE reqboard.removed (
    number      integer NOT NULL,
    uid         text NOT NULL,
    generation  bigint NOT NULL
);
CREATE INDEX removed_generation ON reqboard.removed (generation);
CREATE TABLE reqboard.customers (
    name_key      text PRIMARY KEY,
    generation    bigint NOT NULL,
    record        json NOT NULL,
    committed_by  text NOT NULL DEFAULT current_user,
    committed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE reqboard.events (
    seq           bigserial PRIMARY KEY,
    generation    bigint NOT NULL,
    key           text,
    uid           text,
    event         json NOT NULL,
    committed_by  text NOT NULL DEFAULT current_user,
    committed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_key ON reqboard.events (key, seq);
CREATE INDEX events_uid ON reqboard.events (uid, seq);
CREATE FUNCTION reqboard.stamp_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.committed_by := current_user;
    NEW.committed_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER board_stamp BEFORE INSERT OR UPDATE ON reqboard.board
    FOR EACH ROW EXECUTE FUNCTION reqboard.stamp_commit();
CREATE TRIGGER requirements_stamp BEFORE INSERT OR UPDATE ON reqboard.requirements
    FOR EACH ROW EXECUTE FUNCTION reqboard.stamp_commit();
CREATE TRIGGER customers_stamp BEFORE INSERT OR UPDATE ON reqboard.customers
    FOR EACH ROW EXECUTE FUNCTION reqboard.stamp_commit();
CREATE TRIGGER events_stamp BEFORE INSERT OR UPDATE ON reqboard.events
    FOR EACH ROW EXECUTE FUNCTION reqboard.stamp_commit();
INSERT INTO reqboard.board (id, schema_version, generation, meta) VALUES (1, 1, 0, '{}'::json);
"""

MIGRATIONS: dict[int, str] = {1: _VERSION_1}
"""The SQL that brings the schema from version n-1 to n (version 1: from nothing)."""

_INIT_LOCK = 0x72657162  # "reqb": one `server init` at a time on a database


def installed_version(conn: psycopg.Connection[Any]) -> int | None:
    """The schema version the database holds, or None when it holds no reqboard board."""
    row = conn.execute("SELECT to_regclass('reqboard.board') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return None
    found = conn.execute("SELECT schema_version FROM reqboard.board WHERE id = 1").fetchone()
    return int(found[0]) if found else None


def initialise(conn: psycopg.Connection[Any]) -> tuple[int | None, int]:
    """Create the schema, or migrate it forward to SCHEMA_VERSION, in one transaction; returns the
    version found (None: none) and the version now. A newer schema is left as it is (the caller says so).

    Concurrent inits of one database wait for each other (an advisory lock), so each sees the other's
    work and does nothing twice.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_INIT_LOCK,))
        conn.execute("CREATE SCHEMA IF NOT EXISTS reqboard")
        found = installed_version(conn)
        if found is not None and found >= SCHEMA_VERSION:
            return found, found
        for version in range((found or 0) + 1, SCHEMA_VERSION + 1):
            conn.execute(MIGRATIONS[version])  # our own SQL, no parameters
            conn.execute("UPDATE reqboard.board SET schema_version = %s WHERE id = 1", (version,))
        return found, SCHEMA_VERSION


GRANTS_EDITOR = (
    "GRANT USAGE ON SCHEMA reqboard TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA reqboard TO {role}",
    "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA reqboard TO {role}",
)
"""What a login needs to change the board."""
GRANTS_VIEWER = (
    "GRANT USAGE ON SCHEMA reqboard TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA reqboard TO {role}",
    "GRANT SELECT ON ALL SEQUENCES IN SCHEMA reqboard TO {role}",
)
"""What a login needs to read the board (and nothing more)."""
