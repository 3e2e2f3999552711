"""Sync, property-based: two copies of one board worked on apart by random sequences of every operation,
then synced, again and again (hypothesis stateful).

After every sync that writes: keys unique on both boards, both boards hold the same records (key, uid,
every field, version) and the same history events, every field either side changed since the last
sync holds that side's value unless the sync reported it as a conflict (and then the side chosen
holds), and a second sync is a no-op that changes no byte. A sync refused for conflicts writes
nothing and reports exactly the fields both sides changed to different values.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, currently_in_test_context, settings, target
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, NotFound, Refused
from reqboard.store.filestore import boardfile
from reqboard.store.models import CRStatus, State
from reqboard.store.sync import SyncConflicts, SyncPlan, clone_board, resolver, sync_boards
from reqboard.store.sync.merge import Side, canonical

SIDES = st.sampled_from(["A", "B"])
PICKS = st.integers(min_value=0, max_value=9)
USERS = {"A": "ann", "B": "bob"}

# Few values a field, so that both sides often type the same one (no conflict) or different ones (a conflict).
EDITS: dict[str, tuple[Any, ...]] = {
    "title": ("Export to PDF", "Export to Word", "Login with SSO"),
    "description": ("", "as the customer said", "see the call notes"),
    "owner": ("", "ann", "bob"),
    "importance": (None, 2, 5),
    "urgency": (None, 1, 4),
    "kano": (None, "must-be", "performance"),
    "category": ("", "reports", "billing"),
    "customer": ("ACME", "Globex", "Initech"),
    "due": (None, date(2027, 3, 1), date(2027, 6, 1)),
    "effort_estimate": (None, 2.5, 8.0),
    "acceptance_criteria": ((), ({"text": "opens"},), ({"text": "opens"}, {"text": "is fast"})),
}
FIELDS = sorted(EDITS, key=lambda name: name != "title")  # hypothesis tries the first most: the title
TAGS = ("ui", "api", "later")

# How each stored field merges (store.sync.merge), and so how a change of it is checked.
SETS = {"tags", "depends_on", "conflicts_with", "previous_keys"}
RECORD_SETS = {"approvals", "feedback", "reviews"}
NOT_MERGED = {"uid", "key", "version", "updated_by", "updated_at", "created_by", "created_at", "state_since",
              "change_requests", "entered_at"}
CR_NOT_MERGED = {"uid", "key"}


def _same(req: Any, name: str, value: Any) -> bool:
    """Does the requirement hold `value` in field `name` already (as the store would save it)?"""
    return getattr(req.revised({name: value}, by=req.updated_by, at=req.updated_at), name) == getattr(req, name)


class Killed(BaseException):
    """Stands for kill -9 in the middle of a sync: nothing catches it."""


class Clock:
    """One clock for both boards: every transaction a second after the one before, so that runs repeat."""

    def __init__(self) -> None:
        self.time = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.time += timedelta(seconds=1)
        return self.time


def files_of(board: Board) -> tuple[bytes, bytes]:
    """The bytes of a board's file and of its history journal."""
    path = Path(board.storage.location)
    return path.read_bytes(), path.with_name(path.name + ".history.jsonl").read_bytes()


def records_by_uid(board: Board) -> dict[str, dict[str, Any]]:
    """The stored requirement records of a board by uid, as they are on disk now."""
    snapshot = Board(board.storage.location, "reader").snapshot()
    return {str(r["uid"]): dict(r) for r in snapshot.requirements.values()}


def flat(records: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], Any]:
    """Every mergeable field of every requirement and change request, by (uid of its record, field), in
    a form both boards share: links and affected keys as uids, sets and records as frozensets."""
    uid_of_key = {str(r["key"]): uid for uid, r in records.items()}

    def uids(keys: Any) -> frozenset[str]:
        return frozenset(uid_of_key.get(k, "key:" + k) for k in keys or ())

    out: dict[tuple[str, str], Any] = {}
    for uid, record in records.items():
        for name, value in record.items():
            if name in NOT_MERGED:
                continue
            if name in ("depends_on", "conflicts_with"):
                out[uid, name] = uids(value)
            elif name in SETS:
                out[uid, name] = frozenset(value or ())
            elif name in RECORD_SETS:
                out[uid, name] = frozenset(canonical(r) for r in value or ())
            else:
                out[uid, name] = canonical(value)
        out[uid, "entered_at"] = dict(record.get("entered_at") or {})
        for cr in record.get("change_requests") or ():
            for name, value in cr.items():
                if name in CR_NOT_MERGED:
                    continue
                if name == "assessment" and value and value.get("affects"):
                    value = {**value, "affects": sorted(uids(value["affects"]))}
                out[str(cr["uid"]), name] = canonical(value)
    return out


