"""A connection lost while the server commits: the change may or may not be saved, so the board says so
(CommitUncertain) instead of "nothing was saved", and the board's TUI link does not repeat it."""

from __future__ import annotations

import threading

import pytest

from reqboard.store.errors import CommitUncertain, ServerUnreachable

from board_locations import BoardLocation
from waiting import wait_until

SLOW_COMMIT = """
CREATE FUNCTION reqboard.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON reqboard.board
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reqboard.slow_commit();
"""


def committing(location: BoardLocation) -> bool:
    """Is a reqboard backend of this database inside its COMMIT (the deferred trigger's sleep)?"""
    rows = location.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name = 'reqboard' AND wait_event = 'PgSleep'")
    return bool(rows[0][0])


def test_a_connection_lost_during_the_commit_is_uncertain_not_unsaved(server_location: BoardLocation) -> None:
    board = server_location.board("ann")
    board.add_requirement("Before")
    server_location.sql(SLOW_COMMIT)  # every later commit sleeps in its deferred trigger, at COMMIT
    failure: list[BaseException] = []

    def add() -> None:
        try:
            board.add_requirement("During the commit")
        except BaseException as exc:  # the test reads it
            failure.append(exc)

    writer = threading.Thread(target=add)
    writer.start()
    wait_until(lambda: committing(server_location), "the change to be inside its COMMIT", timeout=30, poll=0.05)
    server_location.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name = 'reqboard' AND wait_event = 'PgSleep'")
    writer.join(timeout=30)
    assert not writer.is_alive()
    assert len(failure) == 1 and isinstance(failure[0], CommitUncertain), failure
    assert isinstance(failure[0], ServerUnreachable) and failure[0].exit_code == 4
    assert "may or may not be saved" in str(failure[0])
    server_location.sql("DROP TRIGGER slow_commit ON reqboard.board")
    assert [c.title for c in server_location.board("ann").cards()] == ["Before"]  # (killed: not saved)


def test_a_connection_lost_before_the_commit_is_nothing_saved(server_location: BoardLocation) -> None:
    board = server_location.board("ann")
    board.add_requirement("Before")
    server_location.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name = 'reqboard'")
    # The pool finds the killed connection out before use: the next change is made on a new one.
    assert board.add_requirement("After").key == "REQ-2"
    with pytest.raises(ServerUnreachable) as caught:
        board.storage.close()
        board.add_requirement("Closed")
    assert not isinstance(caught.value, CommitUncertain)
