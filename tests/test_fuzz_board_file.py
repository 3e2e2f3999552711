"""Fuzzing the board file and its history journal: a real small board, its `board.json` or its journal
damaged (bytes flipped, cut, inserted, deleted, lines swapped or doubled, wrong-shaped but valid JSON put
into records), then the real CLI run on it. Whatever the damage, reqboard keeps its contract:

- an exit code from 0 to 4, no traceback and no "unexpected ... (please report this)";
- a command that refuses with exit 4 (the store cannot be read) leaves the board's bytes untouched;
- an `edit` or `add` that exits 0 is really there afterwards (`show --json`);
- a board that passed `check` before the writes (add, edit, restore) still passes it after them;
- `restore` brings a damaged board back from an intact backup (exit 0, then `check` passes), and a
  damaged backup is either refused with the board untouched or restored to a board that passes `check`.

Bounded (a few seconds a test) but not derandomized: each run tries new damage, and a failure prints
the damage that caused it (hypothesis's falsifying example and its reproduction blob).
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from fuzz_support import (
    HOSTILE_VALUES,
    JOURNAL_NAME,
    Deep,
    Delete,
    DuplicateLine,
    FlipByte,
    Insert,
    Mutation,
    Rekey,
    RenameRecord,
    ReplaceInBoard,
    ReplaceInJournal,
    SwapLines,
    Truncate,
    claims_newer_schema,
    contract_breaches,
    copy_board,
    damage_board,
    damage_journal,
    make_small_board,
    newest_backup,
    run_cli,
    sha256,
)

# The autouse home-isolation fixture only sets environment variables, which stay right for every example.
# No shrinking: every damage is already small and readable, and shrinking would unbound the time a
# failing run takes (each example runs a dozen commands).
FUZZ = settings(max_examples=20, deadline=None, derandomize=False, print_blob=True,
                phases=(Phase.explicit, Phase.reuse, Phase.generate),
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Bytes that change what JSON means: structure, quotes, escapes, a BOM, broken UTF-8, numbers out of range.
CHUNKS = (b"\x00", b"\n", b"{", b"}", b"[", b"]", b'"', b",", b":", b"\\", b"\\u0000", b"\xef\xbb\xbf",
          b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"1e999", b"-", b"99999999999999999999", b"null")
offsets = st.integers(min_value=0, max_value=1 << 20)
byte_damage: st.SearchStrategy[Mutation] = st.one_of(
    st.builds(FlipByte, offsets, st.integers(min_value=1, max_value=255)),
    st.builds(Truncate, offsets),
    st.builds(Insert, offsets, st.sampled_from(CHUNKS) | st.binary(min_size=1, max_size=6)),
    st.builds(Delete, offsets, st.integers(min_value=1, max_value=64)),
    st.builds(SwapLines, st.integers(0, 99), st.integers(0, 99)),
    st.builds(DuplicateLine, st.integers(0, 99)),
)
hostile_values = st.sampled_from(HOSTILE_VALUES) | st.integers() | st.text(max_size=12)
# Ids a hand edit or a bad import might store a requirement under.
HOSTILE_IDS = ("0", "-1", "1", "2", "99", "12345678901234567", "18446744073709551616", "REQ-1", "", "²")
# Requirement numbers around the limits: 9 digits, 17 digits, the 64-bit edges.
HOSTILE_NUMBERS = (999_999_999, 10**9, 10**16, 12345678901234567, 2**63 - 1, 2**63, 2**64 - 1, 2**64)
board_damage = st.one_of(
    byte_damage,
    st.builds(ReplaceInBoard, st.integers(0, 10_000), hostile_values, st.booleans()),
    st.builds(RenameRecord, st.integers(0, 9), st.sampled_from(HOSTILE_IDS)),
    st.builds(Rekey, st.integers(0, 9), st.sampled_from(HOSTILE_NUMBERS) | st.integers(1, 10**30)),
)
journal_damage = st.one_of(
    byte_damage,
    st.builds(ReplaceInJournal, st.integers(0, 999), st.integers(0, 999), hostile_values),
)

# The commands a person reaches for on a damaged board, in that order; `add`, `edit` and `restore` write,
# and the board is read again afterwards.
Commands = tuple[tuple[str, ...], ...]
READS: Commands = (("check",), ("list", "--json"), ("show", "REQ-1"), ("history", "REQ-1"), ("history", "REQ-1", "--json"),
         ("report", "--json"), ("export", "--format", "json"))
WRITES: Commands = (("add", "fuzzed requirement"), ("edit", "REQ-1", "--title", "x"), ("restore",))
AFTER: Commands = (("check",), ("report", "--json"))


@pytest.fixture(scope="module", autouse=True)
def one_parser() -> Iterator[None]:
    """Build the CLI's argument parser once for the module: building it is 80 ms of each ~90 ms call
    (argparse looks its messages up in gettext), and these tests are about the files, not the parser."""
    from reqboard.cli import main as cli_main

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli_main, "build_parser", functools.lru_cache(maxsize=1)(cli_main.build_parser))
        yield


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_board(tmp_path_factory.mktemp("template"))


def breaches_on(board: Path) -> list[str]:
    """Run every command on a (damaged) board; what broke the contract, one entry per breach."""
    found: list[str] = []
    first_check: int | None = None
    for argv in READS + WRITES + AFTER:
        before = sha256(board)
        outcome = run_cli(*argv, "--store", str(board))
        problems = contract_breaches(outcome)
        if outcome.code == 4 and sha256(board) != before:
            problems.append("refused with exit 4 but the board file's bytes changed")
        if outcome.code == 0 and argv[0] in ("add", "edit"):
            key, title = (outcome.out.strip(), argv[1]) if argv[0] == "add" else ("REQ-1", "x")
            shown = run_cli("show", key, "--json", "--store", str(board))
            try:
                stored = json.loads(shown.out).get("title") if shown.code == 0 else None
            except ValueError:
                stored = None
            if stored != title:
                problems.append(f"{argv[0]} exited 0 but `show {key} --json` then gave exit {shown.code}, "
                                f"title {stored!r}: {shown.err.strip()[:300]}")
        if argv == ("check",):
            if first_check is None:
                first_check = outcome.code
            elif first_check == 0 and outcome.code != 0:
                problems.append("the board passed `check` before the writes above and fails it after them")
        found.extend(f"{problem}\n  {outcome}".replace("\n", "\n  ") for problem in problems)
    return found


def test_the_template_board_passes_every_command(template: Path) -> None:
    """The undamaged board is clean, so every breach below comes from the damage."""
    with tempfile.TemporaryDirectory() as directory:
        board = copy_board(template, Path(directory))
        assert run_cli("check", "--store", str(board)).code == 0
        assert breaches_on(board) == []


@FUZZ
@given(damage=board_damage)
# Damage that broke the contract when these tests were written (see the module docstring), kept as
# examples so that each fix stays fixed whatever the random draw.
@example(damage=Rekey(1, 12345678901234567))
@example(damage=Rekey(1, 2**64))
@example(damage=ReplaceInBoard(("requirements", "3", "description"), Deep(300)))
@example(damage=ReplaceInBoard(("requirements", "2"), "x" * 200))
@example(damage=ReplaceInBoard(("requirements", "3", "conflicts_with"), Deep(40)))
@example(damage=ReplaceInBoard(("customers", "1", "name"), ["REQ-1", "REQ-1"]))
@example(damage=ReplaceInBoard(("customers", "2"), "REQ-1"))
@example(damage=ReplaceInBoard(("customers",), {"": None}))
@example(damage=ReplaceInBoard(("meta", "1", "settings"), "x"))
@example(damage=ReplaceInBoard(("meta", "1", "next_requirement"), "bogus"))
@example(damage=ReplaceInBoard(("meta", "1", "generation"), None))
def test_a_damaged_board_file_never_breaks_the_cli_contract(template: Path, damage: Mutation) -> None:
    with tempfile.TemporaryDirectory() as directory:
        board = copy_board(template, Path(directory))
        damage_board(board, damage)
        breaches = breaches_on(board)
    assert not breaches, "\n".join(breaches)


@FUZZ
@given(damage=journal_damage, size_follows=st.booleans())
@example(damage=ReplaceInJournal(0, ("at",), True), size_follows=True)
@example(damage=ReplaceInJournal(0, ("new",), Deep(300)), size_follows=True)
@example(damage=ReplaceInJournal(0, (), "REQ-1"), size_follows=True)
def test_a_damaged_journal_never_breaks_the_cli_contract(template: Path, damage: Mutation,
                                                         size_follows: bool) -> None:
    """`size_follows`: the board's recorded journal size is made to match, as a tamperer would."""
    with tempfile.TemporaryDirectory() as directory:
        board = copy_board(template, Path(directory))
        damage_journal(board, damage, keep_size_consistent=size_follows)
        assert board.with_name(JOURNAL_NAME).exists()
        breaches = breaches_on(board)
    assert not breaches, "\n".join(breaches)


