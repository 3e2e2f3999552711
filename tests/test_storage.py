"""The board file on disk: atomic and durable writes, bad files refused untouched, backups, the journal,
file modes, keys, revisions and change detection."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest

from reqboard.cli.main import main as cli
from reqboard.store import storage
from reqboard.store.board import Board
from reqboard.store.errors import (
    Conflict,
    LockTimeout,
    NotFound,
    ReadOnly,
    ServerUnreachable,
    StoreUnreadable,
    Unsupported,
)
from reqboard.store.filestore import boardfile, migrations
from reqboard.store.storage import KEEP_BACKUPS, META_ID, BoardFile, atomic_write

from board_locations import BoardLocation

REPO = Path(__file__).resolve().parents[1]
# Which file an fsync'ed descriptor belongs to is read from /proc (Linux).
needs_proc_fd = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under `directory` (the lock file aside) with its sha256; directories as 'dir'."""
    found = {}
    for path in sorted(directory.rglob("*")):
        rel = str(path.relative_to(directory))
        if path.name.endswith(".lock"):
            continue
        found[rel] = "dir" if path.is_dir() else sha(path)
    return found


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*.tmp"))


def journal_events(path: Path) -> list[dict[str, Any]]:
    data = path.with_name(path.name + ".history.jsonl").read_bytes()
    return [orjson.loads(line) for line in data.splitlines()]


def meta_of(path: Path) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())["meta"][META_ID]


@pytest.fixture
def board(board_of: Callable[..., Board]) -> Board:
    return board_of(0)


def filled(board: Board, n: int = 3) -> list[str]:
    """Add `n` requirements as conftest's `board_of(n)` makes them; their keys."""
    return [board.add_requirement(f"Requirement {i}", customer="ACME").key for i in range(1, n + 1)]


# ============================================================================ atomic, durable
def test_a_new_board_is_created_on_first_write_only(board: Board, board_path: Path) -> None:
    assert board.requirements() == []
    assert not board_path.exists()
    key = board.add_requirement("First").key
    assert key == "REQ-1"
    assert meta_of(board_path)["generation"] == 1
    assert Board(board_path, "bob").get("REQ-1").title == "First"


def test_a_write_replaces_the_file_and_never_touches_the_old_bytes(board: Board, board_path: Path) -> None:
    filled(board, 2)
    before, inode = board_path.read_bytes(), board_path.stat().st_ino
    board.edit_requirement("REQ-1", {"title": "Changed"})
    assert board_path.stat().st_ino != inode, "the board was rewritten in place"
    # The old inode lives on as the newest backup, still holding exactly the old bytes.
    newest = board.backups()[0]
    assert newest.path.stat().st_ino == inode
    assert newest.path.read_bytes() == before
    assert temp_files(board_path.parent) == []


@needs_proc_fd
def test_at_the_moment_of_replacing_the_new_file_is_complete_and_synced(
    board: Board, board_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled(board, 1)
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: Any, dst: Any, **dir_fds: Any) -> None:
        if Path(dst) == board_path:
            # A reader at this moment still sees the old, complete file; the new one is whole.
            parsed = orjson.loads(Path(src).read_bytes())
            assert parsed["requirements"]["1"]["title"] == "Durable"
            assert orjson.loads(board_path.read_bytes())["requirements"]["1"]["title"] == "Requirement 1"
        calls.append(("replace", str(dst)))
        real_replace(src, dst, **dir_fds)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    board.edit_requirement("REQ-1", {"title": "Durable"})

    journal = str(board_path) + ".history.jsonl"
    names = [(kind, Path(target).name) for kind, target in calls]
    journal_sync = calls.index(("fsync", journal))
    tmp_sync = next(i for i, (kind, target) in enumerate(calls)
                    if kind == "fsync" and Path(target).name.startswith(".board.json.")
                    and target.endswith(".tmp"))
    replaced = calls.index(("replace", str(board_path)))
    dir_sync = calls.index(("fsync", str(board_path.parent)))
    assert journal_sync < tmp_sync < replaced < dir_sync, names
    assert temp_files(board_path.parent) == []


