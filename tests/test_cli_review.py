"""Issue #15 from the command line: sign-off by role, dependencies and conflicts that act, change
requests that reach the plan, the team's priority score, `list --query`.

Each test runs the real command (in this process, `cli`; one through real processes) against a board
file and a board on the PostgreSQL server (conftest's `board_location`), and asserts what a person reads,
what `--json` prints for scripts and the exit codes of DESIGN.md section 3.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import orjson
import pytest

from board_locations import BoardLocation
from cli_support import CliRunner, ReqboardProcess
from zh_support import english_words


@pytest.fixture(autouse=True)
def store(board_location: BoardLocation) -> BoardLocation:
    """The board every command of a test opens by default: a file, then a server board."""
    return board_location


def analysed(cli: CliRunner, title: str, *options: str) -> str:
    """A new requirement moved to analysed (importance 4, urgency 3, must-be); its key."""
    key = cli("add", title, "--customer", "ACME", "--importance", "4", "--urgency", "3", "--kano", "must-be",
              *options).strip()
    cli("move", key, "analysed")
    return key


def approved(cli: CliRunner, title: str, *options: str) -> str:
    key = analysed(cli, title, *options)
    cli("approve", key)
    return key


# ============================================================================ sign-off by role
def test_sign_off_by_role_moves_once_every_role_signed(cli: CliRunner) -> None:
    key = analysed(cli, "Export to PDF")
    assert cli("signoff-roles", "customer", "product") == (
        "sign-off roles: customer, product (each signs a requirement's current text before it is approved: "
        "reqboard approve KEY --role ROLE)\n")
    assert cli.json("signoff-roles") == {"signoff_roles": ["customer", "product"]}
    assert cli.json("show", key)["signoffs_missing"] == ["customer", "product"]

    assert "--role customer|product" in cli.fails(1, "approve", key)
    assert "'sales' is not a sign-off role of this board" in cli.fails(1, "approve", key, "--role", "sales")
    out = cli("approve", key, "--role", "Customer", "--on-behalf-of", "Li Wei", "--comment", "by phone")
    assert out == f"{key} signed off by customer (Li Wei, recorded by tester); still missing: product; it is analysed\n"
    shown = cli.json("show", key)
    assert shown["state"] == "analysed" and shown["signoffs_missing"] == ["product"]
    [approval] = shown["approvals"]
    assert (approval["role"], approval["on_behalf_of"], approval["by"], approval["comment"]) == (
        "customer", "Li Wei", "tester", "by phone")
    text = cli("show", key)
    assert re.search(r"^  signed off +customer: Li Wei \(recorded by tester\) at \S+ \S+: by phone$", text, re.M), text
    assert "  missing      a sign-off by product (sign with: reqboard approve REQ-1 --role product)\n" in text

    assert "already signed off by customer (Li Wei)" in cli.fails(1, "approve", key, "--role", "customer")
    assert cli.json("show", key)["version"] == shown["version"]  # the refusal wrote nothing

    assert cli("approve", key, "--role", "product") == (
        f"{key} signed off by product (tester); every sign-off role has signed; it is approved\n")
    shown = cli.json("show", key)
    assert shown["state"] == "approved" and shown["signoffs_missing"] == []
    assert [a["role"] for a in shown["approvals"]] == ["customer", "product"]
    assert "missing" not in cli("show", key)
    assert re.search(r"approved version 2 as customer for Li Wei  \(by phone\)$", cli("history", key), re.M)


def test_a_move_to_approved_with_a_role_is_a_sign_off(cli: CliRunner) -> None:
    key = analysed(cli, "Export to PDF")
    cli("signoff-roles", "customer,product")  # commas part roles too
    assert cli.json("signoff-roles")["signoff_roles"] == ["customer", "product"]
    assert cli("move", key, "approved", "--role", "product") == (
        f"{key} signed off by product (tester); still missing: customer; it is analysed\n")
    assert cli("move", key, "approved", "--role", "customer", "--comment", "ok") == f"{key} is now approved\n"


def test_signoff_roles_none_brings_back_one_sign_off_by_anyone(cli: CliRunner) -> None:
    key = analysed(cli, "Export to PDF")
    cli("signoff-roles", "customer", "product")
    assert "give the roles or --none, not both" in cli.fails(2, "signoff-roles", "qa", "--none")
    assert "a sign-off role needs a name" in cli.fails(1, "signoff-roles", " ")
    assert cli("signoff-roles", "--none") == "no sign-off roles: one sign-off by anyone approves a requirement\n"
    assert cli.json("signoff-roles") == {"signoff_roles": []}
    assert cli.json("show", key)["signoffs_missing"] == [""]  # one sign-off, of any role
    assert "  missing      an approval (sign with: reqboard approve REQ-1)\n" in cli("show", key)
    assert cli("approve", key) == f"{key} approved by tester; it is approved\n"
    assert cli.json("show", key)["signoffs_missing"] == []


def test_a_changed_text_is_signed_off_again_before_it_moves_on(cli: CliRunner) -> None:
    key = approved(cli, "Export to PDF")
    cli("edit", key, "--title", "Export to PDF/A")
    shown = cli.json("show", key)
    assert shown["signoffs_missing"] == [""] and shown["changed_since_approval"] is True
    text = cli("show", key)
    assert re.search(r"^  approved +by tester at .* \(an earlier text\)$", text, re.M), text
    err = cli.fails(1, "move", key, "in-progress", "--owner", "bob")
    assert f"{key} changed since it was approved" in err and f"reqboard approve {key}" in err
    assert cli("approve", key, "--comment", "the new title is fine") == f"{key} approved by tester; it is approved\n"
    assert cli("move", key, "in-progress", "--owner", "bob") == f"{key} is now in_progress\n"


# ============================================================================ dependencies
def test_a_move_waits_for_what_it_depends_on_unless_overridden_with_a_reason(cli: CliRunner) -> None:
    base = approved(cli, "Base API")
    export = approved(cli, "Export", "--depends-on", base)
    assert cli.json("show", base)["needed_by"] == [export]
    shown = cli.json("show", export)
    assert shown["blocked_by"] == [base] and shown["depends_on"] == [base]
    assert "  needed by    REQ-2\n" in cli("show", base)
    assert "  blocked by   REQ-1 (approved)\n" in cli("show", export)

    err = cli.fails(1, "move", export, "in-progress", "--owner", "bob")
    assert f"{export} depends on {base}, not yet done" in err and "--override-dependency --reason TEXT" in err
    assert "needs a reason" in cli.fails(1, "move", export, "in-progress", "--owner", "bob", "--override-dependency")
    assert cli.json("show", export)["state"] == "approved"

    assert cli("move", export, "in-progress", "--owner", "bob", "--override-dependency",
               "--reason", "a stub of the API is enough") == f"{export} is now in_progress\n"
    [event] = [e for e in cli.json("history", export) if e["action"] == "dependency_overridden"]
    assert (event["field"], event["old"], event["new"], event["reason"]) == (
        "depends_on", [base], "in_progress", "a stub of the API is enough")
    assert re.search(r"moved to in_progress before REQ-1 was done  \(a stub of the API is enough\)$",
                     cli("history", export), re.M)
    assert cli.json("show", export)["blocked_by"] == [base]  # in progress, it still waits to finish
    # `show` names what holds the next move back, not a command the board would refuse.
    nxt = re.search(r"^  next +(.*)$", cli("show", export), re.M)
    assert nxt and nxt.group(1).startswith(f"{export} depends on {base}, not yet done"), nxt

    cli("move", base, "in-progress", "--owner", "ann")
    cli("move", base, "done")
    assert cli.json("show", export)["blocked_by"] == []
    assert cli("move", export, "done") == f"{export} is now done\n"


# ============================================================================ conflicts
def test_a_conflict_shows_on_both_sides_and_is_settled_by_a_decision(cli: CliRunner) -> None:
    first = analysed(cli, "PDF export")
    second = analysed(cli, "No exports at all", "--conflicts-with", first)
    for key, other in ((first, second), (second, first)):
        shown = cli.json("show", key)
        assert shown["conflicts"] == [other] and shown["open_conflicts"] == [other]
    assert (f"  conflicts with {second}: open (settle it with: reqboard resolve {first} {second} --decision TEXT)\n"
            in cli("show", first))
    assert f"reqboard resolve {first} {second} --decision TEXT" in cli.fails(1, "approve", first)

    assert "required: --decision" in cli.fails(2, "resolve", first, second)
    third = cli("add", "Unrelated").strip()
    assert "not in conflict" in cli.fails(1, "resolve", first, third, "--decision", "x")
    assert "--reject names one of the two" in cli.fails(1, "resolve", first, second, "--decision", "x",
                                                         "--reject", third)
    out = cli("resolve", first, second, "--decision", "PDF wins: asked by three customers",
              "--reject", second)
    assert out == (f"the conflict between {first} and {second} is resolved by tester: PDF wins: asked by three "
                   f"customers; {second} is rejected\n")
    rejected = cli.json("show", second)
    assert rejected["state"] == "rejected" and rejected["rejection_reason"] == "PDF wins: asked by three customers"
    kept = cli.json("show", first)
    assert kept["conflicts"] == [second] and kept["open_conflicts"] == []
    [resolution] = kept["resolutions"]
    assert (resolution["other"], resolution["by"], resolution["rejected"]) == (second, "tester", second)
    assert re.search(rf"^  conflicts with {second}: resolved by tester at \S+ \S+: PDF wins: asked by three customers "
                     rf"\({second} rejected\)$", cli("show", first), re.M)
    assert re.search(rf"conflict with {second} resolved  \(PDF wins", cli("history", first))
    assert "already resolved" in cli.fails(1, "resolve", second, first, "--decision", "again")
    assert cli("approve", first) == f"{first} approved by tester; it is approved\n"


def test_resolve_json_prints_both_requirements(cli: CliRunner) -> None:
    first = analysed(cli, "PDF export")
    second = analysed(cli, "ODT export", "--conflicts-with", first)
    records = cli.json("resolve", second, first, "--decision", "Both: different markets")
    assert [r["key"] for r in records] == [second, first]
    assert all(r["open_conflicts"] == [] and r["state"] == "analysed" for r in records)
    assert [r["resolutions"][0]["decision"] for r in records] == ["Both: different markets"] * 2


# ============================================================================ change requests reach the plan
def test_an_approved_change_request_changes_the_plan_and_says_who_to_tell(cli: CliRunner) -> None:
    key = approved(cli, "Base API", "--due", "2027-01-10", "--effort", "16", "--owner", "carl")
    assert cli("cr", "add", key, "Add paging", "--new-owner", "dana", "--new-importance", "5",
               "--new-urgency", "2") == "CR-1\n"
    assert "not a date" in cli.fails(2, "cr", "add", key, "x", "--new-due", "10.01.2027")
    cli("cr", "assess", "CR-1", "--schedule-days", "2.5", "--cost", "300", "--effort-hours", "12",
        "--notify", "Li Wei", "sales")
    shown = cli.json("cr", "show", "CR-1")
    assert (shown["proposed_owner"], shown["proposed_importance"], shown["proposed_urgency"], shown["proposed_due"]) == (
        "dana", 5, 2, None)
    assert shown["assessment"]["notify"] == ["Li Wei", "sales"]
    assert shown["to_notify"] == ["Li Wei", "sales"] and shown["notified"] == []
    text = cli("cr", "show", "CR-1")
    for line in ("  new owner    dana", "  if approved  owner: carl -> dana", "  if approved  importance: 4 -> 5",
                 "  if approved  due date: 2027-01-10 -> 2027-01-13", "  if approved  effort estimate: 16 -> 28",
                 "  to tell      Li Wei, sales",
                 "  still to tell Li Wei, sales (once told: reqboard cr notified CR-1 NAME)"):
        assert line + "\n" in text, (line, text)

    assert cli("cr", "notified", "CR-1", "li wei") == "Li Wei was told of CR-1; still to tell: sales\n"
    assert "Li Wei was told of CR-1 already, by tester" in cli.fails(1, "cr", "notified", "CR-1", "Li Wei")
    assert "'bob' is not among those CR-1 must be told of (Li Wei, sales)" in cli.fails(
        1, "cr", "notified", "CR-1", "bob")
    assert re.search(r"^  told +Li Wei, by tester at ", cli("cr", "show", "CR-1"), re.M)
    assert re.search(r"told Li Wei of CR-1$", cli("history", key), re.M)

    cli("cr", "approve", "CR-1", "--rationale", "cheap")
    req = cli.json("show", key)
    assert (req["due"], req["effort_estimate"], req["owner"], req["importance"], req["urgency"]) == (
        "2027-01-13", 28.0, "dana", 5, 2)
    assert "if approved" not in cli("cr", "show", "CR-1")  # applied: nothing left to forecast
    assert cli.json("cr", "notified", "CR-1", "sales")["to_notify"] == []

    # A proposed due date wins over the assessed schedule days.
    cli("cr", "add", key, "Move the date", "--new-due", "2027-03-01")
    cli("cr", "assess", "CR-2", "--schedule-days", "5", "--cost", "0", "--effort-hours", "0")
    assert "  if approved  due date: 2027-01-13 -> 2027-03-01\n" in cli("cr", "show", "CR-2")
    assert "names nobody to tell" in cli.fails(1, "cr", "notified", "CR-2", "sales")
    cli("cr", "approve", "CR-2", "--rationale", "agreed")
    assert cli.json("show", key)["due"] == "2027-03-01"


# ============================================================================ the team's priority score
def test_score_weights_set_the_score_show_and_list_print(cli: CliRunner) -> None:
    key = analysed(cli, "Export", "--value", "5", "--effort", "4")
    assert cli.json("show", key)["score"] == 12  # the default: importance x urgency
    assert cli.json("score-weights") == {"importance": 1, "urgency": 1, "value": 0, "effort": 0,
                                         "feasibility": 0, "tier": 0}
    assert "score" not in cli("show", key)  # the priority row says it while the weights are the default

    out = cli("score-weights", "value=1", "effort=0.5")
    assert out.splitlines()[:6] == ["importance   1", "urgency      1", "value        1", "effort       0.5",
                                    "feasibility  0", "tier         0"]
    assert "score = importance^1 × urgency^1 × value^1 × effort^0.5\n" in out
    expected = round(4 * 3 * 5 * math.sqrt(5), 2)  # effort of 4 hours is 5 on the cost scale
    assert cli.json("show", key)["score"] == expected
    assert [r["score"] for r in cli.json("list")] == [expected]
    assert (f"  score        {expected:g} (importance 4^1 × urgency 3^1 × business value 5^1 × effort 5^0.5)\n"
            in cli("show", key))

    assert "there is no score weight 'bogus'" in cli.fails(1, "score-weights", "bogus=1")
    assert "must be a number from 0 to 10" in cli.fails(1, "score-weights", "value=11")
    assert "'x' is not a number" in cli.fails(2, "score-weights", "value=x")
    assert "give NAME=N" in cli.fails(2, "score-weights", "value")
    assert cli.json("score-weights", "业务价值=2")["value"] == 2  # a weight's Chinese name works too
    assert cli.json("score-weights", "--reset", "tier=1") == {"importance": 1, "urgency": 1, "value": 0,
                                                              "effort": 0, "feasibility": 0, "tier": 1}
    assert cli.json("score-weights", "--reset")["tier"] == 0
    assert cli.json("show", key)["score"] == 12


# ============================================================================ list --query
def test_list_query_uses_the_board_s_filter_with_the_whole_board(cli: CliRunner) -> None:
    base = approved(cli, "Base API")
    blocked = approved(cli, "Export", "--depends-on", base)
    cli("add", "Invoices", "--customer", "Northwind", "--due", "2020-01-31")
    assert [r["key"] for r in cli.json("list", "--query", "blocked")] == [blocked]
    assert [r["key"] for r in cli.json("list", "-q", "customer:acme", "--state", "approved")] == [base, blocked]
    assert [r["key"] for r in cli.json("list", "-q", "customer:acme", "--state", "collected")] == []
    assert [r["key"] for r in cli.json("list", "-q", "overdue")] == ["REQ-3"]
    assert [r["key"] for r in cli.json("list", "-q", "due:<2021-01-01 invoices")] == ["REQ-3"]
    text = cli("list", "--query", "受阻")
    assert [line.split()[0] for line in text.splitlines()[1:]] == [blocked]

    err = cli.fails(2, "list", "--query", "due:<someday")
    assert err.startswith("error: --query 'due:<someday': ")
    assert "check the quotes" in cli.fails(2, "list", "--query", 'customer:"acme')


def test_list_json_records_are_show_s(cli: CliRunner) -> None:
    base = approved(cli, "Base API")
    cli("add", "Export", "--depends-on", base, "--conflicts-with", base)
    for record in cli.json("list"):
        assert record == cli.json("show", record["key"])
    assert {k: cli.json("show", "REQ-2")[k] for k in ("blocked_by", "conflicts", "open_conflicts")} == {
        "blocked_by": [base], "conflicts": [base], "open_conflicts": [base]}


# ============================================================================ a real process; Chinese
def test_the_review_commands_in_real_processes(reqboard_process: ReqboardProcess) -> None:
    for argv in (("add", "Base API", "--customer", "ACME", "--importance", "4", "--urgency", "3", "--kano",
                  "must-be"),
                 ("add", "Export", "--customer", "ACME", "--importance", "4", "--urgency", "3", "--kano",
                  "must-be", "--depends-on", "REQ-1"),
                 ("move", "REQ-1", "analysed"), ("move", "REQ-2", "analysed"),
                 ("signoff-roles", "customer", "product")):
        assert reqboard_process(*argv).returncode == 0
    signed = reqboard_process("approve", "REQ-2", "--role", "customer")
    assert (signed.returncode, signed.stdout, signed.stderr) == (
        0, "REQ-2 signed off by customer (tester); still missing: product; it is analysed\n", "")
    assert reqboard_process("approve", "REQ-2", "--role", "product").returncode == 0
    refused = reqboard_process("move", "REQ-2", "in-progress", "--owner", "bob")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("error: REQ-2 depends on REQ-1, not yet done") and refused.stderr.count("\n") == 1
    shown = orjson.loads(reqboard_process("show", "REQ-2", "--json").stdout)
    assert (shown["blocked_by"], shown["signoffs_missing"], shown["score"]) == (["REQ-1"], [], 12)
    bad = reqboard_process("list", "--query", "due:<someday")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --query")


def test_show_and_cr_show_speak_chinese(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    cli("signoff-roles", "客户", "产品")
    cli("add", "导出发票", "--customer", "华为", "--importance", "4", "--urgency", "3", "--kano", "必备", "--due",
        "2027-01-10", "--value", "4")
    cli("add", "开具电子发票", "--customer", "华为", "--importance", "2", "--urgency", "2", "--kano", "必备",
        "--depends-on", "REQ-1", "--conflicts-with", "REQ-1")
    cli("move", "REQ-1", "已分析")
    cli("score-weights", "value=1")
    cli("resolve", "REQ-2", "REQ-1", "--decision", "两者都要")
    cli("approve", "REQ-1", "--role", "客户", "--on-behalf-of", "王芳", "--comment", "同意")
    cli("cr", "add", "REQ-1", "增加横向打印", "--new-owner", "张伟")
    cli("cr", "assess", "CR-1", "--schedule-days", "2", "--cost", "100", "--effort-hours", "8", "--notify", "王芳",
        "销售部")
    cli("cr", "notified", "CR-1", "王芳")
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    shown = cli("show", "REQ-1")
    for line in ("  被依赖于     REQ-2\n", "  尚缺         产品 的签核（签核命令：reqboard approve REQ-1 --role 产品）\n",
                 "  得分         48（重要性 4^1 × 紧急程度 3^1 × 业务价值 4^1）\n"):
        assert line in shown, (line, shown)
    assert re.search(r"^  已签核 +客户：王芳（由 tester 代为登记），\S+ \S+：同意$", shown, re.M), shown
    assert re.search(r"^  冲突 +REQ-2：已由 tester 于 \S+ \S+ 解决：两者都要$", shown, re.M), shown
    assert english_words(shown, allowed={"tester"}) == set(), shown
    assert "  受阻于       REQ-1（已分析）\n" in cli("show", "REQ-2")
    cr = cli("cr", "show", "CR-1")
    assert "  批准后       负责人：- -> 张伟\n" in cr and "  尚待通知     销售部（通知后运行：reqboard cr notified CR-1 NAME）\n" in cr
    assert english_words(cr, allowed={"tester"}) == set(), cr
    assert cli("approve", "REQ-1", "--role", "产品") == "REQ-1 已由 产品 签核（tester）；所有签核角色均已签核，现为已批准\n"


def decided_on_two_copies(folder: Path) -> Path:
    """A team board whose REQ-1/REQ-2 conflict was settled twice, by alice on it and by carol on a copy
    ("team: keep PDF", "laptop: keep Word"), then synced; the team board's path."""
    from reqboard.store.board import Board
    from reqboard.store.sync import clone_board, sync_boards

    team = Board(folder / "team.json", "alice")
    team.add_requirement("PDF export")
    team.add_requirement("Word export", conflicts_with=("REQ-1",))
    laptop = Board(folder / "laptop.json", "carol")
    clone_board(team, laptop)
    team.resolve_conflict("REQ-1", "REQ-2", "team: keep PDF")
    laptop.resolve_conflict("REQ-1", "REQ-2", "laptop: keep Word")
    assert not sync_boards(laptop, team).conflicts
    return folder / "team.json"