def restore_breaches(board: Path, before: str | None, *, must_restore: bool, from_template: bool) -> list[str]:
    """Run `restore`, then `check` and `list`; what broke the contract. An acknowledged restore leaves
    a board that passes `check` (with the template's requirements when it restored an intact backup);
    a refused one leaves the bytes alone."""
    restored = run_cli("restore", "--store", str(board))
    checked = run_cli("check", "--store", str(board))
    listed = run_cli("list", "--json", "--store", str(board))
    found = [f"{problem}: {o}" for o in (restored, checked, listed) for problem in contract_breaches(o)]
    if restored.code == 0:
        if checked.code != 0:
            found.append(f"restore exited 0 but the board then fails `check`: {checked}")
        try:
            keys = [r["key"] for r in json.loads(listed.out)] if listed.code == 0 else None
        except ValueError:
            keys = None
        if from_template and keys != ["REQ-1", "REQ-2", "REQ-3"]:
            found.append(f"restore exited 0 but `list --json` then gave {keys}: {listed}")
    else:
        if sha256(board) != before:
            found.append(f"restore was refused but the board file's bytes changed: {restored}")
        if must_restore:
            found.append(f"restore refused to bring back a damaged board from an intact backup: {restored}")
    return found


@FUZZ
@given(damage=board_damage)
@example(damage=ReplaceInBoard(("meta", "1", "generation"), None))
@example(damage=ReplaceInBoard(("requirements", "2"), True))
@example(damage=Rekey(1, 2**64))
@example(damage=Truncate(0))
@example(damage=FlipByte(55, 55))  # "generation" -> "geYeration": a meta record without its counter
def test_restore_brings_back_a_damaged_board(template: Path, damage: Mutation) -> None:
    """`reqboard restore` works precisely when the board is damaged (unless it reads as a newer schema's)."""
    with tempfile.TemporaryDirectory() as directory:
        board = copy_board(template, Path(directory))
        damage_board(board, damage)
        breaches = restore_breaches(board, sha256(board), must_restore=not claims_newer_schema(board),
                                     from_template=True)
    assert not breaches, "\n".join(breaches)


@FUZZ
@given(damage=board_damage)
@example(damage=RenameRecord(1, "-1"))
@example(damage=ReplaceInBoard(("customers", "2", "}tier"), "B"))
@example(damage=ReplaceInBoard(("meta", "1", "generation"), "rejected"))
@example(damage=Rekey(2, 2**64))
def test_a_damaged_backup_is_refused_or_restored_whole(template: Path, damage: Mutation) -> None:
    """Restoring the newest backup after it was damaged: refused with the board untouched, or restored
    to a board that passes `check`."""
    with tempfile.TemporaryDirectory() as directory:
        board = copy_board(template, Path(directory))
        damage_board(newest_backup(board), damage)
        breaches = restore_breaches(board, sha256(board), must_restore=False, from_template=False)
    assert not breaches, "\n".join(breaches)