def keys_of_records(records: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The key of every requirement and change request, by uid."""
    keys = {uid: str(r["key"]) for uid, r in records.items()}
    keys.update({str(cr["uid"]): str(cr["key"]) for r in records.values() for cr in r.get("change_requests") or ()})
    return keys


def changed(base: Mapping[tuple[str, str], Any], side: Mapping[tuple[str, str], Any]) -> dict[tuple[str, str], Any]:
    """The fields a side changed since the base (a record the base lacks: all of its fields)."""
    return {k: v for k, v in side.items() if base.get(k, _MISSING) != v}


_MISSING: Any = object()


def events_by_id(board: Board) -> dict[str, dict[str, Any]]:
    """The board's history events by id (the board's own "board" events left out), asserting none is
    there twice; the generation (this board's commit that wrote it) left out."""
    events: dict[str, dict[str, Any]] = {}
    for event in Board(board.storage.location, "reader").storage.history():
        if event.get("key") == "board":
            continue
        assert event["id"] not in events, f"event {event} is in {board.storage.location} twice"
        events[event["id"]] = {k: v for k, v in event.items() if k != "generation"}
    return events


class TwoCopies(RuleBasedStateMachine):
    """Board A (ann's, the team's) and its clone B (bob's, offline), changed apart and synced."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="reqboard-sync-"))
        clock = Clock()
        team = Board(self.folder / "team.json", USERS["A"], clock=clock)
        first = team.add_requirement("Export to PDF", customer="ACME", tags=("ui",))
        team.add_requirement("Login with SSO", customer="Globex", depends_on=(first.key,))
        third = team.add_requirement("Dark mode", customer="ACME", importance=3, urgency=2, kano="must-be",
                                     acceptance_criteria=({"text": "opens"},))
        team.move_requirement(third.key, State.ANALYSED)
        team.approve(third.key, "agreed")
        team.add_change_request(third.key, "Also a light mode", new_title="Dark and light mode")
        offline = Board(self.folder / "offline.json", USERS["B"], clock=clock)
        clone_board(team, offline)
        self.boards = {"A": team, "B": offline}
        self.base = flat(records_by_uid(team))
        self.renamed_crs: set[str] = set()
        self.given_keys: dict[str, str] = {}
        """The keys a sync cut short gave on the board it committed: the sync finishing it keeps them."""
        self.seen: Counter[str] = Counter()  # what this run did, to steer hypothesis to varied runs

    def teardown(self) -> None:
        # Left alone, hypothesis spends many runs repeating one rule; steer it to runs that do many kinds
        # of things and meet conflicts and key clashes.
        seen = self.seen
        if currently_in_test_context():
            target(float(len(seen) + 3 * min(seen["conflicts"], 3) + min(seen["settled"], 5) + min(seen["renumbered"], 3)),
                   label="variety")
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---------------------------------------------------------------- helpers
    def keys(self, side: str) -> list[str]:
        return [r.key for r in self.boards[side].requirements()]

    def key(self, side: str, pick: int) -> str:
        keys = self.keys(side)
        return keys[pick % len(keys)]

    def attempt(self, what: str, action: Callable[[], Any]) -> None:
        """Run one operation; one the rules refuse (not analysed yet, nothing to review...) did nothing."""
        try:
            action()
        except (Refused, InvalidValue, NotFound):
            return
        self.seen[what] += 1

    # ---------------------------------------------------------------- work on one side
    @rule(side=SIDES, title=st.sampled_from(EDITS["title"]), link=st.booleans(), pick=PICKS)
    def add(self, side: str, title: str, link: bool, pick: int) -> None:
        board = self.boards[side]
        depends = (self.key(side, pick),) if link else ()
        board.add_requirement(title, customer="ACME", depends_on=depends)
        self.seen["add"] += 1

    @rule(titles=st.tuples(st.sampled_from(EDITS["title"]), st.sampled_from(EDITS["title"])))
    def add_on_both(self, titles: tuple[str, str]) -> None:
        """Both sides add a requirement: the same key for two requirements, until a sync renumbers one."""
        for side, title in zip("AB", titles, strict=True):
            self.boards[side].add_requirement(title, customer="Globex")
        self.seen["add on both"] += 1

    @rule(side=SIDES, pick=PICKS, name=st.sampled_from(FIELDS), choice=st.integers(0, 2))
    def edit(self, side: str, pick: int, name: str, choice: int) -> None:
        values = EDITS[name]
        self.attempt("edit", partial(self.boards[side].edit_requirement, self.key(side, pick),
                                     {name: values[choice % len(values)]}))

    @rule(pick=PICKS, name=st.sampled_from(FIELDS), choice=st.integers(0, 2), same=st.booleans())
    def edit_on_both(self, pick: int, name: str, choice: int, same: bool) -> None:
        """Both sides change one field of one requirement: a conflict, unless they typed the same."""
        key = self.key("A", pick)
        mine = self.boards["A"].get(key)
        theirs = next((r for r in self.boards["B"].requirements() if r.uid == mine.uid), None)
        if theirs is None:
            return
        values = EDITS[name]
        turn = [values[(choice + i) % len(values)] for i in range(len(values))]
        ours = next(v for v in turn if not _same(mine, name, v))
        other = ours if same else next(v for v in turn if not _same(theirs, name, v) and v != ours)
        self.attempt("edit on both", partial(self.boards["A"].edit_requirement, mine.key, {name: ours}))
        self.attempt("edit on both", partial(self.boards["B"].edit_requirement, theirs.key, {name: other}))

    @rule(side=SIDES, pick=PICKS, tag=st.sampled_from(TAGS))
    def toggle_tag(self, side: str, pick: int, tag: str) -> None:
        board = self.boards[side]
        req = board.get(self.key(side, pick))
        tags = tuple(t for t in req.tags if t != tag) if tag in req.tags else (*req.tags, tag)
        self.attempt("tag", partial(board.edit_requirement, req.key, {"tags": tags}))

    @rule(side=SIDES, pick=PICKS, other=PICKS, name=st.sampled_from(["depends_on", "conflicts_with"]))
    def toggle_link(self, side: str, pick: int, other: int, name: str) -> None:
        board = self.boards[side]
        req, target = board.get(self.key(side, pick)), self.key(side, other)
        links = getattr(req, name)
        links = tuple(k for k in links if k != target) if target in links else (*links, target)
        self.attempt(name, partial(board.edit_requirement, req.key, {name: links}))

    @rule(side=SIDES, pick=PICKS)
    def move_forward(self, side: str, pick: int) -> None:
        """Move to the next column with what its rule needs (or reopen a rejected one)."""
        board = self.boards[side]
        req = board.get(self.key(side, pick))
        target = State.COLLECTED if req.state is State.REJECTED else workflow.next_state(req.state)
        action: Callable[[], Any]
        if target is None:
            return
        if target is State.COLLECTED:
            action = partial(board.move_requirement, req.key, target, reason="reopened")
        elif target is State.ANALYSED:
            updates = {"customer": req.customer or "ACME", "importance": req.importance or 3,
                       "urgency": req.urgency or 3, "kano": req.kano or "must-be"}
            action = partial(board.move_requirement, req.key, target, updates=updates)
        elif target is State.APPROVED:
            action = partial(board.approve, req.key, "fine")
        elif target is State.IN_PROGRESS:
            action = partial(board.move_requirement, req.key, target, updates={"owner": req.owner or "ann"})
        elif target is State.DONE:
            criteria = [c.model_copy(update={"done": True}) for c in req.acceptance_criteria]
            action = partial(board.move_requirement, req.key, target, updates={"acceptance_criteria": criteria})
        else:
            action = partial(board.record_feedback, req.key, 4, "pleased")
        self.attempt(f"move to {target.value}", action)

    @rule(pick=PICKS)
    def move_apart(self, pick: int) -> None:
        """The team moves a requirement on while offline rejects it (or, done, reopens it): two moves of
        one card, a conflict on its state."""
        mine = self.boards["A"].get(self.key("A", pick))
        theirs = next((r for r in self.boards["B"].requirements() if r.uid == mine.uid), None)
        if theirs is None:
            return
        self.move_forward("A", pick)
        board = self.boards["B"]
        if theirs.state in (State.DONE, State.FED_BACK):
            self.attempt("move apart", partial(board.move_requirement, theirs.key, State.IN_PROGRESS, reason="reopened"))
        else:
            self.attempt("move apart", partial(board.reject, theirs.key, "not for us"))

    @rule(side=SIDES, pick=PICKS)
    def move_back(self, side: str, pick: int) -> None:
        board = self.boards[side]
        req = board.get(self.key(side, pick))
        target = workflow.previous_state(req.state)
        if target is not None:
            self.attempt("move back", partial(board.move_requirement, req.key, target, reason="not ready"))

    @rule(side=SIDES, pick=PICKS)
    def reject(self, side: str, pick: int) -> None:
        self.attempt("reject", partial(self.boards[side].reject, self.key(side, pick), "out of scope"))

    @rule(side=SIDES, pick=PICKS)
    def approve(self, side: str, pick: int) -> None:
        self.attempt("approve", partial(self.boards[side].approve, self.key(side, pick), f"ok by {USERS[side]}"))

    @rule(side=SIDES, pick=PICKS, satisfaction=st.integers(1, 5))
    def feedback(self, side: str, pick: int, satisfaction: int) -> None:
        self.attempt("feedback", partial(self.boards[side].record_feedback, self.key(side, pick), satisfaction, "told them"))

    @rule(side=SIDES, pick=PICKS)
    def review(self, side: str, pick: int) -> None:
        self.attempt("review", partial(self.boards[side].review, self.key(side, pick), "still right"))

    @rule(side=SIDES, pick=PICKS, other=PICKS, approve=st.booleans(), new_title=st.booleans())
    def change_request_step(self, side: str, pick: int, other: int, approve: bool, new_title: bool) -> None:
        """File a change request, or take the next step of the requirement's first open one."""
        board = self.boards[side]
        req = board.get(self.key(side, pick))
        cr = next(iter(req.open_change_requests), None)
        action: Callable[[], Any]
        if cr is None:
            action = partial(board.add_change_request, req.key, f"change from {USERS[side]}",
                             reason="the customer called", new_title=f"{req.title} (changed)" if new_title else None)
        elif cr.status is CRStatus.SUBMITTED or (cr.status is CRStatus.ASSESSED and not approve and new_title):
            action = partial(board.assess_change_request, cr.key, schedule_days=2, cost=100.0 * (1 + other),
                             effort_hours=8, affects=(self.key(side, other),))
        elif cr.status is CRStatus.ASSESSED:
            action = partial(board.decide_change_request, cr.key, approve=approve, rationale="decided")
        elif cr.status is CRStatus.APPROVED:
            action = partial(board.implement_change_request, cr.key)
        else:
            action = partial(board.close_change_request, cr.key)
        self.attempt(f"change request {'new' if cr is None else cr.status.value}", action)

    # ---------------------------------------------------------------- sync
    @rule(first=SIDES, dry=st.booleans(), picks=st.lists(st.sampled_from(["ours", "theirs"]), min_size=6, max_size=6))
    def sync(self, first: str, dry: bool, picks: list[Side]) -> None:
        """Sync from either side (after a dry run, which writes nothing and plans the same); conflicts are
        refused, nothing written, then settled field by field (--resolve)."""
        other = "B" if first == "A" else "A"
        ours, theirs = self.boards[first], self.boards[other]
        before = {s: files_of(b) for s, b in self.boards.items()}
        flats = {s: flat(records_by_uid(b)) for s, b in self.boards.items()}
        preview = None
        if dry:
            try:
                preview = sync_boards(ours, theirs, dry_run=True)
            except SyncConflicts as exc:
                preview = exc.plan
            assert not preview.written
            assert {s: files_of(b) for s, b in self.boards.items()} == before, "a dry run wrote"
        try:
            plan = sync_boards(ours, theirs)
        except SyncConflicts as exc:
            self.seen["conflicts"] += 1
            assert {s: files_of(b) for s, b in self.boards.items()} == before, "a refused sync wrote"
            self.check_conflicts_are_real(exc.plan, flats[first], flats[other])
            if preview is not None:
                assert preview.as_json() == exc.plan.as_json()
            resolutions = {c.name: picks[i % len(picks)] for i, c in enumerate(exc.plan.conflicts)}
            plan = sync_boards(ours, theirs, decide=resolver(None, resolutions))
            assert {(c.uid, c.field) for c, _ in plan.settled} == {(c.uid, c.field) for c in exc.plan.conflicts}
            assert all(side == resolutions[c.name] for c, side in plan.settled)
        else:
            assert plan.settled == []
            if preview is not None:
                assert preview.as_json() == {**plan.as_json(), "written": False}
        self.check_synced(plan, first, other, flats, before)

    @rule(first=SIDES, prefer=st.sampled_from(["ours", "theirs"]))
    def sync_preferring(self, first: str, prefer: Side) -> None:
        """Sync with --prefer: never refused, every conflict settled to the side preferred."""
        other = "B" if first == "A" else "A"
        before = {s: files_of(b) for s, b in self.boards.items()}
        flats = {s: flat(records_by_uid(b)) for s, b in self.boards.items()}
        plan = sync_boards(self.boards[first], self.boards[other], decide=resolver(prefer))
        assert all(side == prefer for _, side in plan.settled)
        self.check_synced(plan, first, other, flats, before)

    @rule(first=SIDES, prefer=st.sampled_from(["ours", "theirs"]))
    def sync_cut_short(self, first: str, prefer: Side) -> None:
        """A sync killed between the two boards' commits (the team's board, locked inner, commits first;
        offline.json's commit never happens): the team's board holds the merge, offline.json nothing of
        it. The next sync finishes the job; its base is what offline.json still holds."""
        other = "B" if first == "A" else "A"
        offline = self.boards["B"].storage.location
        before = records_by_uid(self.boards["B"])
        write = boardfile.atomic_write

        def killed_on_offline(path: Path, payload: Any, mode: int) -> None:
            if str(path) == offline:
                raise Killed
            write(path, payload, mode)

        plan = sync_boards(self.boards[first], self.boards[other], decide=resolver(prefer), dry_run=True)
        self.renamed_crs |= {r.old for r in plan.renumbered if r.old.startswith("CR-")}
        with patch.object(boardfile, "atomic_write", killed_on_offline):
            try:
                sync_boards(self.boards[first], self.boards[other], decide=resolver(prefer))
            except Killed:
                pass
            else:
                return  # nothing to write: not cut short
        assert records_by_uid(self.boards["B"]) == before
        for board in self.boards.values():
            assert board.check()[0] == []
        self.base = flat(before)
        self.given_keys = keys_of_records(records_by_uid(self.boards["A"]))
        self.seen["cut short"] += 1

    # ---------------------------------------------------------------- checks
    def check_conflicts_are_real(self, plan: SyncPlan, ours: Mapping[tuple[str, str], Any],
                                 theirs: Mapping[tuple[str, str], Any]) -> None:
        """The conflicts reported are exactly the fields both sides changed since the base to different
        values (sets and records merge, they never conflict)."""
        mine, others = changed(self.base, ours), changed(self.base, theirs)
        real = {k for k in mine.keys() & others.keys() if mine[k] != others[k] and isinstance(mine[k], bytes)}
        reported = [(c.uid, c.field) for c in plan.conflicts]
        assert len(reported) == len(set(reported)), plan.conflicts
        assert set(reported) == real, (plan.conflicts, real)

    def check_synced(self, plan: SyncPlan, first: str, other: str,
                     flats: Mapping[str, Mapping[tuple[str, str], Any]], before: Mapping[str, Any]) -> None:
        self.seen["synced"] += 1
        self.seen["settled"] += len(plan.settled)
        self.seen["renumbered"] += len(plan.renumbered)
        a, b = records_by_uid(self.boards["A"]), records_by_uid(self.boards["B"])
        # Both boards hold the same records: key, uid, every field, version and stamps.
        assert a == b, "the boards differ after a sync"
        keys = [str(r["key"]) for r in a.values()]
        assert len(keys) == len(set(keys)), keys
        cr_keys = [str(cr["key"]) for r in a.values() for cr in r.get("change_requests", ())]
        assert len(cr_keys) == len(set(cr_keys)), cr_keys
        for board in self.boards.values():
            errors, _warnings = board.check()
            assert errors == [], errors
        customers = [{c.name.casefold() for c in board.customers()} for board in self.boards.values()]
        assert customers[0] == customers[1], customers
        if plan.changes_nothing:
            assert {s: files_of(bd) for s, bd in self.boards.items()} == before
        merged = flat(a)
        if self.given_keys:
            keys = keys_of_records(a)
            assert {uid: keys[uid] for uid in self.given_keys} == self.given_keys, "keys given were taken back"
            self.given_keys = {}

        # No change either side made since the last sync is lost, unless it was a settled conflict.
        settled = {(c.uid, c.field): side for c, side in plan.settled}
        side_of = {"ours": first, "theirs": other}
        for side in (first, other):
            mine = changed(self.base, flats[side])
            yours = changed(self.base, flats[other if side == first else first])
            for k, value in mine.items():
                base, now = self.base.get(k), merged.get(k, _MISSING)
                uid, name = k
                if name == "entered_at":
                    for state, at in value.items():
                        if (base or {}).get(state) != at:
                            assert state in now and now[state] <= at, (k, value, now)
                elif isinstance(value, frozenset) and name in RECORD_SETS:
                    assert value - (base or frozenset()) <= now, (k, value, now)
                elif isinstance(value, frozenset):
                    added, removed = value - (base or frozenset()), (base or frozenset()) - value
                    assert added <= now and not (removed & now), (k, base, value, now)
                elif k in settled:
                    kept = side_of[settled[k]]
                    assert now == flats[kept][k], (k, now, flats[kept][k])
                    assert k in yours and yours[k] != value, f"{k} settled as a conflict, but it was none"
                else:
                    assert now == value, f"{side}'s change of {k} was lost: {value!r} -> {now!r}"

        # Both boards hold the same history events (the key of a requirement or change request the sync
        # renumbered may be the one it had when the event was written).
        self.renamed_crs |= {r.old for r in plan.renumbered if r.old.startswith("CR-")}
        events_a, events_b = events_by_id(self.boards["A"]), events_by_id(self.boards["B"])
        assert events_a.keys() == events_b.keys()
        for ident, one in events_a.items():
            two = events_b[ident]
            if one != two:
                keys_of_uid = {str(a[one["uid"]]["key"]), *a[one["uid"]].get("previous_keys", ())}
                assert one.get("uid") == two.get("uid") and {one["key"], two["key"]} <= keys_of_uid, (one, two)
                if one.get("cr") != two.get("cr"):
                    assert one.get("cr") in self.renamed_crs or two.get("cr") in self.renamed_crs, (one, two)
                rest = ("key", "cr")
                assert ({k: v for k, v in one.items() if k not in rest}
                        == {k: v for k, v in two.items() if k not in rest}), (one, two)
        self.base = merged

        # A second sync, from either side, is a no-op that changes no byte.
        after = {s: files_of(bd) for s, bd in self.boards.items()}
        again = sync_boards(self.boards[other], self.boards[first])
        assert again.changes_nothing and not again.written, again.as_json()
        assert {s: files_of(bd) for s, bd in self.boards.items()} == after

    @invariant()
    def keys_unique_on_both(self) -> None:
        for board in self.boards.values():
            records = Board(board.storage.location, "reader").snapshot().requirements
            uids = [r["uid"] for r in records.values()]
            assert len(uids) == len(set(uids))
            assert all(str(r["key"]) == f"REQ-{n}" for n, r in records.items())


TwoCopies.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestTwoCopiesWorkedOnApartSyncToOneBoard = pytest.mark.slow(TwoCopies.TestCase)


def test_a_change_request_renumbered_by_a_sync_cut_short_keeps_its_new_key() -> None:
    """Both boards file a change request (one key for two), a sync is killed between its commits, and
    the next sync finishes it: the keys the first commit gave stay (they were swapped back once)."""
    copies = TwoCopies()
    try:
        copies.change_request_step(side="A", pick=0, other=0, approve=False, new_title=False)
        copies.change_request_step(side="B", pick=1, other=0, approve=False, new_title=False)
        copies.sync_cut_short(first="B", prefer="ours")
        assert copies.given_keys and copies.seen["cut short"] == 1
        copies.sync(first="B", dry=False, picks=["ours"] * 6)
        assert copies.seen["synced"] == 1 and copies.given_keys == {}
    finally:
        copies.teardown()
