"""The customer side through a sync (#16): the communication log and survey readings merge as records
that accumulate, customers one board lacks arrive, a customer's rename is carried to the other board
(store.sync.run's docstring says when), a complaint's cause conflicts like any field.

The team's board is where conftest's `board_location` says (a file, or a board on the PostgreSQL
server); the consultant's offline clone is a file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue
from reqboard.store.sync import SyncConflicts, clone_board, resolver, sync_boards
from reqboard.store.sync.run import CustomerRename, RecordsIn

from board_locations import BoardLocation
from cli_support import CliRunner

YESTERDAY = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


@pytest.fixture
def team_location(board_location: BoardLocation, tmp_path: Path) -> BoardLocation:
    return board_location if board_location.is_server else BoardLocation.file(tmp_path / "team.json")


@pytest.fixture
def pair(team_location: BoardLocation, tmp_path: Path) -> tuple[Board, Board]:
    """A team board (two requirements of ACME, one of Globex; ACME a tier A customer with a contact) and
    an offline clone of it."""
    team = team_location.board("ann")
    team.add_customer("ACME", "A", contact="Li Wei, +86 21 5555 0101", segment="logistics")
    team.add_requirement("Export to PDF", customer="ACME")
    team.add_requirement("Login with SSO", customer="ACME")
    team.add_requirement("Dark mode", customer="Globex")
    offline = Board(tmp_path / "offline.json", "con")
    assert clone_board(team, offline) == 3
    return offline, team


def stored(board: Board) -> dict[str, dict[str, Any]]:
    return {r["uid"]: dict(r) for r in board.snapshot().requirements.values()}


def customers(board: Board) -> dict[str, dict[str, Any]]:
    """The board's customer records by name."""
    return {c.name: c.model_dump(mode="json") for c in board.customers()}


