"""The sync's store side: the base each board keeps, the merge's rules, renumbering, and a crash
between the two boards' commits (store.sync). The CLI and real processes: test_sync_cli.py,
test_sync_processes.py; random operations on both sides: test_sync_property.py.

The team's board is where conftest's `board_location` says: a file, and a board on the PostgreSQL
server (a consultant clones from the server to a file, works offline and syncs back)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import Conflict, InvalidValue, NotFound, StoreUnreadable
from reqboard.store.sync import SyncConflicts, clone_board, default_other, resolver, sync_boards

from board_locations import BoardLocation


@pytest.fixture
def team_location(board_location: BoardLocation, tmp_path: Path) -> BoardLocation:
    """Where the team's board is: a file (team.json) or a server board."""
    return board_location if board_location.is_server else BoardLocation.file(tmp_path / "team.json")


@pytest.fixture
def pair(team_location: BoardLocation, tmp_path: Path) -> tuple[Board, Board]:
    """A team board with three requirements and an offline clone of it (a file)."""
    team = team_location.board("ann")
    for title in ("Export to PDF", "Login with SSO", "Dark mode"):
        team.add_requirement(title, customer="ACME")
    offline = Board(tmp_path / "offline.json", "con")
    assert clone_board(team, offline) == 3
    return offline, team


def stored(board: Board) -> dict[str, dict[str, Any]]:
    """The stored records by uid."""
    return {r["uid"]: dict(r) for r in board.snapshot().requirements.values()}


def event_ids(board: Board) -> set[str | None]:
    return {e.id for e in board.history() if e.key != "board"}


def states(offline: Board, team: Board, team_location: BoardLocation) -> tuple[Any, ...]:
    """Everything both boards hold (the offline file's bytes, the team board's files or tables)."""
    return offline.path.read_bytes(), team_location.state()