@needs_proc_fd
@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_a_failed_write_leaves_the_board_as_it_was(
    board: Board, board_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    filled(board, 2)
    before = sha(board_path)
    real = {"fsync": os.fsync, "replace": os.replace}

    def broken_fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.EIO, "Input/output error")
        real["fsync"](fd)

    def broken_replace(src: Any, dst: Any, **dir_fds: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        if failing == "fsync":
            patch.setattr(os, "fsync", broken_fsync)
        elif failing == "replace":
            patch.setattr(os, "replace", broken_replace)
        else:
            patch.setattr(boardfile, "board_lines", _lines_failing_midway(boardfile.board_lines))
        with pytest.raises((StoreUnreadable, OSError)) as info:
            board.add_requirement("Never stored")
    if failing != "write":
        assert isinstance(info.value, StoreUnreadable)
        assert str(board_path) in str(info.value)
    assert sha(board_path) == before
    assert temp_files(board_path.parent) == []
    # The board carries on: the failed change never happened, the next one commits cleanly.
    again = Board(board_path, "ann")
    assert [r.title for r in again.requirements()] == ["Requirement 1", "Requirement 2"]
    assert again.add_requirement("Stored").key == "REQ-3"
    assert again.check() == ([], [])
    assert [e["key"] for e in journal_events(board_path) if e["action"] == "created"] == [
        "REQ-1", "REQ-2", "REQ-3"]


def _lines_failing_midway(real: Callable[..., Iterator[bytes]]) -> Callable[..., Iterator[bytes]]:
    """The board's bytes, until the disk fills up after the first piece."""
    def lines(tables: Any) -> Iterator[bytes]:
        pieces = real(tables)
        yield next(pieces)
        raise OSError(errno.ENOSPC, "No space left on device")

    return lines


def test_atomic_write_cleans_up_its_temp_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError(errno.EXDEV, "x")))
        with pytest.raises(OSError):
            atomic_write(target, b"new", 0o600)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out.json"]
    atomic_write(target, b"new", 0o640)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_leftover_temp_files_of_a_dead_writer_are_removed_by_the_next_commit(board: Board, board_path: Path) -> None:
    filled(board, 1)
    # What a writer killed between mkstemp and os.replace leaves behind.
    stale = board_path.parent / ".board.json.k1ll3d9x.tmp"
    stale.write_bytes(board_path.read_bytes()[:10])
    unrelated = board_path.parent / ".notes.txt.abcdefgh.tmp"
    unrelated.write_bytes(b"someone else's")
    board.add_requirement("Next")
    assert not stale.exists()
    assert unrelated.exists()


# ============================================================================ bad files
def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


BAD_FILES: dict[str, tuple[Callable[[Path], None], tuple[str, ...]]] = {
    "empty": (lambda p: p.write_bytes(b""), ("is empty (0 bytes)", "refusing to treat it as a new board")),
    "whitespace": (lambda p: p.write_bytes(b"  \n\t\n"), ("is empty (5 bytes)",)),
    "truncated": (_truncated, ("ends early (truncated?) at line 2, column",)),
    "invalid-json": (lambda p: p.write_bytes(b'{"meta": nope}'),
                     ("is not valid JSON at line 1, column 10 (byte 9)",)),
    "binary": (lambda p: p.write_bytes(b"\x00\xff\xfe garbage"), ("is not valid JSON at line 1",)),
    "not-a-board": (lambda p: p.write_bytes(b'{"todo": ["milk"]}'), ("not a reqboard board",)),
    "other-format": (lambda p: p.write_bytes(b'{"meta": {"1": {"format": "kanboard", "schema": 1}}}'),
                     ("not a reqboard board",)),
    "list": (lambda p: p.write_bytes(b"[1, 2, 3]"), ("top level is not an object",)),
    "string": (lambda p: p.write_bytes(b'"board"'), ("top level is not an object",)),
    "bad-schema": (lambda p: p.write_bytes(b'{"meta": {"1": {"format": "reqboard", "schema": "one"}}}'),
                   ("no valid schema version",)),
    "bad-table": (lambda p: p.write_bytes(
        b'{"meta": {"1": {"format": "reqboard", "schema": 1}}, "requirements": []}'),
        ("table 'requirements' is not an object",)),
}