# ---------------------------------------------------------------- the communication log and readings
def test_a_note_on_each_copy_ends_on_both_once_in_time_order(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.add_note("REQ-1", "Called Li Wei: the layout is fine", channel="hotline", with_="Li Wei",
                     at=YESTERDAY + timedelta(hours=2))
    team.add_note("REQ-1", "Mailed the sample PDF", channel="email", with_="Li Wei", at=YESTERDAY)
    plan = sync_boards(offline, team)
    assert plan.pulled == plan.pushed == ["REQ-1"]
    assert plan.records == [RecordsIn("REQ-1", "ours", "notes", 1), RecordsIn("REQ-1", "theirs", "notes", 1)]
    assert plan.as_json()["records"] == {"pulled": [{"key": "REQ-1", "field": "notes", "count": 1}],
                                         "pushed": [{"key": "REQ-1", "field": "notes", "count": 1}]}
    for board in pair:
        notes = board.get("REQ-1").notes
        assert [(n.text, n.by, n.channel.value, n.with_, n.at) for n in notes] == [
            ("Mailed the sample PDF", "ann", "email", "Li Wei", YESTERDAY),
            ("Called Li Wei: the layout is fine", "con", "hotline", "Li Wei", YESTERDAY + timedelta(hours=2))]
        assert sorted(e.new["text"] for e in board.history("REQ-1") if e.action == "note") == [
            "Called Li Wei: the layout is fine", "Mailed the sample PDF"]
    assert stored(offline) == stored(team)
    again = sync_boards(team, offline)
    assert again.changes_nothing and len(offline.get("REQ-1").notes) == 2


def test_a_note_on_a_requirement_the_other_copy_changed_merges_without_a_conflict(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.add_note("REQ-2", "Workshop: scope agreed", channel="interview", with_="Li Wei")
    team.edit_requirement("REQ-2", {"owner": "bob"})
    plan = sync_boards(offline, team)
    assert not plan.conflicts and plan.records == [RecordsIn("REQ-2", "theirs", "notes", 1)]
    assert [n.text for n in team.get("REQ-2").notes] == ["Workshop: scope agreed"]
    assert offline.get("REQ-2").owner == "bob"


def test_interim_readings_keep_their_scores_and_reasons(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.record_feedback("REQ-2", 2, "still waiting for the test system", channel="hotline", interim=True,
                            scores={"quality": 3, "responsiveness": 1}, reasons=["late", "communication"])
    team.record_feedback("REQ-2", 4, "demo went well", channel=None, interim=True, scores={"communication": 5})
    sync_boards(offline, team)
    for board in pair:
        req = board.get("REQ-2")
        assert req.state.value == "collected"  # interim: nothing moved
        readings = sorted(req.feedback, key=lambda f: f.satisfaction)
        assert [(f.satisfaction, f.interim, f.scores, f.reasons, f.channel.value, f.by) for f in readings] == [
            (2, True, {"quality": 3, "responsiveness": 1}, ("late", "communication"), "hotline", "con"),
            (4, True, {"communication": 5}, (), "other", "ann")]
    assert stored(offline) == stored(team)


# ---------------------------------------------------------------- customers
def test_a_customer_added_on_one_side_alone_appears_on_the_other(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.add_customer("Initech", "C", contact="Bill, bill@initech.example", segment="software",
                         notes="Pays late; always asks for a discount.")
    plan = sync_boards(offline, team)
    # A customer alone is a change: the sync is written (an older reqboard said "already in sync").
    assert not plan.changes_nothing and plan.written
    assert (plan.customers_pushed, plan.customers_pulled) == (["Initech"], [])
    assert customers(team)["Initech"] == {"name": "Initech", "tier": "C", "contact": "Bill, bill@initech.example",
                                          "segment": "software", "notes": "Pays late; always asks for a discount."}
    assert sync_boards(team, offline).changes_nothing


def test_a_known_customers_record_stays_each_boards_own(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.edit_customer("ACME", contact="Zhang Min, +86 21 5555 0199")
    team.edit_customer("ACME", segment="retail")
    sync_boards(offline, team)
    assert (customers(offline)["ACME"]["contact"], customers(offline)["ACME"]["segment"]) == (
        "Zhang Min, +86 21 5555 0199", "logistics")
    assert (customers(team)["ACME"]["contact"], customers(team)["ACME"]["segment"]) == (
        "Li Wei, +86 21 5555 0101", "retail")


def test_a_rename_on_one_side_carries_over_with_the_other_boards_own_record(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    renamed, changed = offline.rename_customer("ACME", "ACME Corporation")
    assert (renamed.name, changed) == ("ACME Corporation", 2)
    team.edit_customer("ACME", contact="Wang Fang, +86 21 5555 0102")  # the team's own record, edited meanwhile
    newer = team.add_requirement("Invoices by mail", customer="acme")  # made under the old name meanwhile
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    assert plan.customers_renamed == [CustomerRename("theirs", "ACME", "ACME Corporation")]
    assert (plan.customers_pulled, plan.customers_pushed) == ([], [])  # the old name does not come back
    for board in pair:
        assert {r.key: r.customer for r in board.requirements()} == {
            "REQ-1": "ACME Corporation", "REQ-2": "ACME Corporation", "REQ-3": "Globex",
            newer.key: "ACME Corporation"}
        assert sorted(customers(board)) == ["ACME Corporation", "Globex"]
    assert customers(team)["ACME Corporation"]["contact"] == "Wang Fang, +86 21 5555 0102"
    assert customers(offline)["ACME Corporation"]["contact"] == "Li Wei, +86 21 5555 0101"
    assert team.get(newer.key).tier is not None and team.get(newer.key).tier.value == "A"
    # The rename's event, once on each board, known by its id: a second sync has nothing to do.
    [on_team] = [e for e in team.history() if e.key == "board" and e.action == "customer.renamed"]
    [on_offline] = [e for e in offline.history() if e.key == "board" and e.action == "customer.renamed"]
    assert (on_team.id, on_team.old, on_team.new, on_team.by) == (on_offline.id, "ACME", "ACME Corporation", "con")
    assert stored(offline) == stored(team)
    assert sync_boards(team, offline).changes_nothing


def test_a_chain_of_renames_follows_itself(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.rename_customer("Globex", "Globex Ltd")
    offline.rename_customer("globex ltd", "Globex Group")
    sync_boards(offline, team)
    assert sorted(customers(team)) == ["ACME", "Globex Group"]
    assert team.get("REQ-3").customer == "Globex Group"


def test_a_rename_never_merges_two_customers(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    """Globex renamed Initech on one board while the other has a different company named Initech: carried
    over, Globex's requirements would become that company's (and its report would show them). The sync
    is refused, naming both, and writes nothing; once one is renamed apart, it goes through."""
    offline.rename_customer("Globex", "Initech")
    team.add_customer("Initech", "C", notes="a different company")
    initech = team.add_requirement("Single sign-on", customer="Initech").key
    before = (offline.generation, team.generation)
    with pytest.raises(InvalidValue, match="renamed the customer Globex to Initech"):
        sync_boards(offline, team)
    assert (offline.generation, team.generation) == before
    offline.rename_customer("Initech", "Globex Initech")
    sync_boards(offline, team)
    for board in pair:
        assert board.get("REQ-3").customer == "Globex Initech"
        assert board.get(initech).customer == "Initech"
        assert customers(board)["Initech"]["notes"] == "a different company"


def test_a_customer_renamed_differently_on_both_sides_conflicts_on_its_requirements(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.rename_customer("Globex", "Globex Ltd")
    team.rename_customer("Globex", "Globex GmbH")
    with pytest.raises(SyncConflicts) as refused:
        sync_boards(offline, team)
    assert [(c.name, c.ours, c.theirs) for c in refused.value.plan.conflicts] == [
        ("REQ-3.customer", "Globex Ltd", "Globex GmbH")]
    sync_boards(offline, team, decide=resolver("theirs"))
    for board in pair:
        assert board.get("REQ-3").customer == "Globex GmbH"
        assert sorted(customers(board)) == ["ACME", "Globex GmbH", "Globex Ltd"]


# ---------------------------------------------------------------- complaints
def test_a_cause_edited_on_both_sides_conflicts_like_any_field(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    key = team.add_requirement("Invoices show the wrong VAT", customer="ACME", channel="complaint").key
    sync_boards(offline, team)
    offline.edit_requirement(key, {"cause": "billing"})
    team.edit_requirement(key, {"cause": "Defect"})  # spelt as the board's list has it
    with pytest.raises(SyncConflicts) as refused:
        sync_boards(offline, team)
    [conflict] = refused.value.plan.conflicts
    assert (conflict.name, conflict.base, conflict.ours, conflict.theirs) == (f"{key}.cause", "", "billing", "defect")
    assert team.get(key).cause == "defect" and offline.get(key).cause == "billing"  # nothing written
    sync_boards(offline, team, decide=resolver(None, {f"{key}.cause": "ours"}))
    assert offline.get(key).cause == team.get(key).cause == "billing"


# ---------------------------------------------------------------- the command line
def test_sync_dry_run_json_says_what_comes_of_the_notes_and_customers(pair: tuple[Board, Board], cli: CliRunner,
                                                                     team_location: BoardLocation) -> None:
    offline, team = pair
    offline.add_note("REQ-1", "Called: layout fine", with_="Li Wei")
    offline.add_note("REQ-1", "Mailed the sample", channel="email")
    offline.rename_customer("Globex", "Globex Ltd")
    before = offline.path.read_bytes(), team_location.state()
    said = cli.json("--store", str(offline.path), "sync", team.storage.location, "--dry-run")
    assert said["pushed"] == ["REQ-1", "REQ-3"] and said["written"] is False
    assert said["records"] == {"pulled": [], "pushed": [{"key": "REQ-1", "field": "notes", "count": 2}]}
    assert said["customers"] == {"pulled": [], "pushed": [],
                                 "renamed": [{"board": "theirs", "from": "Globex", "to": "Globex Ltd"}]}
    assert (offline.path.read_bytes(), team_location.state()) == before


def test_the_dry_run_says_which_notes_and_customers_come_over(tmp_path: Path, cli: CliRunner) -> None:
    """`sync --dry-run` names what comes to a requirement both boards hold and the customers added,
    not just a count of history events."""
    team = Board(tmp_path / "team.json", "ann")
    key = team.add_requirement("Export", customer="ACME").key
    offline = Board(tmp_path / "offline.json", "con")
    clone_board(team, offline)
    offline.add_note(key, "Called Li about the export")
    offline.add_customer("Beta Ltd", "C")
    out = cli("--store", str(offline.path), "sync", "--dry-run")
    assert f"would add 1 note to {key} on" in out
    assert "would add the customer Beta Ltd to" in out
    assert len(team.customers()) == 1 and team.get(key).notes == ()  # (a dry run)


def test_a_requirement_moved_to_a_customer_the_other_board_renamed_follows_the_rename(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.rename_customer("Globex", "Globex Ltd")
    team.edit_requirement("REQ-1", {"customer": "Globex"})  # moved to Globex meanwhile, under its old name
    sync_boards(offline, team)
    for board in pair:
        assert board.get("REQ-1").customer == board.get("REQ-3").customer == "Globex Ltd"
        assert "Globex" not in customers(board)


def test_an_undone_note_and_reading_do_not_come_back_from_the_other_board(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    before = offline.get("REQ-1")
    offline.add_note("REQ-1", "Called the wrong customer")
    noted = offline.record_feedback("REQ-1", 4, interim=True)
    sync_boards(offline, team)
    assert len(team.get("REQ-1").notes) == 1
    offline.replace_requirement(before, expect_version=noted.version)  # undone: no note, no reading
    sync_boards(offline, team)
    for board in pair:
        assert board.get("REQ-1").notes == () and board.get("REQ-1").feedback == ()


def test_a_customer_that_only_looks_like_one_the_other_board_has_is_not_added(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.add_customer("Initech Corp", "B")
    team.add_customer("ＩＮＩＴＥＣＨ Corp", "B")
    sync_boards(offline, team)
    for board in pair:
        names = list(customers(board))
        assert sum(1 for n in names if n.casefold().replace("ｉｎｉｔｅｃｈ", "initech") == "initech corp") == 1
