"""The command line against hostile files, links, keys, bytes and keyboards (issue 11, the CLI's part).

Exports and reports never land on the board's own files or on anything that is not a plain file;
arguments, terminals and history lines that are not what they should be get a proper error, never an
"unexpected ... (please report this)"; ctrl+c after an import's commit still reports it; user text
reaches the terminal with nothing that can disguise it. A bounded fuzzer drives the whole command line.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from reqboard.cli.main import Parser, build_parser, main
from reqboard.store.board import Board
from reqboard.store.filestore import boardfile, files

from cli_support import ReqboardProcess

BIDI, ZERO_WIDTH, LINE_SEP = "\u202e", "\u200b", "\u2028"


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run(*argv: str, stdout_encoding: str = "utf-8") -> Outcome:
    """`reqboard ARGV` in this process, its standard streams text over bytes as a terminal's are."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding=stdout_encoding)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace")
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    out.flush()
    err.flush()
    return Outcome(code, out_bytes.getvalue().decode("utf-8", "backslashreplace"),
                   err_bytes.getvalue().decode("utf-8", "backslashreplace"))


def refused(outcome: Outcome, code: int = 1) -> str:
    """The one `error:` line of a refused command (asserting there is exactly one, and no crash)."""
    assert outcome.code == code, outcome
    assert outcome.err.startswith("error: ") and outcome.err.count("\n") == 1, outcome
    assert "unexpected" not in outcome.err and "Traceback" not in outcome.err, outcome
    return outcome.err


@pytest.fixture
def board(board_path: Path) -> Path:
    """A board with history, a lock file and kept backups (three commits)."""
    b = Board(board_path, "tester")
    first = b.add_requirement("Export invoices", customer="Acme", tier="A")
    b.add_requirement("Dark mode", customer="Globex")
    b.edit_requirement(first.key, {"importance": 4, "urgency": 3, "kano": "performance"})
    for name in ("board.json.history.jsonl", "board.json.lock", "board.json.backups"):
        assert (board_path.parent / name).exists(), name
    return board_path


def digest(board: Path) -> tuple[bytes, bytes]:
    return board.read_bytes(), board.with_name(board.name + ".history.jsonl").read_bytes()


# ---------------------------------------------------------------------------- item 5: -o
@pytest.mark.parametrize("command", [["export", "--format", "md"], ["report"]])
@pytest.mark.parametrize("name", ["board.json", "board.json.history.jsonl", "board.json.lock",
                                  "board.json.backups/notes.md", "board.json.unreadable-20250101T000000"])
def test_output_onto_a_file_of_the_board_is_refused(board: Path, command: list[str], name: str) -> None:
    quarantined = board.with_name("board.json.unreadable-20250101T000000")
    quarantined.write_bytes(b"kept for recovery")
    before, lock = digest(board), (board.parent / "board.json.lock").stat().st_ino
    err = refused(run(*command, "-o", str(board.parent / name)))
    assert str(board.parent / name) in err
    assert digest(board) == before
    assert (board.parent / "board.json.lock").stat().st_ino == lock
    assert quarantined.read_bytes() == b"kept for recovery"
    assert not (board.parent / "board.json.backups/notes.md").exists()
    assert run("check").code == 0


def test_output_onto_another_boards_files_is_refused(board: Path, tmp_path: Path) -> None:
    # Exporting a second board must not replace the first one (found by the fuzzer below).
    other = tmp_path / "other.json"
    Board(other, "tester").add_requirement("On the other board")
    before = digest(board)
    for name in ("board.json", "board.json.history.jsonl", "board.json.lock", "board.json.unreadable-1"):
        assert "board" in refused(run("--store", str(other), "export", "--format", "md", "-o",
                                      str(board.parent / name)))
    backup = next((board.parent / "board.json.backups").iterdir())
    refused(run("--store", str(other), "report", "-o", str(backup)))
    assert digest(board) == before and run("check").code == 0


