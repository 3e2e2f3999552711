"""The customer side on the command line (issue #16): the communication log (`note`), surveys
(`feedback --interim --score --reason`), customer records (`customer list|show|add|edit|rename`), the
board's lists (`survey-dimensions`, `low-score-reasons`, `complaint-causes`), response targets
(`target set|list|remove`, the SLA row of `show`), complaint causes (`add`/`edit --cause`), and the
report and export for one customer (`report --customer`, `export --customer|--query`).

Each test runs on a board file and on a board on the PostgreSQL server (conftest's `board_location`),
but those about arguments a shell hands over (they ask for `board_path`). Tests run in UTC and English
unless they say otherwise (conftest).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest

from reqboard.cli.main import Parser, build_parser, main
from reqboard.store.board import Board

from board_locations import BoardLocation
from cli_support import CliRunner


@pytest.fixture(autouse=True)
def store(board_location: BoardLocation) -> BoardLocation:
    """The board every command of a test opens by default: a file, then a server board."""
    return board_location


def delivered(cli: CliRunner, title: str, customer: str = "ACME") -> str:
    """A requirement of `customer` taken to done through the CLI; its key."""
    key = cli("add", title, "--customer", customer).strip()
    cli("move", key, "analysed", "--importance", "3", "--urgency", "3", "--kano", "performance")
    cli("approve", key)
    cli("move", key, "in-progress", "--owner", "bob")
    cli("move", key, "done")
    return key


def version(cli: CliRunner, key: str) -> int:
    found: int = cli.json("show", key)["version"]
    return found


# ============================================================================ the communication log
def test_a_note_in_any_state_is_listed_newest_first_with_the_last_contact(cli: CliRunner) -> None:
    key = cli("add", "Export to PDF", "--customer", "ACME", "--channel", "survey").strip()
    assert cli("note", key, "Asked for A4 pages\nand a logo", "--with", "Li Wei", "--channel", "hotline",
               "--at", "2026-11-20 09:30") == f"{key}: contact with Li Wei noted (hotline, 2026-11-20 09:30)\n"
    # A time with its own zone is that moment (02:00 in UTC, the tests' zone).
    assert cli("note", key, "Sent the draft", "--at", "2026-11-21T10:00+08:00") == (
        f"{key}: contact noted (survey, 2026-11-21 02:00)\n")  # (the requirement's channel by default)
    cli("reject", key, "--reason", "out of scope")
    before = datetime.now(UTC)
    record = cli.json("note", key, "Told them why", "--channel", "email")  # rejected: still noted
    after = datetime.now(UTC)

    assert record["state"] == "rejected"
    notes = record["notes"]
    assert [(n["text"], n["channel"], n["with"], n["by"]) for n in notes] == [
        ("Asked for A4 pages\nand a logo", "hotline", "Li Wei", "tester"),
        ("Sent the draft", "survey", "", "tester"),
        ("Told them why", "email", "", "tester")]
    assert [n["at"][:19] for n in notes[:2]] == ["2026-11-20T09:30:00", "2026-11-21T02:00:00"]
    latest = datetime.fromisoformat(notes[-1]["at"])
    assert before <= latest <= after
    assert record["last_contact"] == notes[-1]["at"]
    assert cli.json("show", key)["last_contact"] == notes[-1]["at"]
    assert [r["last_contact"] for r in cli.json("list")] == [notes[-1]["at"]]

    text = cli("show", key)
    assert "  last contact today (" in text
    rows = [line for line in text.splitlines() if line.startswith("  notes ")]
    assert [row.split(" via ")[1] for row in rows] == [
        "email (noted by tester)", "survey (noted by tester)", "hotline with Li Wei (noted by tester)"]
    lines = text.splitlines()
    first = lines.index(rows[2])
    assert lines[first + 1: first + 3] == ["    Asked for A4 pages", "    and a logo"]
    assert "contact with Li Wei noted: Asked for A4 pages" in cli("history", key)
    # A requirement nobody talked to about has no last contact.
    other = cli("add", "Dark mode").strip()
    assert cli.json("show", other)["last_contact"] is None
    assert "last contact" not in cli("show", other)


def test_a_time_without_a_zone_is_local_and_a_date_alone_is_noon(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # (no timezone in the config: the system's zone is used)
    key = cli("add", "Export", "--customer", "ACME").strip()
    cli("note", key, "local", "--at", "2026-11-20 09:30")
    cli("note", key, "a day", "--at", "2026-11-18")
    cli("note", key, "zoned", "--at", "2026-11-19T23:00Z")
    at = {n["text"]: n["at"] for n in cli.json("show", key)["notes"]}
    assert at == {"local": "2026-11-20T01:30:00Z", "a day": "2026-11-18T04:00:00Z", "zoned": "2026-11-19T23:00:00Z"}
    assert cli("note", key, "shown locally", "--at", "2026-11-20T01:30Z") == (
        f"{key}: contact noted (other, 2026-11-20 09:30)\n")


def test_a_date_alone_that_is_today_is_never_ahead_of_now(cli: CliRunner) -> None:
    key = cli("add", "Export", "--customer", "ACME").strip()
    first_day = date.today()  # (UTC: the tests' zone)
    cli("note", key, "called this morning", "--at", first_day.isoformat())
    now = datetime.now(UTC)
    at = datetime.fromisoformat(cli.json("show", key)["notes"][0]["at"])
    assert at <= now
    assert at.date() == first_day and (at.hour, at.minute, at.second) <= (12, 0, 0)


def test_a_note_refused_says_why_in_one_line_and_changes_nothing(cli: CliRunner) -> None:
    key = cli("add", "Export", "--customer", "ACME").strip()
    assert "REQ-99" in cli.fails(1, "note", "REQ-99", "hello")
    assert "note" in cli.fails(1, "note", key, "   ")
    assert "4000" in cli.fails(1, "note", key, "x" * 4001)
    assert "120" in cli.fails(1, "note", key, "hello", "--with", "y" * 121)
    assert "invalid channel" in cli.fails(1, "note", key, "hello", "--channel", "pigeon")
    assert "--at '20 Nov'" in cli.fails(2, "note", key, "hello", "--at", "20 Nov")
    assert "1970" in cli.fails(1, "note", key, "hello", "--at", "1969-12-31")
    assert "more than a day in the future" in cli.fails(1, "note", key, "hello", "--at", "2999-01-01T00:00Z")
    assert "version" in cli.fails(3, "note", key, "hello", "--expect-version", "7")
    assert cli.json("show", key)["notes"] == [] and version(cli, key) == 1
    cli("note", key, "hello", "--expect-version", "1")
    assert version(cli, key) == 2


# ============================================================================ surveys
def test_interim_readings_with_dimensions_and_reasons_move_nothing(cli: CliRunner) -> None:
    key = cli("add", "Export", "--customer", "ACME").strip()
    assert "feedback is recorded once it is done" in cli.fails(1, "feedback", key, "--satisfaction", "4")
    assert cli("feedback", key, "--interim", "--satisfaction", "3", "--score", "quality=3,responsiveness=4",
               "--score", "Communication=2") == f"{key} interim reading recorded (3/5); it stays collected\n"
    said = cli.fails(1, "feedback", key, "--interim", "--satisfaction", "2")
    assert "a satisfaction of 2 needs a reason: one or more of late, not as agreed, quality, communication" in said
    record = cli.json("feedback", key, "--interim", "--satisfaction", "2", "--reason", "late",
                      "--reason", "not as agreed", "--comment", "slow")
    assert record["state"] == "collected"
    readings = [(f["satisfaction"], f["interim"], f["scores"], f["reasons"]) for f in record["feedback"]]
    assert readings == [(3, True, {"quality": 3, "responsiveness": 4, "communication": 2}, []),
                        (2, True, {}, ["late", "not-as-agreed"])]
    shown = cli("show", key)
    assert "  feedback     3/5 via email at " in shown
    assert "(interim; quality 3, responsiveness 4, communication 2)\n" in shown
    assert "(interim; why: late, not as agreed): slow\n" in shown
    history = cli("history", key)
    assert history.count("interim feedback") == 2


def test_feedback_refusals_name_the_dimension_or_reason(cli: CliRunner) -> None:
    key = cli("add", "Export", "--customer", "ACME").strip()
    interim = ("feedback", key, "--interim", "--satisfaction", "4")
    assert "'speed' is not a survey dimension of this board" in cli.fails(1, *interim, "--score", "speed=3")
    assert "1 to 5" in cli.fails(1, *interim, "--score", "quality=9")
    assert "'bogus' is not a reason for a low score" in cli.fails(1, *interim, "--reason", "bogus")
    assert "give DIM=N" in cli.fails(2, *interim, "--score", "quality")
    assert "whole number from 1 to 5" in cli.fails(2, *interim, "--score", "quality=x")
    assert cli.json("show", key)["feedback"] == []


def test_feedback_on_delivery_keeps_its_scores_and_moves_to_fed_back(cli: CliRunner) -> None:
    key = delivered(cli, "Export")
    assert cli("feedback", key, "--satisfaction", "5", "--score", "quality=5", "--channel", "hotline") == (
        f"{key} feedback recorded (5/5); it is fed_back\n")
    reading = cli.json("show", key)["feedback"][-1]
    assert (reading["interim"], reading["scores"], reading["channel"]) == (False, {"quality": 5}, "hotline")


# ============================================================================ customers
def acme_and_globex(cli: CliRunner) -> None:
    """ACME: REQ-1 fed back (4/5), REQ-2 collected with an interim 2/5 (late), REQ-3 rejected; Globex:
    REQ-4 collected."""
    first = delivered(cli, "Export to PDF")
    cli("feedback", first, "--satisfaction", "4")
    second = cli("add", "Dark mode", "--customer", "acme").strip()
    cli("feedback", second, "--interim", "--satisfaction", "2", "--reason", "late")
    third = cli("add", "Print", "--customer", "ACME").strip()
    cli("reject", third, "--reason", "duplicate")
    cli("add", "Search", "--customer", "Globex", "--tier", "C")


def test_customer_list_and_show_summarise_each_customer(cli: CliRunner) -> None:
    acme_and_globex(cli)
    cli("customer", "add", "Initech", "--tier", "A", "--contact", "Bob, bob@initech.example", "--segment", "banks",
        "--notes", "prefers mail\nno calls on Fridays")
    summaries = cli.json("customer", "list")
    assert [(s["name"], s["tier"], s["requirements"], s["open"], s["delivered"], s["rejected"])
            for s in summaries] == [("ACME", "B", 3, 1, 1, 1), ("Globex", "C", 1, 1, 0, 0), ("Initech", "A", 0, 0, 0, 0)]
    acme = cli.json("customer", "show", "acme")
    assert acme == summaries[0]
    # The mean is over the latest reading of each requirement: (4 + 2) / 2.
    assert (acme["satisfaction"]["mean"], acme["satisfaction"]["count"]) == (3.0, 2)
    assert (acme["satisfaction"]["latest"]["satisfaction"], acme["satisfaction"]["latest"]["key"]) == (2, "REQ-2")
    assert (acme["last_contact"]["key"], acme["last_contact"]["kind"]) == ("REQ-2", "feedback")
    assert acme["count_by_state"] == {"collected": 1, "analysed": 0, "approved": 0, "in_progress": 0, "done": 0,
                                      "fed_back": 1, "rejected": 1}
    assert acme["lead_time_days"]["median"] is not None and acme["open_change_requests"] == []

    lines = cli("customer", "list").splitlines()
    assert lines[0].split() == ["CUSTOMER", "TIER", "OPEN", "DELIVERED", "SATISFACTION", "LAST", "CONTACT"]
    assert [line.split() for line in lines[1:]] == [
        ["ACME", "B", "1", "1", "3.00", "today"], ["Globex", "C", "1", "0", "-", "-"],
        ["Initech", "A", "0", "0", "-", "-"]]

    shown = cli("customer", "show", "ACME")
    assert shown.startswith("ACME  tier B\n")
    assert "  requirements   3: 1 open, 1 delivered, 1 rejected\n" in shown
    assert "  by state       collected 1, fed_back 1, rejected 1\n" in shown
    assert "  satisfaction   mean 3.00 over 2 requirements; latest 2/5 on REQ-2 at " in shown
    assert "  last contact   today: feedback on REQ-2 (email, " in shown
    listed = shown.split("  its requirements\n")[1].splitlines()
    assert [line.split()[:3] for line in listed] == [
        ["REQ-1", "fed_back", "Export"], ["REQ-2", "collected", "Dark"], ["REQ-3", "rejected", "Print"]]
    initech = cli("customer", "show", "initech")
    assert "  contact        Bob, bob@initech.example\n  segment        banks\n" in initech
    assert "  customer notes\n    prefers mail\n    no calls on Fridays\n" in initech
    assert "no customer named 'Nobody'" in cli.fails(1, "customer", "show", "Nobody")
    assert "give a customer command" in cli.fails(2, "customer")


def test_customer_add_edit_and_rename(cli: CliRunner) -> None:
    cli("add", "Export", "--customer", "ACME")
    cli("add", "Print", "--customer", "acme")
    cli("add", "Search", "--customer", "Globex")
    assert cli("customer", "add", "Initech", "--tier", "c") == "customer Initech added (tier C)\n"
    assert "already" in cli.fails(1, "customer", "add", "INITECH")
    assert "'Z' is not a tier: give A, B or C" in cli.fails(1, "customer", "add", "Umbrella", "--tier", "Z")
    assert "'' is not a tier" in cli.fails(1, "customer", "add", "Umbrella", "--tier", "")

    assert cli("customer", "edit", "acme", "--tier", "A") == "customer ACME changed; 2 requirements took tier A\n"
    assert [r["tier"] for r in cli.json("list")] == ["A", "A", None]  # (Globex's requirement names no tier)
    assert cli("customer", "edit", "ACME", "--tier", "A") == "customer ACME changed; 0 requirements took tier A\n"
    assert cli("customer", "edit", "ACME", "--contact", "Li Wei") == "customer ACME changed\n"
    edited = cli.json("customer", "edit", "ACME", "--segment", "retail")
    assert (edited["name"], edited["tier"], edited["contact"], edited["segment"]) == ("ACME", "A", "Li Wei", "retail")
    assert "nothing to change" in cli.fails(2, "customer", "edit", "ACME")
    assert "'' is not a tier" in cli.fails(1, "customer", "edit", "ACME", "--tier", "")  # (not B by default)
    assert "no customer named 'Nobody'" in cli.fails(1, "customer", "edit", "Nobody", "--tier", "A")

    assert cli("customer", "rename", "acme", "ACME Corp") == (
        "customer ACME is now ACME Corp; 2 requirements followed\n")
    assert [r["customer"] for r in cli.json("list")] == ["ACME Corp", "ACME Corp", "Globex"]
    assert "Globex" in cli.fails(1, "customer", "rename", "ACME Corp", "globex")
    assert "no customer named 'ACME'" in cli.fails(1, "customer", "rename", "ACME", "Other")
    renamed = cli.json("customer", "rename", "acme corp", "Acme Corp")  # a change of case only
    assert (renamed["name"], renamed["requirements"]) == ("Acme Corp", 2)
    assert [c["name"] for c in cli.json("customer", "list")] == ["Acme Corp", "Globex", "Initech"]


# ============================================================================ the board's lists
@pytest.mark.parametrize(("command", "setting", "default"), [
    ("survey-dimensions", "survey_dimensions", "quality, responsiveness, communication"),
    ("low-score-reasons", "low_score_reasons", "late, not as agreed, quality, communication"),
    ("complaint-causes", "complaint_causes", "defect, delay, not as agreed, service, billing, other"),
])
def test_the_board_s_lists_are_shown_set_and_reset(cli: CliRunner, command: str, setting: str, default: str) -> None:
    assert cli(command).split(": ", 1)[1].startswith(default + " (")
    assert cli.json(command, "speed,Value for money", "speed", "price") == {setting: ["speed", "Value for money", "price"]}
    assert cli(command).split(": ", 1)[1].startswith("speed, Value for money, price (")
    assert "not both" in cli.fails(2, command, "x", "--reset")
    assert "give at least one" in cli.fails(1, command, " , ")
    assert "at most 40 characters" in cli.fails(1, command, "x" * 41)
    assert "at most 12" in cli.fails(1, command, *[f"c{i}" for i in range(13)])
    assert cli.json(command) == {setting: ["speed", "Value for money", "price"]}
    assert cli(command, "--reset").split(": ", 1)[1].startswith(default + " (")


def test_the_lists_decide_what_feedback_and_a_cause_take(cli: CliRunner) -> None:
    key = cli("add", "Slow replies", "--customer", "ACME", "--channel", "complaint", "--cause", "delay").strip()
    assert cli.json("show", key)["cause"] == "delay"
    assert "  complaint cause delay\n" in cli("show", key)
    cli("edit", key, "--cause", "Not as agreed")  # by its label, any case: stored as the list spells it
    assert cli.json("show", key)["cause"] == "not-as-agreed"
    assert "'bogus' is not a complaint cause of this board" in cli.fails(1, "edit", key, "--cause", "bogus")
    cli("edit", key, "--cause", "")
    assert cli.json("show", key)["cause"] == ""
    assert "complaint cause" not in cli("show", key)

    cli("survey-dimensions", "speed", "price")
    cli("low-score-reasons", "too dear")
    cli("complaint-causes", "rudeness")
    assert "'quality' is not a survey dimension" in cli.fails(
        1, "feedback", key, "--interim", "--satisfaction", "3", "--score", "quality=3")
    reading = cli.json("feedback", key, "--interim", "--satisfaction", "1", "--score", "Speed=1", "--reason", "TOO DEAR")
    assert (reading["feedback"][-1]["scores"], reading["feedback"][-1]["reasons"]) == ({"speed": 1}, ["too dear"])
    assert "'delay' is not a complaint cause" in cli.fails(1, "edit", key, "--cause", "delay")
    assert cli.json("edit", key, "--cause", "rudeness")["cause"] == "rudeness"


# ============================================================================ response targets
def test_targets_are_set_listed_and_removed(cli: CliRunner) -> None:
    assert cli("target", "list") == (
        "no response targets (set one with: reqboard target set [--channel CH] [--tier T] STATE DAYS)\n")
    assert cli("target", "set", "--channel", "complaint", "--tier", "a", "analysed", "2") == (
        "response target set: analysed within 2 days (complaint, tier A)\n")
    assert cli("target", "set", "done", "30") == "response target set: done within 30 days (every requirement)\n"
    assert cli.json("target", "set", "--tier", "C", "in-progress", "0.5") == {
        "state": "in_progress", "days": 0.5, "channel": None, "tier": "C"}
    assert cli("target", "set", "analysed", "1", "--channel", "complaint") == (
        "response target set: analysed within 1 day (complaint)\n")
    cli("target", "set", "done", "20")  # replaces the one of the same state, channel and tier
    assert cli("target", "list") == ("analysed within 1 day (complaint)\n"
                                     "analysed within 2 days (complaint, tier A)\n"
                                     "in_progress within 0.5 days (tier C)\n"
                                     "done within 20 days (every requirement)\n")
    assert cli.json("target", "list")[0] == {"state": "analysed", "days": 1.0, "channel": "complaint", "tier": None}
    assert cli("target", "remove", "analysed", "--channel", "complaint") == (
        "response target removed: analysed within 1 day (complaint)\n")
    assert "no response target for that state" in cli.fails(1, "target", "remove", "analysed", "--channel", "complaint")
    assert len(cli.json("target", "list")) == 3


def test_target_refusals(cli: CliRunner) -> None:
    assert "a response target names a state after collected" in cli.fails(1, "target", "set", "collected", "1")
    assert "a response target names a state after collected" in cli.fails(1, "target", "set", "rejected", "1")
    assert "unknown state 'soon'" in cli.fails(2, "target", "set", "soon", "1")
    assert "above 0 and at most 3650" in cli.fails(1, "target", "set", "analysed", "0")
    assert "above 0 and at most 3650" in cli.fails(1, "target", "set", "analysed", "-1")
    assert "above 0 and at most 3650" in cli.fails(1, "target", "set", "analysed", "3651")
    assert "not a finite number" in cli.fails(2, "target", "set", "analysed", "nan")
    assert "'pigeon' is not a channel" in cli.fails(1, "target", "set", "--channel", "pigeon", "analysed", "1")
    assert "'Z' is not a tier" in cli.fails(1, "target", "set", "--tier", "Z", "analysed", "1")
    assert "give a target command" in cli.fails(2, "target")
    assert cli.json("target", "list") == []


def test_show_names_each_target_a_requirement_is_past(cli: CliRunner, board_of: Callable[..., Board]) -> None:
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    board_of(2, clock=lambda: three_days_ago, channel="complaint")
    cli("target", "set", "analysed", "1")
    cli("target", "set", "--channel", "complaint", "approved", "2.5")
    cli("target", "set", "--channel", "email", "analysed", "0.5")  # (another channel's: not REQ-1's)
    cli("move", "REQ-2", "analysed", "--importance", "3", "--urgency", "3", "--kano", "performance")
    due = {"analysed": three_days_ago + timedelta(days=1), "approved": three_days_ago + timedelta(days=2.5)}
    first = [line for line in cli("show", "REQ-1").splitlines() if line.startswith("  SLA")]
    assert first == [
        f"  SLA          analysed within 1 day (every requirement): due by {due['analysed']:%Y-%m-%d %H:%M}, 2 days late",
        f"  SLA          approved within 2.5 days (complaint): due by {due['approved']:%Y-%m-%d %H:%M}, 0.5 days late"]
    # REQ-2 reached analysed two days late: missed, not breached; approved it has not reached.
    second = [line for line in cli("show", "REQ-2").splitlines() if line.startswith("  SLA")]
    assert [line.split(": due by")[0] for line in second] == ["  SLA          approved within 2.5 days (complaint)"]


# ============================================================================ hostile arguments
def test_hostile_text_reaches_the_terminal_inert(cli: CliRunner, board_path: Any) -> None:
    bidi, esc = "\u202e", "\x1b[2J"
    key = cli("add", "Export", "--customer", f"Ev{bidi}il{esc}Corp").strip()
    out = cli("note", key, f"said {esc}{bidi}txt.exe [b]bold[/b]", "--with", f"Li{bidi}{esc}")
    assert "\x1b" not in out and bidi not in out and "<U+202E>" in out
    shown = cli("show", key)
    assert "\x1b" not in shown and bidi not in shown
    assert "    said [2J<U+202E>txt.exe [b]bold[/b]\n" in shown  # markup is text; the escape character is gone
    assert cli.json("show", key)["notes"][0]["text"] == f"said [2J{bidi}txt.exe [b]bold[/b]"  # (ESC stripped)
    for argv in (["customer", "list"], ["customer", "show", f"ev{bidi}il[2Jcorp"]):
        out = cli(*argv)
        assert "\x1b" not in out and bidi not in out and "Ev<U+202E>il[2JCorp" in out
    said = cli.fails(1, "customer", "show", f"{bidi}Nobody{esc}")
    assert "\x1b" not in said and bidi not in said


@pytest.mark.parametrize("argv", [
    ["note", "REQ-1", "caf\udce9"],
    ["note", "REQ-1", "hello", "--with", "\udcff\udcfe"],
    ["feedback", "REQ-1", "--interim", "--satisfaction", "3", "--score", "qu\udce9lity=3"],
    ["feedback", "REQ-1", "--interim", "--satisfaction", "1", "--reason", "l\udce9te"],
    ["customer", "add", "caf\udce9"],
    ["customer", "edit", "ACME", "--notes", "caf\udce9"],
    ["customer", "rename", "ACME", "caf\udce9"],
    ["survey-dimensions", "caf\udce9"],
    ["target", "set", "--channel", "caf\udce9", "analysed", "1"],
    ["edit", "REQ-1", "--cause", "caf\udce9"],
])
def test_text_that_is_not_utf8_is_refused_in_one_line(cli: CliRunner, board_path: Any, argv: list[str]) -> None:
    cli("add", "Export", "--customer", "ACME")
    before = cli.json("show", "REQ-1")
    assert "is not valid UTF-8 text" in cli.fails(1, *argv)
    assert cli.json("show", "REQ-1") == before
    assert [c["name"] for c in cli.json("customer", "list")] == ["ACME"]


def test_huge_text_is_refused_without_echoing_it(cli: CliRunner, board_path: Any) -> None:
    cli("add", "Export", "--customer", "ACME")
    huge = "x" * 200_000
    for argv in (["note", "REQ-1", huge], ["customer", "add", huge], ["customer", "edit", "ACME", "--notes", huge],
                 ["customer", "rename", "ACME", huge], ["survey-dimensions", huge], ["customer", "show", huge],
                 ["feedback", "REQ-1", "--interim", "--satisfaction", "3", "--score", f"{huge}=3"],
                 ["target", "set", "--channel", huge, "analysed", "1"], ["target", "set", "--tier", huge, "done", "1"]):
        said = cli.fails(1, *argv)
        assert len(said) < 1000, (argv[:2], len(said))
    for argv in (["note", "REQ-1", "hello", "--at", huge], ["feedback", "REQ-1", "--satisfaction", "3", "--score", huge],
                 ["feedback", "REQ-1", "--satisfaction", "3", "--score", f"quality={huge}"]):
        said = cli.fails(2, *argv)
        assert len(said) < 1000, (argv[:2], len(said))
    assert cli.json("show", "REQ-1")["notes"] == []


# ============================================================================ help
NEW_OPTIONS = {
    ("note",): ["--channel", "--with", "--at", "--expect-version", "KEY", "TEXT"],
    ("feedback",): ["--satisfaction", "--comment", "--channel", "--interim", "--score", "--reason"],
    ("customer", "list"): ["--json"],
    ("customer", "show"): ["NAME", "--json"],
    ("customer", "add"): ["NAME", "--tier", "--contact", "--segment", "--notes"],
    ("customer", "edit"): ["NAME", "--tier", "--contact", "--segment", "--notes"],
    ("customer", "rename"): ["OLD", "NEW"],
    ("survey-dimensions",): ["DIM", "--reset", "--json"],
    ("low-score-reasons",): ["CODE", "--reset", "--json"],
    ("complaint-causes",): ["CODE", "--reset", "--json"],
    ("target", "set"): ["--channel", "--tier", "STATE", "DAYS"],
    ("target", "list"): ["--json"],
    ("target", "remove"): ["--channel", "--tier", "STATE"],
    ("add",): ["--cause"],
    ("edit",): ["--cause"],
    ("report",): ["--customer", "--since", "--format"],
    ("export",): ["--customer", "--query"],
}


@pytest.mark.parametrize("words", list(NEW_OPTIONS), ids=" ".join)
def test_the_help_of_each_command_lists_its_options(words: tuple[str, ...], capsys: pytest.CaptureFixture[str],
                                                    board_path: Any) -> None:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: reqboard {' '.join(words)} ")
    for option in NEW_OPTIONS[words]:
        assert f" {option}" in out, (words, option)


def test_every_new_command_is_a_command_of_the_parser(board_path: Any) -> None:
    """The fuzzer of tests/test_cli_hostile.py drives every command the parser has: these are among them."""
    parser = build_parser()
    commands: set[tuple[str, ...]] = set()

    def walk(p: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        if isinstance(p, Parser):
            p.add_deferred_options()
        for action in p._actions:  # argparse offers no public listing of its subparsers
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    commands.add((*words, name))
                    walk(child, (*words, name))

    walk(parser, ())
    assert set(NEW_OPTIONS) <= commands


# ============================================================================ in Chinese
def test_chinese_speaks_the_labels_and_json_stays_as_stored(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    key = cli("add", "导出", "--customer", "华为").strip()
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    assert cli("survey-dimensions").startswith("满意度调查维度：质量、")
    assert cli.json("survey-dimensions") == {"survey_dimensions": ["quality", "responsiveness", "communication"]}
    cli("feedback", key, "--interim", "--satisfaction", "2", "--reason", "延误", "--score", "质量=2")
    reading = cli.json("show", key)["feedback"][-1]
    assert (reading["scores"], reading["reasons"]) == ({"quality": 2}, ["late"])
    heading = cli("customer", "list").splitlines()[0]
    assert "客户" in heading and "CUSTOMER" not in heading
    assert cli.json("customer", "list")[0]["name"] == "华为"


# ============================================================================ the report and export of one customer
def ten_customers(cli: CliRunner) -> None:
    """Ten customers, one requirement each (REQ-1 for Customer 0 ... REQ-10 for Customer 9)."""
    for i in range(10):
        cli("add", f"Feature of customer {i}", "--customer", f"Customer {i}")


def test_report_customer_refuses_an_unknown_or_empty_customer(cli: CliRunner) -> None:
    ten_customers(cli)
    assert "Nobody" in cli.fails(1, "report", "--customer", "Nobody")
    assert "--customer was given an empty name" in cli.fails(2, "report", "--customer", " ")
    assert "--customer was given an empty name" in cli.fails(2, "export", "--customer", "")


def test_export_of_one_customer_holds_nothing_of_the_others(cli: CliRunner) -> None:
    ten_customers(cli)
    document = orjson.loads(cli("export", "--format", "json", "--customer", "customer 3"))
    assert [r["key"] for r in document["requirements"]] == ["REQ-4"]
    text = orjson.dumps(document).decode()
    assert set(re.findall(r"REQ-\d+", text)) == {"REQ-4"}
    for i in (0, 1, 2, 4, 5, 6, 7, 8, 9):
        assert f"Customer {i}" not in text and f"customer {i}" not in text
    csv_text = cli("export", "--format", "csv", "--customer", "Customer 3", "--query", "customer")
    assert "Feature of customer 3" in csv_text and "customer 4" not in csv_text
    queried = orjson.loads(cli("export", "--format", "json", "--query", 'customer:"Customer 5"'))
    assert [r["key"] for r in queried["requirements"]] == ["REQ-6"]
    # --customer and --query together: what both select.
    both = orjson.loads(cli("export", "--format", "json", "--customer", "Customer 3", "--query", 'customer:"Customer 5"'))
    assert both["requirements"] == []
    assert "--query" in cli.fails(2, "export", "--query", 'customer:"acme')


def test_report_of_one_customer_holds_nothing_of_the_others(cli: CliRunner, tmp_path: Any) -> None:
    ten_customers(cli)
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"report.{fmt}"
        assert cli("report", "--customer", "Customer 3", "--format", fmt, "-o", str(out)) == ""
        text = out.read_text(encoding="utf-8")
        assert "Feature of customer 3" in text and set(re.findall(r"REQ-\d+", text)) == {"REQ-4"}
        for i in (0, 1, 2, 4, 5, 6, 7, 8, 9):
            assert f"Customer {i}" not in text and f"customer {i}" not in text
    as_json = orjson.dumps(cli.json("report", "--customer", "customer 3")).decode()
    assert "Feature of customer 3" in as_json and set(re.findall(r"REQ-\d+", as_json)) == {"REQ-4"}
    assert not re.search(r"[Cc]ustomer [0-24-9]\b", as_json)
    assert cli("report", "--customer", "Customer 3").startswith("#")  # Markdown by default, on standard output
