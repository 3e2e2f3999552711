"""Scoped exports (`export --customer NAME`, `--query Q`; issue #16 item 3): only that customer's (or that
filter's) requirements, with nothing of the others, in every format; a scoped JSON export imports into an
empty board."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import NotFound
from reqboard.store.exchange import apply_import, export_board, preview_import
from reqboard.store.exchange.scope import MARK, Outside, ScopedBoard, scope_of
from reqboard.store.models import text_hash
from reqboard.store.query import QueryError

import ten_customers as ten
from board_locations import BoardLocation
from cli_support import CliRunner


@pytest.fixture
def case(board_location: BoardLocation) -> ten.TenCustomers:
    case = ten.build(board_location)
    case.clock.at = ten.NOW
    return case


def _text(data: bytes) -> str:
    return data.decode("utf-8-sig")


def test_a_customers_export_holds_nothing_of_the_nine_others_in_any_format(case: ten.TenCustomers) -> None:
    bad = ten.forbidden(case)
    for fmt in ("json", "csv", "md", "reqif"):
        text = _text(export_board(case.board, fmt, customer=ten.OURS))
        # Counts are looked for where a count could be written: not in each record's version, score or uid.
        counted = text
        if fmt == "json":
            data = json.loads(text)
            counted = json.dumps({k: v for k, v in data.items() if k != "requirements"})
        elif fmt == "reqif":
            counted = text[:text.index("<SPEC-OBJECTS>")]
        elif fmt == "csv":
            counted = text.splitlines()[0]
        assert ten.leaks(text, bad, counted=counted) == [], fmt
        assert all(ten.key_pattern(key).search(text) for key in case.own), fmt
    # Without the scope the same check finds them all.
    assert {"REQ-1", "Borealis Freight", "Pallet scan at dock doors"} <= set(ten.leaks(
        _text(export_board(case.board, "md")), bad))


def test_the_scoped_json_export_imports_into_an_empty_board(case: ten.TenCustomers, tmp_path: Path) -> None:
    data = export_board(case.board, "json", customer="aurora textiles")
    fresh = Board(tmp_path / "fresh.json", "zed")

    summary = apply_import(fresh, data, "json", source="aurora.json")

    assert [a.key for a in summary.added] == list(case.own)
    assert fresh.check() == ([], [])
    assert [c.name for c in fresh.customers()] == [ten.OURS]
    reqs = {r.key: r for r in fresh.requirements()}
    # The link between two of Aurora's requirements and its decision came along; the links to others did not.
    assert reqs["REQ-32"].conflicts_with == ("REQ-12",) and reqs["REQ-12"].conflicts_with == ("REQ-32",)
    assert [r.decision for r in reqs["REQ-32"].resolutions] == ["Export after the alerts ship"]
    assert reqs["REQ-12"].depends_on == () and reqs["REQ-22"].conflicts_with == () and reqs["REQ-22"].resolutions == ()
    assert reqs["REQ-31"].conflicts_with == () and reqs["REQ-31"].suspect == ""
    assert reqs["REQ-2"].change_requests[0].assessment is not None
    assert reqs["REQ-2"].change_requests[0].assessment.affects == ("REQ-12",)  # REQ-11 (Borealis) left out
    assert reqs["REQ-22"].rejection_reason == f"{MARK}'s {MARK} label format wins"
    assert reqs["REQ-2"].state.value == "approved" and reqs["REQ-2"].feedback[0].satisfaction == 2
    # Their own history came along, and nothing else.
    history = fresh.history("REQ-12")
    assert [e.action for e in history if e.action in ("interim_feedback", "note", "resolved")] == [
        "interim_feedback", "note", "resolved"]
    # REQ-12 is suspect after Aurora's own CR-10; REQ-31's flag, by Cobalt's CR-11, did not come along.
    assert [(e.key, e.new) for e in fresh.history() if e.action == "suspect"] == [("REQ-12", "CR-10 changed REQ-2")]


def test_reqboard_import_reads_a_scoped_export_into_an_empty_board(case: ten.TenCustomers, tmp_path: Path,
                                                                    cli: CliRunner) -> None:
    exported = tmp_path / "aurora.json"
    exported.write_bytes(export_board(case.board, "json", customer=ten.OURS))
    fresh = tmp_path / "fresh.json"

    cli("--store", str(fresh), "import", str(exported))

    listed = json.loads(cli("--store", str(fresh), "list", "--json"))
    assert [r["key"] for r in listed] == list(case.own) and {r["customer"] for r in listed} == {ten.OURS}
    cli("--store", str(fresh), "check")


def test_the_history_keeps_their_own_events_without_what_is_outside(case: ten.TenCustomers) -> None:
    doc = json.loads(export_board(case.board, "json", customer=ten.OURS))
    assert doc["board_history"] == []
    events = {r["key"]: r["history"] for r in doc["requirements"]}

    # REQ-32 was first filed under Borealis Freight: the edit that moved it says only that it moved.
    moved = next(e for e in events["REQ-32"] if e["field"] == "customer")
    assert (moved["old"], moved["new"]) == (MARK, ten.OURS)
    # The dependency on REQ-11 (Borealis) was the only link REQ-12's edit made: the edit is left out.
    assert not [e for e in events["REQ-12"] if e["field"] == "depends_on"]
    # The conflict with REQ-21 and its decision, and the suspect flag of CR-11 (Cobalt), are left out.
    assert not [e for e in events["REQ-22"] if e["action"] == "resolved" and e["field"] == "conflicts_with"]
    assert not [e for e in events["REQ-31"] if e.get("cr") or e["field"] in ("suspect", "conflicts_with")]
    # The rename of Aurora itself stays: its former name is its own.
    assert any(e["old"] == ten.FORMER for e in events["REQ-2"])


def test_the_reqif_header_carries_a_number_of_the_scope_not_the_boards(case: ten.TenCustomers) -> None:
    text = _text(export_board(case.board, "reqif", customer=ten.OURS))
    versions = sum(r.version for r in case.board.requirements() if r.key in case.own)
    assert f'IDENTIFIER="rb-header-{versions}"' in text
    assert f"rb-header-{case.board.generation}" not in text


def test_a_query_narrows_the_export_with_the_boards_filter_language(case: ten.TenCustomers) -> None:
    rows = list(csv.DictReader(io.StringIO(_text(export_board(case.board, "csv", query="state:in_progress")))))
    # Each customer's first requirement is in progress, but Aurora's REQ-2: delivered, then sent back.
    assert [r["Key"] for r in rows] == ["REQ-1", *(f"REQ-{n}" for n in range(3, 11))]

    both = list(csv.DictReader(io.StringIO(_text(export_board(case.board, "csv", customer=ten.OURS,
                                                              query="state:analysed")))))
    assert [r["Key"] for r in both] == ["REQ-32"]
    assert both[0]["Conflicts with"] == ""  # REQ-12 is outside this scope: the link is left out
    blocked = list(csv.DictReader(io.StringIO(_text(export_board(case.board, "csv", customer=ten.OURS,
                                                                 query="blocked")))))
    assert [r["Key"] for r in blocked] == ["REQ-12"]  # it waits on Borealis Freight's REQ-11
    text = _text(export_board(case.board, "md", query="customer:cobalt"))
    assert "Prescription refill reminders" in text and ten.OURS not in text


def test_an_unknown_customer_or_an_unreadable_query_is_refused(case: ten.TenCustomers) -> None:
    with pytest.raises(NotFound, match="no customer named 'Nobody Ltd'"):
        export_board(case.board, "json", customer="Nobody Ltd")
    with pytest.raises(QueryError):
        export_board(case.board, "json", query='customer:"unclosed')


def test_a_customer_with_no_requirement_exports_its_record_only(board_location: BoardLocation) -> None:
    board = board_location.board("ann")
    board.add_customer("Quiet Co", "C", notes="Met at the fair; Loud Co is their rival")
    board.add_requirement("Loud work", customer="Loud Co")

    doc = json.loads(export_board(board, "json", customer="quiet co"))

    assert doc["requirements"] == [] and doc["board_history"] == []
    assert doc["customers"] == [{"name": "Quiet Co", "tier": "C", "contact": "", "segment": "",
                                 "notes": f"Met at the fair; {MARK} is their rival"}]


def test_redaction_takes_whole_keys_and_names_and_keeps_the_scopes_own() -> None:
    outside = Outside(frozenset({"REQ-1", "CR-3"}), frozenset({"orion", "acme", "华为"}),
                      frozenset({"acme rail"}))

    assert outside.redact("REQ-1, req-1 and CR-3 but not REQ-12, CR-31 or XREQ-1") == \
        f"{MARK}, {MARK} and {MARK} but not REQ-12, CR-31 or XREQ-1"
    assert outside.redact("Orion and ORION's, not Orionid") == f"{MARK} and {MARK}'s, not Orionid"
    assert outside.redact("Acme Rail asked what Acme got") == f"Acme Rail asked what {MARK} got"
    assert outside.redact("华为云的需求") == f"{MARK}云的需求"
    assert outside.clean({"depends_on": ["REQ-1", "REQ-12"], "uid": "REQ-1", "text": "see REQ-1",
                          "resolutions": [{"other": "REQ-1"}, {"other": "REQ-12"}]}) == {
        "depends_on": ["REQ-12"], "uid": "REQ-1", "text": f"see {MARK}", "resolutions": [{"other": "REQ-12"}]}


def test_an_approval_covers_the_text_as_written_out(board_location: BoardLocation) -> None:
    """A description naming another customer is written out redacted; its sign-off still covers it (it
    covered the text that was redacted), so the export does not show it as changed since approval."""
    board = board_location.board("ann")
    board.add_requirement("Other work", customer="Borealis")
    key = board.add_requirement("Labels", customer="Aurora", description="Same format as Borealis uses").key
    board.move_requirement(key, "analysed", updates={"importance": 3, "urgency": 3, "kano": "performance"})
    board.approve(key)
    board.add_requirement("Stale", customer="Aurora")
    board.edit_requirement("REQ-3", {"description": "before"})

    view = ScopedBoard(board, scope_of(board, customer="Aurora"))
    labels = next(r for r in view.requirements() if r.key == key)

    assert labels.description == f"Same format as {MARK} uses"
    assert labels.approval_current and labels.approvals[-1].text_hash == text_hash(labels)
    assert board.get(key).approvals[-1].text_hash == text_hash(board.get(key)) != text_hash(labels)


# ---------------------------------------------------------------- names and keys however they are written
def test_a_name_is_found_however_it_is_written() -> None:
    """ß for ss, full-width letters, an invisible character or a no-break space inside, any case; a key
    with leading zeros, in lower case or after an underscore: all are the other customer's."""
    outside = Outside(frozenset({"REQ-1", "CR-2"}), frozenset({"großbank", "globex", "acme corp"}), frozenset({"beta"}))
    assert outside.redact("Großbank, GROSSBANK, grossbank") == f"{MARK}, {MARK}, {MARK}"
    assert outside.redact("Glo\u200bbex, ＧＬＯＢＥＸ, Acme\u00a0Corp, Acme  Corp") == f"{MARK}, {MARK}, {MARK}, {MARK}"
    assert outside.redact("REQ-01, req-1, see_REQ-001, CR-02, REQ-10, REQ-11") == (
        f"{MARK}, {MARK}, see_{MARK}, {MARK}, REQ-10, REQ-11")
    assert outside.redact("beta and Globexes and Orionid") == "beta and Globexes and Orionid"