def test_a_clone_is_the_whole_board_and_both_remember_it(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    assert stored(offline) == stored(team)
    assert event_ids(offline) == event_ids(team) and None not in event_ids(team)
    assert default_other(offline) == team.storage.location
    assert default_other(team) == offline.storage.location
    plan = sync_boards(offline, team)
    assert plan.changes_nothing and not plan.written


def test_a_clone_never_writes_over_a_file(pair: tuple[Board, Board], tmp_path: Path) -> None:
    _offline, team = pair
    taken = tmp_path / "taken.json"
    taken.write_bytes(b"precious")
    with pytest.raises(InvalidValue, match="exists"):
        clone_board(team, Board(taken, "con"))
    assert taken.read_bytes() == b"precious"


def test_edits_of_different_fields_on_each_side_both_arrive(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.edit_requirement("REQ-1", {"title": "Export to PDF and Word"})
    team.edit_requirement("REQ-1", {"owner": "bob"})
    team.move_requirement("REQ-2", "analysed", updates={"importance": 4, "urgency": 3, "kano": "performance"})
    plan = sync_boards(offline, team)
    assert plan.pulled == ["REQ-1", "REQ-2"] and plan.pushed == ["REQ-1"]
    for board in (offline, team):
        one, two = board.get("REQ-1"), board.get("REQ-2")
        assert (one.title, one.owner) == ("Export to PDF and Word", "bob")
        assert two.state.value == "analysed" and two.importance == 4
    assert stored(offline) == stored(team)
    assert event_ids(offline) == event_ids(team)


def test_a_field_both_changed_is_a_conflict_that_writes_nothing(pair: tuple[Board, Board],
                                                                team_location: BoardLocation) -> None:
    offline, team = pair
    offline.edit_requirement("REQ-3", {"title": "Dark theme"})
    team.edit_requirement("REQ-3", {"title": "Night mode"})
    team.edit_requirement("REQ-1", {"owner": "bob"})
    before = states(offline, team, team_location)
    with pytest.raises(SyncConflicts) as refused:
        sync_boards(offline, team)
    assert refused.value.exit_code == 3
    [conflict] = refused.value.plan.conflicts
    assert (conflict.name, conflict.base, conflict.ours, conflict.theirs) == (
        "REQ-3.title", "Dark mode", "Dark theme", "Night mode")
    assert refused.value.plan.pulled == ["REQ-1", "REQ-3"]  # the whole plan, though nothing is written
    assert states(offline, team, team_location) == before

    sync_boards(offline, team, decide=resolver(None, {"REQ-3.title": "theirs"}))
    assert offline.get("REQ-3").title == team.get("REQ-3").title == "Night mode"
    assert offline.get("REQ-1").owner == "bob"


def test_the_same_change_on_both_sides_is_no_conflict(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    for board in pair:
        board.edit_requirement("REQ-2", {"owner": "dan"})
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    assert offline.get("REQ-2").owner == team.get("REQ-2").owner == "dan"


def test_a_move_on_one_side_and_an_edit_on_the_other_both_apply(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.move_requirement("REQ-1", "analysed", updates={"importance": 5, "urgency": 5, "kano": "performance"})
    team.edit_requirement("REQ-1", {"description": "Also landscape pages"})
    sync_boards(team, offline)  # from either side
    for board in pair:
        req = board.get("REQ-1")
        assert (req.state.value, req.description) == ("analysed", "Also landscape pages")
    assert stored(offline) == stored(team)


def test_two_different_moves_conflict(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.move_requirement("REQ-1", "analysed", updates={"importance": 5, "urgency": 5, "kano": "performance"})
    team.reject("REQ-1", "out of scope")
    with pytest.raises(SyncConflicts) as refused:
        sync_boards(offline, team)
    assert "REQ-1.state" in {c.name for c in refused.value.plan.conflicts}
    sync_boards(offline, team, decide=resolver("ours"))
    assert offline.get("REQ-1").state.value == team.get("REQ-1").state.value == "analysed"


def test_sets_merge_element_by_element(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.edit_requirement("REQ-1", {"tags": ("export", "pdf")})
    sync_boards(offline, team)
    offline.edit_requirement("REQ-1", {"tags": ("export", "word")})  # removed pdf, added word
    team.edit_requirement("REQ-1", {"tags": ("export", "pdf", "a11y")})  # added a11y
    offline.edit_requirement("REQ-2", {"depends_on": ("REQ-1",)})
    team.edit_requirement("REQ-2", {"depends_on": ("REQ-3",)})
    sync_boards(offline, team)
    for board in pair:
        assert set(board.get("REQ-1").tags) == {"export", "word", "a11y"}
        assert set(board.get("REQ-2").depends_on) == {"REQ-1", "REQ-3"}


def test_approvals_and_feedback_are_united_never_doubled(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.move_requirement("REQ-1", "analysed", updates={"importance": 3, "urgency": 3, "kano": "performance"})
    sync_boards(offline, team)
    offline.approve("REQ-1", "ok by the customer")
    team.edit_requirement("REQ-1", {"owner": "bob"})
    sync_boards(offline, team)
    sync_boards(team, offline)
    for board in pair:
        req = board.get("REQ-1")
        assert len(req.approvals) == 1 and req.owner == "bob" and req.state.value == "approved"


def test_a_key_created_on_both_sides_is_renumbered_on_both(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    real = offline.clock
    offline.clock = lambda: real() - timedelta(hours=1)  # created first: keeps the key
    mine = offline.add_requirement("Offline four")
    offline.clock = real
    theirs = team.add_requirement("Team four")
    offline.add_requirement("Offline five", depends_on=("REQ-4",))
    assert mine.key == theirs.key == "REQ-4"
    plan = sync_boards(offline, team)
    [moved] = plan.renumbered
    assert (moved.uid, moved.old, moved.new, moved.created_on) == (theirs.uid, "REQ-4", "REQ-6", ("theirs",))
    for board in pair:
        assert board.get("REQ-4").uid == mine.uid
        assert board.get("REQ-6").uid == theirs.uid
        assert board.get("REQ-6").previous_keys == ("REQ-4",)
        assert board.get("REQ-5").depends_on == ("REQ-4",)  # still the offline four
        assert [r.key for r in board.formerly("REQ-4")] == ["REQ-6"]
    assert stored(offline) == stored(team)
    # On the board where it was renamed, its history (written under REQ-4) is still its own.
    actions = [e.action for e in team.history("REQ-6")]
    assert actions[0] == "created" and "renumbered" in actions
    assert [e.action for e in team.history("REQ-4")][0] == "created"
    assert all(e.uid == mine.uid for e in team.history("REQ-4"))
    # The next key handed out is free on both boards.
    assert offline.add_requirement("x").key == "REQ-7" and team.add_requirement("y").key == "REQ-7"


def test_a_link_to_a_renumbered_requirement_follows_it(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.clock = lambda: team.get("REQ-1").created_at.replace(year=2099)
    offline.add_requirement("Offline four")  # created "later": this one is renumbered
    team.add_requirement("Team four")
    offline.edit_requirement("REQ-1", {"depends_on": ("REQ-4",)})  # the offline four
    sync_boards(offline, team)
    for board in pair:
        assert board.get("REQ-1").depends_on == ("REQ-5",)
        assert board.get("REQ-5").title == "Offline four"


def test_change_requests_merge_by_uid_and_clashing_keys_are_renumbered(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.add_change_request("REQ-1", "Also Word")
    sync_boards(offline, team)
    offline.assess_change_request("CR-1", schedule_days=2, cost=100, effort_hours=8)
    team.add_change_request("REQ-2", "Team CR")
    offline.add_change_request("REQ-3", "Offline CR")
    sync_boards(offline, team)
    for board in pair:
        crs = {cr.summary: (cr.key, cr.status.value) for _req, cr in board.change_requests()}
        assert crs["Also Word"] == ("CR-1", "assessed")
        assert {crs["Team CR"][0], crs["Offline CR"][0]} == {"CR-2", "CR-3"}
    assert stored(offline) == stored(team)


def test_a_second_sync_changes_no_byte(pair: tuple[Board, Board], team_location: BoardLocation) -> None:
    offline, team = pair
    offline.add_requirement("Offline four")
    team.edit_requirement("REQ-1", {"owner": "bob"})
    sync_boards(offline, team)
    before = states(offline, team, team_location)
    assert sync_boards(team, offline).changes_nothing
    assert states(offline, team, team_location) == before


def test_the_base_is_kept_only_for_records_changed_since(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    [record] = offline.sync_records().values()
    assert record["stash"] == {} and record["complete"]
    first = offline.get("REQ-1")
    offline.edit_requirement("REQ-1", {"owner": "x"})
    offline.edit_requirement("REQ-1", {"owner": "y"})  # the first pre-image stays
    new = offline.add_requirement("New")
    [record] = offline.sync_records().values()
    assert set(record["stash"]) == {first.uid, new.uid}
    assert record["stash"][first.uid]["version"] == first.version and record["stash"][new.uid] is None


def test_a_crash_between_the_two_commits_is_finished_by_the_next_sync(
        pair: tuple[Board, Board], monkeypatch: pytest.MonkeyPatch) -> None:
    offline, team = pair
    offline.edit_requirement("REQ-1", {"title": "Export to PDF and Word"})
    team.edit_requirement("REQ-2", {"owner": "bob"})
    offline.add_requirement("Offline four")
    # The boards commit in reverse location order: the one locked second commits first.
    first, second = sorted(pair, key=lambda b: b.storage.location, reverse=True)
    untouched = second.path.read_bytes()

    def crash() -> None:
        raise KeyboardInterrupt  # as a kill would: after the first board's commit, before the second's

    monkeypatch.setattr(second.storage, "_commit", crash)
    with pytest.raises(KeyboardInterrupt):
        sync_boards(offline, team)
    monkeypatch.undo()
    assert second.path.read_bytes() == untouched
    # Work goes on on both sides; the first board's record is pending, its base the second's old state.
    [record] = first.sync_records().values()
    assert not record["complete"]
    second.edit_requirement("REQ-3", {"owner": "eve"})
    first.edit_requirement("REQ-3", {"description": "Both themes"})
    plan = sync_boards(second, first)
    assert not plan.conflicts
    for board in pair:
        assert board.get("REQ-1").title == "Export to PDF and Word"
        assert board.get("REQ-2").owner == "bob"
        assert (board.get("REQ-3").owner, board.get("REQ-3").description) == ("eve", "Both themes")
        assert board.get("REQ-4").title == "Offline four"
    assert stored(offline) == stored(team)
    assert sync_boards(offline, team).changes_nothing


def test_no_common_base_makes_every_difference_a_conflict(team_location: BoardLocation, tmp_path: Path) -> None:
    one, two = team_location.board("ann"), Board(tmp_path / "two.json", "bob")
    one.add_requirement("Only on one")
    two.add_requirement("Only on two")
    plan = sync_boards(one, two)  # different uids: nothing conflicts, one key is renumbered
    assert plan.base == "none" and len(plan.renumbered) == 1
    assert stored(one) == stored(two)


def test_a_board_is_not_synced_with_itself_or_a_plain_copy(pair: tuple[Board, Board], tmp_path: Path) -> None:
    offline, _team = pair
    with pytest.raises(InvalidValue, match="same board"):
        sync_boards(offline, Board(offline.path, "x"))
    copy = tmp_path / "copy.json"
    copy.write_bytes(offline.path.read_bytes())
    with pytest.raises(InvalidValue, match="copies of one board"):
        sync_boards(offline, Board(copy, "x"))


def test_customers_new_on_one_side_arrive(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    offline.add_requirement("For Globex", customer="Globex", tier="A")
    sync_boards(offline, team)
    assert {c.name for c in team.customers()} == {"ACME", "Globex"}


def test_a_sync_never_makes_a_board(pair: tuple[Board, Board], tmp_path: Path) -> None:
    offline, _team = pair
    nowhere = tmp_path / "nowhere.json"
    with pytest.raises(NotFound, match="no board there"):
        sync_boards(offline, Board(nowhere, "x"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("nowhere")) == []


def test_a_sync_reads_only_the_history_after_the_last_one(pair: tuple[Board, Board],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    offline, team = pair
    offline.edit_requirement("REQ-1", {"owner": "x"})
    team.add_requirement("Team four")

    def whole_history(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the whole history was read")

    for board in pair:  # the clone said where both histories stood
        monkeypatch.setattr(board.storage, "history", whole_history)
    assert sync_boards(offline, team).events_pulled == 1
    offline.edit_requirement("REQ-2", {"owner": "y"})
    team.edit_requirement("REQ-3", {"owner": "z"})
    plan = sync_boards(team, offline)
    assert (plan.events_pulled, plan.events_pushed) == (1, 1)
    monkeypatch.undo()
    assert event_ids(offline) == event_ids(team)
    assert len(offline.history()) == len(team.history())


def test_a_history_replaced_since_the_last_sync_is_read_whole(pair: tuple[Board, Board],
                                                              team_location: BoardLocation,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    offline, team = pair
    if team_location.is_server:
        # The same events written again (the history was replaced, e.g. copied back in): the place the
        # clone's mark names (a sequence number) holds no event any more.
        team_location.sql("WITH old AS (DELETE FROM reqboard.events RETURNING *)"
                          " INSERT INTO reqboard.events (generation, key, uid, event)"
                          " SELECT generation, key, uid, event FROM old ORDER BY seq")
    else:
        journal = Path(str(team.path) + ".history.jsonl")
        kept = journal.read_bytes()
        at = kept.rindex(b'"by":"ann"')  # the last event before the place the clone remembered
        journal.write_bytes(kept[:at] + b'"by":"anx"' + kept[at + len(b'"by":"ann"'):])
    offline.edit_requirement("REQ-2", {"owner": "y"})
    whole = []
    read_whole = team.storage.history
    monkeypatch.setattr(team.storage, "history", lambda *a, **k: whole.append(1) or read_whole(*a, **k))
    plan = sync_boards(offline, team)
    assert whole and (plan.events_pulled, plan.events_pushed) == (0, 1)


def test_a_damaged_event_or_sync_record_on_the_other_board_is_not_carried_over(
        pair: tuple[Board, Board], team_location: BoardLocation) -> None:
    offline, team = pair
    team.edit_requirement("REQ-1", {"owner": "bob"})
    if team_location.is_server:
        last = "(SELECT max(seq) FROM reqboard.events)"
        team_location.sql("UPDATE reqboard.events SET event = jsonb_set(event::jsonb, '{by}', '\"   \"')::json"
                          f" WHERE seq = {last}")
    else:
        journal = Path(str(team.path) + ".history.jsonl")
        data = journal.read_bytes()
        at = data.rindex(b'"by":"ann"')
        journal.write_bytes(data[:at] + b'"by":"   "' + data[at + len(b'"by":"ann"'):])  # same length, no author
    before = offline.path.read_bytes()
    with pytest.raises(StoreUnreadable, match="history event of REQ-1 is damaged"):
        sync_boards(offline, team)
    assert offline.path.read_bytes() == before
    # A sync record someone mangled counts as none: the other board's record is the base.
    if team_location.is_server:
        team_location.sql("UPDATE reqboard.events SET event = jsonb_set(event::jsonb, '{by}', '\"ann\"')::json"
                          f" WHERE seq = {last}")
        [(partner,)] = team_location.sql("SELECT json_object_keys(meta->'sync') FROM reqboard.board")
        assert team_location.sql("SELECT meta->'sync'->%s->'seq' FROM reqboard.board", [partner]) == [(1,)]
        team_location.sql("UPDATE reqboard.board SET meta = jsonb_set(meta::jsonb, ARRAY['sync', %s, 'seq'], '\"1\"')::json",
                          [partner])
    else:
        journal.write_bytes(data)
        first, rest = team.path.read_bytes().split(b"\n", 1)
        assert b'"seq":1' in first
        team.path.write_bytes(first.replace(b'"seq":1', b'"seq":"1"', 1) + b"\n" + rest)
    plan = sync_boards(team, offline)
    assert plan.base == "theirs" and not plan.conflicts and offline.get("REQ-1").owner == "bob"


def test_a_key_handed_to_another_requirement_refuses_an_edit_that_expected_the_old_one(
        pair: tuple[Board, Board]) -> None:
    offline, team = pair
    theirs = team.add_requirement("Team four")  # created first: keeps REQ-4
    mine = offline.add_requirement("Offline four")
    assert (theirs.key, theirs.version, mine.key, mine.version) == ("REQ-4", 1, "REQ-4", 1)
    sync_boards(offline, team)
    # A script read REQ-4 at version 1 on the offline board: that was "Offline four", now REQ-5.
    with pytest.raises(Conflict):
        offline.edit_requirement("REQ-4", {"owner": "x"}, expect_version=1)
    assert offline.get("REQ-4").version == team.get("REQ-4").version == 2


def test_a_sync_that_would_close_a_loop_is_refused(pair: tuple[Board, Board], tmp_path: Path) -> None:
    offline, team = pair
    other = Board(tmp_path / "other.json", "bo")
    clone_board(team, other)
    # offline and other both sync with the team: between them a value could come round the loop.
    with pytest.raises(InvalidValue, match="close a loop"):
        sync_boards(offline, other)
    sync_boards(offline, team)  # the tree is fine
    sync_boards(other, team)


def test_a_board_restored_or_copied_since_the_last_sync_is_refused_until_no_base(
        pair: tuple[Board, Board], team_location: BoardLocation, tmp_path: Path) -> None:
    offline, team = pair
    copy = tmp_path / "copy.json"
    for suffix in ("", ".history.jsonl"):
        Path(str(copy) + suffix).write_bytes(Path(str(offline.path) + suffix).read_bytes())
    copied = Board(copy, "carol")
    copied.edit_requirement("REQ-1", {"owner": "carol"})
    sync_boards(copied, team)  # the copy syncs first: the team's record of "offline" is now the copy's
    offline.edit_requirement("REQ-2", {"owner": "ann"})
    before = states(offline, team, team_location)
    with pytest.raises(InvalidValue, match="does not hold the state it last agreed on"):
        sync_boards(offline, team)
    assert states(offline, team, team_location) == before
    with pytest.raises(SyncConflicts):  # without a base, the owners differ on both sides
        sync_boards(offline, team, no_base=True)
    sync_boards(offline, team, no_base=True, decide=resolver(None, {"REQ-1.owner": "theirs",
                                                                      "REQ-2.owner": "ours"}))
    assert (team.get("REQ-1").owner, team.get("REQ-2").owner) == ("carol", "ann")
    assert sync_boards(offline, team).changes_nothing


def test_conflicting_assessments_show_keys_not_uids(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.add_change_request("REQ-1", "Also Word")
    sync_boards(offline, team)
    offline.assess_change_request("CR-1", schedule_days=1, cost=1, effort_hours=1, affects=("REQ-2",))
    team.assess_change_request("CR-1", schedule_days=2, cost=2, effort_hours=2, affects=("REQ-3",))
    with pytest.raises(SyncConflicts) as refused:
        sync_boards(offline, team)
    [conflict] = refused.value.plan.conflicts
    assert (conflict.name, conflict.ours["affects"], conflict.theirs["affects"]) == (
        "CR-1.assessment", ["REQ-2"], ["REQ-3"])


def test_a_location_that_is_not_utf8_is_refused_before_anything_is_made(
        pair: tuple[Board, Board], tmp_path: Path) -> None:
    _offline, team = pair
    name = tmp_path / "\udcff.json"
    with pytest.raises(InvalidValue, match="UTF-8"):
        clone_board(team, Board(name, "x"))
    assert not any(p.name.startswith("\udcff") for p in tmp_path.iterdir())


def test_previous_keys_are_the_syncs_to_set_not_an_edits(pair: tuple[Board, Board]) -> None:
    offline, _team = pair
    with pytest.raises(InvalidValue, match="previous_keys"):
        offline.edit_requirement("REQ-1", {"previous_keys": ("REQ-9",)})


def test_a_wrong_history_mark_reads_the_histories_whole_without_doubling(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    first, rest = offline.path.read_bytes().split(b"\n", 1)
    assert b'"skip":1' in first  # the clone's: the copied history is generation 1 of the offline board
    offline.path.write_bytes(first.replace(b'"skip":1', b'"skip":1001', 1) + b"\n" + rest)
    team.edit_requirement("REQ-1", {"owner": "bob"})
    plan = sync_boards(offline, team)
    assert (plan.events_pulled, plan.events_pushed) == (1, 0)
    assert sorted(e.id or "" for e in offline.history()) == sorted(e.id or "" for e in team.history())


def _analysed(board: Board, key: str) -> None:
    board.move_requirement(key, "analysed", updates={"importance": 3, "urgency": 3, "kano": "performance"})


def test_sign_offs_in_different_roles_on_each_side_are_both_kept(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    for board in pair:  # a board setting: each board has its own (a clone copies it)
        board.set_signoff_roles(["customer", "product"])
    _analysed(team, "REQ-1")
    sync_boards(offline, team)
    offline.approve("REQ-1", "signed at the workshop", role="customer", on_behalf_of="Li Wei")
    team.approve("REQ-1", "fits the roadmap", role="product")
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    for board in pair:
        req = board.get("REQ-1")
        assert {(a.role, a.by, a.on_behalf_of, a.comment) for a in req.approvals} == {
            ("customer", "con", "Li Wei", "signed at the workshop"), ("product", "ann", "", "fits the roadmap")}
        assert board.signoff_status(req)[1] == ()
    assert stored(offline) == stored(team)
    # Each side signed alone and stayed analysed: approving again moves it on, without a third signature.
    assert team.approve("REQ-1", role="product").state.value == "approved"
    assert len(team.get("REQ-1").approvals) == 2


def test_an_approval_saved_before_and_after_roles_existed_is_one(pair: tuple[Board, Board]) -> None:
    from reqboard.store.sync.merge import merge_records

    offline, _team = pair
    _analysed(offline, "REQ-1")
    new_form = dict(offline.approve("REQ-1", "ok").approvals[0].model_dump(mode="json"))
    assert new_form["role"] == "" and new_form["on_behalf_of"] == ""
    old_form = {k: v for k, v in new_form.items() if k not in ("role", "on_behalf_of")}
    assert merge_records([old_form], [new_form]) == [old_form]
    assert merge_records([new_form], [old_form]) == [new_form]
    signed = {**new_form, "role": "customer"}  # a sign-off in a role at the same moment is another one
    assert len(merge_records([old_form], [signed])) == 2


def test_conflict_resolutions_on_each_side_accumulate(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.edit_requirement("REQ-1", {"conflicts_with": ("REQ-2", "REQ-3")})
    sync_boards(offline, team)
    offline.resolve_conflict("REQ-1", "REQ-2", "PDF first, Word later")
    team.resolve_conflict("REQ-3", "REQ-1", "dark mode waits", reject="REQ-3")
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    for board in pair:
        one = board.get("REQ-1")
        assert sorted((r.other, r.decision, r.rejected) for r in one.resolutions) == [
            ("REQ-2", "PDF first, Word later", None), ("REQ-3", "dark mode waits", "REQ-3")]
        assert [r.decision for r in board.get("REQ-2").resolutions] == ["PDF first, Word later"]
        assert board.get("REQ-3").state.value == "rejected"
        assert board.links().open_conflicts("REQ-1") == ()
        assert set(board.get("REQ-2").conflicts_with) == {"REQ-1"}  # the mirrored link arrived too
    assert stored(offline) == stored(team)


def test_who_was_told_of_a_change_request_is_united_not_a_conflict(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.add_change_request("REQ-1", "Also Word")
    team.assess_change_request("CR-1", schedule_days=2, cost=100, effort_hours=8,
                               notify=("Li Wei", "Bob", "Cara"))
    sync_boards(offline, team)
    real = offline.clock
    offline.clock = lambda: real() - timedelta(hours=1)
    offline.record_notified("CR-1", "li wei")
    offline.record_notified("CR-1", "Cara")
    team.record_notified("CR-1", "Bob")
    team.record_notified("CR-1", "cara")  # told on both sides: once, the first telling kept
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    for board in pair:
        [(_req, cr)] = list(board.change_requests())
        assert sorted((n.name, n.by) for n in cr.notified) == [("Bob", "ann"), ("Cara", "con"), ("Li Wei", "con")]
        assert cr.to_notify == ()
    assert stored(offline) == stored(team)


def test_a_change_request_that_moves_the_plan_merges_field_by_field(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.edit_requirement("REQ-1", {"due": "2026-06-01", "owner": "ann", "effort_estimate": 10})
    team.add_change_request("REQ-1", "Move to the summer release", new_due="2026-07-15", new_owner="bob",
                            new_importance=4)
    team.assess_change_request("CR-1", schedule_days=5, cost=100, effort_hours=8, notify=("Li Wei",))
    sync_boards(offline, team)
    offline.decide_change_request("CR-1", approve=True, rationale="customer agreed")
    team.record_notified("CR-1", "Li Wei")
    team.edit_requirement("REQ-1", {"title": "Export to PDF (A4 and Letter)"})
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    for board in pair:
        req = board.get("REQ-1")
        [cr] = req.change_requests
        assert (cr.status.value, cr.proposed_due.isoformat() if cr.proposed_due else None, cr.proposed_owner,
                cr.proposed_importance, [n.name for n in cr.notified]) == (
            "approved", "2026-07-15", "bob", 4, ["Li Wei"])
        assert (req.title, req.due.isoformat() if req.due else None, req.owner, req.importance,
                req.effort_estimate) == ("Export to PDF (A4 and Letter)", "2026-07-15", "bob", 4, 18)
    assert stored(offline) == stored(team)


def test_a_conflict_taken_out_on_one_side_takes_its_decision_with_it_on_both(pair: tuple[Board, Board]) -> None:
    offline, team = pair
    team.edit_requirement("REQ-1", {"conflicts_with": ("REQ-2", "REQ-3")})
    team.resolve_conflict("REQ-1", "REQ-2", "PDF first")
    sync_boards(offline, team)
    offline.edit_requirement("REQ-1", {"conflicts_with": ("REQ-3",)})  # no conflict with REQ-2 after all
    team.resolve_conflict("REQ-1", "REQ-3", "dark mode later")
    plan = sync_boards(offline, team)
    assert not plan.conflicts
    for board in pair:
        assert [r.decision for r in board.get("REQ-1").resolutions] == ["dark mode later"]
        assert board.get("REQ-2").resolutions == () and board.get("REQ-2").conflicts_with == ()
        assert board.get("REQ-1").conflicts_with == ("REQ-3",)
    assert stored(offline) == stored(team)
    # Declared again, the conflict is open until decided again, on either board.
    team.edit_requirement("REQ-2", {"conflicts_with": ("REQ-1",)})
    sync_boards(offline, team)
    assert offline.links().open_conflicts("REQ-1") == ("REQ-2",)
