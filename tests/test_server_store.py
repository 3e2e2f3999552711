"""The board on a PostgreSQL server as its users and a hostile world see it (issue #14): the author of
every change is the database login and the server stamps who committed each row, whatever a client
says; a database without a board, a bad URL and a password are each handled in one line, and a
password is never shown. Behaviour shared with the file runs in the store's own tests on both storages
(conftest's `board_location`); the CLI's server commands are in test_cli_server.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.errors import StoreUnreadable, Unsupported
from reqboard.store.models import State

from board_locations import BoardLocation, database_of
from cli_support import assert_one_error_line
from pg_server import PgServer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "Zq9-s3cr3t-pw"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`reqboard ARGV` in this process: exit code, stdout, stderr (nothing asserted)."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err: str) -> str:
    """The one `error:` line of a failed command's stderr; a note about a password in the URL may stand
    before it, nothing else."""
    lines = err.splitlines(keepends=True)
    notes = [line for line in lines if line.startswith("note: ")]
    assert len(notes) <= 1 and all("password" in note for note in notes), err
    rest = "".join(line for line in lines if line not in notes)
    assert_one_error_line(rest)
    return rest


# ============================================================================ records
def test_a_record_reads_back_in_the_order_it_was_written(server_location: BoardLocation, tmp_path: Path) -> None:
    """`entered_at` lists the states in the order entered, on a server as in a file (show --json prints
    it so, and a person reads it as a timeline)."""
    entered: list[list[str]] = []
    for where in (BoardLocation.file(tmp_path / "board.json"), server_location):
        board = where.board("ann", clock=lambda: T0)
        key = board.add_requirement("Export", customer="ACME", importance=4, urgency=3, kano="must_be").key
        board.move_requirement(key, State.ANALYSED)
        board.approve(key, "ok")
        board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "bob"})
        board.move_requirement(key, State.DONE)
        entered.append([str(state) for state in board.get(key).entered_at])
    assert entered[0] == ["collected", "analysed", "approved", "in_progress", "done"]
    assert entered[1] == entered[0]


# ============================================================================ who
def test_the_author_of_every_change_is_the_database_login(server_location: BoardLocation,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ann, bob = server_location.at("ann"), server_location.at("bob")
    monkeypatch.setenv("REQBOARD_USER", "mallory")  # what anyone can set: it names nobody on a server
    code, out, err = run(capsys, "add", "Export to PDF", "--customer", "ACME", "--store", ann)
    assert (code, out, err) == (0, "REQ-1\n", "")
    code, _, err = run(capsys, "edit", "REQ-1", "--owner", "bob", "--store", bob, "--user", "mallory")
    assert code == 0
    assert err.startswith("note: ") and err.count("\n") == 1 and "bob" in err  # said once, and ignored
    code, _, err = run(capsys, "reject", "REQ-1", "--reason", "duplicate", "--store", ann, "--user", "bob")
    assert code == 0 and "ann" in err

    code, out, _ = run(capsys, "show", "REQ-1", "--json", "--store", bob)
    shown = orjson.loads(out)
    assert (shown["created_by"], shown["updated_by"]) == ("ann", "ann")
    code, out, _ = run(capsys, "history", "REQ-1", "--json", "--store", bob)
    events = [(e["by"], e["action"], e["field"]) for e in orjson.loads(out)]
    assert events == [("ann", "created", "title"), ("bob", "edited", "owner"), ("ann", "moved", "state"),
                      ("ann", "edited", "rejection_reason")]
    assert Board(bob, "mallory").user == "bob"
    # The server's own stamp says the same, row by row.
    assert server_location.sql("SELECT event->>'by', committed_by FROM reqboard.events ORDER BY seq") == [
        (by, by) for by, _, _ in events]
    assert server_location.sql("SELECT updated_by, committed_by FROM reqboard.requirements") == [("ann", "ann")]
    assert server_location.sql("SELECT committed_by FROM reqboard.board") == [("ann",)]


def test_the_server_stamps_who_committed_whatever_a_client_writes(server_location: BoardLocation) -> None:
    """A client that lies (writes the tables itself, naming someone else) is still named by the server."""
    server_location.board("ann").add_requirement("Export", customer="ACME")
    server_location.at("mallory")  # an editor's login
    forged = orjson.dumps({"at": "2000-01-01T00:00:00Z", "by": "ann", "key": "REQ-1", "action": "edited",
                           "field": "owner", "old": "", "new": "ann", "id": "f" * 32}).decode()
    server_location.sql(
        "INSERT INTO reqboard.events (generation, key, uid, event, committed_by, committed_at)"
        " VALUES (1, 'REQ-1', NULL, %s::jsonb, 'ann', '2000-01-01')", [forged], user="mallory")
    server_location.sql("UPDATE reqboard.requirements SET owner = 'ann', committed_by = 'ann',"
                        " committed_at = '2000-01-01'", user="mallory")
    server_location.sql("UPDATE reqboard.board SET committed_by = 'ann'", user="mallory")
    recent = "committed_at > now() - interval '1 hour'"
    assert server_location.sql(f"SELECT event->>'by', committed_by, {recent} FROM reqboard.events ORDER BY seq") == [
        ("ann", "ann", True), ("ann", "mallory", True)]
    assert server_location.sql(f"SELECT owner, committed_by, {recent} FROM reqboard.requirements") == [
        ("ann", "mallory", True)]
    assert server_location.sql("SELECT committed_by FROM reqboard.board") == [("mallory",)]


# ============================================================================ a database without a board
def test_a_database_without_a_board_is_one_line_naming_server_init(pg_url: str, capsys: pytest.CaptureFixture[str],
                                                                   pg_server: PgServer) -> None:
    with pytest.raises(StoreUnreadable, match="reqboard server init") as caught:
        Board(pg_url, "ann")
    assert caught.value.exit_code == 4
    for argv in (["list"], ["add", "x"], ["show", "REQ-1"], ["history", "REQ-1"], ["wip", "done", "2"],
                 ["export"], ["report"]):
        code, out, err = run(capsys, *argv, "--store", pg_url)
        assert (code, out) == (4, ""), argv
        assert_one_error_line(err)
        assert "reqboard server init" in err and "holds no reqboard board" in err, err
    # Nothing was made in it on the way.
    assert pg_server.sql("SELECT to_regnamespace('reqboard') IS NULL", db=database_of(pg_url)) == [(True,)]


# ============================================================================ bad URLs
@pytest.mark.parametrize(("location", "said"), [
    ("postgresql:///board?frobnicate=1", 'invalid URI query parameter: "frobnicate"'),
    ("postgresql://localhost", "the URL names no database"),
    ("postgresql://db.example:5432/", "the URL names no database"),
    ("postgres://u:" + PASSWORD + "@[::1/board", "not a PostgreSQL URL"),
])
def test_a_bad_url_is_a_usage_error_in_one_line(location: str, said: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Unsupported, match=said) as caught:
        Board(location, "ann")
    assert caught.value.exit_code == 2 and PASSWORD not in str(caught.value)
    for argv in (["list"], ["add", "x"]):
        code, out, err = run(capsys, *argv, "--store", location)
        assert (code, out) == (2, "")
        assert said in error_line(err) and PASSWORD not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]  # nothing made for it


def test_a_port_that_is_no_number_is_a_bad_url(pg_server: PgServer, capsys: pytest.CaptureFixture[str]) -> None:
    location = f"postgresql:///board?host={pg_server.socket_dir}&port=fifty"
    code, _, err = run(capsys, "list", "--store", location)
    assert code == 2 and "fifty" in error_line(err)


# ============================================================================ passwords
@pytest.fixture
def with_password(server_location: BoardLocation, pg_server: PgServer) -> str:
    """The board's URL over TCP for a login that must give its password, the password in the URL."""
    assert server_location.database is not None
    server_location.at("keeper")  # made an editor first; the password is set on the same role
    pg_server.create_role("keeper", password=PASSWORD)
    return pg_server.tcp_url(server_location.database, user="keeper", password=PASSWORD)


