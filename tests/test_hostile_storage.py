"""A board's directory shared with someone hostile or careless: links, FIFOs, devices, a removed lock,
read-only files, junk among the backups, a lost or damaged journal. Nothing is followed, nothing that
was acknowledged is lost, and every damaged board has a way back."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from reqboard.cli.main import main as cli
from reqboard.store import storage
from reqboard.store.board import Board
from reqboard.store.errors import BoardChangedUnderneath, ReadOnly, StoreUnreadable
from reqboard.store.models import now


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def board(board_of: Callable[..., Board]) -> Board:
    return board_of(3)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A colleague's private file, outside the board's directory."""
    private = tmp_path / "private" / "notes.txt"
    private.parent.mkdir()
    private.write_bytes(b"my private notes\n" * 100)
    return private


def journal(board_path: Path) -> Path:
    return board_path.with_name(board_path.name + ".history.jsonl")


def backups(board_path: Path) -> Path:
    return board_path.with_name(board_path.name + ".backups")


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err and "unexpected" not in err
    return err


# ============================================================================ links are never followed
def test_a_journal_linked_to_a_private_file_is_refused_and_the_file_is_not_cut(
    board: Board, board_path: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha(victim)
    journal(board_path).unlink()
    journal(board_path).symlink_to(victim)
    board_before = sha(board_path)
    assert cli(["edit", "REQ-1", "--owner", "mallory"]) == 4
    err = error_line(capsys)
    assert "history.jsonl is a symbolic link" in err
    assert cli(["history", "REQ-1"]) == 4
    assert "symbolic link" in error_line(capsys)
    assert sha(victim) == before and victim.stat().st_size == 1700
    assert sha(board_path) == board_before


def test_a_link_planted_as_the_newest_backup_is_never_restored(
    board: Board, board_path: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = sorted(backups(board_path).iterdir())
    newest = kept[-1]
    newest.unlink()
    newest.symlink_to(victim)
    assert cli(["restore", "--list"]) == 0
    assert newest.name not in capsys.readouterr().out
    assert cli(["restore"]) == 0
    capsys.readouterr()
    # The newest real backup was restored; the private file was neither copied nor touched.
    assert b"my private notes" not in board_path.read_bytes()
    assert newest.is_symlink() and sha(victim) == hashlib.sha256(b"my private notes\n" * 100).hexdigest()
    assert cli(["check"]) == 0
    out = capsys.readouterr().out
    assert f"{newest} is a symbolic link named like a backup" in out


def test_a_link_named_like_the_next_backup_is_replaced_by_the_real_backup(
    board: Board, board_path: Path, victim: Path
) -> None:
    generation = board.generation
    planted = backups(board_path) / f"board.gen-{generation:08d}.json"
    planted.symlink_to(victim)
    board.edit_requirement("REQ-1", {"owner": "ann"})
    assert not planted.is_symlink()
    assert planted.stat().st_ino != victim.stat().st_ino
    assert orjson.loads(planted.read_bytes())["meta"]["1"]["generation"] == generation
    assert victim.read_bytes() == b"my private notes\n" * 100


def test_a_board_file_that_is_a_link_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Board and journal both links elsewhere: refused, so two boards never cut each other's history."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    real = elsewhere / "board.json"
    Board(real, "ann").add_requirement("Real")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "board.json").symlink_to(real)
    (shared / "board.json.history.jsonl").symlink_to(journal(real))
    before = {p.name: sha(p) for p in elsewhere.iterdir() if p.is_file()}
    for argv in (["list"], ["add", "x"], ["check"]):
        assert cli(["--store", str(shared / "board.json"), *argv]) == 4
        assert f"{shared / 'board.json'} is a symbolic link" in error_line(capsys)
    assert {p.name: sha(p) for p in elsewhere.iterdir() if p.is_file()} == before


def test_a_board_in_a_linked_directory_is_one_board(tmp_path: Path) -> None:
    """The directory is resolved once: the board, its journal and backups all live in the real one."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    Board(tmp_path / "link" / "board.json", "ann").add_requirement("Through the link")
    Board(real / "board.json", "bob").add_requirement("Directly")
    assert sorted(p.name for p in real.iterdir()) == [
        "board.json", "board.json.backups", "board.json.history.jsonl", "board.json.lock"]
    events = Board(tmp_path / "link" / "board.json", "carl").history()
    assert [e.by for e in events] == ["ann", "bob"]


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_untouched(
    board: Board, board_path: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = board_path.with_name("board.json.lock")
    lock.unlink()
    lock.symlink_to(victim)
    assert cli(["add", "x"]) == 4
    assert "board.json.lock is a symbolic link" in error_line(capsys)
    assert victim.read_bytes() == b"my private notes\n" * 100


def test_a_backups_directory_that_is_a_link_is_not_written_through(
    board: Board, board_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "private" / "dir"
    target.mkdir(parents=True)
    (target / "board.gen-00000001.json").write_text("not a backup")
    for kept in backups(board_path).iterdir():
        kept.unlink()
    backups(board_path).rmdir()
    backups(board_path).symlink_to(target, target_is_directory=True)
    assert cli(["add", "x"]) == 4
    assert "board.json.backups is a symbolic link" in error_line(capsys)
    assert sorted(p.name for p in target.iterdir()) == ["board.gen-00000001.json"]
    assert (target / "board.gen-00000001.json").read_text() == "not a backup"


# ============================================================================ not regular files
@pytest.mark.parametrize("which", ["board", "journal"])
def test_a_fifo_as_board_or_journal_is_refused_without_hanging(
    board: Board, board_path: Path, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = board_path if which == "board" else journal(board_path)
    path.unlink()
    os.mkfifo(path)
    # No writer ever opens the FIFO: a blocking open would hang this test (pytest-timeout stops it).
    assert cli(["history", "REQ-1"]) == 4
    assert f"{path} is a FIFO (named pipe), not a regular file" in error_line(capsys)
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


def test_a_device_as_board_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "board.json"
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers
    except PermissionError:
        pytest.skip("cannot make a device node here")
    assert cli(["--store", str(path), "list"]) == 4
    assert "is a character device, not a regular file" in error_line(capsys)


def test_a_directory_as_the_store_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for store in ("/", str(tmp_path), str(tmp_path) + "/"):
        assert cli(["--store", store, "add", "x"]) == 4
        assert "is a directory" in error_line(capsys)
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]


# ============================================================================ a removed lock file
def test_removing_the_lock_while_a_writer_holds_it_loses_no_acknowledged_change(
    board: Board, board_path: Path
) -> None:
    """Ann's writer holds the lock; somebody deletes the lock file; Bob's add gets a new lock and
    commits. Ann's commit must not replace the board Bob's acknowledged change is in."""
    lock = board_path.with_name("board.json.lock")
    bob = Board(board_path, "bob")
    acknowledged: list[str] = []

    def intrusion() -> object:
        lock.unlink()
        done = threading.Thread(target=lambda: acknowledged.append(bob.add_requirement("Bob's").key))
        done.start()
        done.join(timeout=30)
        return now()

    board.clock = intrusion  # called inside Ann's transaction, after her lock was taken
    with pytest.raises(BoardChangedUnderneath, match="changed by another process"):
        board.add_requirement("Ann's")
    assert acknowledged == ["REQ-4"]
    fresh = Board(board_path, "carl")
    assert [r.title for r in fresh.requirements()][-1] == "Bob's"
    assert fresh.check() == ([], [])
    board.clock = now
    assert board.add_requirement("Ann's again").key == "REQ-5"  # retried, it goes through
    assert [e.new for e in Board(board_path, "carl").history() if e.action == "created"][-2:] == [
        "Bob's", "Ann's again"]


def test_a_writer_waiting_for_a_removed_lock_takes_the_new_one(board: Board, board_path: Path) -> None:
    """The lock file is checked after locking to be the one at the path: after a removal, every
    writer converges on the same new file instead of each locking a file of its own."""
    lock = board_path.with_name("board.json.lock")
    first = storage.BoardLock(lock, 0o600)
    first.acquire(1.0)
    lock.unlink()
    second = storage.BoardLock(lock, 0o600)
    second.acquire(1.0)  # the old inode is gone from the path: the second writer locks a new file
    third = storage.BoardLock(lock, 0o600)
    with pytest.raises(StoreUnreadable, match="locked by another process"):
        third.acquire(0.2)  # ...and nobody else gets that one
    first.release()
    second.release()
    third.acquire(0.2)
    third.release()


# ============================================================================ read-only, BOM
def test_a_read_only_board_file_is_not_rewritten(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board_path.chmod(0o444)
    before = sha(board_path)
    assert cli(["edit", "REQ-1", "--owner", "x"]) == 4
    assert "is read-only (mode 0444)" in error_line(capsys)
    with pytest.raises(ReadOnly):
        Board(board_path, "bob").add_requirement("y")
    assert sha(board_path) == before
    assert Board(board_path, "bob").read_only_reason is not None
    assert cli(["list"]) == 0  # reading is fine


def test_a_board_saved_with_a_byte_order_mark_is_read(board: Board, board_path: Path) -> None:
    data = orjson.dumps(orjson.loads(board_path.read_bytes()), option=orjson.OPT_INDENT_2)
    board_path.write_bytes(b"\xef\xbb\xbf" + data)
    assert [r.title for r in Board(board_path, "bob").requirements()] == [
        "Requirement 1", "Requirement 2", "Requirement 3"]
    Board(board_path, "bob").add_requirement("After the BOM")
    assert not board_path.read_bytes().startswith(b"\xef\xbb\xbf")


# ============================================================================ junk among the backups
@pytest.mark.parametrize("junk", ["dangling link", "directory"])
def test_junk_named_like_a_backup_never_blocks_a_change(
    board: Board, board_path: Path, junk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [f"board.gen-{n:08d}.json" for n in (0, *range(board.generation, board.generation + 4))]
    for name in names:
        path = backups(board_path) / name
        if junk == "directory":
            path.mkdir()
        else:
            path.symlink_to(backups(board_path) / "nowhere")
    for i in range(4):
        assert cli(["edit", "REQ-1", "--owner", f"owner {i}"]) == 0
    assert Board(board_path, "bob").get("REQ-1").owner == "owner 3"
    capsys.readouterr()
    assert cli(["check"]) == 0
    out = capsys.readouterr().out
    kind = "a directory" if junk == "directory" else "a symbolic link"
    assert f"{backups(board_path) / names[0]} is {kind} named like a backup" in out
    kept = Board(board_path, "x").backups()
    assert kept and all(b.path.is_file() and not b.path.is_symlink() for b in kept)
    if junk == "dangling link":  # a link in the way of a new backup was replaced by the backup
        assert all(not (backups(board_path) / name).is_symlink() for name in names[1:])


# ============================================================================ a lost or damaged journal
def test_restore_works_when_the_journal_is_lost(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal(board_path).unlink()
    assert cli(["add", "x"]) == 4
    assert "check --repair" in error_line(capsys)
    assert cli(["restore"]) == 0
    capsys.readouterr()
    assert cli(["check"]) == 0
    events = Board(board_path, "bob").history()
    assert events[-1].action == "restored" and "history journal was missing" in events[-1].reason
    assert cli(["add", "after"]) == 0


def test_repair_starts_a_new_journal_when_it_was_lost(board: Board, board_path: Path) -> None:
    journal(board_path).unlink()
    done = Board(board_path, "bob").repair()
    assert done and "history were lost" in done[0]
    fresh = Board(board_path, "bob")
    assert fresh.check()[0] == []
    assert [e.action for e in fresh.history()] == ["repaired"]
    assert fresh.add_requirement("After").key == "REQ-4"
    assert Board(board_path, "carl").repair() == []  # nothing left to repair


def test_repair_keeps_what_is_left_of_a_cut_journal(board: Board, board_path: Path) -> None:
    data = journal(board_path).read_bytes()
    journal(board_path).write_bytes(data[: len(data) - 10])  # the last event cut in the middle
    assert Board(board_path, "bob").check()[0]
    Board(board_path, "bob").repair()
    fresh = Board(board_path, "bob")
    assert fresh.check() == ([], [])
    assert [e.action for e in fresh.history()] == ["created", "created", "repaired"]
    aside = [p for p in board_path.parent.iterdir() if ".history.jsonl.damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == data[: len(data) - 10]


def test_repair_sets_a_damaged_line_aside_and_keeps_the_original(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = journal(board_path).read_bytes()
    lines = data.splitlines(keepends=True)
    damaged = lines[0] + b"x" * (len(lines[1]) - 1) + b"\n" + lines[2]
    assert len(damaged) == len(data)  # the same length: only the content is wrong
    journal(board_path).write_bytes(damaged)
    assert cli(["history", "REQ-1"]) == 0  # REQ-1's own line is fine
    capsys.readouterr()
    assert cli(["check"]) == 4
    assert "history" in capsys.readouterr().err
    done = Board(board_path, "bob").repair()
    assert "set 1 damaged history line(s) aside" in done
    fresh = Board(board_path, "bob")
    assert fresh.check() == ([], [])
    assert [e.key for e in fresh.history() if e.action == "created"] == ["REQ-1", "REQ-3"]
    aside = [p for p in board_path.parent.iterdir() if ".history.jsonl.damaged-" in p.name]
    assert aside[0].read_bytes() == damaged


def test_a_history_event_the_models_refuse_is_exit_4_not_unexpected(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = journal(board_path).read_bytes()
    first, rest = data.split(b"\n", 1)
    event = orjson.loads(first)
    event["at"] = "yesterday"
    journal(board_path).write_bytes(orjson.dumps(event) + b"\n" + rest)
    meta_size = len(orjson.dumps(event) + b"\n" + rest)
    tables = orjson.loads(board_path.read_bytes())
    tables["meta"]["1"]["journal_size"] = meta_size
    board_path.write_bytes(orjson.dumps(tables))
    assert cli(["history", "REQ-1"]) == 4
    said = error_line(capsys)
    assert "is damaged" in said
    # It names the file to look at (the journal, not the board) and what to do.
    assert said.startswith(f"error: {journal(board_path)}: a history event of REQ-1 is damaged")
    assert "`reqboard check --repair`" in said


# ============================================================================ check
def test_check_reports_two_requirements_with_one_uid(board: Board, board_path: Path) -> None:
    tables = orjson.loads(board_path.read_bytes())
    tables["requirements"]["2"]["uid"] = tables["requirements"]["1"]["uid"]
    board_path.write_bytes(orjson.dumps(tables))
    errors, _ = Board(board_path, "bob").check()
    assert any("REQ-2 has the same uid as REQ-1" in e for e in errors)


def test_a_reader_in_another_thread_sees_the_last_commit_during_a_transaction(
    board: Board, board_path: Path
) -> None:
    seen: list[int] = []

    def look() -> object:
        reader = threading.Thread(target=lambda: seen.append(len(board.storage.tables()["requirements"])))
        board.storage.put("requirements", 99, {"key": "REQ-99"}, new=True)
        reader.start()
        reader.join()
        raise RuntimeError("abandon the transaction")

    board.clock = look
    with pytest.raises(RuntimeError):
        board.add_requirement("never")
    assert seen == [3]
    assert len(Board(board_path, "bob").requirements()) == 3


def test_a_damaged_customer_record_is_exit_4_and_reported_by_check(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = orjson.loads(board_path.read_bytes())
    tables["customers"]["7"] = {"name": ["a", "list"]}
    board_path.write_bytes(orjson.dumps(tables))
    assert cli(["export", "--format", "json"]) == 4
    assert "customer record '7' is damaged" in error_line(capsys)
    assert cli(["check"]) == 4
    assert "customer record '7' is damaged" in capsys.readouterr().err


@pytest.mark.parametrize(("where", "value", "message"), [
    (("customers", ""), None, "customers record '' is not an object"),
    (("requirements", "2"), "REQ-2", "requirements record '2' is not an object"),
    (("meta", "1", "generation"), None, "the meta record's generation is damaged"),
    (("meta", "1", "next_requirement"), "bogus", "the meta record's next_requirement is damaged"),
    (("meta", "1", "journal_size"), 2**64, "the meta record's journal_size is damaged"),
    (("meta", "1", "settings"), "x", "the meta record's settings are damaged"),
])
def test_a_board_damaged_in_its_shape_is_refused_and_restored(
    board: Board, board_path: Path, where: tuple[str, ...], value: object, message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tables = orjson.loads(board_path.read_bytes())
    target = tables
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    data = json.dumps(tables).encode()  # orjson cannot write 2**64
    board_path.write_bytes(data)
    for argv in (["check"], ["list"], ["add", "x"], ["history", "REQ-1"], ["export", "--format", "json"]):
        assert cli(argv) == 4
        assert message in error_line(capsys)
    assert board_path.read_bytes() == data
    assert cli(["restore"]) == 0
    capsys.readouterr()
    assert cli(["check"]) == 0


def test_a_record_too_deep_to_write_back_refuses_the_write_and_keeps_the_file(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = board_path.read_bytes().replace(b'"description":""', b'"description":' + b"[" * 300 + b'"x"' + b"]" * 300, 1)
    assert data != board_path.read_bytes()
    board_path.write_bytes(data)
    assert cli(["add", "x"]) == 4
    assert "cannot be written back" in error_line(capsys)
    assert board_path.read_bytes() == data
    assert cli(["check"]) == 4


def test_history_is_never_glued_onto_a_damaged_last_line(board: Board, board_path: Path) -> None:
    data = journal(board_path).read_bytes()
    journal(board_path).write_bytes(data[:-1] + b"-")  # the last line's end replaced, same length
    board.edit_requirement("REQ-1", {"owner": "ann"})
    lines = journal(board_path).read_bytes().splitlines()
    assert lines[-2].endswith(b"-") and orjson.loads(lines[-1])["field"] == "owner"
    Board(board_path, "bob").repair()
    fresh = Board(board_path, "bob")
    assert fresh.check() == ([], [])
    assert [e.field for e in fresh.history("REQ-1")][-1] == "owner"


def test_a_journal_hard_linked_to_a_private_file_is_refused_and_the_file_is_not_cut(
    board: Board, board_path: Path, victim: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """O_NOFOLLOW does not see a hard link: a journal with other links is somebody else's file too."""
    journal(board_path).unlink()
    os.link(victim, journal(board_path))
    assert cli(["edit", "REQ-1", "--owner", "mallory"]) == 4
    assert "has 2 hard links" in error_line(capsys)
    assert victim.read_bytes() == b"my private notes\n" * 100


def test_restore_refuses_a_backup_with_a_misfiled_record_or_a_damaged_customer(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = Board(board_path, "x").backups()[0]
    tables = orjson.loads(newest.path.read_bytes())
    tables["requirements"]["-1"] = tables["requirements"].pop("2")
    newest.path.unlink()  # a hard link of an older board: write a file of its own
    newest.path.write_bytes(orjson.dumps(tables))
    before = sha(board_path)
    assert cli(["restore"]) == 4
    assert "backup generation" in error_line(capsys)
    assert sha(board_path) == before
    tables["requirements"]["2"] = tables["requirements"].pop("-1")
    tables["customers"]["1"]["extra"] = True
    newest.path.write_bytes(orjson.dumps(tables))
    assert cli(["restore"]) == 4
    assert "customer record '1'" in error_line(capsys)
    older = Board(board_path, "x").backups()[1].generation
    assert cli(["restore", "--generation", str(older)]) == 0
    capsys.readouterr()
    assert cli(["check"]) == 0


def test_damaged_wip_limits_limit_nothing(board: Board, board_path: Path) -> None:
    tables = orjson.loads(board_path.read_bytes())
    tables["meta"]["1"]["settings"] = {"wip_limits": {"collected": "x", "analysed": 1e308, "done": 3}}
    board_path.write_bytes(orjson.dumps(tables))
    from reqboard.store.models import State

    assert Board(board_path, "bob").wip_limits() == {State.DONE: 3}


def test_a_device_store_leaves_no_lock_file_beside_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "dev"
    device.mkdir()
    os.mkfifo(device / "board.json")  # a FIFO stands in for /dev/null: not a regular file either
    assert cli(["--store", str(device / "board.json"), "add", "x"]) == 4
    assert "is a FIFO" in error_line(capsys)
    assert sorted(p.name for p in device.iterdir()) == ["board.json"]


def test_a_user_name_the_history_cannot_hold_is_refused_before_anything_is_written(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sha(board_path)
    for argv in (["wip", "done", "3"], ["restore"], ["add", "x"]):
        assert cli(["--user", "x" * 81, *argv]) == 1
        assert "at most 80 characters" in error_line(capsys)
    assert sha(board_path) == before
    assert cli(["--user", "two\nlines", "add", "y"]) == 0
    capsys.readouterr()
    assert Board(board_path, "x").history()[-1].by == "two lines"
    assert cli(["check"]) == 0


def test_a_json_export_names_a_store_whose_name_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = os.fsdecode(bytes(tmp_path) + b"/b\xe9.json")
    assert cli(["--store", store, "add", "x"]) == 0
    capsys.readouterr()
    assert cli(["--store", store, "export", "--format", "json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["source"].endswith("b\\xe9.json")


def test_check_repair_from_the_command_line(board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal(board_path).unlink()
    assert cli(["check"]) == 4
    capsys.readouterr()
    assert cli(["check", "--repair"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("repaired: started a new history journal") and ": ok (3 requirements" in out
    assert cli(["add", "after the repair"]) == 0
    capsys.readouterr()
    assert cli(["check", "--repair"]) == 0
    assert capsys.readouterr().out.startswith("nothing to repair")


def test_check_of_a_board_that_is_a_dangling_link_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "board.json").symlink_to(tmp_path / "nowhere.json")
    assert cli(["check"]) == 4
    assert "is a symbolic link" in error_line(capsys)
    assert not (tmp_path / "nowhere.json").exists()


def test_a_backup_of_a_generation_the_board_has_not_reached_is_never_restored(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = backups(board_path) / "board.gen-99999999999.json"
    planted.write_bytes(board_path.read_bytes().replace(b"Requirement 1", b"Planted"))
    board.add_requirement("Acknowledged")
    assert all(b.generation < board.generation for b in Board(board_path, "x").backups())
    assert cli(["restore"]) == 0
    capsys.readouterr()
    assert "Planted" not in [r.title for r in Board(board_path, "x").requirements()]
    assert cli(["check"]) == 0
    assert f"{planted} is a file named like a backup of a generation the board has not reached" in capsys.readouterr().out
    for i in range(6):  # the planted file takes no slot: five real generations are kept
        board.edit_requirement("REQ-1", {"owner": f"o{i}"})
    assert len(Board(board_path, "x").backups()) == 5 and planted.exists()


def test_check_names_a_journal_that_is_no_regular_file(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal(board_path).unlink()
    os.mkfifo(journal(board_path))
    assert cli(["check"]) == 4
    assert "history.jsonl is a FIFO (named pipe)" in capsys.readouterr().err


def test_the_last_key_refuses_a_new_requirement_saying_so(board_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = board_path.with_name("last.csv")
    csv.write_text("Key,Title\nREQ-999999999,typed\n")
    assert cli(["import", str(csv)]) == 0
    capsys.readouterr()
    assert cli(["add", "next"]) == 1
    assert "the board has used every requirement key (REQ-999999999 is the last one)" in error_line(capsys)


def test_a_backups_folder_swapped_for_a_link_right_after_it_is_made_is_not_followed(
    board_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between making the folder and setting its mode, a member swaps it for a link to another
    directory: its mode is not changed through the link and nothing is written there."""
    private = tmp_path / "private-dir"
    private.mkdir(mode=0o700)
    real_mkdir = Path.mkdir

    def mkdir_then_swap(self: Path, *args: object, **kwargs: object) -> None:
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]  # passed through as Path.mkdir was called
        if self.name == "board.json.backups":
            self.rmdir()
            self.symlink_to(private, target_is_directory=True)

    b = Board(board_path, "ann")
    b.add_requirement("first")  # no backup yet: there was no board to keep
    monkeypatch.setattr(Path, "mkdir", mkdir_then_swap)
    assert cli(["add", "second"]) == 4
    assert "board.json.backups is a symbolic link" in error_line(capsys)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700 and list(private.iterdir()) == []


def test_a_hostile_journal_generation_cannot_wedge_a_restored_board(
    board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with journal(board_path).open("ab") as fh:
        fh.write(orjson.dumps({"at": "2026-01-01T00:00:00.000000Z", "by": "m", "key": "board",
                               "action": "x", "generation": 2**60}) + b"\n")
    board_path.write_bytes(b"{ damaged")
    assert cli(["restore"]) == 0
    assert cli(["list"]) == 0
    assert cli(["check", "--repair"]) == 0  # the hostile line is set aside; the board is whole
    capsys.readouterr()
    assert cli(["check"]) == 0


def test_cards_made_while_another_thread_commits_are_made_again(
    board: Board, board_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib

    from reqboard.store import reader

    board.cards()
    board.card_cache.forget()  # the next read builds its cards anew
    real = reader.paused_gc
    edited: list[bool] = []

    @contextlib.contextmanager
    def commit_meanwhile() -> object:
        if not edited:  # a worker saves while the UI thread is making the cards from the old tables
            edited.append(True)
            worker = threading.Thread(target=lambda: board.edit_requirement("REQ-1", {"title": "Edited"}))
            worker.start()
            worker.join()
        with real():
            yield

    monkeypatch.setattr(reader, "paused_gc", commit_meanwhile)
    board.cards()
    monkeypatch.setattr(reader, "paused_gc", real)
    assert [c.title for c in board.cards()][0] == "Edited"