def test_a_requirement_moved_from_another_customer_brings_none_of_what_was_said_with_them(tmp_path: Path) -> None:
    board = Board(tmp_path / "b.json", "ann")
    board.add_customer("Orion", "A", contact="Li Wei")
    board.add_customer("Acme", "B")
    key = board.add_requirement("Portal", customer="Orion").key
    board.add_note(key, "budget 2M, CFO furious", with_="Li Wei")
    board.record_feedback(key, 1, "worst vendor ever", interim=True, reasons=["late"])
    board.edit_requirement(key, {"customer": "Acme"})
    board.add_note(key, "Acme's kick-off call")
    for fmt in ("json", "csv", "md"):
        text = _text(export_board(board, fmt, customer="Acme"))
        for said in ("CFO furious", "Li Wei", "worst vendor", "Orion"):
            assert said not in text, (fmt, said)
        assert "kick-off" in text
    from reqboard.store.reports import customer_report, render_customer_report

    report = render_customer_report(customer_report(board, "Acme"), "md").decode()
    assert "worst vendor" not in report and "CFO furious" not in report and "kick-off" in report


def test_the_customer_record_exported_names_no_other_customer(tmp_path: Path) -> None:
    board = Board(tmp_path / "b.json", "ann")
    board.add_customer("Nova", "A")
    board.add_customer("Acme", "B", contact="Bob, also buyer for Nova", segment="Nova partners", notes="see Nova")
    board.add_requirement("Portal", customer="Acme")
    board.add_requirement("Other", customer="Nova")
    text = _text(export_board(board, "json", customer="Acme"))
    assert "Nova" not in text and "Bob, also buyer for" in text


