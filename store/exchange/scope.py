"""The part of a board one customer may see: an export or a report of some requirements only.

`export --customer NAME` and `--query Q` (and `report --customer NAME`) promise that what they write holds
that customer's (or that filter's) requirements and nothing of the others: no other customer's name, no
other requirement's key, title or count. `ScopedBoard` keeps the promise in one place: it reads like a
board to the exporters (`requirements()`, `history()`, `customers()`, `settings()`, `path`,
`generation`), so that the writers of every format need not know a scope exists, and what it hands them is

- the requirements in scope, each with its links outside the scope taken out: `depends_on`,
  `conflicts_with` and `previous_keys` lose the keys of work outside, `resolutions` keep only the
  conflicts settled with work inside, a change request's assessment `affects` only work inside, and a
  `suspect` note naming work outside ("CR-9 changed REQ-4") is cleared;
- only their own history: no event of another requirement, no board event, none about a change request
  of another requirement, none about a link outside (an edit of the links that only touched work outside);
- in `customers`, only the records of the customers in scope;
- a `generation` of its own (the versions of the requirements in scope added up), not the board's count
  of changes.

What the team typed (descriptions, notes, comments, rationales, reasons) stays as typed, but a key of a
requirement or change request outside the scope (as a whole token: REQ-12, not inside REQ-123) and another
customer's name (any case; former names too, from the board's renames) are replaced by `…` wherever they
occur. A customer's own former names are its own. Titles of requirements outside are never written (no
link is), but they are not looked for in free text: a title is words, which the team's text may use too.
An approval whose text changes so is kept current: its hash is that of the text as written out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import clock
from ..customers import known_customers, look_of, same_customer
from ..errors import NotFound
from ..links import LinkIndex
from ..models import Customer, Event, Requirement, State, text_hash
from ..query import Query, QueryContext, parse_query

if TYPE_CHECKING:
    from ..board import Board

MARK = "…"
"""What stands in for a key or a name outside the scope (never longer than what it replaces)."""

_KEY = re.compile(r"(?<![A-Za-z0-9-])(?:REQ|CR)-[0-9]+(?![0-9])", re.IGNORECASE)
"""A key as a person may write it: any case, leading zeros (REQ-007), after an underscore (see_REQ-7)."""
_INVISIBLE = "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*"
"""What may hide between the letters of a name and not show: soft hyphens, zero-width and bidi marks."""
_SPACE = "[\\s\u00a0\u3000]+"
_DIGRAPHS = {"ss": "\x00", "i\u0307": "\x01"}
"""Casefolded letter pairs that one letter of a text may be written as: ß (and ẞ) casefold to ss, İ to i̇."""
_DIGRAPH_PATTERNS = {"\x00": "(?:ss|\u00df|\u1e9e)", "\x01": "(?:i\u0307|\u0130)"}


def _canonical_key(text: str) -> str:
    """A key as the board writes it: REQ-007 and req-7 are REQ-7."""
    prefix, _sep, number = text.partition("-")
    return f"{prefix.upper()}-{int(number)}"


def _char_pattern(ch: str) -> str:
    """The ways one character of a casefolded name may be written in a text: as itself in any case (the
    pattern ignores case), a Latin letter or digit in its full-width form too, a space as any run of
    spaces; a digraph placeholder as each letter it stands for."""
    if ch in _DIGRAPH_PATTERNS:
        return _DIGRAPH_PATTERNS[ch]
    if ch == " ":
        return _SPACE
    if ch.isascii() and ch.isalnum():
        return f"[{re.escape(ch)}{chr(ord(ch) + 0xFEE0)}]"
    return re.escape(ch)
_LINK_FIELDS = frozenset({"depends_on", "conflicts_with", "resolutions", "previous_keys"})
_IDENTITY = frozenset({"key", "uid", "other_uid", "text_hash"})
"""Fields never rewritten: what identifies a record inside the scope."""


def _folded(name: str) -> str:
    return name.strip().casefold()


def _word_edge(ch: str) -> bool:
    """Is a name that starts or ends with `ch` looked for as a whole word? Latin letters and digits are;
    Chinese text has no spaces, so a Han name is found anywhere."""
    return ch.isascii() and ch.isalnum()


def _names_pattern(names: Iterable[str]) -> str:
    """One regular expression for many names (to be compiled with IGNORECASE), longest first: a trie
    of their characters, so that each position of a text is tried against the names that can start
    with its character, not against every name (a board may have hundreds of customers). A name is not
    found inside a longer Latin word or number (`Orion` is not in `Orionid`)."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        folded = " ".join(look_of(name).split())
        for pair, placeholder in _DIGRAPHS.items():
            folded = folded.replace(pair, placeholder)
        for ch in folded:
            node = node.setdefault(ch, {})
        node[""] = {}

    def alternatives(node: dict[str, Any], last: str) -> str:
        branches = [_INVISIBLE + _char_pattern(ch) + alternatives(child, ch) for ch, child in node.items() if ch]
        if "" in node:  # a name ends here; a longer one, tried first, wins
            branches.append(r"(?![A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])" if _word_edge(last) else "")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    firsts = [(r"(?<![A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a])" if _word_edge(ch) else "")
              + _char_pattern(ch) + alternatives(child, ch) for ch, child in trie.items()]
    return "|".join(firsts)


