"""A board of ten customers whose work is tangled together, for the tests that a report or an export for
one customer holds nothing of the nine others (issue #16: "no other customer's name, title, key or
count anywhere").

`build(location)` drives a real board (a file or a server's) through real operations on a fixed clock.
The customer reported on is Aurora Textiles (first known as Aurora Weaving). Its five requirements touch
the others' work every way the board links work: it depends on unfinished work of Borealis Freight, it
was rejected by a conflict settled in Borealis Freight's favour (a decision naming their key and name),
it conflicts with Cobalt Pharmacy's work (undecided), a change request of Cobalt Pharmacy's marked it
suspect, its own change request lists other work as affected, one of its requirements was first filed
under Borealis Freight, and its notes and feedback comments name other customers and keys. The others
have notes, comments, change requests and feedback of their own; Ironbark Sawmill was renamed Ironbark
Timber; one requirement names no customer.

`forbidden(case)` works out, from the board itself, every string that belongs to the nine others: their
names (former ones included), titles, keys (requirements and change requests), notes, comments and
change request summaries, and the counts of the whole board that differ from Aurora's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from reqboard.store.board import Board
from reqboard.store.customers import same_customer
from reqboard.store.models import State

from board_locations import BoardLocation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(days=30, hours=3)
OURS = "Aurora Textiles"
FORMER = "Aurora Weaving"

CUSTOMERS = ("Borealis Freight", FORMER, "Cobalt Pharmacy", "Dunmore Brewing", "Elmwood Clinic", "Fjordline Ferries",
             "Galena Mining", "Halcyon Hotels", "Ironbark Sawmill", "杭州青禾科技")
"""Created in this order, three requirements each in three rounds: Borealis Freight has REQ-1, REQ-11,
REQ-21; Aurora REQ-2, REQ-12, REQ-22 (and REQ-31, REQ-32 later): the other's keys are prefixes of
Aurora's (REQ-1 of REQ-12) and the other way round (REQ-3 of REQ-31)."""

TITLES = {
    "Borealis Freight": ("Pallet scan at dock doors", "Reefer temperature feed", "Cross-dock label format"),
    FORMER: ("Colour-fast dye batch records", "Loom downtime alerts", "Fabric roll labels"),
    "Cobalt Pharmacy": ("Prescription refill reminders", "Controlled drug ledger", "Pharmacist rota planner"),
    "Dunmore Brewing": ("Hop inventory forecast", "Cask return tracking", "Taproom tab settlement"),
    "Elmwood Clinic": ("Patient recall letters", "Vaccine fridge log", "Triage waiting board"),
    "Fjordline Ferries": ("Sailing delay notices", "Vehicle deck plan", "Season pass renewals"),
    "Galena Mining": ("Shaft ventilation survey", "Ore grade sampling log", "Blast window roster"),
    "Halcyon Hotels": ("Late checkout requests", "Minibar restock route", "Wedding block holds"),
    "Ironbark Sawmill": ("Kiln moisture readings", "Log yard map", "Offcut sales counter"),
    "杭州青禾科技": ("茶园灌溉排程", "采摘工时统计", "春茶预售看板"),
}


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@dataclass
class TenCustomers:
    board: Board
    clock: Clock
    own: tuple[str, ...]
    """Aurora's keys."""


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def build(location: BoardLocation) -> TenCustomers:
    clock = Clock()
    board = location.board("ann", clock=clock)

    def at(n: float) -> Board:
        clock.at = day(n)
        return board

    for i, name in enumerate(CUSTOMERS):
        board.add_customer(name, "ABC"[i % 3], notes=f"Account notes of {name}: renewal talks in May")
    keys: dict[str, list[str]] = {name: [] for name in CUSTOMERS}
    for round_ in range(3):
        for name in CUSTOMERS:
            keys[name].append(at(0).add_requirement(TITLES[name][round_], customer=name, channel="email").key)
    a1, a2, a3 = keys[FORMER]
    a4 = at(0.5).add_requirement("Shift handover checklist", customer=FORMER, channel="complaint").key
    a5 = at(0.5).add_requirement("Dye lot export to ERP", customer="Borealis Freight", channel="interview").key
    at(0.5).add_requirement("Internal build pipeline upkeep")
    b1, b2, b3 = keys["Borealis Freight"]
    c1 = keys["Cobalt Pharmacy"][0]
    assert (a1, a2, a4, b1, b2, c1) == ("REQ-2", "REQ-12", "REQ-31", "REQ-1", "REQ-11", "REQ-3")

    at(1).rename_customer(FORMER, OURS)
    at(1).rename_customer("Ironbark Sawmill", "Ironbark Timber")
    at(1).edit_requirement(a5, {"customer": OURS, "due": date(2026, 4, 3)})  # first filed under Borealis by mistake
    at(1).set_response_target("analysed", 2, channel="complaint")

    analysis = {"importance": 4, "urgency": 4, "kano": "performance"}
    # Everyone's work moves along; each of the others has a note, a reading and a change request of its own.
    for n, name in enumerate(CUSTOMERS):
        first = keys[name][0]
        current = OURS if name == FORMER else "Ironbark Timber" if name == "Ironbark Sawmill" else name
        at(2).move_requirement(first, "analysed", updates=analysis)
        at(3).approve(first)
        at(4).move_requirement(first, "in_progress", updates={"owner": "bob"})
        if current != OURS:
            at(5).add_note(first, f"Call with {current} about {TITLES[name][0]}", channel="hotline",
                           with_=f"Buyer at {current}")
            at(6).record_feedback(first, 2 + n % 3, f"Comment from {current} on progress", interim=True,
                                  reasons=("late",) if 2 + n % 3 <= 2 else ())
            cr = at(6).add_change_request(keys[name][1], f"Change wanted by {current}", reason="scope").key
            if n % 2:
                at(6).assess_change_request(cr, schedule_days=n, cost=100 * n, effort_hours=n)
                at(6).decide_change_request(cr, approve=True, rationale=f"agreed with {current}")

    # Aurora's REQ-2: delivered, read low, a change request and a call followed.
    at(8).move_requirement(a1, "done")
    at(9).record_feedback(a1, 2, "Dyes ran on the first batch, unlike Cobalt Pharmacy's REQ-3 rollout", channel="hotline",
                          scores={"quality": 2, "responsiveness": 4, "communication": 3}, reasons=("quality", "late"))
    cr_a = at(10).add_change_request(a1, "Add a batch photo", reason="to check the colour",
                                     new_due=date(2026, 4, 20)).key
    at(10).assess_change_request(cr_a, schedule_days=3, cost=500, effort_hours=16, risk="low", affects=(b2, a2))
    at(11).decide_change_request(cr_a, approve=True, rationale="cheap, and it answers the complaint")
    at(11).add_note(a1, "Told Li Wei the photo comes with the next batch; Halcyon Hotels wants the same", channel="hotline",
                    with_="Li Wei")
    # REQ-12: waits on Borealis Freight's unfinished REQ-11; overdue; an interim reading.
    at(12).edit_requirement(a2, {"depends_on": (b2,), "due": date(2026, 3, 20)})
    at(13).record_feedback(a2, 4, "Alerts look right", interim=True, scores={"communication": 5})
    at(13).add_note(a2, "Mail: waiting for REQ-11 of Borealis Freight before we can start", channel="email")
    # REQ-22: rejected, a conflict with Borealis Freight's REQ-21 settled in their favour.
    at(14).edit_requirement(a3, {"conflicts_with": (b3,)})
    at(15).resolve_conflict(a3, b3, f"Borealis Freight's {b3} label format wins", reject=a3)
    # REQ-31: an open conflict with Cobalt Pharmacy's REQ-3, and Cobalt's change request marks it suspect.
    at(16).edit_requirement(a4, {"conflicts_with": (c1,)})
    cr_c = at(16).add_change_request(c1, "Cobalt wants a new ledger column").key
    at(16).assess_change_request(cr_c, schedule_days=2, cost=50, effort_hours=4, affects=(a4,))
    at(17).decide_change_request(cr_c, approve=True, rationale="fine")
    # REQ-32: conflicts with Aurora's own REQ-12, settled; due soon.
    at(18).edit_requirement(a5, {"conflicts_with": (a2,)})
    at(19).resolve_conflict(a5, a2, "Export after the alerts ship")
    # Someone else's work waits on Aurora's.
    at(20).edit_requirement(keys["Dunmore Brewing"][1], {"depends_on": (a1,)})
    at(21).move_requirement(a5, "analysed", updates=analysis)
    return TenCustomers(board, clock, (a1, a2, a3, a4, a5))


