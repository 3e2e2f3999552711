"""A login that may only read (GRANTS_VIEWER) opens a server board read-only, and every write it
attempts, from the store or from any command of the CLI, is refused cleanly: exit 1, one `error:` line
saying why, no traceback, nothing written. The same commands, run by an editor afterwards, do write:
each was a real change the viewer was refused, not a refusal for another reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.errors import Refused
from reqboard.store.exchange.json_io import dumps, export_json
from reqboard.store.models import State
from reqboard.store.pgstore.schema import GRANTS_VIEWER

from board_locations import BoardLocation
from cli_support import assert_one_error_line
from pg_server import PgServer

VIEWER = "viewer_vera"
READ_ONLY = f"{VIEWER} may only read"


def viewer_url(server: PgServer, where: BoardLocation) -> str:
    """`where`'s board for the viewer: a login (made with the server fixture's helper) granted
    GRANTS_VIEWER on that database only."""
    assert where.database is not None
    server.create_role(VIEWER)
    for grant in GRANTS_VIEWER:
        where.sql(grant.format(role=VIEWER))
    return server.url(where.database, user=VIEWER)


@pytest.fixture
def team(server_location: BoardLocation, tmp_path: Path) -> BoardLocation:
    """A server board in the middle of work, so that every write command below has something to do:
    REQ-1 analysed, REQ-2 and REQ-5 collected, REQ-3 done, REQ-4 approved and changed by CR-3 (which
    made REQ-6, built on it, suspect), CR-1 filed, CR-2 assessed, CR-3 approved, CR-4 implemented
    (CR-1, 2 and 4 are REQ-1's), CR-5 filed; an offline clone (a file) with a change of its own to sync."""
    lead = server_location.board("lead")
    scored = {"customer": "ACME", "importance": 4, "urgency": 3, "kano": "performance"}
    for title in ("Export to PDF", "Dark mode", "Telemetry", "Login with SSO", "Audit log"):
        lead.add_requirement(title, **(scored if title != "Dark mode" and title != "Audit log" else {}))
    lead.move_requirement("REQ-1", State.ANALYSED)
    lead.move_requirement("REQ-3", State.ANALYSED)
    lead.approve("REQ-3", "ok")
    lead.move_requirement("REQ-3", State.IN_PROGRESS, updates={"owner": "bob"})
    lead.move_requirement("REQ-3", State.DONE)
    lead.move_requirement("REQ-4", State.ANALYSED)
    lead.approve("REQ-4", "ok")
    lead.add_requirement("Uses SSO", depends_on=("REQ-4",))
    lead.add_change_request("REQ-1", "Also Word")                                    # CR-1 filed
    for key, summary in (("REQ-1", "Also ODT"), ("REQ-4", "SAML too"), ("REQ-1", "Faster")):
        cr = lead.add_change_request(key, summary, new_title=f"{summary}!").key      # CR-2, CR-3, CR-4
        lead.assess_change_request(cr, schedule_days=1, cost=10, effort_hours=2)
    lead.decide_change_request("CR-3", approve=True, rationale="ok")
    lead.decide_change_request("CR-4", approve=True, rationale="ok")
    lead.implement_change_request("CR-4")
    lead.add_change_request("REQ-2", "Night mode")                                   # CR-5 filed
    assert lead.get("REQ-6").suspect
    offline = Board(tmp_path / "offline.json", "con")
    from reqboard.store.sync import clone_board

    clone_board(lead, offline)
    offline.edit_requirement("REQ-3", {"description": "Measured on the offline board"})
    return server_location


def write_commands(tmp_path: Path, empty_board: str) -> list[list[str]]:
    """Every command that changes the board it is given (--store, or a DEST): each valid here, and
    still valid after the ones before it."""
    incoming = tmp_path / "incoming.json"
    source = Board(tmp_path / "source.json", "sam")
    source.add_requirement("From a customer workshop", customer="Initech")
    incoming.write_bytes(dumps(export_json(source)))
    return [
        ["add", "Offline maps"],
        ["edit", "REQ-2", "--owner", "dora", "--tag", "ui"],
        ["move", "REQ-5", "analysed", "--customer", "ACME", "--importance", "3", "--urgency", "2",
         "--kano", "performance"],
        ["approve", "REQ-1", "--comment", "agreed"],
        ["feedback", "REQ-3", "--satisfaction", "4", "--comment", "happy"],
        ["reject", "REQ-5", "--reason", "duplicate"],
        ["review", "REQ-6", "--comment", "still fine"],
        ["cr", "add", "REQ-2", "Follow the system theme"],
        ["cr", "assess", "CR-1", "--schedule-days", "2", "--cost", "100", "--effort-hours", "8"],
        ["cr", "approve", "CR-2", "--rationale", "cheap"],
        ["cr", "reject", "CR-5", "--rationale", "not now"],
        ["cr", "implement", "CR-3"],
        ["cr", "close", "CR-4"],
        ["import", str(incoming), "--rekey"],
        ["wip", "in-progress", "3"],
        ["sync", str(tmp_path / "offline.json")],
        ["clone", str(tmp_path / "source.json"), empty_board],
    ]


@pytest.fixture
def empty_board(pg_server: PgServer, server_location: BoardLocation) -> Iterator[BoardLocation]:
    """A second server board, empty, to clone or migrate into."""
    name = pg_server.create_database()
    try:
        yield BoardLocation.on_server(pg_server, name)
    finally:
        pg_server.drop_database(name)


def run(capsys: pytest.CaptureFixture[str], argv: list[str], store: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*argv, "--store", store])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_viewer_opens_the_board_read_only_and_reads_all_of_it(team: BoardLocation, pg_server: PgServer) -> None:
    board = Board(viewer_url(pg_server, team), "lead")  # the name given changes nothing: the login acts
    assert board.user == VIEWER
    reason = board.read_only_reason
    assert reason is not None and reason.startswith(READ_ONLY) and "read-only" in reason
    assert [r.key for r in board.requirements()] == [f"REQ-{n}" for n in range(1, 7)]
    assert [c.key for c in board.cards()] == [f"REQ-{n}" for n in range(1, 7)]
    assert [e.action for e in board.history("REQ-3")][:2] == ["created", "moved"]
    assert sorted(cr.key for _req, cr in board.change_requests()) == [f"CR-{n}" for n in range(1, 6)]
    assert board.settings() == {}
    board.storage.close()