def test_a_former_name_reused_by_another_customer_stays_the_first_ones(tmp_path: Path) -> None:
    """Helios renamed Orion, then Zeta; a new customer Orion is another: its report holds neither Helios
    nor Zeta."""
    board = Board(tmp_path / "b.json", "ann")
    board.add_customer("Helios", "A")
    board.add_requirement("x", customer="Helios")
    board.rename_customer("Helios", "Orion")
    board.rename_customer("Orion", "Zeta")
    board.add_customer("Orion", "C")
    board.add_requirement("y", customer="Orion", description="unlike Helios and Zeta")
    text = _text(export_board(board, "csv", customer="Orion"))
    assert "Helios" not in text and "Zeta" not in text and "unlike" in text


def test_a_redacted_export_cannot_be_imported_back_over_the_board(tmp_path: Path) -> None:
    """A requirement written out with less than it has (a name redacted, a link left out) is a copy with
    a uid of its own: importing the file back is refused for it, and writes nothing over the original;
    one written out whole comes back unchanged."""
    board = Board(tmp_path / "b.json", "ann")
    board.add_customer("Globex", "A")
    board.add_customer("Northwind", "B")
    other = board.add_requirement("Globex invoices", customer="Globex").key
    redacted = board.add_requirement("NW invoices", customer="Northwind", description="like Globex asked in " + other,
                                     depends_on=(other,)).key
    whole = board.add_requirement("NW logo", customer="Northwind").key
    for fmt in ("csv", "reqif"):
        data = export_board(board, fmt, customer="Northwind")


        summary = preview_import(board, data, fmt)
        assert summary.refused and any(redacted in line for line in summary.refused), (fmt, summary.refused)
    assert board.get(redacted).description == "like Globex asked in " + other
    assert board.get(redacted).depends_on == (other,) and board.get(whole).version == 1
