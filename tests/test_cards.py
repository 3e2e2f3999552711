"""The board's cards are read from the stored records without models: they must say what the models say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pytest

from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.cards import Card
from reqboard.store.demo import build_demo_board
from reqboard.store.errors import StoreUnreadable
from reqboard.store.links import LinkIndex
from reqboard.store.models import State
from reqboard.store.query import parse_query


@pytest.fixture(scope="module")
def demo_board(tmp_path_factory: pytest.TempPathFactory) -> Board:
    path = tmp_path_factory.mktemp("cards") / "demo.json"
    build_demo_board(path)
    return Board(path, "tester")


def test_every_card_shows_what_its_requirement_says(demo_board: Board) -> None:
    cards = demo_board.cards()
    models = demo_board.requirements()
    assert [c.key for c in cards] == [m.key for m in models]
    today = date(2026, 12, 1)
    stale = crs = 0
    for card, req in zip(cards, models, strict=True):
        assert (card.number, card.uid, card.version, card.title, card.description) == (
            req.number, req.uid, req.version, req.title, req.description)
        assert (card.state, card.customer, card.tier, card.channel, card.owner, card.tags, card.kano) == (
            req.state, req.customer, req.tier, req.channel, req.owner, req.tags, req.kano)
        assert card.priority == req.priority
        assert card.since == (req.state_since or req.updated_at)
        assert card.overdue(today) == req.overdue(today)
        assert card.open_change_requests == len(req.open_change_requests)
        assert card.approval_stale == (bool(req.approvals) and not req.approval_current)
        assert card.suspect == req.suspect
        assert (card.depends_on, card.conflicts_with, card.resolved_uids) == (
            req.depends_on, req.conflicts_with, req.resolved_uids)
        assert card.signoffs == tuple((a.text_hash, a.role, a.roles_asked) for a in req.approvals)
        assert card.requirement == req
        stale += card.approval_stale
        crs += bool(card.open_change_requests)
    # The demo has both kinds of badge, so the comparison above covered them.
    assert stale and crs


def test_cards_carry_the_review_fields_and_links_of_their_requirements(tmp_path: Path) -> None:
    """Issue #15's fields on a card (links, resolutions, the plan fields, sign-offs and the CHG badge)
    say what the models and the rules say, on a board with roles, links, a resolution and a changed text."""
    board = Board(tmp_path / "b.json", "lead")
    roles = board.set_signoff_roles(["customer", "product"])
    analysis = {"customer": "ACME", "importance": 3, "urgency": 4, "kano": "performance"}
    base = board.add_requirement("Payment API", **analysis, business_value=5, effort_estimate=12.5,
                                 feasibility="high", need_type="explicit", category="payments").key
    board.move_requirement(base, State.ANALYSED)
    for role in roles:
        board.approve(base, role=role)
    waiting = board.add_requirement("Checkout", **analysis, depends_on=(base,)).key
    rival = board.add_requirement("Pay on delivery", conflicts_with=(waiting,)).key
    board.resolve_conflict(waiting, rival, "both, by region")
    other = board.add_requirement("Invoice by mail", conflicts_with=(base,)).key
    board.edit_requirement(base, {"description": "Card and wallet."})  # CHG: signed off, changed since
    board.move_requirement(waiting, State.ANALYSED)
    board.approve(waiting, role="customer")  # half signed, text unchanged: no CHG
    cards, models = {c.key: c for c in board.cards()}, {r.key: r for r in board.requirements()}
    rules = workflow.Rules(signoff_roles=roles)
    for key, req in models.items():
        card = cards[key]
        assert (card.depends_on, card.conflicts_with, card.resolved_uids) == (
            req.depends_on, req.conflicts_with, req.resolved_uids)
        assert (card.business_value, card.effort_estimate, card.feasibility, card.need_type, card.category) == (
            req.business_value, req.effort_estimate, req.feasibility, req.need_type, req.category)
        assert card.signoffs == tuple((a.text_hash, a.role, a.roles_asked) for a in req.approvals)
        assert card.needs_reapproval(roles) == workflow.reapproval_pending(req, rules)
    assert [key for key in models if cards[key].needs_reapproval(roles)] == [base]
    by_cards, by_models = LinkIndex.of(cards.values()), LinkIndex.of(models.values())
    for key in models:
        assert (by_cards.blocked(key), by_cards.open_conflicts(key), by_cards.needed_by(key)) == (
            by_models.blocked(key), by_models.open_conflicts(key), by_models.needed_by(key))
    assert by_cards.blocked(waiting) and by_cards.needed_by(base) == (waiting,)
    assert by_cards.open_conflicts(base) == (other,) and by_cards.open_conflicts(waiting) == ()


def test_a_filter_selects_the_same_cards_as_requirements(demo_board: Board) -> None:
    cards, models = demo_board.cards(), demo_board.requirements()
    for text in ("tier:A", "channel:email", "priority:>=12", "state:done", "kano:must", "pdf", "tag:ui"):
        query = parse_query(text)
        assert [c.key for c in cards if query.matches(c)] == [r.key for r in models if query.matches(r)], text


def test_unchanged_records_keep_their_cards_across_writes(tmp_path: Path) -> None:
    board = Board(tmp_path / "b.json", "tester")
    for n in range(3):
        board.add_requirement(f"Requirement {n}")
    first = {c.key: c for c in board.cards()}
    board.edit_requirement("REQ-2", {"title": "Changed"})
    second = {c.key: c for c in board.cards()}
    assert second["REQ-1"] is first["REQ-1"] and second["REQ-3"] is first["REQ-3"]
    assert second["REQ-2"] is not first["REQ-2"] and second["REQ-2"].title == "Changed"
    # Another process's write: the file is read again, and unchanged cards still survive it.
    Board(tmp_path / "b.json", "other").edit_requirement("REQ-3", {"owner": "bob"})
    board.refresh()
    third = {c.key: c for c in board.cards()}
    assert third["REQ-1"] is first["REQ-1"] and third["REQ-3"].owner == "bob"
    assert third["REQ-1"].record is board.storage.tables()["requirements"]["1"]


def _tamper(path: Path, number: int, **fields: object) -> None:
    tables = orjson.loads(path.read_bytes())
    tables["requirements"][str(number)].update(fields)
    path.write_bytes(orjson.dumps(tables))


def test_control_characters_in_a_hand_edited_record_never_reach_a_card(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    Board(path, "tester").add_requirement("Plain", customer="ACME")
    _tamper(path, 1, title="Bell\x07 and \x1b[31mred", customer="AC\x9bME", tags=["u\x1bi"])
    card = Board(path, "tester").cards()[0]
    assert (card.title, card.customer, card.tags) == ("Bell and [31mred", "ACME", ("ui",))


def test_a_record_too_broken_for_a_card_is_reported_by_field(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    board = Board(path, "tester")
    board.add_requirement("One")
    board.add_requirement("Two")
    _tamper(path, 2, state="somewhere")
    with pytest.raises(StoreUnreadable, match=r"record REQ-2 is invalid .*state"):
        Board(path, "tester").cards()


def test_a_card_of_a_record_that_breaks_a_rule_refuses_to_become_a_requirement(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    Board(path, "tester").add_requirement("Long enough")
    _tamper(path, 1, title="x" * 500)  # a card can show it; the model's length rule refuses it
    card = Board(path, "tester").cards()[0]
    assert isinstance(card, Card) and card.state is State.COLLECTED
    with pytest.raises(StoreUnreadable, match=r"record REQ-1 is invalid .*title"):
        _ = card.requirement


def test_select_keeps_what_matches_keeps_and_its_order(demo_board: Board) -> None:
    cards = demo_board.cards()
    for text in ("tier:A", "pdf", "tier:A,B priority:>=6", "", "customer:atlas tag:ui"):
        query = parse_query(text)
        assert query.select(cards) == [c for c in cards if query.matches(c)], text


APPROVED_RECORD = {
    "key": "REQ-1", "uid": "uid-agree-0001", "title": "Export to CSV", "description": "All columns",
    "state": "approved", "version": 3, "created_by": "ana", "created_at": "2026-01-01T00:00:00Z",
    "updated_by": "ana", "updated_at": "2026-01-02T00:00:00Z", "due": "2026-03-10",
    "acceptance_criteria": [{"text": "Opens in a spreadsheet", "done": False}],
}


def _approved_for(record: dict[str, object]) -> dict[str, object]:
    """The record with an approval of its own text, hashed by the model."""
    from reqboard.store.models import Requirement, text_hash

    approval = {"by": "bo", "at": "2026-01-03T00:00:00Z", "text_hash": text_hash(Requirement.model_validate(record))}
    return {**record, "approvals": [approval]}


@pytest.mark.parametrize("today", [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)])
@pytest.mark.parametrize("state", [s.value for s in State])
@pytest.mark.parametrize("due", ["2026-03-10", None])
def test_a_card_and_its_model_agree_on_overdue(today: date, state: str, due: str | None) -> None:
    from reqboard.store.models import Requirement

    record = {**APPROVED_RECORD, "state": state, "due": due}
    assert Card.of(record).overdue(today) == Requirement.model_validate(record).overdue(today)


@pytest.mark.parametrize("edit", [
    {},                                                        # approved as it reads
    {"title": "Export to Excel"},                              # the text changed since: stale
    {"description": "Only the visible columns"},
    {"acceptance_criteria": [{"text": "Opens in Excel", "done": False}]},
    {"acceptance_criteria": [{"text": "Opens in a spreadsheet", "done": True}]},  # a tick is no text change
    {"owner": "carol", "importance": 5},                       # no text change
])
@pytest.mark.parametrize("hand_edited", [False, True])
def test_a_card_and_its_model_agree_on_a_stale_approval(edit: dict[str, object], hand_edited: bool) -> None:
    from reqboard.store.models import Requirement

    record = {**_approved_for(APPROVED_RECORD), **edit}
    if hand_edited:  # control characters and spaces typed into the file: the model cleans them away
        record["title"] = f"  \x1b{record['title']}\x07 "
        record["description"] = f"{record['description']}\x9b"
    model = Requirement.model_validate(record)
    assert Card.of(record).approval_stale == (not model.approval_current)
    assert Card.of(record).approval_stale == (edit != {} and set(edit) != {"owner", "importance"}
                                              and edit.get("acceptance_criteria", [{}])[0].get("done") is not True)


def test_a_card_carries_its_requirement_s_section(tmp_path: Path) -> None:
    """Issue #20: the section (heading path in the source document) is on the card as on the model."""
    board = Board(tmp_path / "board.json", "ann")
    placed = board.add_requirement("Card payment", section="3 Interfaces / 3.2 Payment")
    loose = board.add_requirement("Dark mode")
    cards = {card.key: card for card in board.cards()}
    assert cards[placed.key].section == "3 Interfaces / 3.2 Payment" == board.get(placed.key).section
    assert cards[loose.key].section == ""
    board.edit_requirement(placed.key, {"section": "3 Interfaces / 3.3 Refunds"})
    assert {card.key: card.section for card in board.cards()}[placed.key] == "3 Interfaces / 3.3 Refunds"
    events = [e for e in board.history(placed.key) if e.field == "section"]
    assert [(e.old, e.new) for e in events] == [("3 Interfaces / 3.2 Payment", "3 Interfaces / 3.3 Refunds")]