def test_a_password_never_appears_in_any_output(with_password: str, server_location: BoardLocation,
                                                pg_server: PgServer, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    url = with_password
    outputs: list[tuple[int, str, str]] = []

    def reqboard(*argv: str) -> tuple[int, str, str]:
        outputs.append(run(capsys, *argv))
        return outputs[-1]

    assert reqboard("add", "Export to PDF", "--customer", "ACME", "--store", url)[:2] == (0, "REQ-1\n")
    assert reqboard("edit", "REQ-1", "--owner", "bob", "--store", url)[0] == 0
    for argv in (["list"], ["show", "REQ-1"], ["show", "REQ-1", "--json"], ["history", "REQ-1"],
                 ["history", "REQ-1", "--json"], ["export"], ["report"], ["wip"], ["cr", "list"]):
        assert reqboard(*argv, "--store", url)[0] == 0, outputs[-1]
    # Refusals name the board: never with its password.
    assert reqboard("edit", "REQ-1", "--owner", "x", "--expect-version", "1", "--store", url)[0] == 3
    assert reqboard("show", "REQ-9", "--store", url)[0] == 1
    assert reqboard("restore", "--store", url)[0] == 2
    assert reqboard("check", "--store", url)[0] == 2
    # A clone remembers where it came from (and the server remembers the clone): without the password.
    clone = tmp_path / "offline.json"
    assert reqboard("clone", url, str(clone))[0] == 0
    assert reqboard("sync", url, "--store", str(clone))[0] == 0
    # The partner it remembers has no password: that is for ~/.pgpass (or PGPASSWORD) to give.
    code, _, err = reqboard("sync", "--store", str(clone))
    assert code == 4 and "no password supplied" in error_line(err), err
    # A wrong password, and a server that is down, are refused without repeating it.
    wrong = url.replace(PASSWORD, "Wr0ng-" + PASSWORD[::-1])
    code, _, err = reqboard("list", "--store", wrong)
    assert code == 4 and "password authentication failed" in error_line(err)
    pg_server.stop()
    try:
        code, _, err = reqboard("list", "--store", url)
        assert code == 4 and "cannot reach the board server at 127.0.0.1:" in error_line(err)
    finally:
        pg_server.start()

    for code, out, err in outputs:
        assert PASSWORD not in out + err and PASSWORD[::-1] not in out + err, (code, out, err)
        if code:
            error_line(err)
    assert PASSWORD.encode() not in clone.read_bytes()
    stored = server_location.sql("SELECT meta::text || (SELECT string_agg(event::text, '') FROM reqboard.events)"
                                 " FROM reqboard.board")
    assert PASSWORD not in stored[0][0]
    assert "offline.json" in stored[0][0]  # (the server does record its partner)


def test_a_password_in_the_environment_is_not_printed_either(with_password: str, pg_server: PgServer,
                                                             server_location: BoardLocation,
                                                             capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq's PGPASSWORD (or a password file) is the way to give it: nothing prints it, no note is needed."""
    assert server_location.database is not None
    url = pg_server.tcp_url(server_location.database, user="keeper")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    code, out, err = run(capsys, "add", "Export", "--store", url)
    assert (code, out, err) == (0, "REQ-1\n", "")
    assert run(capsys, "show", "REQ-1", "--json", "--store", url)[0] == 0
    monkeypatch.setenv("PGPASSWORD", "not-" + PASSWORD)
    code, out, err = run(capsys, "list", "--store", url)
    assert code == 4 and PASSWORD not in out + err
    assert_one_error_line(err)