def key_pattern(key: str) -> re.Pattern[str]:
    """A key as a whole token: REQ-12 is not found in REQ-123 nor in XREQ-12."""
    return re.compile(rf"(?<![A-Za-z0-9_-]){re.escape(key)}(?![0-9])")


def count_pattern(n: int) -> re.Pattern[str]:
    """A count as a number in text: not a digit of a longer number, a time (09:33) or a date."""
    return re.compile(rf"(?<![\w.:/-]){n}(?![\w:]|[.,]\d)")


@dataclass(frozen=True)
class Forbidden:
    keys: frozenset[str]
    texts: frozenset[str]
    """Names, titles, notes, comments, summaries: found in any case."""
    counts: frozenset[int]


def forbidden(case: TenCustomers) -> Forbidden:
    """What belongs to the nine others, worked out from the board (see the module docstring)."""
    board = case.board
    reqs = board.requirements()
    theirs = [r for r in reqs if not same_customer(r.customer, OURS)]
    ours = [r for r in reqs if same_customer(r.customer, OURS)]
    keys = {r.key for r in theirs} | {cr.key for r in theirs for cr in r.change_requests}
    texts = {r.title for r in theirs} | {r.customer for r in theirs if r.customer}
    texts |= {c.name for c in board.customers() if not same_customer(c.name, OURS)}
    renamed = {e.old: e.new for e in board.history() if e.action == "customer.renamed"}
    texts |= {old for old, new in renamed.items() if not same_customer(new, OURS)}
    texts |= {n.text for r in theirs for n in r.notes} | {f.comment for r in theirs for f in r.feedback}
    texts |= {cr.summary for r in theirs for cr in r.change_requests}
    whole = {len(reqs), sum(r.state not in (State.DONE, State.FED_BACK, State.REJECTED) for r in reqs),
             sum(len(r.change_requests) for r in reqs), len(board.customers())}
    own = {len(ours), sum(r.state not in (State.DONE, State.FED_BACK, State.REJECTED) for r in ours),
           sum(len(r.change_requests) for r in ours)}
    return Forbidden(frozenset(keys), frozenset(t for t in texts if t), frozenset(whole - own))


def leaks(text: str, bad: Forbidden, *, counted: str | None = None) -> list[str]:
    """Every forbidden string `text` holds; `counted`: the part of it a person reads, where counts are
    looked for (the whole text by default)."""
    found = [key for key in bad.keys if key_pattern(key).search(text)]
    folded = text.casefold()
    found += [t for t in bad.texts if t.casefold() in folded]
    found += [f"count {n}" for n in bad.counts if count_pattern(n).search(text if counted is None else counted)]
    return sorted(found)