def _attempted_writes(board: Board) -> Iterator[Callable[[], Any]]:
    yield lambda: board.add_requirement("New")
    yield lambda: board.edit_requirement("REQ-1", {"title": "Edited"})
    yield lambda: board.move_requirement("REQ-1", "analysed")
    yield lambda: board.reject("REQ-1", "no")
    yield lambda: board.set_wip_limit("done", 3)
    yield lambda: board.add_change_request("REQ-1", "More")


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_are_refused_and_left_byte_for_byte(
    kind: str, board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled(board, 2)
    spoil, phrases = BAD_FILES[kind]
    spoil(board_path)
    before = snapshot(board_path.parent)

    fresh = Board(board_path, "bob")
    with pytest.raises(StoreUnreadable) as info:
        fresh.requirements()
    message = str(info.value)
    assert str(board_path) in message
    for phrase in phrases:
        assert phrase in message
    for attempt in _attempted_writes(Board(board_path, "bob")):
        with pytest.raises(StoreUnreadable):
            attempt()
    capsys.readouterr()
    for argv in (["add", "New"], ["list"], ["show", "REQ-1"], ["check"], ["edit", "1", "--owner", "x"],
                 ["export"], ["history", "1"]):
        assert cli(argv) == 4, argv
        out, err = capsys.readouterr()
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert str(board_path) in err
        assert "Traceback" not in out + err
    assert snapshot(board_path.parent) == before
    assert temp_files(board_path.parent) == []


def test_a_directory_in_place_of_the_board_is_refused(board_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board_path.mkdir()
    (board_path / "keep.txt").write_text("mine")
    with pytest.raises(StoreUnreadable, match="is a directory"):
        Board(board_path, "ann").requirements()
    with pytest.raises(StoreUnreadable):
        Board(board_path, "ann").add_requirement("x")
    assert cli(["add", "x"]) == 4
    assert cli(["list"]) == 4
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith(f"error: {board_path}")
    assert [p.name for p in board_path.iterdir()] == ["keep.txt"]
    assert (board_path / "keep.txt").read_text() == "mine"


@contextmanager
def _readable_only_by_root() -> Iterator[Path]:
    """A board directory outside tmp_path (whose parents are private to root) that others may enter."""
    directory = Path(tempfile.mkdtemp(prefix="reqboard-perm-"))
    try:
        directory.chmod(0o755)
        yield directory
    finally:
        for path in sorted(directory.rglob("*"), reverse=True):
            path.unlink() if not path.is_dir() else path.rmdir()
        directory.rmdir()


def test_a_board_without_read_permission_is_refused_untouched(board_path: Path) -> None:
    if os.geteuid() != 0:
        filled(Board(board_path, "ann"), 1)
        board_path.chmod(0)
        try:
            before = snapshot(board_path.parent)
            with pytest.raises(StoreUnreadable, match="no permission to read"):
                Board(board_path, "bob").requirements()
            assert cli(["add", "x"]) == 4
            assert snapshot(board_path.parent) == before
        finally:
            board_path.chmod(0o600)
        return
    # As root every file is readable: run the CLI as `nobody` instead.
    with _readable_only_by_root() as directory:
        path = directory / "board.json"
        filled(Board(path, "ann"), 1)
        path.chmod(0o600)
        before = snapshot(directory)
        env = {**os.environ, "REQBOARD_STORE": str(path), "PYTHONDONTWRITEBYTECODE": "1"}
        for argv, phrase in ((["list"], "no permission to read"), (["add", "x"], "no permission")):
            try:
                proc = subprocess.run([sys.executable, "-m", "reqboard.cli", *argv], cwd=REPO, env=env, user=65534,
                                      group=65534, extra_groups=[], capture_output=True, text=True, timeout=60)
            except PermissionError:
                pytest.skip("this interpreter cannot run as the nobody user")
            assert proc.returncode == 4, proc.stderr
            assert proc.stderr.startswith("error: ") and phrase in proc.stderr
            assert "Traceback" not in proc.stderr
        assert snapshot(directory) == before


def test_a_permission_error_reading_the_board_is_exit_4_and_writes_nothing(
    board: Board, board_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same refusal without needing another user: the read itself is denied."""
    filled(board, 1)
    before = snapshot(board_path.parent)
    real_open = boardfile.open_regular

    def denied(file: Path, *args: Any, **kwargs: Any) -> int:
        if Path(file) == board_path:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(boardfile, "open_regular", denied)
        with pytest.raises(StoreUnreadable, match="no permission to read the board file"):
            Board(board_path, "bob").requirements()
        capsys.readouterr()
        for argv in (["list"], ["add", "x"], ["edit", "1", "--owner", "x"]):
            assert cli(argv) == 4
            err = capsys.readouterr().err
            assert err == f"error: {board_path}: no permission to read the board file\n"
    assert snapshot(board_path.parent) == before


def test_a_record_that_fails_validation_is_reported_with_its_key(board: Board, board_path: Path) -> None:
    filled(board, 2)
    tables = orjson.loads(board_path.read_bytes())
    tables["requirements"]["2"]["importance"] = 9
    board_path.write_bytes(orjson.dumps(tables))
    before = sha(board_path)
    with pytest.raises(StoreUnreadable, match=r"record REQ-2 is invalid .*importance"):
        Board(board_path, "bob").requirements()
    errors, _ = Board(board_path, "bob").check()
    assert any("REQ-2" in e and "importance" in e for e in errors)
    assert sha(board_path) == before


# ---------------------------------------------------------------------------- newer schema
def test_a_board_from_a_newer_reqboard_opens_read_only(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled(board, 2)
    tables = orjson.loads(board_path.read_bytes())
    tables["meta"][META_ID]["schema"] = storage.SCHEMA_VERSION + 1
    tables["meta"][META_ID]["new_thing"] = {"from": "the future"}
    board_path.write_bytes(orjson.dumps(tables))
    before = snapshot(board_path.parent)

    reader = Board(board_path, "bob")
    assert [r.key for r in reader.requirements()] == ["REQ-1", "REQ-2"]
    assert reader.read_only_reason is not None and "newer reqboard" in reader.read_only_reason
    for attempt in _attempted_writes(reader):
        with pytest.raises(ReadOnly) as info:
            attempt()
        assert info.value.exit_code == 4
        assert "read-only" in str(info.value) and str(board_path) in str(info.value)
    capsys.readouterr()
    assert cli(["list"]) == 0
    assert "REQ-2" in capsys.readouterr().out
    assert cli(["edit", "REQ-1", "--owner", "x"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "newer reqboard" in err
    assert snapshot(board_path.parent) == before


def test_restore_refuses_to_overwrite_a_newer_board(board: Board, board_path: Path) -> None:
    filled(board, 2)
    tables = orjson.loads(board_path.read_bytes())
    tables["meta"][META_ID]["schema"] = storage.SCHEMA_VERSION + 1
    board_path.write_bytes(orjson.dumps(tables))
    before = snapshot(board_path.parent)
    with pytest.raises(ReadOnly):
        Board(board_path, "bob").restore()
    assert snapshot(board_path.parent) == before


# ============================================================================ backups and restore
def test_the_last_generations_are_kept_as_backups(board: Board, board_path: Path) -> None:
    filled(board, 3)
    for i in range(5):
        board.edit_requirement("REQ-1", {"description": f"take {i}"})
    assert board.generation == 8
    backups = board.backups()
    assert [b.generation for b in backups] == list(range(7, 7 - KEEP_BACKUPS, -1))
    for b in backups:
        tables = orjson.loads(b.path.read_bytes())
        assert tables["meta"][META_ID]["generation"] == b.generation
        assert b.size == b.path.stat().st_size
    assert len(list(board.storage.backup_dir.iterdir())) == KEEP_BACKUPS


def test_restore_brings_back_a_generation_as_a_new_one(board: Board, board_path: Path) -> None:
    filled(board, 2)                                           # generations 1, 2
    board.edit_requirement("REQ-1", {"title": "Second title"})  # 3
    board.add_requirement("Third")                              # 4
    stale = board.get("REQ-1")
    assert stale.version == 2
    chosen = board.restore(generation=3)
    assert chosen.generation == 3

    again = Board(board_path, "bob")
    assert [(r.key, r.title) for r in again.requirements()] == [("REQ-1", "Second title"),
                                                                  ("REQ-2", "Requirement 2")]
    assert again.generation == 5
    # Versions keep rising: an edit made against the pre-restore record is refused, not applied.
    assert again.get("REQ-1").version == 3
    with pytest.raises(Conflict):
        again.edit_requirement("REQ-1", {"owner": "x"}, expect_version=stale.version)
    # REQ-3 existed after generation 3: its key is never handed out again.
    assert again.add_requirement("Fourth").key == "REQ-4"
    assert [e["action"] for e in journal_events(board_path)][-2:] == ["restored", "created"]
    assert again.check()[0] == []


@pytest.mark.file_only
def test_restore_of_an_unknown_generation_says_what_is_kept(board: Board) -> None:
    with pytest.raises(NotFound, match="no backups"):
        board.restore()
    filled(board, 3)
    with pytest.raises(NotFound, match=r"no backup of generation 99; kept: 2, 1"):
        board.restore(99)


@pytest.mark.parametrize("garbage", [b"", b"{\"meta\": {", b"\x00" * 64, b"[]"])
def test_restore_over_an_unreadable_file_keeps_it_aside_byte_for_byte(
    board: Board, board_path: Path, garbage: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    filled(board, 3)
    board_path.write_bytes(garbage)
    assert cli(["list"]) == 4
    capsys.readouterr()
    assert cli(["restore"]) == 0
    assert "restored generation 2" in capsys.readouterr().out
    kept = list(board_path.parent.glob("board.json.unreadable-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == garbage
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    restored = Board(board_path, "bob")
    assert [r.key for r in restored.requirements()] == ["REQ-1", "REQ-2"]
    # The generations keep counting past the lost one (3), and the bad file is no backup.
    assert restored.generation == 4
    for backup in restored.backups():
        assert orjson.loads(backup.path.read_bytes())["meta"][META_ID]["generation"] == backup.generation
    assert cli(["check"]) == 0
    # Nothing is handed out twice: REQ-3 was acknowledged before the file went bad.
    capsys.readouterr()
    assert cli(["add", "After"]) == 0
    assert capsys.readouterr().out.strip() == "REQ-4"
    history = Board(board_path, "bob").history()
    assert [e.key for e in history if e.action == "created"] == ["REQ-1", "REQ-2", "REQ-3", "REQ-4"]


@pytest.mark.file_only
def test_restore_list_through_the_cli(board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    filled(board, 3)
    capsys.readouterr()
    assert cli(["restore", "--list", "--json"]) == 0
    listed = orjson.loads(capsys.readouterr().out)
    assert [b["generation"] for b in listed] == [2, 1]
    assert cli(["restore", "--generation", "1"]) == 0
    assert [r.key for r in Board(board.path, "x").requirements()] == ["REQ-1"]


# ============================================================================ the journal
def test_orphan_journal_lines_are_ignored_and_cut_at_the_next_commit(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled(board, 2)
    journal = board.storage.journal_path
    committed = meta_of(board_path)["journal_size"]
    assert journal.stat().st_size == committed
    good = journal.read_bytes()
    # A writer that died after appending its events but before replacing the board.
    orphans = b'{"at":"2026-01-01T00:00:00Z","by":"ghost","key":"REQ-1","action":"edited"}\n{"trunc'
    with open(journal, "ab") as fh:
        fh.write(orphans)

    reader = Board(board_path, "bob")
    assert [e.by for e in reader.history("REQ-1")] == ["ann"]
    errors, warnings = reader.check()
    assert errors == []
    assert any("interrupted write" in w for w in warnings)
    assert cli(["check"]) == 0
    assert "warning:" in capsys.readouterr().out

    reader.edit_requirement("REQ-1", {"owner": "bob"})
    data = journal.read_bytes()
    assert data.startswith(good)
    assert b"ghost" not in data and b'{"trunc' not in data
    assert len(data) == meta_of(board_path)["journal_size"]
    assert [e.action for e in reader.history("REQ-1")] == ["created", "edited"]
    assert reader.check() == ([], [])


def test_a_truncated_journal_is_reported_and_not_written_over(board: Board, board_path: Path) -> None:
    filled(board, 3)
    journal = board.storage.journal_path
    journal.write_bytes(journal.read_bytes()[:20])
    before = snapshot(board_path.parent)
    errors, _ = Board(board_path, "bob").check()
    assert any("history journal is 20 bytes" in e for e in errors)
    with pytest.raises(StoreUnreadable, match="shorter than the board says"):
        Board(board_path, "bob").add_requirement("x")
    assert snapshot(board_path.parent) == before


def test_a_missing_journal_is_reported_and_not_recreated(board: Board, board_path: Path) -> None:
    filled(board, 2)
    board.storage.journal_path.unlink()
    before = snapshot(board_path.parent)
    errors, _ = Board(board_path, "bob").check()
    assert any("history journal board.json.history.jsonl is missing" in e for e in errors)
    with pytest.raises(StoreUnreadable, match="history"):
        Board(board_path, "bob").history("REQ-1")
    with pytest.raises(StoreUnreadable, match="history.jsonl"):
        Board(board_path, "bob").add_requirement("x")
    assert snapshot(board_path.parent) == before


def test_history_is_append_only_across_writers(board: Board, board_location: BoardLocation) -> None:
    filled(board, 1)
    other = board_location.board("bob")
    other.edit_requirement("REQ-1", {"owner": "bob"})
    board.edit_requirement("REQ-1", {"importance": 3})
    events = board_location.board("carl").history("REQ-1")
    assert [(e.by, e.action, e.field) for e in events] == [
        ("ann", "created", "title"), ("bob", "edited", "owner"), ("ann", "edited", "importance")]
    assert [e.generation for e in events] == [1, 2, 3]


# ============================================================================ file modes
@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _modes(directory: Path) -> dict[str, int]:
    return {str(p.relative_to(directory)): stat.S_IMODE(p.stat().st_mode) & 0o777
            for p in directory.rglob("*")}


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_new_files_are_private_to_the_owner(tmp_path: Path, mask: int) -> None:
    directory = tmp_path / "private"
    directory.mkdir()
    with umask(mask):
        board = Board(directory / "board.json", "ann")
        filled(board, 2)
    modes = _modes(directory)
    assert modes.pop("board.json.backups") == 0o700
    assert set(modes.values()) == {0o600}, modes
    assert set(modes) == {"board.json", "board.json.lock", "board.json.history.jsonl",
                          "board.json.backups/board.gen-00000001.json"}


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_a_setgid_directory_makes_the_board_shared_with_the_group(tmp_path: Path, mask: int) -> None:
    directory = tmp_path / "team"
    directory.mkdir()
    directory.chmod(0o2770)
    assert directory.stat().st_mode & stat.S_ISGID
    with umask(mask):
        board = Board(directory / "board.json", "ann")
        filled(board, 2)
    modes = _modes(directory)
    assert modes.pop("board.json.backups") == 0o770
    assert set(modes.values()) == {0o660}, modes
    assert len(modes) == 4


def test_an_existing_board_keeps_its_mode(board: Board, board_path: Path) -> None:
    filled(board, 1)
    board_path.chmod(0o640)
    board.add_requirement("again")
    assert stat.S_IMODE(board_path.stat().st_mode) == 0o640


# ============================================================================ keys, revisions, changes
# These run on a board file and on a server board (conftest's `board_location`).
def test_keys_are_never_reused(board: Board, board_location: BoardLocation) -> None:
    filled(board, 3)
    board.reject("REQ-3", "duplicate")
    assert board.add_requirement("four").key == "REQ-4"
    # A counter lowered by hand does not hand out a key that exists.
    board_location.set_next_requirement(2)
    assert board_location.board("bob").add_requirement("five").key == "REQ-5"
    keys = [r.key for r in board_location.board("bob").requirements()]
    assert keys == ["REQ-1", "REQ-2", "REQ-3", "REQ-4", "REQ-5"]
    uids = [r.uid for r in board_location.board("bob").requirements()]
    assert len(set(uids)) == 5 and all(len(u) == 32 for u in uids)


def test_change_request_keys_are_never_reused(board: Board) -> None:
    filled(board, 2)
    keys = [board.add_change_request(k, "change").key for k in ("REQ-1", "REQ-2", "REQ-1")]
    assert keys == ["CR-1", "CR-2", "CR-3"]


def test_a_stale_version_is_a_conflict_naming_who_changed_it(board: Board, board_location: BoardLocation) -> None:
    filled(board, 1)
    seen = board.get("REQ-1")
    board_location.board("bob").edit_requirement("REQ-1", {"owner": "bob"}, expect_version=seen.version)
    before = board_location.state()
    with pytest.raises(Conflict) as info:
        board.edit_requirement("REQ-1", {"owner": "ann"}, expect_version=seen.version)
    err = info.value
    assert (err.key, err.expected, err.actual, err.by, err.exit_code) == ("REQ-1", 1, 2, "bob", 3)
    assert "REQ-1 changed since version 1: bob saved version 2 at " in str(err)
    assert "re-read it and retry" in str(err)
    for attempt in (lambda: board.move_requirement("REQ-1", "rejected", reason="x", expect_version=1),
                    lambda: board.approve("REQ-1", expect_version=1)):
        with pytest.raises(Conflict):
            attempt()
    assert board_location.state() == before
    assert board.get("REQ-1").owner == "bob"
    assert board.edit_requirement("REQ-1", {"owner": "ann"}, expect_version=2).version == 3


def test_an_edit_that_changes_nothing_writes_nothing(board: Board, board_location: BoardLocation) -> None:
    filled(board, 1)
    before = board_location.state()
    assert board.edit_requirement("REQ-1", {"customer": "ACME"}).version == 1
    assert board_location.state() == before


def test_changes_by_another_board_instance_are_detected(board: Board, board_location: BoardLocation) -> None:
    filled(board, 1)
    assert board.requirements()[0].key == "REQ-1"
    assert [c.key for c in board.cards()] == ["REQ-1"]
    assert board.refresh() is False
    other = board_location.board("bob")
    other.add_requirement("From bob")
    assert board.refresh() is True
    assert board.refresh() is False
    assert [r.title for r in board.requirements()] == ["Requirement 1", "From bob"]
    assert [c.title for c in board.cards()] == ["Requirement 1", "From bob"]
    # Reads see the other writer's changes without an explicit refresh, too.
    other.edit_requirement("REQ-1", {"owner": "bob"})
    assert board.get("REQ-1").owner == "bob"
    assert board.requirements()[0].owner == "bob"
    assert board.cards()[0].owner == "bob"


def test_our_own_write_is_not_another_writers_change(board: Board, board_path: Path) -> None:
    filled(board, 1)
    board.requirements()
    assert not board.storage.changed_on_disk()
    Board(board_path, "bob").add_requirement("From bob")
    assert board.storage.changed_on_disk()
    assert board.refresh() is True
    assert not board.storage.changed_on_disk()
    board.edit_requirement("REQ-2", {"owner": "ann"})
    assert not board.storage.changed_on_disk()


def test_a_write_never_loses_a_change_made_since_our_last_read(board: Board, board_location: BoardLocation) -> None:
    filled(board, 1)
    board.requirements()
    board.cards()
    board_location.board("bob").add_requirement("Bob's")
    board.add_requirement("Ann's")  # without refreshing first
    titles = [r.title for r in board_location.board("carl").requirements()]
    assert titles == ["Requirement 1", "Bob's", "Ann's"]
    assert [c.title for c in board.cards()] == titles


def test_a_lock_held_elsewhere_times_out_with_exit_4(
    board: Board, board_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    filled(board, 1)
    before = sha(board_path)
    monkeypatch.setattr(boardfile, "LOCK_TIMEOUT_S", 0.2)  # where the lock is taken
    holder = os.open(str(board_path) + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(LockTimeout, match="locked by another process"):
            Board(board_path, "bob").add_requirement("x")
        assert cli(["add", "x"]) == 4
        assert "locked by another process" in capsys.readouterr().err
        # Reading does not need the lock.
        assert cli(["list"]) == 0
    finally:
        os.close(holder)
    assert sha(board_path) == before
    assert Board(board_path, "bob").add_requirement("x").key == "REQ-2"


def test_transactions_do_not_nest(board_path: Path) -> None:
    file = BoardFile(board_path)
    with file.transaction():
        with pytest.raises(RuntimeError, match="do not nest"):
            with file.transaction():
                pass


def test_migrations_run_on_read_and_the_old_file_is_kept(board: Board, board_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    filled(board, 1)
    # Pretend the file is schema 1 and this reqboard reads schema 2 with a migration adding a setting.
    def to_two(tables: dict[str, Any]) -> dict[str, Any]:
        tables["meta"][META_ID]["settings"]["migrated"] = True
        return tables

    for module in (boardfile, migrations):  # what reads and what writes the schema number
        monkeypatch.setattr(module, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(migrations.MIGRATIONS, 1, to_two)
    old = board_path.read_bytes()
    reader = Board(board_path, "bob")
    assert reader.settings()["migrated"] is True
    assert board_path.read_bytes() == old  # reading never writes
    reader.add_requirement("after migration")
    assert meta_of(board_path)["schema"] == 2
    assert meta_of(board_path)["settings"]["migrated"] is True
    assert reader.backups()[0].path.read_bytes() == old


def test_each_quarantined_file_is_kept_even_within_one_second(board: Board, board_path: Path) -> None:
    filled(board, 3)
    board_path.write_bytes(b"first bad")
    board.restore()
    board_path.write_bytes(b"second bad")
    board.restore()
    kept = sorted(p.read_bytes() for p in board_path.parent.glob("board.json.unreadable-*"))
    assert kept == [b"first bad", b"second bad"]


# ---------------------------------------------------------------------------- one requirement a line
def test_the_board_is_written_one_requirement_a_line_and_is_plain_json(board: Board, board_path: Path) -> None:
    from tinydb import TinyDB

    filled(board, 3)
    board.edit_requirement("REQ-2", {"description": "two\nlines"})
    lines = board_path.read_bytes().splitlines()
    assert lines[0].startswith(b'{"meta":') and lines[0].endswith(b'"requirements":{')
    assert [line.split(b":", 1)[0] for line in lines[1:-1]] == [b'"1"', b'"2"', b'"3"']
    assert lines[-1] == b"}}"
    # Read a line at a time, read whole as JSON, and read by TinyDB's own storage: the same board.
    tables = orjson.loads(board_path.read_bytes())
    with open(board_path, "rb") as fh:
        assert storage.read_board_lines(fh) == tables
    assert tables["requirements"]["2"]["description"] == "two\nlines"
    db = TinyDB(board_path, access_mode="r")
    try:
        assert sorted(doc["key"] for doc in db.table("requirements").all()) == ["REQ-1", "REQ-2", "REQ-3"]
    finally:
        db.close()


def test_a_board_in_another_layout_is_read_whole_and_rewritten_a_line_each(board: Board, board_path: Path) -> None:
    filled(board, 2)
    compact = orjson.dumps(orjson.loads(board_path.read_bytes()))  # as an older reqboard wrote it
    board_path.write_bytes(compact)
    with open(board_path, "rb") as fh:
        assert storage.read_board_lines(fh) is None
    again = Board(board_path, "bob")
    assert [r.key for r in again.requirements()] == ["REQ-1", "REQ-2"]
    again.add_requirement("Third")
    assert len(board_path.read_bytes().splitlines()) == 5  # first line, three requirements, the end
    assert again.check() == ([], [])


@pytest.mark.parametrize(("damage", "said"), [
    ("comma-removed", "is not valid JSON at line 3, column 1"),
    ("comma-added", "is not valid JSON at line 4, column"),
    ("cut-at-a-line-end", "ends early (truncated?) at line 4, column 1"),
    ("garbage-after", "is not valid JSON at line 6, column 1"),
])
def test_a_damaged_line_layout_is_reported_as_json_would_and_left_untouched(
    board: Board, board_path: Path, damage: str, said: str
) -> None:
    filled(board, 3)
    data = board_path.read_bytes()
    lines = data.splitlines(keepends=True)
    if damage == "comma-removed":
        lines[1] = lines[1].replace(b",\n", b"\n")
    elif damage == "comma-added":
        lines[3] = lines[3].replace(b"}\n", b"},\n")
    elif damage == "cut-at-a-line-end":
        lines = lines[:3]
    else:
        lines.append(b"{}\n")
    board_path.write_bytes(b"".join(lines))
    before = sha(board_path)
    with pytest.raises(StoreUnreadable) as info:
        Board(board_path, "bob").requirements()
    assert said in str(info.value), str(info.value)
    assert str(board_path) in str(info.value) and "left untouched" in str(info.value)
    with pytest.raises(StoreUnreadable):
        Board(board_path, "bob").add_requirement("Not over a damaged board")
    assert sha(board_path) == before


def test_trailing_space_after_the_end_is_still_a_board(board: Board, board_path: Path) -> None:
    filled(board, 2)
    board_path.write_bytes(board_path.read_bytes() + b"\n  \n")  # valid JSON, another layout
    assert [r.key for r in Board(board_path, "bob").requirements()] == ["REQ-1", "REQ-2"]


@pytest.mark.parametrize("location", ["HTTPS://h/b", "mysql://u@h:3306/b", "sqlite:///x.db"])
def test_a_url_of_another_kind_is_refused(
    location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store location picks the storage: a URL other than postgresql:// names no storage reqboard has."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(Unsupported, match="not supported") as caught:
        Board(location, "ann")
    assert caught.value.exit_code == 2
    assert cli(["list", "--store", location]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "not supported" in err
    assert list(work.iterdir()) == []  # nothing made for it


@pytest.mark.parametrize("location", ["postgresql://db.invalid/reqboard", "postgres://u:secret@db.invalid:5433/b"])
def test_a_server_that_cannot_be_reached_is_exit_4_naming_host_and_port(
    location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(ServerUnreachable, match="cannot reach the board server at db.invalid:543") as caught:
        Board(location, "ann")
    assert caught.value.exit_code == 4
    assert cli(["list", "--store", location]) == 4
    err = capsys.readouterr().err
    *notes, last = err.splitlines()
    assert last.startswith("error: ") and "db.invalid:543" in last
    assert all(note.startswith("note: ") for note in notes)  # (a password in a URL is noted)
    assert "secret" not in err and "secret" not in str(caught.value)
    assert list(work.iterdir()) == []


def test_a_folder_whose_name_ends_in_a_colon_is_still_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "backup:").mkdir()
    board = Board("backup:/board.json", "ann")
    assert board.add_requirement("kept in a folder named backup:").key == "REQ-1"
    assert (tmp_path / "backup:" / "board.json").is_file()


def test_a_board_names_its_own_files_for_the_export_guard(board: Board, board_path: Path) -> None:
    from reqboard.store.outputs import BoardFiles

    filled(board, 2)  # the second commit keeps the first as a backup
    files = board.files()
    assert files == BoardFiles.of(board_path)  # the guard's naming is the storage's
    assert files is not None and files.journal.is_file() and files.backups.is_dir()
