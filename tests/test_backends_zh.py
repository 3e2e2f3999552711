"""The storage backends and sync speak Chinese: a damaged or linked board file, a sync conflict, a bad
server URL, an unreachable server and a read-only login are each reported in 简体中文, while what is
stored (the board's bytes, the history's reasons) stays exactly as it was."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from babel.messages.pofile import read_po

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, Refused, ServerUnreachable, StoreUnreadable, Unsupported
from reqboard.store.pgstore.schema import GRANTS_VIEWER
from reqboard.store.pgstore.url import ServerURL
from reqboard.store.sync import SyncConflicts, clone_board, sync_boards

from board_locations import BoardLocation
from zh_support import english_words

OUR_FILES = ("store/filestore/", "store/pgstore/", "store/sync/")


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh_CN")
    try:
        yield
    finally:
        i18n.set_language(i18n.ENGLISH)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_truncated_board_file_is_reported_in_chinese_and_kept_byte_for_byte(
        board_path: Path, chinese: None) -> None:
    Board(board_path, "ann").add_requirement("导出 PDF", customer="华为")
    damaged = board_path.read_bytes()[:-3]  # cut off its end: "}}\n"
    board_path.write_bytes(damaged)
    with pytest.raises(StoreUnreadable) as refused:
        Board(board_path, "ann").requirements()
    message = str(refused.value)
    assert "提前结束" in message and "第 " in message and "文件未做任何改动" in message, message
    assert "`reqboard restore --list`" in message
    try:
        orjson.loads(damaged)
    except orjson.JSONDecodeError as exc:  # the parser's own words stay as it wrote them
        parser_words = exc.msg
    assert english_words(message.replace(parser_words, ""), allowed={"restore"}) == set(), message
    # Where it ends is counted in bytes, though the parser counts the characters of the Chinese text.
    assert f"在第 3 行第 1 列（第 {len(damaged)} 字节）处提前结束（被截断？）" in message
    assert board_path.read_bytes() == damaged
    assert refused.value.exit_code == 4


def test_an_empty_board_file_is_refused_in_chinese(board_path: Path, chinese: None) -> None:
    board_path.write_bytes(b"\n")
    with pytest.raises(StoreUnreadable) as refused:
        Board(board_path, "ann").requirements()
    assert str(refused.value) == (f"{board_path} 为空（1 字节）：拒绝将其当作新看板；请用 `reqboard restore` 恢复备份，"
                                  "或将该文件移走")
    assert board_path.read_bytes() == b"\n"


def test_a_symlinked_board_is_refused_in_chinese_and_its_target_untouched(tmp_path: Path, chinese: None) -> None:
    victim = tmp_path / "private.txt"
    victim.write_bytes(b"my private notes\n" * 10)
    before = sha(victim)
    linked = tmp_path / "board.json"
    linked.symlink_to(victim)
    with pytest.raises(StoreUnreadable) as refused:
        Board(linked, "ann").add_requirement("不该写入")
    message = str(refused.value)
    assert message.startswith(f"{linked} 是符号链接，不是普通文件：reqboard 不会跟随看板目录中的任何链接"), message
    assert english_words(message) == set(), message
    assert sha(victim) == before and linked.is_symlink()


def test_a_repair_says_what_it_did_in_chinese_and_the_history_keeps_it_in_english(
        board_path: Path, chinese: None) -> None:
    board = Board(board_path, "ann")
    board.add_requirement("第一个需求")
    board.add_requirement("第二个需求")
    journal = board_path.with_name(board_path.name + ".history.jsonl")
    lines = journal.read_bytes().splitlines(keepends=True)
    garbage = b"{" + b"x" * (len(lines[0]) - 2) + b"\n"  # the same length: the board's record of it holds
    journal.write_bytes(garbage + b"".join(lines[1:]))
    done = Board(board_path, "ann").repair()
    assert done[0] == "已将 1 行损坏的历史记录移到一旁", done
    assert done[1].startswith("旧日志已保存为 board.json.history.jsonl.damaged-"), done
    [repaired] = [e for e in Board(board_path, "ann").history() if e.action == "repaired"]
    assert "set 1 damaged history line(s) aside" in repaired.reason  # stored as written, in English
    assert "the old journal was kept as" in repaired.reason


def test_a_sync_conflict_is_summed_up_in_chinese(tmp_path: Path, chinese: None) -> None:
    team = Board(tmp_path / "team.json", "lead")
    team.add_requirement("深色模式", customer="华为")
    offline = Board(tmp_path / "offline.json", "con")
    clone_board(team, offline)
    offline.edit_requirement("REQ-1", {"title": "深色主题"})
    team.edit_requirement("REQ-1", {"title": "夜间模式"})
    with pytest.raises(SyncConflicts) as refused:
        sync_boards(offline, team)
    message = str(refused.value)
    assert message == ("1 个冲突：未写入任何内容；请用 --prefer ours|theirs 或 --resolve KEY.FIELD=ours|theirs 解决")
    assert english_words(message, allowed={"ours", "theirs"}) == set()
    [conflict] = refused.value.plan.conflicts
    assert conflict.label == "REQ-1 的标题"
    assert conflict.name == "REQ-1.title"  # what --resolve names it by never changes
    assert refused.value.plan.as_json()["conflicts"][0]["field"] == "title"
    assert refused.value.exit_code == 3


def test_the_same_board_twice_is_refused_in_chinese(tmp_path: Path, chinese: None) -> None:
    board = Board(tmp_path / "team.json", "lead")
    board.add_requirement("深色模式")
    with pytest.raises(InvalidValue) as refused:
        sync_boards(board, Board(tmp_path / "team.json", "lead"))
    assert str(refused.value) == f"{board.path} 和 {board.path} 是同一个看板"


@pytest.mark.parametrize(("location", "expected"), [
    ("postgresql://ann:s3cret@db.example.com:http/board", "端口必须是数字（当前为 'http'）"),
    ("postgresql://ann:s3cret@db.example.com", "URL 中没有指定数据库（postgresql://host/DATABASE）"),
    ("mysql://ann:s3cret@db.example.com/board", "不是 postgresql:// 地址"),
])
def test_a_bad_server_url_is_refused_in_chinese_without_its_password(location: str, expected: str,
                                                                     chinese: None) -> None:
    with pytest.raises(Unsupported) as refused:
        ServerURL.parse(location)
    message = str(refused.value)
    assert expected in message, message
    assert "s3cret" not in message and "***" in message
    assert refused.value.exit_code == 2


def test_an_unreachable_server_is_reported_in_chinese(chinese: None) -> None:
    from pg_server import free_port

    port = free_port()  # nothing listens there
    with pytest.raises(ServerUnreachable) as refused:
        Board(f"postgresql://ann@127.0.0.1:{port}/board", "ann")
    message = str(refused.value)
    assert message.startswith(f"无法连接看板服务器 127.0.0.1:{port}："), message  # then libpq's own words
    assert refused.value.exit_code == 4


def test_a_login_that_may_only_read_is_refused_in_chinese(server_location: BoardLocation, chinese: None) -> None:
    server_location.board("lead").add_requirement("导出 PDF")
    assert server_location.server is not None and server_location.database is not None
    server_location.server.create_role("viewer_wei")
    for grant in GRANTS_VIEWER:
        server_location.sql(grant.format(role="viewer_wei"))
    url = server_location.server.url(server_location.database, user="viewer_wei")
    viewer = Board(url, "viewer_wei")
    shown = ServerURL.parse(url).shown
    expected = (f"viewer_wei 只能读取 {shown}：已以只读方式打开；请向看板所有者申请写入权限（README：A team server）")
    assert viewer.read_only_reason == expected
    with pytest.raises(Refused) as refused:
        viewer.add_requirement("不该写入")
    assert str(refused.value) == expected
    assert [r.title for r in viewer.requirements()] == ["导出 PDF"]


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_message_of_the_backends_formats_in_chinese() -> None:
    """Each translation of a message used in the storage backends or sync names the English's {fields}
    and formats with them (no KeyError, no stray brace)."""
    catalogue = Path(i18n.LOCALE_DIR) / "zh_CN" / "LC_MESSAGES" / "reqboard.po"
    with catalogue.open("rb") as file:
        messages = [m for m in read_po(file) if m.id and any(where.startswith(OUR_FILES) for where, _n in m.locations)]
    assert len(messages) > 80
    for message in messages:
        english = message.id if isinstance(message.id, str) else message.id[-1]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        for chinese in forms:
            assert chinese, english
            assert _fields(chinese) == _fields(english), (english, chinese)
            values = {name: "x" for name in _fields(english)}
            assert chinese.format(**values)
