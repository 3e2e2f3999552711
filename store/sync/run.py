"""Sync two boards: read both under their locks, merge three-way (store.sync.merge), write each side.

The base. Each board remembers, for every board it syncs with (by that board's id, in its meta
record under "sync"), the state they last agreed on: its own records as they are, plus a stash of
the version each record had then, kept by the transaction the first time the record changes
afterwards (None: it did not exist). So the base costs nothing until something changes, and a
board's history of syncs costs nothing at all.

Both sides or neither. Both boards are locked in a fixed order (by location), the merge is planned on
what is read under the locks, and each side is committed atomically, the inner one first. A crash
between the two commits leaves both valid: the side written first remembers the sync as "pending"
with a stash holding the other side's records as they were, so its base is exactly what the other
side still holds, and the next sync pushes what is missing without calling anything a conflict. The
side written second remembers it as "complete", and then the first side is told so in a third, small
commit. When both remember one sync, the complete record wins; when they remember different syncs, the
newer (higher `seq`) wins, unless it is complete and the other board does not hold it: then the other
board was copied or restored since, and the sync is refused (`no_base` merges without a base).

What stays per board: settings (WIP limits, language, survey lists, response targets), the record of
each customer both boards know (its tier, contact, segment and notes: each board's own), and the
board's own history events ("board").

Customers. A customer one board has and the other lacks (by name, any case) is added to the other,
records and all. Requirements name their customer, and merge like any field: a customer renamed on one
board (every requirement of it follows the rename) has its requirements under the new name on both
boards after the sync. The rename itself is carried over too, so that the old name does not come back
as a customer the renaming board lacks: the other board's record of the customer (its own, as it is)
takes the new name, its requirements made since the last sync that still name the old one follow, and
the rename's event goes into its history (once: a later sync knows it by its id). A rename is carried
only where it is safe: when the other board knows the customer by the old name and no other customer
by the new one, since a rename never merges two customers. Otherwise nothing is renamed there: a
customer the other board renamed too, or never had, is left as it is (a customer renamed differently
on both boards has its requirements in conflict, settled like any field, and both new names are kept);
when the other board has a customer of the new name already, the old name's record stays there and
comes back to the renaming board as a customer it lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..customers import look_of
from ..domain import iso_utc, key_number, new_uid
from ..errors import InvalidValue, NotFound, StoreError, validation_message
from ..i18n import N_, _, ngettext
from ..memory import paused_gc
from ..models import Customer, Event, Requirement
from ..snapshot import ABSENT
from .merge import (
    LINK_SETS,
    RECORD_SETS,
    STAMPS,
    Decide,
    FieldConflict,
    Links,
    Merged,
    Renumbering,
    Side,
    assign_keys,
    canonical,
    denormalised,
    highest,
    keys_of,
    merge_requirement,
    moment,
)

if TYPE_CHECKING:
    from ..board import Board
    from ..transaction import Transaction


class SyncConflicts(StoreError):
    """Fields both boards changed to different values, unsettled (exit 3): nothing was written."""

    exit_code = 3

    def __init__(self, plan: SyncPlan) -> None:
        count = len(plan.conflicts)
        super().__init__(ngettext("{n} conflict: nothing was written; settle them with --prefer ours|theirs or "
                                  "--resolve KEY.FIELD=ours|theirs",
                                  "{n} conflicts: nothing was written; settle them with --prefer ours|theirs or "
                                  "--resolve KEY.FIELD=ours|theirs", count).format(n=count))
        self.plan = plan


@dataclass
class SyncPlan:
    """What a sync does (or did): what came in, what went out, what was renumbered, what conflicts."""

    ours: str
    theirs: str
    pulled: list[str] = field(default_factory=list)
    """Keys of requirements changed or added on our board."""
    pushed: list[str] = field(default_factory=list)
    """Keys of requirements changed or added on theirs."""
    renumbered: list[Renumbering] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    settled: list[tuple[FieldConflict, Side]] = field(default_factory=list)
    events_pulled: int = 0
    events_pushed: int = 0
    records: list[RecordsIn] = field(default_factory=list)
    """Records that accumulate (approvals, feedback, reviews, notes) that come to a requirement the board
    has already: how many, of which kind, on which board."""
    customers_pulled: list[str] = field(default_factory=list)
    """Customers added to our board (names)."""
    customers_pushed: list[str] = field(default_factory=list)
    customers_renamed: list[CustomerRename] = field(default_factory=list)
    """Renames of customers one board made since the last sync, made on the other (see the module docstring)."""
    base: str = "none"
    """Where the base came from: "ours", "theirs", or "none" (never synced: every difference conflicts)."""
    written: bool = False

    @property
    def changes_nothing(self) -> bool:
        """True when neither board needs a change."""
        return not (self.pulled or self.pushed or self.renumbered or self.events_pulled or self.events_pushed
                    or self.conflicts or self.customers_pulled or self.customers_pushed or self.customers_renamed)

    def as_json(self) -> dict[str, Any]:
        """The plan as `sync --json` prints it."""
        return {
            "ours": self.ours, "theirs": self.theirs,
            "pulled": self.pulled, "pushed": self.pushed,
            "renumbered": [{"uid": r.uid, "from": r.old, "to": r.new} for r in self.renumbered],
            "conflicts": [{"key": c.key, "uid": c.uid, "field": c.field, "base": c.base, "ours": c.ours,
                           "theirs": c.theirs} for c in self.conflicts],
            "settled": [{"key": c.key, "uid": c.uid, "field": c.field, "kept": side} for c, side in self.settled],
            "events": {"pulled": self.events_pulled, "pushed": self.events_pushed},
            "records": {side: [{"key": r.key, "field": r.field, "count": r.count} for r in self.records
                               if r.board == board] for side, board in (("pulled", "ours"), ("pushed", "theirs"))},
            "customers": {"pulled": self.customers_pulled, "pushed": self.customers_pushed,
                          "renamed": [{"board": r.board, "from": r.old, "to": r.new} for r in self.customers_renamed]},
            "written": self.written,
        }


@dataclass(frozen=True)
class RecordsIn:
    """Records that accumulate coming to a requirement a board holds: `count` new `field` records
    (notes, feedback, approvals, reviews) on `board`."""

    key: str
    board: Side
    field: str
    count: int


@dataclass(frozen=True)
class CustomerRename:
    """A customer renamed on one board since the last sync, renamed on `board` by the sync."""

    board: Side
    old: str
    new: str


def resolution_name(name: str) -> str:
    """`req-3.title` as a conflict is named (`REQ-3.title`): the key in capitals, the field as given."""
    key, _dot, field_name = name.partition(".")
    return f"{key.upper()}.{field_name}"


def resolver(prefer: Side | None = None, resolutions: Mapping[str, Side] | None = None) -> Decide:
    """A `Decide` from `--prefer` and `--resolve KEY.FIELD=side` (which wins over `--prefer`)."""
    named = {resolution_name(name): side for name, side in (resolutions or {}).items() if "." in name}

    def decide(conflict: FieldConflict) -> Side | None:
        return named.get(conflict.name, prefer)

    return decide


# ---------------------------------------------------------------- one side, as read under its lock
class _Side:
    def __init__(self, name: Side, board: Board, tx: Transaction) -> None:
        self.name, self.board, self.tx = name, board, tx
        snapshot = tx.snapshot()
        self.location = board.storage.location
        self.snapshot = snapshot
        self.by_uid: dict[str, Mapping[str, Any]] = {}
        for record in snapshot.requirements.values():
            uid = record.get("uid")
            if isinstance(uid, str):
                self.by_uid[uid] = record
        self.uid_of_key = {str(r["key"]): uid for uid, r in self.by_uid.items()}
        key_of_uid = {uid: key for key, uid in self.uid_of_key.items()}

        def key_of_token(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: key_of_token(v) if k == "affects" else v for k, v in value.items()}
            if isinstance(value, list):
                return keys_of(value, key_of_uid)
            return value

        self.key_of_token = key_of_token
        self.cr_uid_of_key = {str(cr["key"]): str(cr["uid"]) for r in self.by_uid.values()
                              for cr in r.get("change_requests", ())}
        board_id = tx.meta_value("board_id")
        self.board_id = board_id if isinstance(board_id, str) and board_id else new_uid()
        self.records = {peer: rec for peer, rec in tx.sync_records().items() if _well_formed(rec)}
        """The sync records this board keeps (a damaged one counts as none: no base, so every
        difference is a conflict, and nothing is taken from it)."""
        self.mark = board.storage.history_mark()
        """Where this board's history ends as read: a complete sync record keeps it for the next sync."""
        self.since: Mapping[str, Any] | None = None
        """Where the history both boards agree on ends on this board (from the base's sync record), if known."""

    def base(self, record: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
        """The base a sync record of this side describes: its records, with the stashed versions."""
        stash = record.get("stash") or {}
        base = {uid: r for uid, r in self.by_uid.items() if uid not in stash}
        base.update({uid: r for uid, r in stash.items() if r is not None})
        return base

    def since_holds(self) -> bool:
        """True when the agreed history's end still names a place in this board's history."""
        return self.since is not None and \
            self.board.storage.history_since(self.since.get("mark"), self.since.get("skip")) is not None

    def events(self) -> Iterator[dict[str, Any]]:
        """This board's events the other board may lack: those after the agreed history when its end is
        known and still holds, else all."""
        if self.since is not None:
            newer = self.board.storage.history_since(self.since.get("mark"), self.since.get("skip"))
            if newer is not None:
                return newer
        return self.board.storage.history()


def _well_formed(record: Any) -> bool:
    """True for a sync record as a sync writes it (see the module docstring)."""
    if not isinstance(record, dict):
        return False
    stash = record.get("stash", {})
    return (isinstance(record.get("id"), str) and type(record.get("seq", 0)) is int
            and isinstance(record.get("complete", False), bool) and isinstance(stash, dict)
            and all(r is None or _record_shaped(r, uid) for uid, r in stash.items()))


def _record_shaped(record: Any, uid: str) -> bool:
    """True for a stored requirement record as far as the merge reads one (a hand-edited stash is not)."""
    if not isinstance(record, dict) or record.get("uid") != uid or not isinstance(record.get("key"), str):
        return False
    for name in ("tags", "depends_on", "conflicts_with", "previous_keys"):
        value = record.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return False
    crs = record.get("change_requests", [])
    return isinstance(crs, list) and all(isinstance(cr, dict) and isinstance(cr.get("uid"), str)
                                         and isinstance(cr.get("key"), str) for cr in crs)


def _choose_base(ours: _Side, theirs: _Side) -> tuple[str, dict[str, Mapping[str, Any]]]:
    """The base: the sync record both boards share (the complete one if one of them is only pending),
    or the newer; "none" when neither board remembers the other. A complete record also says where
    the history both agreed on ends on each board, so that only the events after it are compared."""
    mine, other = ours.records.get(theirs.board_id), theirs.records.get(ours.board_id)
    candidates = [(rec, side) for rec, side in ((mine, ours), (other, theirs)) if isinstance(rec, dict)]
    if not candidates:
        return "none", {}
    if len(candidates) == 2 and mine is not None and other is not None:
        if mine.get("id") == other.get("id"):
            candidates.sort(key=lambda c: not c[0].get("complete"))
        else:
            candidates.sort(key=lambda c: -int(c[0].get("seq", 0)))
    record, side = candidates[0]
    marks = record.get("history")
    if record.get("complete") and isinstance(marks, dict):
        for board in (ours, theirs):
            agreed = marks.get(board.board_id)
            well_formed = isinstance(agreed, dict) and (agreed.get("skip") is None or type(agreed.get("skip")) is int)
            board.since = agreed if well_formed else None
        if ours.since is None or theirs.since is None:
            ours.since = theirs.since = None
    return side.name, side.base(record)


def _event_identity(event: Mapping[str, Any]) -> str | bytes:
    ident = event.get("id")
    if isinstance(ident, str):
        return ident
    # A copy of exactly its length: the bytes orjson returns keep a buffer of about 4 KB each, and a
    # board's 120,000 events known by them took 470 MB instead of 26.
    return bytes(memoryview(canonical({k: v for k, v in event.items() if k != "generation"})))


def _missing_events(a: _Side, b: _Side) -> tuple[dict[Side, list[dict[str, Any]]], dict[Side, list[dict[str, Any]]]]:
    """The history events each board lacks of the other's, in the other's order (the boards' own
    "board" events stay home), and each board's customer renames as read (its "customer.renamed"
    events, oldest first). The journals are streamed (ours twice): only the events' identities
    and the events that move are kept, not both histories. Where both agreed histories end is used
    only when it holds on both boards: the events before it are the same on both, and on neither
    alone."""
    if a.since is not None and b.since is not None and not (a.since_holds() and b.since_holds()):
        a.since = b.since = None
    renames: dict[Side, list[dict[str, Any]]] = {"ours": [], "theirs": []}
    order_a = []
    for event in a.events():
        if event.get("key") != "board":
            order_a.append(_event_identity(event))
        elif event.get("action") == CUSTOMER_RENAMED:
            renames["ours"].append(event)
    known_a = set(order_a)
    known_b: set[str | bytes] = set()
    to_a: list[dict[str, Any]] = []
    for event in b.events():
        if event.get("key") == "board":
            if event.get("action") == CUSTOMER_RENAMED:
                renames["theirs"].append(event)
            continue
        identity = _event_identity(event)
        known_b.add(identity)
        if identity not in known_a:
            to_a.append(event)
    del known_a
    again = (e for e in a.events() if e.get("key") != "board")
    to_b = [e for e, identity in zip(again, order_a, strict=True) if identity not in known_b]
    return {"ours": to_a, "theirs": to_b}, renames


CUSTOMER_RENAMED = "customer.renamed"
"""The board event of a customer's rename (store.customers), carried to the other board by a sync."""


class RenameClash(Exception):
    """A rename one board made whose new name another customer of the other board has (or looks like)."""

    def __init__(self, old: str, new: str, taken: str) -> None:
        super().__init__(old, new, taken)
        self.old, self.new, self.taken = old, new, taken


def _rename_chains(source: list[dict[str, Any]], known: set[str | bytes]) -> list[tuple[list[dict[str, Any]], str, str]]:
    """The renames the other board lacks, a customer renamed more than once since taken as one rename
    from its first name to its last: (the events, oldest first; the first old name; the last new name)."""
    chains: list[tuple[list[dict[str, Any]], str, str]] = []
    open_by_name: dict[str, int] = {}  # the casefolded latest name of each chain -> its index
    for event in source:
        old, new = event.get("old"), event.get("new")
        if _event_identity(event) in known or not isinstance(old, str) or not isinstance(new, str):
            continue
        index = open_by_name.pop(old.strip().casefold(), None)
        if index is None:
            chains.append(([event], old, new))
            index = len(chains) - 1
        else:
            events, first, _last = chains[index]
            chains[index] = ([*events, event], first, new)
        open_by_name[new.strip().casefold()] = index
    return chains


def _renames_to_carry(source: list[dict[str, Any]], target: list[dict[str, Any]],
                      customers: dict[str, Mapping[str, Any]]) -> list[tuple[list[dict[str, Any]], str, dict[str, Any]]]:
    """The renames of one board (its "customer.renamed" events, oldest first) that the other board
    (`target`: its renames as read) lacks and can make: it knows the customer by the old name. A
    customer renamed several times is renamed once, to its last name. `customers` (casefolded name ->
    record) are the other board's, renamed as it goes. Returns (the events, the old name as the other
    board spells it, the renamed record) for each. Raises RenameClash when the new name is (or looks
    like) another customer's of the other board: carried, the rename would make that customer's and
    the renamed one's requirements one customer's."""
    known = {_event_identity(e) for e in target}
    carried = []
    for events, old, new in _rename_chains(source, known):
        old_key, new_key = old.strip().casefold(), new.strip().casefold()
        record = customers.get(old_key)
        if record is None:
            continue  # the other board does not know it by that name (renamed it too, or never had it)
        if new_key != old_key:
            taken = next((str(c.get("name")) for k, c in customers.items()
                          if k != old_key and look_of(str(c.get("name", ""))) == look_of(new)), None)
            if taken is not None:
                raise RenameClash(str(record["name"]), new, taken)
        try:
            renamed = Customer.model_validate({**record, "name": new}).model_dump(mode="json")
        except ValueError:  # pydantic's ValidationError: a name the model refuses is not made
            continue
        del customers[old_key]
        customers[new_key] = renamed
        carried.append((events, str(record["name"]), renamed))
    return carried


# ---------------------------------------------------------------- the sync
def sync_boards(ours: Board, theirs: Board, *, decide: Decide | None = None, dry_run: bool = False,
                no_base: bool = False) -> SyncPlan:
    """Sync board `ours` with board `theirs` (see the module docstring).

    `no_base` merges as if the boards had never synced (every difference a conflict): the way out when
    one of them was restored from a backup or copied since they last synced.
    Raises SyncConflicts (exit 3, nothing written) while a conflict is unsettled; NotFound when either
    board does not exist; InvalidValue for a board synced with itself or with a plain copy of itself,
    with a board it does not sync with while both sync with others (a loop), or with a board that no
    longer holds the state both last agreed on; what a transaction raises (LockTimeout, StoreUnreadable,
    ReadOnly, ...).
    """
    decide = decide or (lambda conflict: None)
    for board in (ours, theirs):
        readable_location(board)
        if board.storage.revision == ABSENT:  # (a sync never makes a board: that would be a clone)
            raise NotFound(_("{location}: no board there to sync with").format(location=board.storage.location))
    if same_board(ours, theirs):
        raise InvalidValue(_("{ours} and {theirs} are the same board").format(
            ours=ours.storage.location, theirs=theirs.storage.location))
    order = sorted((ours, theirs), key=lambda b: b.storage.location)
    with ExitStack() as stack:
        txs = {id(b): stack.enter_context(b.transaction()) for b in order}
        a = _Side("ours", ours, txs[id(ours)])
        b = _Side("theirs", theirs, txs[id(theirs)])
        if a.tx.meta_value("board_id") and a.board_id == b.board_id:
            raise InvalidValue(
                _("{ours} and {theirs} are copies of one board (made by copying the file, not by `reqboard clone`): "
                  "they have no common base to merge from; clone the one you keep and carry the other's changes "
                  "over by hand, or import it").format(ours=a.location, theirs=b.location))
        _check_lineage(a, b, no_base=no_base)
        if no_base:
            a.records.pop(b.board_id, None)
            b.records.pop(a.board_id, None)
        with paused_gc():  # both boards' records and histories go through it (see store.memory)
            plan, outcome = _plan(a, b, decide)
        if plan.conflicts or dry_run or (plan.changes_nothing and _agreed(a, b)):
            for tx in txs.values():
                tx.dry_run()
            if plan.conflicts:
                raise SyncConflicts(plan)
            return plan
        record = {"id": new_uid(), "seq": 1 + max([int(r.get("seq", 0)) for s in (a, b) for r in s.records.values()
                                                    if isinstance(r, dict)] or [0]),
                  # Each board's history up to its read, and this sync's commit right after it: the
                  # same events on both once both commits are done (a complete record says so).
                  "history": {s.board_id: {"mark": s.mark, "skip": s.snapshot.generation + 1
                                           if outcome.events[s.name] or outcome.own_events or outcome.renames[s.name]
                                           else None}
                              for s in (a, b)}}
        inner = order[1]
        _write(a, b, outcome, record, pending=inner is ours)
        _write(b, a, outcome, record, pending=inner is theirs)
        plan.written = True
        second = b if inner is ours else a
        pending_uids = {uid for uid, _current, _rec in outcome.writes[second.name]}
    # Both commits are done: the board committed first learns it (its record was pending until now).
    _complete(inner, second.board_id, record, pending_uids, outcome.final)
    return plan


def _complete(board: Board, peer: str, record: Mapping[str, Any], pending_uids: set[str],
              final: Mapping[str, Mapping[str, Any]]) -> None:
    """Mark the sync record of the board committed first complete, once the other board committed too.

    Its stash held the other board's records as they were; the base is now the merged records, so a
    stashed record is dropped where the board still holds the merged one, and becomes the merged one
    where the board changed it since (the base of that change). Nothing is done if another sync
    replaced the record meanwhile; if this step is cut short, the record stays pending, which is safe
    (its base is still one both boards hold)."""
    with board.transaction() as tx:
        current = tx.sync_records().get(peer)
        if not isinstance(current, dict) or current.get("id") != record["id"] or current.get("complete"):
            tx.dry_run()
            return
        stash = dict(current.get("stash") or {})
        held = {r["uid"]: r for r in tx.snapshot().requirements.values() if r.get("uid") in pending_uids}
        for uid in pending_uids & set(stash):
            merged = final.get(uid)
            if held.get(uid) == merged or merged is None:
                stash.pop(uid)
            else:
                stash[uid] = dict(merged)
        tx.set_sync_record(peer, {**current, "complete": True, "history": record["history"], "stash": stash})


def _check_lineage(a: _Side, b: _Side, *, no_base: bool) -> None:
    """Refuse a sync whose base cannot be trusted (see `sync_boards`).

    Syncs must form a tree (a board syncs with the board it was cloned from and with its own clones):
    around a loop a value that came the other way round looks like a change of its own and undoes a
    later one. And a complete sync record one board holds is held by the other too (both commits were
    done); when the other board does not hold it, that board is a copy of the one synced with, or was
    restored from a backup since, and the record's base is not what it holds.
    """
    mine, other = a.records.get(b.board_id), b.records.get(a.board_id)
    if mine is None and other is None:
        if a.records and b.records:
            raise InvalidValue(
                _("{ours} and {theirs} never synced with each other and both sync with other boards: a sync between "
                  "them would close a loop of syncs, around which an old value can come back and undo a newer one; "
                  "sync each with the board it was cloned from").format(ours=a.location, theirs=b.location))
        return
    if no_base:
        return
    newer = max((r for r in (mine, other) if r is not None), key=lambda r: int(r.get("seq", 0)))
    holder, peer = (a, b) if newer is mine else (b, a)
    peer_record = peer.records.get(holder.board_id)
    if newer.get("complete") and (peer_record is None or peer_record.get("id") != newer.get("id")) \
            and not (newer.get("clone") and peer_record is None):
        raise InvalidValue(
            _("{board} does not hold the state it last agreed on with {other} (it was restored from a backup or "
              "copied since): nothing was written; `reqboard sync --no-base` merges the two as boards that never "
              "synced (every difference a conflict to settle)").format(board=peer.location, other=holder.location))


def _agreed(a: _Side, b: _Side) -> bool:
    """True when both boards remember the same last sync with each other."""
    mine, other = a.records.get(b.board_id), b.records.get(a.board_id)
    return isinstance(mine, dict) and isinstance(other, dict) and mine.get("id") == other.get("id")


def readable_location(board: Board) -> None:
    """Refuse a board whose location is not UTF-8 text: each board records the other's location."""
    try:
        board.storage.location.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(_("{location}: a board to clone or sync needs a file name in UTF-8 (the other board "
                             "records it); rename the file").format(location=ascii(board.storage.location))
                           ) from None


def same_board(one: Board, two: Board) -> bool:
    """Are `one` and `two` the same board: one location, one file by two paths, or one database by two
    URLs (a socket and a host)?"""
    if one.storage.location == two.storage.location:
        return True
    if one.storage.instance is not None or two.storage.instance is not None:
        return one.storage.instance == two.storage.instance
    try:
        return Path(one.storage.location).resolve().samefile(Path(two.storage.location).resolve())
    except OSError:
        return False


@dataclass
class _Outcome:
    merged: Merged
    final: dict[str, dict[str, Any]]
    writes: dict[Side, list[tuple[str, Mapping[str, Any] | None, dict[str, Any]]]]
    events: dict[Side, list[dict[str, Any]]]
    customers: dict[Side, list[Mapping[str, Any]]]
    renames: dict[Side, list[tuple[list[dict[str, Any]], str, dict[str, Any]]]]
    """Customer renames made on each side: (the rename's event, the old name there, the renamed record)."""
    own_events: list[dict[str, Any]]
    """The sync's own events, the same (ids too) on both boards: renumbered, synced."""


def _plan(a: _Side, b: _Side, decide: Decide) -> tuple[SyncPlan, _Outcome]:
    plan = SyncPlan(ours=a.location, theirs=b.location)
    plan.base, base = _choose_base(a, b)
    missing, renames = _missing_events(a, b)
    base_uid_of_key = {str(r["key"]): uid for uid, r in base.items()}
    links = {"ours": Links(a.uid_of_key), "theirs": Links(b.uid_of_key)}
    base_links = Links(base_uid_of_key)
    ambiguous = {k for k, uid in a.uid_of_key.items() if b.uid_of_key.get(k, uid) != uid}
    ambiguous |= {k for k, uid in a.cr_uid_of_key.items() if b.cr_uid_of_key.get(k, uid) != uid}
    out = Merged()
    content: dict[str, dict[str, Any]] = {}
    wanted: dict[str, str] = {}
    created: dict[str, tuple[bool, datetime, str]] = {}
    for uid in dict.fromkeys((*a.by_uid, *b.by_uid)):
        o, t = a.by_uid.get(uid), b.by_uid.get(uid)
        one = o if o is not None else t
        assert one is not None
        # Who keeps a key both boards used: one both already knew, else the one created first.
        created[uid] = (uid not in base, moment(one.get("created_at")), uid)
        if o is not None and t is not None:
            if o == t and not (ambiguous and _mentions(o, ambiguous)):
                content[uid] = dict(o)
                wanted[uid] = str(o["key"])
                continue
            b_rec = base.get(uid)
            merged = merge_requirement(
                None if b_rec is None else base_links.normalised(b_rec),
                links["ours"].normalised(o), links["theirs"].normalised(t), str(o["key"]), decide, out)
            content[uid] = merged
            bk = None if b_rec is None else b_rec.get("key")
            wanted[uid] = str(t["key"] if o["key"] == bk and t["key"] != bk else o["key"])
        else:
            content[uid] = links["ours" if o is not None else "theirs"].normalised(one)
            wanted[uid] = str(one["key"])
    # (unsettled ones keep ours in the plan; links in them read as keys again)
    readable = {"ours": a.key_of_token, "theirs": b.key_of_token}
    plan.conflicts = [_keyed(c, readable) for c in out.conflicts]
    plan.settled = [(_keyed(c, readable), side) for c, side in out.settled]

    # keys: requirements, then change requests
    first = max(a.snapshot.next_requirement, b.snapshot.next_requirement, highest(wanted.values()) + 1)
    key_of_uid, renumbered, next_req = assign_keys(
        wanted, created, first, "REQ",
        lambda uid: tuple(s.name for s in (a, b) if uid in s.by_uid))
    cr_wanted: dict[str, str] = {}
    cr_created: dict[str, tuple[bool, datetime, str]] = {}
    base_crs = {cr.get("uid") for r in base.values() for cr in r.get("change_requests", ())}
    cr_sides: dict[str, tuple[Side, ...]] = {}
    for rec in content.values():
        for cr in rec.get("change_requests", ()):
            cr_wanted[cr["uid"]] = str(cr["key"])
            cr_created[cr["uid"]] = (cr["uid"] not in base_crs, moment(cr.get("submitted_at")), str(cr["uid"]))
            cr_sides[cr["uid"]] = tuple(s.name for s in (a, b) if cr["key"] in s.cr_uid_of_key
                                        and s.cr_uid_of_key[cr["key"]] == cr["uid"])
    first_cr = max(a.snapshot.next_change_request, b.snapshot.next_change_request,
                   highest(cr_wanted.values()) + 1)
    cr_key_of_uid, cr_renumbered, next_cr = assign_keys(cr_wanted, cr_created, first_cr, "CR",
                                                         lambda uid: cr_sides.get(uid, ()))
    plan.renumbered = renumbered + cr_renumbered
    old_keys = {r.uid: r.old for r in renumbered}

    final: dict[str, dict[str, Any]] = {}
    for uid, rec in content.items():
        rec = denormalised(dict(rec), key_of_uid)
        rec["key"] = key_of_uid[uid]
        if uid in old_keys:
            rec["previous_keys"] = [*rec.get("previous_keys", []), old_keys[uid]]
        if any(cr_key_of_uid.get(cr["uid"]) != cr["key"] for cr in rec.get("change_requests", ())):
            rec["change_requests"] = [{**cr, "key": cr_key_of_uid[cr["uid"]]} for cr in rec["change_requests"]]
            rec["change_requests"].sort(key=lambda cr: key_number(cr["key"]))
        final[uid] = rec

    # customers: the renames carried over (and the requirements that follow them), then what one board lacks
    names = {s.name: dict(_customers(s)) for s in (a, b)}
    carried: dict[Side, list[tuple[list[dict[str, Any]], str, dict[str, Any]]]] = {}
    for source, target in ((b, a), (a, b)):
        try:
            carried[target.name] = _renames_to_carry(renames[source.name], renames[target.name], names[target.name])
        except RenameClash as clash:
            # Carried, it would make the other customer's requirements of the renamed one's: refused whole.
            raise InvalidValue(_(
                "{board} renamed the customer {old} to {new}, and {other} has another customer named {taken}: "
                "rename one of them (reqboard customer rename) and sync again; nothing was written").format(
                    board=source.location, old=clash.old, new=clash.new, other=target.location,
                    taken=clash.taken)) from None
        for _event, old, renamed in carried[target.name]:
            plan.customers_renamed.append(CustomerRename(target.name, old, renamed["name"]))
            if old.strip().casefold() in names[source.name]:
                continue  # the renaming board has a customer of the old name again: requirements stay its
            for rec in final.values():  # made or moved to it on the other board since, under the old name
                if str(rec.get("customer", "")).strip().casefold() == old.strip().casefold():
                    rec["customer"] = renamed["name"]
    looks = {side: {look_of(str(c.get("name", ""))) for c in names[side].values()} for side in ("ours", "theirs")}
    customers: dict[Side, list[Mapping[str, Any]]] = {
        # (a name that only looks like one the board has is not added: `customer add` would refuse it too)
        target.name: [c for key, c in names[source.name].items()
                      if key not in names[target.name] and look_of(str(c.get("name", ""))) not in looks[target.name]]
        for source, target in ((b, a), (a, b))}
    plan.customers_pulled = [str(c["name"]) for c in customers["ours"]]
    plan.customers_pushed = [str(c["name"]) for c in customers["theirs"]]
    _stamp(final, a, b)
    _above_keys_handed_over(final, a, b)

    writes: dict[Side, list[tuple[str, Mapping[str, Any] | None, dict[str, Any]]]] = {"ours": [], "theirs": []}
    for target in (a, b):
        for uid, rec in final.items():
            current = target.by_uid.get(uid)
            if current != rec:
                writes[target.name].append((uid, current, rec))
    plan.pulled = sorted((final[uid]["key"] for uid, _current, _rec in writes["ours"]), key=key_number)
    plan.pushed = sorted((final[uid]["key"] for uid, _current, _rec in writes["theirs"]), key=key_number)
    plan.records = sorted(_records_in(writes), key=lambda r: (key_number(r.key), r.board, RECORD_SETS.index(r.field)))

    # history: each side gets the events of the other it does not have, under the merged keys
    events: dict[Side, list[dict[str, Any]]] = {"ours": [], "theirs": []}
    for source, target in ((b, a), (a, b)):
        cr_keys = {k: cr_key_of_uid.get(u, k) for k, u in source.cr_uid_of_key.items()}
        files = source.board.storage.files()
        journal = files.journal if files is not None else source.location
        for event in missing[target.name]:
            Event.from_journal(event, journal)  # a damaged event stays where it is: StoreUnreadable
            moved = dict(event)
            about = event.get("uid")
            if isinstance(about, str) and about in key_of_uid:
                moved["key"] = key_of_uid[about]
            if event.get("cr") in cr_keys:
                moved["cr"] = cr_keys[event["cr"]]
            events[target.name].append(moved)
    plan.events_pulled, plan.events_pushed = len(events["ours"]), len(events["theirs"])
    out.next_requirement, out.next_change_request = next_req, next_cr
    return plan, _Outcome(out, final, writes, events, customers, carried, _own_events(a, b, final, writes, renumbered))


def _records_in(writes: Mapping[Side, list[tuple[str, Mapping[str, Any] | None, dict[str, Any]]]]) -> Iterator[RecordsIn]:
    """The records that accumulate each write brings to a requirement its board holds (a requirement new
    to a board comes whole: it is counted as pulled or pushed, not by its records)."""
    for side, written in writes.items():
        for _uid, current, rec in written:
            if current is None:
                continue
            for name in RECORD_SETS:
                added = len(rec.get(name) or ()) - len(current.get(name) or ())
                if added > 0:
                    yield RecordsIn(str(rec["key"]), side, name, added)


def _own_events(a: _Side, b: _Side, final: Mapping[str, Mapping[str, Any]],
                writes: Mapping[Side, list[tuple[str, Mapping[str, Any] | None, dict[str, Any]]]],
                renumbered: list[Renumbering]) -> list[dict[str, Any]]:
    """The sync's events, written alike to both boards: one "renumbered" per requirement whose key
    changed, one "synced" per requirement either board changed."""
    at, by = Event.stamp(a.tx.now), a.tx.user
    events: list[dict[str, Any]] = []

    def event(uid: str, action: str, **fields: Any) -> None:
        events.append({"id": new_uid(), "at": at, "by": by, "key": final[uid]["key"], "action": action,
                       "field": None, "old": None, "new": None, "reason": "", "uid": uid, **fields})

    # (the reasons are the history's, stored as written on both boards: in English, never translated here)
    for moved in renumbered:
        event(moved.uid, "renumbered", field="key", old=moved.old, new=moved.new,
              reason=f"{moved.old} was created on both {a.location} and {b.location} for different "
                     "requirements; the key stays with the one created first")
    changed = dict.fromkeys(uid for written in writes.values() for uid, _current, _rec in written)
    for uid in changed:
        event(uid, "synced", reason=f"synced {a.location} with {b.location}")
    return events


def _keyed(conflict: FieldConflict, keys: Mapping[str, Callable[[Any], Any]]) -> FieldConflict:
    """A conflict whose values hold links as keys (the merge compares them as uids)."""
    if conflict.field not in ("assessment", *LINK_SETS):
        return conflict
    return replace(conflict, base=keys["ours"](conflict.base), ours=keys["ours"](conflict.ours),
                   theirs=keys["theirs"](conflict.theirs))


def _customers(side: _Side) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The board's customers that another board can take (a damaged record is left where it is)."""
    for record in side.snapshot.customers.values():
        try:
            customer = Customer.model_validate(record)
        except ValueError:  # pydantic's ValidationError: `reqboard check` reports it on its board
            continue
        yield customer.name.casefold(), customer.model_dump(mode="json")


def _mentions(record: Mapping[str, Any], keys: set[str]) -> bool:
    if str(record.get("key")) in keys:
        return True
    for name in ("depends_on", "conflicts_with"):
        if keys.intersection(record.get(name) or ()):
            return True
    for cr in record.get("change_requests", ()):
        if cr.get("key") in keys or keys.intersection((cr.get("assessment") or {}).get("affects") or ()):
            return True
    return False


def _stamp(final: dict[str, dict[str, Any]], a: _Side, b: _Side) -> None:
    """Give each merged record its stamps: a side's own when the merge kept that side's record as it is
    and no written side would go back in version, else a new version by whoever syncs, now."""
    for uid, rec in final.items():
        present = [s for s in (a.by_uid.get(uid), b.by_uid.get(uid)) if s is not None]
        if all(s == rec for s in present):  # as every board holds it (most records): its stamps stay
            continue
        content = _content(rec)
        same = [s for s in present if _content(s) == content]
        keeper = max(same, key=_version, default=None)
        if keeper is not None:
            candidate = {**rec, **{name: keeper[name] for name in STAMPS if name in keeper}}
            if all(s == candidate or _version(s) < _version(keeper) for s in present):
                rec.update(candidate)
                continue
        rec.update(version=max(map(_version, present)) + 1, updated_by=a.tx.user, updated_at=iso_utc(a.tx.now))


def _above_keys_handed_over(final: dict[str, dict[str, Any]], a: _Side, b: _Side) -> None:
    """A requirement given a key that another requirement (or holding a change request key that another
    change request) had on a board gets a version above that one's there: an `--expect-version` read of
    the key before the sync then fails (exit 3) instead of changing another requirement than the one read."""
    for side in (a, b):
        requirement_of_cr = {cr_uid: uid for uid, r in side.by_uid.items()
                             for cr_uid in (str(cr["uid"]) for cr in r.get("change_requests", ()))}
        for uid, rec in final.items():
            holder = side.uid_of_key.get(rec["key"])
            floor = _version(side.by_uid[holder]) if holder is not None and holder != uid else 0
            for cr in rec.get("change_requests", ()):
                other = side.cr_uid_of_key.get(cr["key"])
                if other is not None and other != cr["uid"]:
                    floor = max(floor, _version(side.by_uid[requirement_of_cr[other]]))
            if _version(rec) <= floor:
                rec.update(version=floor + 1, updated_by=a.tx.user, updated_at=iso_utc(a.tx.now))


def _version(record: Mapping[str, Any]) -> int:
    return int(record.get("version", 1))


def _content(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in STAMPS}


def _write(side: _Side, other: _Side, outcome: _Outcome, record: dict[str, Any], *, pending: bool) -> None:
    """Stage one side's part of the sync, and what it remembers of it (see the module docstring)."""
    tx = side.tx
    writes = outcome.writes[side.name]
    for _uid, _current, rec in writes:
        try:
            Requirement.model_validate(rec)
        except ValueError as exc:  # pydantic's ValidationError, field by field
            raise validation_message(exc, str(rec.get("key"))) from None
    moving = [(current, rec) for _uid, current, rec in writes if current is not None and current["key"] != rec["key"]]
    for moved_from, _rec in moving:  # every moved record off its old key first: keys may pass along a chain
        tx.remove_stored(moved_from)
    for _uid, current, rec in writes:
        staying = current is not None and current["key"] == rec["key"]
        tx.put_stored(rec, replaces=int(current["version"]) if staying and current is not None else None)
    for event in (*outcome.events[side.name], *outcome.own_events):
        tx.record_stored_event(event)
    for events, old, renamed in outcome.renames[side.name]:
        tx.remove_customer(old)
        tx.put_customer(Customer.model_validate(renamed))
        for event in events:
            tx.record_stored_event(event)
    for customer in outcome.customers[side.name]:
        tx.add_customer_record(customer)
    tx.raise_counters(outcome.merged.next_requirement, outcome.merged.next_change_request)
    tx.set_meta_value("board_id", side.board_id)
    stash: dict[str, Any] = {}
    if pending:  # written first: its base is what the other board holds until that board's commit
        stash = {uid: current for uid, current, _rec in outcome.writes[other.name]}
        record = {k: v for k, v in record.items() if k != "history"}  # (the histories differ until then)
    tx.set_sync_record(other.board_id, {**record, "complete": not pending, "with": other.location,
                                        "at": iso_utc(tx.now), "stash": stash})


_RECORD_KINDS = {
    "notes": N_("{n} note"), "feedback": N_("{n} satisfaction reading"), "approvals": N_("{n} sign-off"),
    "reviews": N_("{n} review"),
}
_RECORD_PLURALS = {
    "notes": N_("{n} notes"), "feedback": N_("{n} satisfaction readings"), "approvals": N_("{n} sign-offs"),
    "reviews": N_("{n} reviews"),
}
"""What a sync brings to a requirement both boards hold, as a person reads it (see store.sync.run.RecordsIn)."""


def records_and_customers_said(plan: SyncPlan, where: Mapping[str, str], *, planned: bool) -> list[str]:
    """The sync's lines about records coming to requirements both boards hold (notes, readings, sign-offs,
    reviews) and about customers added or renamed: one line per requirement and board, one per customer;
    `where` names each side ("ours", "theirs") as the reader knows it. `sync` prints them, the sync
    screen shows them. User text is as stored: the caller makes it safe for where it shows it."""
    lines = []
    for record in plan.records:
        kinds = _RECORD_KINDS if record.count == 1 else _RECORD_PLURALS  # (each marked, both translated)
        kind = (_(kinds[record.field]) if record.field in kinds else "{n} " + record.field).format(n=record.count)
        text = (_("would add {what} to {key} on {board}") if planned else _("added {what} to {key} on {board}"))
        lines.append(text.format(what=kind, key=record.key, board=where.get(record.board, record.board)))
    for side, added in (("ours", plan.customers_pulled), ("theirs", plan.customers_pushed)):
        for name in added:
            text = (_("would add the customer {name} to {board}") if planned else _("added the customer {name} to {board}"))
            lines.append(text.format(name=name, board=where[side]))
    for rename in plan.customers_renamed:
        text = (_("would rename the customer {old} to {new} on {board}") if planned
                else _("renamed the customer {old} to {new} on {board}"))
        lines.append(text.format(old=rename.old, new=rename.new, board=where.get(rename.board, rename.board)))
    return lines