STORE_WRITES: dict[str, Callable[[Board], Any]] = {
    "add": lambda b: b.add_requirement("New"),
    "edit": lambda b: b.edit_requirement("REQ-2", {"owner": "vera"}),
    "move": lambda b: b.move_requirement("REQ-1", State.REJECTED, reason="no"),
    "approve": lambda b: b.approve("REQ-1", "fine"),
    "feedback": lambda b: b.record_feedback("REQ-3", 4, "ok"),
    "review": lambda b: b.review("REQ-6", "fine"),
    "wip": lambda b: b.set_wip_limit("done", 3),
    "cr": lambda b: b.add_change_request("REQ-1", "More"),
    "cr-decide": lambda b: b.decide_change_request("CR-2", approve=True, rationale="ok"),
    "transaction": lambda b: b.transaction().__enter__(),
}


@pytest.mark.parametrize("write", list(STORE_WRITES))
def test_every_write_through_the_store_is_refused_and_writes_nothing(write: str, team: BoardLocation,
                                                                     pg_server: PgServer) -> None:
    board = Board(viewer_url(pg_server, team), "vera")
    before = team.state()
    with pytest.raises(Refused) as refused:
        STORE_WRITES[write](board)
    assert (refused.value.exit_code, refused.value.rule) == (1, "server.read_only")
    assert str(refused.value).startswith(READ_ONLY)
    assert team.state() == before
    board.storage.close()


def test_every_write_command_is_refused_in_one_line_and_writes_nothing(
        team: BoardLocation, empty_board: BoardLocation, pg_server: PgServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    viewer = viewer_url(pg_server, team)
    viewer_of_empty = viewer_url(pg_server, empty_board)
    offline = tmp_path / "offline.json"
    before = (team.state(), empty_board.state(), offline.read_bytes())

    commands = write_commands(tmp_path, viewer_of_empty)
    for argv in commands:
        code, out, err = run(capsys, argv, viewer)
        assert code == 1, (argv, code, out, err)
        assert_one_error_line(err)
        assert READ_ONLY in err and "read-only" in err, (argv, err)
        assert (team.state(), empty_board.state(), offline.read_bytes()) == before, argv
    # A whole board migrated into the empty one, as the viewer: refused too.
    code, _, err = run(capsys, ["migrate", str(tmp_path / "source.json"), viewer_of_empty], viewer)
    assert code == 1 and READ_ONLY in err
    assert_one_error_line(err)
    # Reading is fine.
    code, out, _ = run(capsys, ["list", "--json"], viewer)
    assert code == 0 and len(orjson.loads(out)) == 6
    assert (team.state(), empty_board.state(), offline.read_bytes()) == before

    # The control: an editor running the same commands changes the board with each of them.
    editor, editor_of_empty = team.at("lead"), empty_board.at("lead")
    for argv in write_commands(tmp_path, editor_of_empty):
        state = (team.state(), empty_board.state())
        code, out, err = run(capsys, argv, editor)
        assert code == 0, (argv, out, err)
        assert (team.state(), empty_board.state()) != state, argv
