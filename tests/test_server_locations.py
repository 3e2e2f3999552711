"""Where a server board is, as other boards record it and as two URLs can name it: a clone remembers
every connection setting but the password; one database named by its socket and by its host is one
board (a migrate or sync with itself is refused at once, not after waiting on its own lock); a server
that answers with an error is not a lost connection."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, ServerUnreachable, StoreUnreadable
from reqboard.store.sync import clone_board, migrate_board, sync_boards

from board_locations import BoardLocation
from pg_server import PgServer


def test_a_clone_remembers_every_setting_of_the_server_but_its_password(
        server_location: BoardLocation, pg_server: PgServer, tmp_path: Path) -> None:
    server_location.board("ann").add_requirement("Shared")
    assert server_location.database is not None
    url = pg_server.tcp_url(server_location.database) + "?sslmode=disable&connect_timeout=7"
    copy = tmp_path / "copy.json"
    clone_board(Board(url, "ann"), Board(copy, "ann"))
    remembered = [record["with"] for record in Board(copy, "ann").snapshot().sync.values()]
    assert len(remembered) == 1
    assert "sslmode=disable" in remembered[0] and "connect_timeout=7" in remembered[0]


def test_one_database_by_two_urls_is_one_board(server_location: BoardLocation, pg_server: PgServer) -> None:
    server_location.board("ann").add_requirement("Shared")
    assert server_location.database is not None
    socket, tcp = pg_server.url(server_location.database), pg_server.tcp_url(server_location.database)
    started = time.monotonic()
    with pytest.raises(InvalidValue, match="is the board being migrated"):
        migrate_board(Board(socket, "ann"), Board(tcp, "ann"))
    with pytest.raises(InvalidValue, match="are the same board"):
        sync_boards(Board(socket, "ann"), Board(tcp, "ann"))
    assert time.monotonic() - started < 5  # refused at once, not after the 10 s lock timeout


def test_a_query_the_server_cancels_is_its_answer_not_a_lost_connection(server_location: BoardLocation) -> None:
    board = server_location.board("ann")
    board.add_requirement("Shared")
    server_location.sql("CREATE FUNCTION reqboard.slow() RETURNS trigger LANGUAGE plpgsql AS $$"
                        " BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$;"
                        " CREATE TRIGGER slow BEFORE UPDATE ON reqboard.board FOR EACH ROW"
                        " EXECUTE FUNCTION reqboard.slow()")
    server_location.sql("ALTER DATABASE " + str(server_location.database) + " SET statement_timeout = '500ms'")
    slow = server_location.board("ann")  # a new login session: the database's statement_timeout applies
    with pytest.raises(StoreUnreadable) as caught:
        slow.add_requirement("Too slow")
    assert not isinstance(caught.value, ServerUnreachable), caught.value
    assert "canceling statement due to statement timeout" in str(caught.value)
    assert slow.storage.connection_problem is None


def test_no_secret_setting_is_shown_or_recorded() -> None:
    from reqboard.store.pgstore.url import ServerURL

    url = ServerURL.parse("postgresql://bob:pw@db.example/board?sslmode=verify-full&sslpassword=keysecret")
    assert url.shown == "postgresql://bob@db.example/board?sslmode=verify-full"
    assert url.settings["sslpassword"] == "keysecret"  # (still used to connect)


def test_a_board_watched_before_its_first_read_is_told_of_a_commit(server_location: BoardLocation) -> None:
    """A board whose first read failed has read nothing: the next commit must still wake it to read again."""
    import threading

    from waiting import wait_until

    watched = server_location.board("ann")
    told = threading.Event()
    watched.storage.watch(told.set)
    try:
        writer = server_location.board("bob")
        wait_until(lambda: listening(server_location), "the listener to LISTEN")
        assert not told.is_set()  # connecting told nobody: the first read will see the state
        writer.add_requirement("Committed while nothing was read")
        assert told.wait(10), "the commit was not told"
    finally:
        watched.storage.close()


def listening(location: BoardLocation) -> bool:
    rows = location.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name = 'reqboard listen' AND state = 'idle'")
    return bool(rows[0][0])