def test_decisions_taken_on_two_copies_are_all_shown(reqboard_process: ReqboardProcess, tmp_path: Path) -> None:
    """Two copies of a board each settled the same conflict and synced: both decisions are kept (each
    was taken) and `show` lists both, not just the later one."""
    shown = reqboard_process("show", "REQ-1", "--store", str(decided_on_two_copies(tmp_path)))
    assert shown.returncode == 0, shown.stderr
    decisions = re.findall(r"^  conflicts with +REQ-2: resolved by (\w+) at \S+ \S+: (.*)$", shown.stdout, re.M)
    assert sorted(decisions) == [("alice", "team: keep PDF"), ("carol", "laptop: keep Word")], shown.stdout


def test_show_says_changed_until_every_role_signed_the_new_text(cli: CliRunner) -> None:
    cli("signoff-roles", "customer", "product")
    key = analysed(cli, "Export")
    cli("approve", key, "--role", "customer")
    cli("approve", key, "--role", "product")
    cli("edit", key, "--title", "Export, changed")
    assert re.search(r"^  CHANGED +since its approval$", cli("show", key), re.M)
    cli("approve", key, "--role", "customer")  # half re-signed: still changed
    assert re.search(r"^  CHANGED +since its approval$", cli("show", key), re.M)
    cli("approve", key, "--role", "product")
    assert "CHANGED" not in cli("show", key)


def test_a_role_named_later_is_not_listed_missing_in_show_or_its_json(cli: CliRunner) -> None:
    cli("signoff-roles", "customer")
    key = analysed(cli, "Export")
    cli("approve", key, "--role", "customer")
    cli("signoff-roles", "customer", "qa")
    assert cli.json("show", key)["signoffs_missing"] == []
    assert "missing" not in cli("show", key)
    # A text changed now is signed again in every role the board names now.
    cli("edit", key, "--title", "Export, changed")
    assert cli.json("show", key)["signoffs_missing"] == ["customer", "qa"]
    cli("approve", key, "--role", "customer")
    assert cli.json("show", key)["signoffs_missing"] == ["qa"]
    assert "qa" in cli.fails(1, "move", key, "in-progress", "--owner", "bob")
    cli("approve", key, "--role", "qa")
    assert cli.json("show", key)["signoffs_missing"] == []
    assert cli("move", key, "in-progress", "--owner", "bob") == f"{key} is now in_progress\n"