@dataclass(frozen=True)
class Outside:
    """What belongs to work outside a scope: the keys of its requirements and change requests, the names
    of its customers; and the names of the customers inside, which are never taken for another's."""

    keys: frozenset[str]
    """Requirement and change request keys outside the scope (their former keys too)."""
    names: frozenset[str]
    """Other customers' names, former names included, casefolded."""
    own_names: frozenset[str] = frozenset()
    """The names of the customers in scope, former ones included, casefolded."""

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.keys and not self.names:
            return None
        names = {n.strip() for n in (*self.names, *self.own_names) if n.strip()}
        return re.compile("|".join([_KEY.pattern, *([_names_pattern(names)] if names else [])]), re.IGNORECASE)

    @cached_property
    def _looks(self) -> frozenset[str]:
        return frozenset(look_of(n) for n in self.names)

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group(0)
        if _KEY.fullmatch(found):
            return MARK if _canonical_key(found) in self.keys else found
        return MARK if look_of(found) in self._looks else found

    def redact(self, text: str) -> str:
        """`text` with every key and name of work outside replaced by `…`."""
        pattern = self._pattern
        return text if pattern is None or not text else pattern.sub(self._replace, text)

    def mentions(self, value: Any) -> bool:
        """Does `value` (text, or JSON data holding text) name anything outside?"""
        if isinstance(value, str):
            return self.redact(value) != value
        if isinstance(value, Mapping):
            return any(self.mentions(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return any(self.mentions(v) for v in value)
        return False

    def is_key(self, value: Any) -> bool:
        return isinstance(value, str) and _KEY.fullmatch(value) is not None and _canonical_key(value) in self.keys

    def clean(self, value: Any, name: str = "") -> Any:
        """JSON data with what is outside taken out: a list loses the items that are keys outside (a
        link) or resolutions of a conflict with work outside; text is redacted; identities are kept."""
        if name in _IDENTITY:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, Mapping):
            return {k: self.clean(v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.clean(item) for item in value
                    if not self.is_key(item) and not (isinstance(item, Mapping) and self.is_key(item.get("other")))]
        return value


@dataclass(frozen=True)
class Scope:
    """Which requirements an export or a report holds: a customer's (matched by
    `customers.same_customer`), those a filter keeps (`store.query`), or those both keep."""

    customer: str | None = None
    """The customer's name as the board records it."""
    query: Query | None = None

    def includes(self, req: Requirement) -> bool:
        return ((self.customer is None or same_customer(req.customer, self.customer))
                and (self.query is None or self.query.matches(req)))


def customer_named(board: Board, name: str, reqs: Sequence[Requirement] | None = None) -> Customer:
    """The customer `name` names (any case): its record, or the name a requirement gives when the board
    keeps no record of it (a board written by hand). Raises NotFound (board.customer's message)."""
    try:
        return board.customer(name)
    except NotFound:
        wanted = _folded(name)
        for customer in known_customers((), reqs if reqs is not None else board.requirements()):
            if _folded(customer.name) == wanted:
                return customer
        raise


def scope_of(board: Board, *, customer: str | None = None, query: str | Query | None = None,
             reqs: Sequence[Requirement] | None = None, links: LinkIndex | None = None) -> Scope:
    """The scope of a customer's name and a filter (as `list --query` reads it: `blocked` judged on the
    whole board, today in its time zone). Raises NotFound (no such customer), QueryError (a filter it
    cannot read)."""
    reqs = reqs if reqs is not None else board.requirements()
    name = customer_named(board, customer, reqs).name if customer is not None else None
    if isinstance(query, str):
        index = links if links is not None else LinkIndex.of(reqs)
        query = parse_query(query, QueryContext(today=clock.today(), blocked=index.blocked))
    return Scope(name, query)


def _former_names(events: Iterable[Event]) -> dict[str, set[str]]:
    """Each renamed customer's former names, by its name now (casefolded), following the board's renames
    in the order they were made: Helios renamed Orion, then Zeta, is Zeta with the former names Helios and
    Orion; a customer named Orion later is another, whose name Zeta once had."""
    holder: dict[str, int] = {}  # a name now -> the customer (a number) that has it
    formers: dict[int, set[str]] = {}
    for e in sorted(events, key=lambda e: e.at):
        if e.key == "board" and e.action == "customer.renamed" and isinstance(e.old, str) and isinstance(e.new, str):
            old, new = _folded(e.old), _folded(e.new)
            who = holder.pop(old, None)
            if who is None:
                who = len(formers)
                formers[who] = set()
            if old != new:
                formers[who].add(old)
            holder[new] = who
    return {name: formers[who] for name, who in holder.items()}


def _names_in(events: Iterable[Event]) -> set[str]:
    """Every customer name the history holds: the board's customer events, and the customer of a
    requirement as it was before an edit."""
    names = set()
    for e in events:
        if e.key == "board" and e.action == "customer.edited":
            names.add(e.reason)  # (its old and new are the tier, contact ... changed)
        elif (e.key == "board" and e.action.startswith("customer.")) or e.field == "customer":
            names.update(v for v in (e.old, e.new) if isinstance(v, str))
    return {_folded(n) for n in names if n.strip()}


def outside_of(inside: Sequence[Requirement], every: Sequence[Requirement], customers: Iterable[Customer],
               events: Sequence[Event], *, customer: str | None = None) -> Outside:
    """What belongs to work outside `inside` on a board of `every` requirement, its customer records and
    its history; `customer`: the customer in scope (its name is its own even when it has no requirement)."""
    customers = list(customers)
    own_keys = {r.key for r in inside}
    own_crs = {cr.key for r in inside for cr in r.change_requests}
    outside = [r for r in every if r.key not in own_keys]
    keys = {k for r in outside for k in (r.key, *r.previous_keys)} - own_keys
    keys |= {cr.key for r in outside for cr in r.change_requests} - own_crs
    own = {_folded(r.customer) for r in inside if r.customer.strip()} | ({_folded(customer)} if customer else set())
    formers = _former_names(events)
    for name in list(own):
        own |= formers.get(name, set())
    names = {_folded(c.name) for c in customers} | {_folded(r.customer) for r in every if r.customer.strip()}
    names |= _names_in(events)
    current_others = ({_folded(c.name) for c in customers} | {_folded(r.customer) for r in outside}) - {
        _folded(r.customer) for r in inside} - {_folded(customer or "")}
    own -= current_others  # a former name of ours another customer has now is theirs
    return Outside(frozenset(keys), frozenset(names - own - {""}), frozenset(own))


def owned_since(events: Iterable[Event], own_names: frozenset[str]) -> datetime | None:
    """When a requirement became the scope's customer's, if it was another customer's before (the last
    edit of its customer from another's name), else None: what was said with the other customer before
    (notes, readings, history) is theirs."""
    since = None
    for e in events:
        if e.field == "customer" and e.action != "customer.renamed" and isinstance(e.old, str) and e.old.strip() \
                and _folded(e.old) not in own_names and (since is None or e.at > since):
            since = e.at
    return since


def scoped_requirement(req: Requirement, outside: Outside, inside_uids: frozenset[str],
                       since: datetime | None = None) -> Requirement:
    """`req` as a scope writes it out (see the module docstring); `since`: when it became the customer's
    (see `owned_since`), the notes and readings before it left out."""
    original = req.model_dump(mode="json")
    data = dict(original)
    if since is not None:
        kept = {name: [item for item, model in zip(data[name], getattr(req, name), strict=True) if model.at >= since]
                for name in ("notes", "feedback")}
        data.update(kept)
    suspect = data.get("suspect", "")
    data["resolutions"] = [r for r in data.get("resolutions", ()) if r.get("other_uid") in inside_uids
                           and not outside.is_key(r.get("other")) and not outside.is_key(r.get("rejected"))]
    cleaned = outside.clean(data)
    cleaned["suspect"] = "" if outside.mentions(suspect) else suspect
    if cleaned == original:
        return req  # (most are: nothing in them names work outside)
    scoped = Requirement.model_validate(cleaned)
    if (scoped.title, scoped.description, scoped.acceptance_criteria) != (
            req.title, req.description, req.acceptance_criteria):
        # The text as written out: a sign-off of the text as it stands covers it as written out.
        current, written = text_hash(req), text_hash(scoped)
        approvals = tuple(a.model_copy(update={"text_hash": written}) if was.text_hash == current
                          else a for a, was in zip(scoped.approvals, req.approvals, strict=True))
        scoped = scoped.model_copy(update={"approvals": approvals})
    return scoped


def scoped_event(event: Event, outside: Outside, own_crs: frozenset[str]) -> Event | None:
    """An event of a requirement in scope as the scope writes it out, or None when it is about work
    outside (a change request of another requirement, a link outside, a suspect note naming it)."""
    if event.cr is not None and event.cr not in own_crs:
        return None
    if event.field == "suspect" and outside.mentions([event.old, event.new, event.reason]):
        return None
    if outside.is_key(event.new) or outside.is_key(event.old):
        return None  # a conflict with work outside resolved, or the like
    data = event.model_dump(mode="json")
    cleaned = outside.clean(data)
    if event.field in _LINK_FIELDS and outside.mentions([event.old, event.new, event.reason]):
        if event.field == "resolutions" or not (isinstance(cleaned["old"], (list, type(None)))
                                                and isinstance(cleaned["new"], (list, type(None)))):
            return None  # a decision about a conflict with work outside
        if cleaned["old"] == cleaned["new"]:
            return None  # only links outside changed
    if event.action == "dependency_overridden" and event.old and not cleaned["old"]:
        return None  # moved ahead of work outside only
    return event if cleaned == data else Event.model_validate(cleaned)


def copy_uid(uid: str) -> str:
    """The uid a requirement written out as a redacted copy has: its own, derived (the same on every
    export, never the requirement's)."""
    return "c" + hashlib.sha256(f"scoped copy of {uid}".encode()).hexdigest()[:31]


def _with_uids(req: Requirement, renamed: Mapping[str, str]) -> Requirement:
    """`req` under its copy's uid, and the resolutions naming a copy by the copy's."""
    if not renamed:
        return req
    resolutions = tuple(r.model_copy(update={"other_uid": renamed[r.other_uid]}) if r.other_uid in renamed else r
                        for r in req.resolutions)
    return req.model_copy(update={"uid": renamed.get(req.uid, req.uid), "resolutions": resolutions})


class ScopedBoard:
    """A board as an exporter reads it, limited to a scope (see the module docstring). Made from one
    reading of the board: its requirements, customers and history as they were then."""

    def __init__(self, board: Board, scope: Scope) -> None:
        self.scope = scope
        self.path: Path = board.path
        every = board.requirements()
        events = board.history()
        self._customers = board.customers()
        inside = [r for r in every if scope.includes(r)]
        self.links = LinkIndex.of(every)
        """Every link of the whole board (what waits on work outside is known, never named)."""
        self.outside = outside_of(inside, every, self._customers, events, customer=scope.customer)
        uids = frozenset(r.uid for r in inside)
        customer_edits: dict[str, list[Event]] = {}
        for e in events:
            if e.field == "customer" and e.uid in uids:
                customer_edits.setdefault(e.uid, []).append(e)
        self._since = {uid: at for uid, found in customer_edits.items()
                       if (at := owned_since(found, self.outside.own_names)) is not None}
        written = [scoped_requirement(r, self.outside, uids, self._since.get(r.uid)) for r in inside]
        # A requirement written out with less than it has (text redacted, links or notes left out) is a
        # copy: it gets a uid of its own, so that importing the file back can never write the copy over
        # the requirement (the import refuses a key that is another requirement on the board).
        renamed = {r.uid: copy_uid(r.uid) for r, w in zip(inside, written, strict=True) if w is not r}
        self._requirements = [_with_uids(w, renamed) for w in written]
        own_keys = {r.key for r in inside}
        own_crs = frozenset(cr.key for r in inside for cr in r.change_requests)
        foreign_uids = {r.uid for r in every} - uids
        self._history: list[Event] = []
        self._by_uid: dict[str, list[Event]] = {}
        self._by_key: dict[str, list[Event]] = {}
        """Events without a uid (written before events had one), by their key."""
        for e in events:
            ours = e.uid in uids if e.uid else (e.key in own_keys and e.uid not in foreign_uids)
            if ours and e.uid in self._since and e.at < self._since[e.uid]:
                continue  # said while it was another customer's
            if ours:
                scoped = scoped_event(e, self.outside, own_crs)
                if scoped is not None and scoped.uid in renamed:
                    scoped = scoped.model_copy(update={"uid": renamed[scoped.uid]})
                if scoped is not None:
                    self._history.append(scoped)
                    if scoped.uid:
                        self._by_uid.setdefault(scoped.uid, []).append(scoped)
                    else:
                        self._by_key.setdefault(scoped.key, []).append(scoped)
        self._uids = {r.key: r.uid for r in self._requirements}
        self._settings = board.settings()

    @property
    def generation(self) -> int:
        """The versions of the requirements in scope added up: a number of this scope's own (the board's
        count of changes is the whole board's)."""
        return sum(r.version for r in self._requirements)

    def requirements(self, *, include_rejected: bool = True) -> list[Requirement]:
        """The requirements in scope, in key order, as the scope writes them out."""
        return [r for r in self._requirements if include_rejected or r.state is not State.REJECTED]

    def history(self, key: str | None = None) -> list[Event]:
        """Their own history, oldest first (of one of them with `key`: its events under a former key too)."""
        if key is None:
            return list(self._history)
        found = [*self._by_uid.get(self._uids.get(key, ""), ()), *self._by_key.get(key, ())]
        return sorted(found, key=lambda e: e.at)

    def customers(self) -> list[Customer]:
        """The records of the customers in scope (a name a requirement gives without a record, none)."""
        redact = self.outside.redact  # (the team's words of the customer may name another: "also buys for Nova")
        return [c.model_copy(update={"notes": redact(c.notes), "contact": redact(c.contact), "segment": redact(c.segment)})
                for c in self._customers if _folded(c.name) in self.outside.own_names]

    def settings(self) -> dict[str, Any]:
        """The board's settings (lists, targets, roles: nothing of any customer)."""
        return dict(self._settings)