def test_output_onto_the_board_by_a_relative_name_is_refused(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(board.parent)
    before = digest(board)
    assert "the board file itself" in refused(run("export", "--format", "md", "-o", "board.json"))
    assert digest(board) == before


def test_output_through_a_linked_folder_onto_the_board_is_refused(board: Path, tmp_path: Path) -> None:
    (tmp_path / "alias").symlink_to(board.parent, target_is_directory=True)
    before = digest(board)
    refused(run("export", "--format", "md", "-o", str(tmp_path / "alias" / "board.json")))
    assert digest(board) == before


def test_output_onto_a_hard_link_of_the_board_is_refused(board: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    os.link(board, other / "copy.json")
    err = refused(run("export", "-o", str(other / "copy.json")))
    assert "hard link" in err and "board file" in err
    assert os.path.samefile(board, other / "copy.json")


def test_output_onto_a_symlink_is_refused_and_what_it_points_to_is_untouched(board: Path, tmp_path: Path) -> None:
    # Decided: a link at the target is refused (never followed, never silently replaced).
    kept = tmp_path / "kept.md"
    kept.write_text("mine")
    (tmp_path / "link.md").symlink_to(kept)
    (tmp_path / "to-board.json").symlink_to(board)
    before = digest(board)
    assert "symbolic link" in refused(run("export", "--format", "md", "-o", str(tmp_path / "link.md")))
    refused(run("export", "-o", str(tmp_path / "to-board.json")))
    assert kept.read_text() == "mine" and (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "to-board.json").is_symlink() and digest(board) == before


def test_output_onto_what_is_not_a_regular_file_is_refused(board: Path, tmp_path: Path) -> None:
    fifo, folder = tmp_path / "pipe", tmp_path / "folder"
    os.mkfifo(fifo)
    folder.mkdir()
    assert "not a regular file (a FIFO (named pipe))" in refused(run("report", "-o", str(fifo)))
    assert "a directory" in refused(run("export", "-o", str(folder)))
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and folder.is_dir()
    device = tmp_path / "null"
    try:  # a character device like /dev/null, made here so a broken guard cannot replace the real one
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        return
    assert "not a regular file (a character device)" in refused(run("export", "-o", str(device)))
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_output_into_a_missing_folder_is_refused(board: Path, tmp_path: Path) -> None:
    err = refused(run("export", "-o", str(tmp_path / "no-such" / "x.json")))
    assert "does not exist" in err


def test_output_keeps_an_existing_files_mode(board: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared-report.md"
    out.write_text("old")
    out.chmod(0o640)
    previous = os.umask(0o077)
    try:
        assert run("report", "-o", str(out)).code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.read_text() != "old"


def test_output_dash_is_standard_output(board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run("export", "--format", "json", "-o", "-")
    assert outcome.code == 0 and orjson.loads(outcome.out)["format"] == "reqboard"
    assert not (tmp_path / "-").exists()


# ---------------------------------------------------------------------------- item 11: proper errors
def test_text_that_is_not_utf8_is_refused_cleanly(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(board)
    bad = b"caf\xe9".decode("utf-8", "surrogateescape")  # what Python makes of Latin-1 bytes in argv
    assert "b'caf\\xe9'" in refused(run("add", bad))
    refused(run("edit", "REQ-1", "--owner", bad))
    refused(run("--user", bad, "add", "A title"))
    monkeypatch.setenv("REQBOARD_USER", bad)
    assert "REQBOARD_USER" in refused(run("add", "A title"))
    assert digest(board) == before


def test_file_names_that_are_not_utf8_are_written_as_escapes(board: Path, tmp_path: Path) -> None:
    # Any bytes make a file name: the import's source and the report's board name must still be text
    # that the history journal and JSON can hold (found by the fuzzer below).
    name = b"r\xe9sum\xe9.csv".decode("utf-8", "surrogateescape")
    (tmp_path / name).write_text("Title\nFrom a Latin-1 named file\n")
    assert run("import", str(tmp_path / name)).code == 0
    history = run("history", "REQ-3")
    assert history.code == 0 and "r\\xe9sum\\xe9.csv" in history.out, history
    other = tmp_path / b"caf\xe9.json".decode("utf-8", "surrogateescape")
    Board(other, "tester").add_requirement("On a board with a Latin-1 name")
    report = run("--store", str(other), "report", "--json")
    assert report.code == 0 and orjson.loads(report.out), report


def test_an_unknown_state_for_wip_is_a_usage_error(board: Path) -> None:
    assert "bogus" in refused(run("wip", "bogus", "3"), code=2)
    assert run("wip", "in-progress", "3").code == 0


@pytest.mark.parametrize("where", ["/", "folder", "."])
def test_a_store_that_is_a_directory_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    for command in (["list"], ["add", "x"], ["check"], ["history", "REQ-1"], ["export"]):
        assert where in refused(run("--store", where, *command), code=4)


def test_a_store_that_is_a_device_is_refused(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here (needs root outside a restricted container)")
    for command in (["list"], ["add", "x"], ["check"]):
        assert "not a regular file" in refused(run("--store", str(device), *command), code=4)
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_an_empty_store_option_does_not_fall_back_to_the_default_board(board: Path) -> None:
    before = digest(board)  # $REQBOARD_STORE names `board` in these tests
    refused(run("--store", "", "add", "Meant for another board"), code=2)
    assert digest(board) == before


def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_crash(board_path: Path) -> None:
    Board(board_path, "tester").add_requirement("导出发票 😀", customer="客户")
    shown = run("show", "REQ-1", stdout_encoding="ascii")
    assert shown.code == 0, shown
    assert "\\u5bfc\\u51fa\\u53d1\\u7968" in shown.out
    listed = run("list", stdout_encoding="ascii")
    assert listed.code == 0 and "\\u5ba2\\u6237" in listed.out
    # JSON is UTF-8 whatever the terminal: a script reads back exactly what was stored.
    as_json = run("show", "REQ-1", "--json", stdout_encoding="ascii")
    assert as_json.code == 0 and orjson.loads(as_json.out)["title"] == "导出发票 😀"


def test_a_corrupt_history_line_is_exit_4(board: Path) -> None:
    journal = board.with_name(board.name + ".history.jsonl")
    data = journal.read_bytes()
    journal.write_bytes(b"X" + data[1:])  # same length: the board's recorded journal size still fits
    err = refused(run("history", "REQ-1"), code=4)
    assert str(journal) in err


def test_importing_a_directory_or_device_is_refused(board: Path, tmp_path: Path) -> None:
    assert "a directory" in refused(run("import", str(tmp_path), "--format", "csv"))
    device = tmp_path / "null"
    try:  # like /dev/null (not /dev/zero: a regression would read that until memory runs out)
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        return
    assert "not a regular file" in refused(run("import", str(device), "--format", "csv"))


def test_importing_a_fifo_is_refused_without_waiting_for_a_writer(board: Path, tmp_path: Path,
                                                                 reqboard_process: ReqboardProcess) -> None:
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    # A child process, so that a regression (waiting forever for a writer) fails instead of hanging.
    done = reqboard_process("--store", str(board), "import", str(fifo))
    assert done.returncode == 1 and "not a regular file" in done.stderr, done


# ---------------------------------------------------------------------------- item 16: ctrl+c
CSV_ROWS = "Title,Customer\nInvoices by mail,Initech\nExport to SAP,Umbrella\n"


@contextmanager
def ctrl_c_in(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str, *, before_call: bool) -> Iterator[None]:
    """Press ctrl+c (a real SIGINT to this process) once, just before or just after `module.<name>` runs."""
    original = getattr(module, name)
    pressed: list[bool] = []

    def pressing(*args: object, **kwargs: object) -> object:
        if before_call and not pressed:
            pressed.append(True)
            signal.raise_signal(signal.SIGINT)
        result = original(*args, **kwargs)
        if not before_call and not pressed:
            pressed.append(True)
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(module, name, pressing)
    yield
    assert pressed, f"{module.__name__}.{name} was never called: the test no longer presses ctrl+c"


def test_ctrl_c_after_the_import_committed_reports_what_was_committed(
        board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(CSV_ROWS)
    # fsync_dir runs once the board file has been replaced: the import is committed by then.
    with ctrl_c_in(monkeypatch, files, "fsync_dir", before_call=False):
        outcome = run("import", str(rows))
    assert outcome.code == 0, outcome
    assert outcome.out.startswith("added 2 requirement(s)"), outcome
    assert "the import was completed rather than cut short" in outcome.err
    titles = [r.title for r in Board(board, "tester").requirements()]
    assert titles.count("Invoices by mail") == 1 and titles.count("Export to SAP") == 1


def test_ctrl_c_before_the_import_committed_stops_it(
        board: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(CSV_ROWS)
    before = board.read_bytes()
    # The board file is replaced by one atomic write: before it, nothing is committed.
    with ctrl_c_in(monkeypatch, boardfile, "atomic_write", before_call=True):
        outcome = run("import", str(rows))
    assert outcome.code == 130 and outcome.err == "error: interrupted\n", outcome
    assert board.read_bytes() == before
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert run("check").code == 0


# ---------------------------------------------------------------------------- item 17: disguised text
def test_disguising_characters_are_made_visible_in_human_output(board_path: Path, tmp_path: Path) -> None:
    b = Board(board_path, "tester")
    title = f"Invoice{ZERO_WIDTH} {BIDI}fdp.exe"
    req = b.add_requirement(title, customer=f"Ac{BIDI}me", description=f"one{LINE_SEP}two")
    b.edit_requirement(req.key, {"owner": f"da{BIDI}na"}, reason=f"asked {BIDI}")
    cr = b.add_change_request(req.key, f"Also{BIDI} CSV", reason=f"call{ZERO_WIDTH}")
    outputs = [run(*argv) for argv in (
        ["list"], ["show", req.key], ["history", req.key], ["cr", "show", cr.key], ["cr", "list"])]
    for outcome in outputs:
        assert outcome.code == 0, outcome
        assert BIDI not in outcome.out and ZERO_WIDTH not in outcome.out and LINE_SEP not in outcome.out
    assert "<U+202E>fdp.exe" in outputs[0].out and "Invoice<U+200B>" in outputs[1].out
    assert "    one\n    two\n" in outputs[1].out  # a paragraph separator is a line break
    assert "<U+202E>" in outputs[2].out and "Also<U+202E> CSV" in outputs[3].out + outputs[4].out
    # An error that echoes what was typed shows it the same way.
    err = refused(run("import", f"rows{BIDI}vsc.csv"))
    assert BIDI not in err and "rows<U+202E>vsc.csv" in err
    # JSON is data, not a display: it keeps the text exactly.
    assert orjson.loads(run("show", req.key, "--json").out)["title"] == title
    # An import's summary names the titles it adds.
    rows = tmp_path / "rows.csv"
    rows.write_text(f"Title\nPay{BIDI}ment\n")
    summary = run("import", str(rows))
    assert summary.code == 0 and BIDI not in summary.out and "Pay<U+202E>ment" in summary.out


def test_disguising_characters_in_review_text_are_made_visible(board_path: Path) -> None:
    """What people type for sign-offs, decisions and notices (issue #15) is shown as safely as a title."""
    b = Board(board_path, "tester")
    first = b.add_requirement("PDF", customer="Acme", importance=4, urgency=3, kano="performance")
    second = b.add_requirement("ODT", customer="Acme", conflicts_with=(first.key,))
    b.move_requirement(first.key, "analysed")
    assert refused(run("signoff-roles", f"cus{BIDI}tomer")).startswith("error: the sign-off role")  # not printable
    assert run("signoff-roles", "customer", "product").code == 0
    assert run("resolve", first.key, second.key, "--decision", f"keep{BIDI} both{ZERO_WIDTH}").code == 0
    signed = run("approve", first.key, "--role", "customer", "--on-behalf-of", f"Li{BIDI} Wei")
    assert signed.code == 0 and BIDI not in signed.out and "Li<U+202E> Wei" in signed.out, signed
    cr = b.add_change_request(first.key, "Also CSV")
    b.assess_change_request(cr.key, schedule_days=1, cost=0, effort_hours=1, notify=[f"sa{BIDI}les"])
    outputs = [run(*argv) for argv in (["show", first.key], ["show", second.key], ["history", first.key],
                                       ["cr", "show", cr.key], ["signoff-roles"],
                                       ["cr", "notified", cr.key, f"sa{BIDI}les"])]
    for outcome in outputs:
        assert outcome.code == 0, outcome
        assert BIDI not in outcome.out and ZERO_WIDTH not in outcome.out, outcome
    assert "keep<U+202E> both<U+200B>" in outputs[0].out and "keep<U+202E> both<U+200B>" in outputs[1].out
    assert "customer: Li<U+202E> Wei (recorded by tester)" in outputs[0].out
    assert "sa<U+202E>les" in outputs[3].out and "sa<U+202E>les was told" in outputs[5].out
    assert orjson.loads(run("show", first.key, "--json").out)["approvals"][0]["on_behalf_of"] == f"Li{BIDI} Wei"


def test_list_columns_align_by_display_cells(board_path: Path) -> None:
    b = Board(board_path, "tester")
    for customer in ("Acme", "客户公司", "Cafe\u0301 Zu\u0308rich", "A" * 30):
        b.add_requirement("Title here", customer=customer)
    lines = run("list").out.splitlines()
    starts = {cell_len(line[: line.index("TITLE" if i == 0 else "Title here")]) for i, line in enumerate(lines)}
    assert starts == {cell_len(lines[0][: lines[0].index("TITLE")])}, lines


# ---------------------------------------------------------------------------- fuzzing the command line
def _commands() -> list[tuple[list[str], list[str], list[tuple[str, bool, list[str]]]]]:
    """Every subcommand as (words, positional names, options as (flag, takes a value, choices))."""
    found = []

    def walk(parser: object, words: list[str]) -> None:
        if isinstance(parser, Parser):
            parser.add_deferred_options()  # `move`'s guard inputs are added when it is first used
        actions = parser._actions  # type: ignore[attr-defined]  # argparse offers no public listing
        subs = [a for a in actions if a.__class__.__name__ == "_SubParsersAction"]
        if subs and words:
            found.append((words, [], []))  # the group word alone (`cr`) is a command line too
        for sub in subs:
            for name, child in sub.choices.items():
                walk(child, [*words, name])
        if subs:
            return
        positionals = [a.dest for a in actions if not a.option_strings]
        options = [(a.option_strings[-1], a.nargs != 0, list(a.choices or [])) for a in actions
                   if a.option_strings and a.dest not in ("help", "version", "demo")]
        found.append((words, positionals, options))

    walk(build_parser(), [])
    return found


COMMANDS = _commands()
# The CLI's catch-all ("unexpected TypeError: ... (please report this)"), not the JSON parser's own
# wording of a damaged file ("unexpected content after document"), which is a proper refusal.
INTERNAL_ERROR = re.compile(r"unexpected [A-Z][A-Za-z_.]*:|please report this")
HOSTILE = [
    "", " ", "0", "-1", "3", "5", "nan", "inf", "-inf", "1e309", "1e-9", "9" * 30, "18446744073709551616",
    "-9223372036854775809", "REQ-1", "REQ-2", "req-3", "REQ-0", "REQ-²", "REQ-١", "REQ-12345678901234567",
    "REQ-99999999999999999999999", "CR-1", "CR-99999999999999999999", "CR-²", "collected", "in-progress",
    "fed_back", "rejected", "bogus", "none", "NONE", "low", "json", "csv", "md", "reqif", "html",
    "2025-03-01", "0001-01-01", "9999-12-31", "2025-02-30", "-", "--", "x" * 3000,
    "caf\udce9", "\udcff\udcfe", f"{BIDI}evil{ZERO_WIDTH}", "line\nbreak\ttab\x1b[31m", "中文标题 😀",
    "[@click=app.quit]x", "=HYPERLINK(1)",
    # score weights, sign-off roles and queries (issue #15)
    "value=1", "effort=nan", "importance=-1", "tier=1e309", "=3", "价值=2", "customer", "customer,product",
    "blocked", "overdue", "due:<2025-02-30", 'customer:"acme', "priority:>=x",
]


@st.composite
def command_lines(draw: st.DrawFn, paths: list[str]) -> list[str]:
    words, positionals, options = draw(st.sampled_from(COMMANDS))
    values = st.sampled_from(HOSTILE + paths)
    argv = list(words) + [draw(values) for _ in positionals]
    for flag, takes_value, choices in draw(st.lists(st.sampled_from(options), max_size=4)) if options else []:
        argv.append(flag)
        if takes_value:
            argv.append(draw(st.sampled_from(choices) if choices and draw(st.booleans()) else values))
    return argv


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_the_command_line(data: st.DataObject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Random command lines from the real subcommands and options with hostile values, against a small
    board: exit 0-4, one clean error at most, never a traceback or "unexpected", and the board still
    passes `check` afterwards."""
    template = tmp_path / "template"
    if not template.exists():
        template.mkdir()
        b = Board(template / "board.json", "maker")
        first = b.add_requirement("Export invoices", customer="Acme", tier="A", description="a\nb")
        b.add_requirement("Dark mode", customer="客户", depends_on=(first.key,), conflicts_with=(first.key,))
        b.edit_requirement(first.key, {"importance": 4, "urgency": 3, "kano": "performance"})
        b.move_requirement(first.key, "analysed")
        b.add_change_request(first.key, "Also CSV", reason="call")
        b.set_signoff_roles(["customer", "product"])
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    board = work / "board.json"
    monkeypatch.chdir(work)  # relative names in the command line land here
    monkeypatch.setenv("REQBOARD_STORE", str(board))
    (work / "folder").mkdir()
    os.mkfifo(work / "pipe")
    (work / "link.json").symlink_to(board)
    paths = [str(board), str(work / "board.json.history.jsonl"), str(work / "board.json.lock"),
             str(work / "folder"), str(work / "pipe"), str(work / "link.json"), str(work / "out.md"),
             str(work / "missing" / "x.csv"), "/", "."]
    argv = data.draw(command_lines(paths), label="argv")
    outcome = run(*argv)
    assert outcome.code in range(5), (argv, outcome)
    for text in (outcome.out, outcome.err):
        assert "Traceback" not in text, (argv, outcome)
    assert not INTERNAL_ERROR.search(outcome.err), (argv, outcome)
    if outcome.code:
        assert outcome.err.startswith("error: "), (argv, outcome)
    assert stat.S_ISFIFO((work / "pipe").lstat().st_mode) and (work / "link.json").is_symlink()
    checked = run("--store", str(board), "check")
    assert checked.code == 0, (argv, outcome, checked)


def test_json_output_escapes_what_could_drive_or_disguise_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--json` keeps the data exactly (a parser reads the same text), but the bytes a terminal gets
    carry bidi overrides, zero-width characters and line separators as \\u escapes."""
    from reqboard.cli.main import main

    store = str(tmp_path / "bidi.json")
    title = "Pay \u202etxt.exe\u2028x\u200b"
    assert main(["--store", store, "add", title]) == 0
    capsys.readouterr()
    for argv in (["show", "REQ-1", "--json"], ["list", "--json"], ["export", "--format", "json"]):
        assert main(["--store", store, *argv]) == 0
        out = capsys.readouterr().out
        assert "\u202e" not in out and "\u2028" not in out and "\u200b" not in out
        assert "\\u202e" in out
        assert title in out.replace("\\u202e", "\u202e").replace("\\u2028", "\u2028").replace("\\u200b", "\u200b")
    import json

    assert main(["--store", store, "show", "REQ-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == title


def test_an_export_never_replaces_the_history_check_repair_set_aside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reqboard.cli.main import main

    store = tmp_path / "board.json"
    assert main(["--store", str(store), "add", "x"]) == 0
    aside = tmp_path / "board.json.history.jsonl.damaged-20261202T005429"
    aside.write_bytes(b"the only copy of the lost history\n")
    for argv in (["report", "-o", str(aside)], ["export", "--format", "md", "-o", str(aside)]):
        assert main(["--store", str(store), *argv]) == 1
        assert "kept for recovery" in capsys.readouterr().err
    assert aside.read_bytes() == b"the only copy of the lost history\n"
