"""Import and export for Chinese teams: GB18030/GBK files, Chinese headers and values, messages in zh_CN.

What scripts and other tools read stays as it was whatever the language (an export's English headers and
enum spellings, UTF-8 with a BOM by default); what a person reads (refusals, the dry run, the Markdown
document) is in the language chosen.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reqboard.store import encodings, i18n
from reqboard.store.board import Board
from reqboard.store.encodings import detect
from reqboard.store.errors import InvalidValue
from reqboard.store.exchange import (
    EXPORT_ENCODINGS,
    IMPORT_ENCODINGS,
    ImportRefused,
    apply_import,
    export_board,
    preview_import,
)
from reqboard.store.exchange.csv_io import COLUMNS, column_name, column_named, read_csv_file
from reqboard.store.labels import field_label
from reqboard.store.models import Channel, Feasibility, Kano, NeedType, State, Tier

from exchange_samples import snapshot
from zh_support import english_words

EXCEL_GBK = Path(__file__).parent / "fixtures" / "zh" / "excel_gbk.csv"
"""A sheet as a Chinese Excel saves it as "CSV": GBK, CRLF, Chinese headers and values, a status update
of REQ-1 (进行中, owner 李伟) and two new requirements."""


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language(i18n.CHINESE)
    yield
    i18n.set_language(i18n.ENGLISH)


def approved_board(path: Path) -> Board:
    """REQ-1 approved, as the sheet in EXCEL_GBK finds it (its text as approved: a sheet that changed the text
    could not move it on before it is approved again)."""
    board = Board(path, "alice")
    board.add_requirement("导出为 Excel 报表", customer="上海电气", importance=5, urgency=4, kano="must_be",
                          description="财务部每月需要把需求清单导出为 Excel，\n用于月度评审。",
                          acceptance_criteria=({"text": "导出的文件能用 Excel 打开"}, {"text": "列名为中文"}))
    board.move_requirement("REQ-1", "analysed")
    board.approve("REQ-1", "月度评审通过")
    return board


def rows(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


# ------------------------------------------------------------------ export
def test_the_default_export_stays_utf8_with_a_bom_and_english_whatever_the_language(board_path: Path,
                                                                                       chinese: None) -> None:
    board = approved_board(board_path)
    board.edit_requirement("REQ-1", {"owner": "李伟", "channel": "after_sales", "feasibility": "high"})
    board.move_requirement("REQ-1", "in_progress")
    data = export_board(board, "csv")
    assert data.startswith(codecs.BOM_UTF8)
    header, row = rows(data, "utf-8-sig")
    assert header == [c.header for c in COLUMNS]  # English headers: what scripts and other tools read
    cells = dict(zip(header, row, strict=True))
    assert (cells["State"], cells["Channel"], cells["Kano class"], cells["Feasibility"]) == (
        "In progress", "after sales", "must be", "high")
    assert cells["Title"] == "导出为 Excel 报表" and cells["Owner"] == "李伟"
    i18n.set_language(i18n.ENGLISH)
    assert export_board(board, "csv") == data  # byte for byte the English export


def test_an_export_in_gb18030_is_what_chinese_excel_opens(board_path: Path) -> None:
    board = approved_board(board_path)
    data = export_board(board, "csv", encoding="gb18030")
    assert not data.startswith(codecs.BOM_UTF8) and data.startswith(b"Key,Title,")  # no byte order mark
    assert rows(data, "gb18030")[1][1] == "导出为 Excel 报表"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "导出为 Excel 报表".encode("gb18030") in data and b"\r\n" in data
    plain = export_board(board, "csv", encoding="UTF8")  # any spelling of a codec's name
    assert plain == export_board(board, "csv")[len(codecs.BOM_UTF8):]


def test_an_encoding_that_cannot_be_written_is_refused(board_path: Path, chinese: None) -> None:
    board = Board(board_path, "alice")
    board.add_requirement("表情 😀 也要支持")
    with pytest.raises(InvalidValue) as refused:
        export_board(board, "csv", encoding="gbk")  # GBK has no emoji; GB18030 writes every character
    assert "REQ-1" in str(refused.value) and "U+1F600" in str(refused.value) and "gb18030" in str(refused.value)
    assert rows(export_board(board, "csv", encoding="gb18030"), "gb18030")[1][1] == "表情 😀 也要支持"
    for fmt, encoding in (("csv", "latin-1"), ("csv", "big5"), ("csv", "klingon"), ("md", "gb18030"),
                          ("json", "utf-8"), ("reqif", "gbk")):
        with pytest.raises(InvalidValue) as refused:
            export_board(board, fmt, encoding=encoding)
        assert not english_words(str(refused.value), allowed=re.findall("[a-z]+", encoding)), str(refused.value)
    assert set(EXPORT_ENCODINGS) == {"utf-8-sig", "utf-8", "gb18030", "gbk"}


# ------------------------------------------------------------------ round trips
COMMON_HANZI = st.builds(lambda lead, trail: bytes((lead, trail)).decode("gb2312"),
                         st.integers(0xB0, 0xD6), st.integers(0xA1, 0xFE))
"""GB2312's common characters (rows B0-D6: the 3,755 of level 1 but the last row's gaps)."""
CHINESE_TEXT = st.lists(COMMON_HANZI | st.sampled_from(list("，。、（）：“” 0123456789ABCabc")), min_size=4,
                        max_size=40).map("".join).map(str.strip).filter(lambda t: sum(c > "\x7f" for c in t) >= 4)


@contextmanager
def two_boards() -> Iterator[tuple[Board, Board]]:
    with tempfile.TemporaryDirectory() as folder:
        yield Board(Path(folder) / "from.json", "alice"), Board(Path(folder) / "to.json", "bob")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(CHINESE_TEXT, CHINESE_TEXT), min_size=1, max_size=4))
def test_a_gb18030_export_is_detected_and_imported_as_it_was(records: list[tuple[str, str]]) -> None:
    with two_boards() as (source, target):
        for title, customer in records:
            source.add_requirement(title, customer=customer, channel="email")
        data = export_board(source, "csv", encoding="gb18030")
        data.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # Chinese text in GB18030 is not UTF-8: it is told apart by detection
        found = detect(data)
        if found is None:  # refused only when it is Korean text too (CP949): never misread, read when named
            assert reads_as_hangul(data)
            apply_import(target, data, "csv", encoding="gb18030")
        else:
            assert found == "gb18030"
            apply_import(target, data, "csv")  # no encoding named: detected
        assert [(r.title, r.customer, r.channel) for r in target.requirements()] == [
            (r.title, r.customer, r.channel) for r in source.requirements()]


def reads_as_hangul(data: bytes) -> bool:
    """Whether the bytes may be Korean text too: CP949 reads them, most letters as the Hangul syllables
    Korean is written in (KS X 1001's, where GB2312 has its characters of rows B0-C8)."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return False
    letters = [c for c in text if c > "\x7f" and c.isalpha()]
    hangul = [c for c in letters if "\uac00" <= c <= "\ud7a3" and min(c.encode("cp949")) >= 0xA1]
    return bool(letters) and 2 * len(hangul) >= len(letters)


ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
def test_any_text_comes_back_from_gb18030_named(title: str, customer: str, description: str) -> None:
    with two_boards() as (source, target):
        try:
            source.add_requirement(title, customer=customer, description=description)
        except InvalidValue:
            assume(False)  # a text no requirement takes (blank, too long): not this test's business
        data = export_board(source, "csv", encoding="gb18030")
        apply_import(target, data, "csv", encoding="gb18030")
        made, back = source.get("REQ-1"), target.get("REQ-1")
        assert (back.title, back.customer, back.description) == (made.title, made.customer, made.description)


# ------------------------------------------------------------------ a sheet from Chinese Excel
def test_a_gbk_sheet_from_chinese_excel_imports(board_path: Path) -> None:
    data = EXCEL_GBK.read_bytes()
    assert b"\r\n" in data and not data.startswith(codecs.BOM_UTF8)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    board = approved_board(board_path)
    summary = apply_import(board, data, "csv", source="需求清单.csv")
    assert [a.key for a in summary.added] == ["REQ-2", "REQ-3"] and [c.key for c in summary.changed] == ["REQ-1"]

    started = board.get("REQ-1")  # 进行中: the status update moved it, as the workflow allows (owner given)
    assert (started.state, started.owner, started.channel, started.tier) == (State.IN_PROGRESS, "李伟", Channel.EMAIL,
                                                                             Tier.A)
    assert (started.need_type, started.kano, started.feasibility) == (NeedType.EXPLICIT, Kano.MUST_BE, Feasibility.HIGH)
    assert started.due == date(2026, 12, 31) and started.tags == ("报表", "导出")
    assert [(c.text, c.done) for c in started.acceptance_criteria] == [("导出的文件能用 Excel 打开", True),
                                                                       ("列名为中文", False)]
    assert started.description == "财务部每月需要把需求清单导出为 Excel，\n用于月度评审。"

    offline = board.get("REQ-2")  # 已分析: walked through the analysis guard, 客户访谈/隐性需求/期望型
    assert (offline.title, offline.state, offline.customer, offline.tier) == ("离线记录需求", State.ANALYSED,
                                                                              "北京华为", Tier.B)
    assert (offline.channel, offline.need_type, offline.kano) == (Channel.INTERVIEW, NeedType.IMPLICIT, Kano.PERFORMANCE)
    assert (offline.effort_estimate, offline.due, offline.owner) == (5.5, date(2027, 1, 15), "王芳")

    interface = board.get("REQ-3")
    assert (interface.state, interface.channel, interface.kano, interface.feasibility) == (
        State.COLLECTED, Channel.AFTER_SALES, Kano.ATTRACTIVE, Feasibility.LOW)
    assert (interface.need_type, interface.tier) == (NeedType.LATENT, Tier.C)



@pytest.mark.parametrize("encoding", ["gbk", "GBK", "cp936", "gb18030"])
def test_the_encoding_named_explicitly(board_path: Path, encoding: str) -> None:
    board = approved_board(board_path)
    summary = preview_import(board, EXCEL_GBK.read_bytes(), "csv", source="需求清单.csv", encoding=encoding)
    assert summary.ok, summary.text()
    assert [a.title for a in summary.added] == ["离线记录需求", "界面支持简体中文"]


def test_a_wrong_encoding_says_so_in_one_line_and_writes_nothing(board_path: Path) -> None:
    board = approved_board(board_path)
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, EXCEL_GBK.read_bytes(), "csv", source="需求清单.csv", encoding="utf-8")
    assert snapshot(board_path) == before
    [problem] = refused.value.summary.refused
    assert problem.startswith("row 1, column A: the file is not UTF-8 text (byte 0): name the encoding")
    assert "\n" not in problem and str(refused.value).startswith("nothing imported from 需求清单.csv: row 1")
    with pytest.raises(InvalidValue, match="'koi8-r' is not an encoding reqboard reads CSV files in"):
        preview_import(board, EXCEL_GBK.read_bytes(), "csv", encoding="koi8-r")
    with pytest.raises(InvalidValue, match="for CSV files only, not for json"):
        preview_import(board, b"{}", "json", encoding="utf-8")
    assert {"utf-8", "utf-8-sig", "gb18030", "gbk"} <= set(IMPORT_ENCODINGS)


def test_a_file_that_is_neither_utf8_nor_chinese_is_refused_not_misread(board_path: Path) -> None:
    board = Board(board_path, "alice")
    latin1 = "Title,Customer\r\nGrößenänderung der Fenster,Müller GmbH\r\n".encode("latin-1")
    big5 = "編號,標題,客戶\r\n,支援繁體中文介面,台北客戶\r\n,離線同步,高雄分公司\r\n".encode("big5")
    for data in (latin1, big5):  # both decode as GB18030, into rare characters: not taken for Chinese
        summary = preview_import(board, data, "csv", source="x.csv")
        [problem] = summary.refused
        assert "the file is not UTF-8 text (byte" in problem and "nor Chinese text in GB18030" in problem
        assert "big5" in problem and "gbk" in problem, problem  # the encodings it could be named as
    summary = preview_import(board, big5, "csv", encoding="big5")  # named, it reads (標題 is a Title column)
    assert [a.title for a in summary.added] == ["支援繁體中文介面", "離線同步"]
    # Values in traditional characters too: 郵件 is 邮件, 進行中 is 进行中 (refused only by the workflow).
    header = "標題,渠道,狀態\r\n"
    summary = preview_import(board, (header + "匯出報表,電子郵件,進行中\r\n").encode("big5"), "csv", encoding="big5")
    [refusal] = summary.refused
    assert refusal.startswith("row 2, column C (狀態): a new requirement starts collected and moves on only as the "
                              "workflow allows")
    apply_import(board, (header + "離線同步,郵件,已收集\r\n").encode("big5"), "csv", encoding="big5")
    assert (board.get("REQ-1").title, board.get("REQ-1").channel) == ("離線同步", Channel.EMAIL)


def test_utf16_with_a_bom_and_tabs_is_read_as_excel_unicode_text(board_path: Path) -> None:
    board = Board(board_path, "alice")
    data = "标题\t客户\t渠道\r\n离线同步\t北京华为\t邮件\r\n".encode("utf-16")
    assert data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    summary = apply_import(board, data, "csv")
    assert summary.ok and (board.get("REQ-1").customer, board.get("REQ-1").channel) == ("北京华为", Channel.EMAIL)


# ------------------------------------------------------------------ Chinese headers
@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: c.field)
def test_every_column_is_read_by_its_chinese_names(column: object, chinese: None) -> None:
    from reqboard.store.exchange.csv_io import CHINESE_HEADERS, Column

    assert isinstance(column, Column)
    # The name the catalogue gives it, the field's label in the history (its zh translation), every variant.
    names = {column_name(column), field_label(column.field), *CHINESE_HEADERS[column.field]}
    assert all(english_words(name, allowed=["kano", "uid"]) == set() for name in names), names
    for name in names | {name.replace(" ", "") for name in names} | {f" {name} " for name in names}:
        assert column_named(name) is column, name


def test_priority_is_refused_with_what_to_give_instead(board_path: Path, chinese: None) -> None:
    board = Board(board_path, "alice")
    summary = preview_import(board, "标题,优先级\r\n导出,高\r\n".encode("gb18030"), "csv", source="x.csv")
    assert summary.refused == ["第 1 行，B 列（优先级）：未知的列；需求的优先级由重要性和紧急程度算出：请改为提供这两列"]


# ------------------------------------------------------------------ messages in Chinese
def test_refusals_and_the_dry_run_are_in_chinese(board_path: Path, chinese: None) -> None:
    board = approved_board(board_path)
    sheet = ("编号,标题,重要性,截止日期,颜色\r\n"
             ",新需求,9,31/12/2026,红\r\n").encode("gbk")
    summary = preview_import(board, sheet, "csv", source="需求.csv")
    [problem] = summary.refused
    assert problem.startswith("第 1 行，E 列（颜色）：未知的列；可用的列有：编号、标题、状态、客户、")
    sheet = ("编号,标题,重要性,截止日期,状态\r\n"
             ",新需求,9,31/12/2026,已收集\r\n"
             "REQ-1,导出为 Excel 报表,5,,已完成\r\n"
             ",,3,,\r\n").encode("gbk")
    summary = preview_import(board, sheet, "csv", source="需求.csv")
    assert summary.refused[:2] == ["第 2 行，C 列（重要性）：'9' 不是 1 到 5 之间的整数",
                                   "第 2 行，D 列（截止日期）：'31/12/2026' 不是日期：请写成 YYYY-MM-DD"]
    assert summary.headline() == "将新增 0 个需求，修改 0 个，0 个不变；4 个被拒绝（试运行：未写入任何内容）"
    assert summary.error_message() == "从 需求.csv 导入将被拒绝：4 个问题；未写入任何内容"
    text = summary.text()
    assert "第 3 行（REQ-1），E 列（状态）：" in text and "第 4 行，B 列（标题）：新需求需要标题" in text
    assert english_words(text, allowed=["YYYY", "MM", "DD", "reqboard", "move", "done"]) == set(), text
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, sheet, "csv", source="需求.csv")
    assert str(refused.value) == "未从 需求.csv 导入任何内容：4 个问题"


def test_a_change_is_reported_in_chinese(board_path: Path, chinese: None) -> None:
    board = approved_board(board_path)
    summary = preview_import(board, "编号,标题,负责人,业务价值\r\nREQ-1,导出为 Excel 报表,李伟,5\r\n,离线同步,,\r\n"
                             .encode("gbk"), "csv")
    assert summary.text().splitlines() == [
        "将新增 1 个需求，修改 1 个，0 个不变（试运行：未写入任何内容）",
        '+ REQ-2 "离线同步"（已收集；第 3 行）',
        "~ REQ-1 业务价值：- -> 5",
        '~ REQ-1 负责人：- -> "李伟"',
    ]


def test_the_markdown_document_is_in_chinese(board_path: Path, chinese: None) -> None:
    board = approved_board(board_path)
    board.edit_requirement("REQ-1", {"owner": "李伟", "due": "2026-12-31", "tags": ("报表",), "channel": "email",
                                     "tier": "A", "feasibility": "high", "need_type": "explicit"})
    document = export_board(board, "md").decode()
    assert document.startswith("# 需求\n\n共 1 个需求，导出于 ")
    assert "| 状态 | 需求 |" in document and "| 已批准 | 1 |" in document and "## 已批准（1）" in document
    assert "- **客户：** 上海电气（A 类客户），渠道：邮件" in document
    assert "- **负责人：** 李伟" in document and "_无。_" in document
    assert english_words(document, allowed=["Excel", "Kano", "alice"]) == set(), document


def test_a_reqif_export_keeps_english_enum_labels_in_chinese(board_path: Path, chinese: None) -> None:
    board = approved_board(board_path)
    document = export_board(board, "reqif").decode()
    assert 'OTHER-CONTENT="Approved"' in document and 'OTHER-CONTENT="must be"' in document
    assert "已批准" not in document and "必备型" not in document


# ------------------------------------------------------------------ what scripts read
def _import_json(argv: list[str], language: str, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`reqboard --json import ... --dry-run` in `language`: exit code, stdout and stderr."""
    from reqboard.cli.main import main

    monkeypatch.setenv("REQBOARD_LANG", language)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    i18n.set_language(i18n.ENGLISH)
    return code, out, err


def _the_json_in_both_languages(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, object], str]:
    """The `--json` output, asserted byte for byte the same in English and in Chinese, parsed; and the
    stderr of the Chinese run, which is the English one too (a script asked for `--json`, and reads both)."""
    code, english_out, english_err = _import_json(argv, "en", monkeypatch, capsys)
    zh_code, chinese_out, chinese_err = _import_json(argv, "zh_CN", monkeypatch, capsys)
    assert (code, zh_code) == (1, 1)  # refused: exit 1 in both
    assert chinese_out == english_out
    assert english_err.startswith("error: the import from ") and chinese_err == english_err
    return orjson.loads(english_out), chinese_err


def test_import_json_output_is_the_same_in_every_language(board_path: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`--json` keys and values never change with the language: places, refusals (the workflow's and the
    models' words included) and notes in English, while stderr speaks Chinese."""
    board = approved_board(board_path)
    exported = rows(export_board(board, "csv"), "utf-8-sig")
    header, row = exported[0], dict(zip(exported[0], exported[1], strict=True))
    row["Key"] = "REQ-7"  # the same requirement (its UID), another key: noted, not refused
    sheet = io.StringIO(newline="")
    writer = csv.writer(sheet, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow([row[name] for name in header])
    blank = dict.fromkeys(header, "")
    writer.writerow([{**blank, "Title": "离线同步", "Importance": "9"}[name] for name in header])
    writer.writerow([{**blank, "Title": "导出报表", "State": "done"}[name] for name in header])
    writer.writerow([{**blank, "Title": "长" * 300}[name] for name in header])
    writer.writerow([{**blank, "Title": "新需求", "Customer": "华为"}[name] for name in header])
    path = tmp_path / "需求.csv"
    path.write_bytes(sheet.getvalue().encode("gb18030"))
    summary, chinese_err = _the_json_in_both_languages(
        ["--store", str(board_path), "--json", "import", str(path), "--dry-run"], monkeypatch, capsys)
    assert summary["notes"] == ["row 2 (REQ-7): REQ-7 in the file is REQ-1 on this board (the same requirement, "
                                "found by its UID)"]
    refused = summary["refused"]
    assert isinstance(refused, list) and len(refused) == 3
    assert refused[0] == "row 3, column J (Importance): '9' is not a whole number from 1 to 5"
    assert refused[1].startswith("row 4, column C (State): a new requirement starts collected and moves on only as "
                                 "the workflow allows: REQ-3 needs ")
    assert refused[2] == "row 5, column B (Title): must be at most 200 characters (it has 300)"
    assert summary["added"] == [{"key": "REQ-5", "title": "新需求", "state": "collected", "where": "row 6"}]
    assert all(not re.search("[\u4e00-\u9fff]", text) for text in [*refused, *summary["notes"]]), summary
    assert "row 3, column J (Importance): '9' is not a whole number from 1 to 5" in chinese_err


def test_import_json_output_of_a_bad_json_file_is_the_same_in_every_language(
        board_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    board = approved_board(board_path)
    document = orjson.loads(export_board(board, "json"))
    record = {**document["requirements"][0], "key": "REQ-9", "title": "", "importance": 9,
              "uid": "rb-" + "0" * 32}
    document["requirements"] += [record, 5]
    document["requirements"][0]["history"].append({"action": "moved", "at": "yesterday"})
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(document))
    summary, chinese_err = _the_json_in_both_languages(
        ["--store", str(board_path), "--json", "import", str(path), "--dry-run"], monkeypatch, capsys)
    [refused] = summary["refused"]
    assert refused.startswith("3 problem(s): record 1 (REQ-1): history event ")
    assert "record 2 (REQ-9): invalid title: must not be empty" in refused and "record 3: not an object" in refused
    assert not re.search("[\u4e00-\u9fff]", refused), refused
    assert "record 2 (REQ-9): " in chinese_err
    path.write_bytes(b'{"format": "reqboard", "version": 7, "requirements": []}')
    summary, chinese_err = _the_json_in_both_languages(
        ["--store", str(board_path), "--json", "import", str(path), "--dry-run"], monkeypatch, capsys)
    assert summary["refused"] == ["the export is version 7; this reqboard reads version 1"]


# ------------------------------------------------------------------ telling Chinese from Korean and Japanese
KOREAN_SHEETS = [
    "Title,Customer\r\n결제 시스템 개선,삼성전자\r\n",  # what Korean Excel saves: the reported file
    "제목,고객,설명\r\n모바일 앱 로그인 오류 수정,LG전자,사용자가 비밀번호를 입력하면 앱이 종료됩니다\r\n"
    "배송 조회 기능 추가,현대자동차,고객이 주문 상태를 실시간으로 확인할 수 있어야 합니다\r\n",
    "Key,Title,State,Customer\r\nREQ-1,전자 세금계산서 자동 발행,collected,SK텔레콤\r\nREQ-2,보고서 엑셀 내보내기,analysed,카카오\r\n",
    "Title\r\n회원가입\r\n",
    "Title\r\n大韓民國 정부 전자 문서 시스템 개선 요청\r\n",  # Hanja among Hangul
]
JAPANESE_SHEETS = [
    "Title,Customer\r\n決済システムの改善,ソニー株式会社\r\n",
    "タイトル,顧客\r\nログイン画面のエラーを修正する,トヨタ自動車\r\n請求書を自動で発行したい,日本電気\r\n",
    "Title\r\nレポートをエクセルに出力\r\n",
]
CHINESE_SHEETS = [
    "Title,Customer\r\n电子发票自动开具,华为\r\n",
    "Title\r\n客户满意度调查\r\n",
    "Title,Customer\r\n支持微信登录,腾讯\r\n",
    "Title,Customer\r\n导出报表,上海电气\r\n",
    "标题,客户\r\n订单管理,阿里巴巴\r\n",  # (its rows alone CP949 reads as Hangul too: the header tells)
    "编号,标题,客户,描述\r\n,导出为 Excel 报表,上海电气,每月底需要把所有需求导出为报表，发给管理层审阅。\r\n"
    ",离线同步,北京华为,在没有网络的情况下也能查看和修改需求，联网后自动同步。\r\n",
]


@pytest.mark.parametrize("sheet", KOREAN_SHEETS, ids=range(len(KOREAN_SHEETS)))
@pytest.mark.parametrize("encoding", ["cp949", "euc_kr"])
def test_a_korean_sheet_is_refused_not_read_as_chinese(board_path: Path, sheet: str, encoding: str) -> None:
    """CP949 and EUC-KR put Hangul where GB2312 has its common characters: such a file decodes as
    GB18030 into Chinese nonsense (결제 시스템 개선 as 搬力 矫胶袍 俺急), and is refused instead."""
    data = sheet.encode(encoding)
    data.decode("gb18030")  # it does decode: only what the text reads as tells
    assert detect(data) is None
    [problem] = preview_import(Board(board_path, "alice"), data, "csv", source="ko.csv").refused
    assert "the file is not UTF-8 text (byte" in problem and "nor Chinese text in GB18030" in problem, problem


@pytest.mark.parametrize("sheet", JAPANESE_SHEETS, ids=range(len(JAPANESE_SHEETS)))
@pytest.mark.parametrize("encoding", ["euc_jp", "shift_jis", "cp932"])
def test_a_japanese_sheet_is_refused_not_read_as_chinese(board_path: Path, sheet: str, encoding: str) -> None:
    data = sheet.encode(encoding)
    assert detect(data) is None
    [problem] = preview_import(Board(board_path, "alice"), data, "csv", source="ja.csv").refused
    assert "nor Chinese text in GB18030" in problem, problem


@pytest.mark.parametrize("sheet", CHINESE_SHEETS, ids=range(len(CHINESE_SHEETS)))
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_chinese_sheet_short_or_long_is_still_detected(board_path: Path, sheet: str, encoding: str) -> None:
    data = sheet.encode(encoding)
    summary = preview_import(Board(board_path, "alice"), data, "csv", source="zh.csv")
    assert summary.ok, summary.text()
    header, *rows = sheet.splitlines()
    titled = header.split(",").index("Title" if "Title" in header else "标题")
    assert [a.title for a in summary.added] == [row.split(",")[titled] for row in rows]


def test_a_short_sheet_that_is_korean_text_too_is_read_only_when_named(board_path: Path) -> None:
    """订单管理 in GBK is 5 Hangul syllables in CP949: without a Chinese column name to tell, it is refused
    rather than guessed, and read when the encoding is named."""
    data = "Title,Customer\r\n订单管理,阿里巴巴\r\n".encode("gbk")
    board = Board(board_path, "alice")
    assert preview_import(board, data, "csv").refused
    summary = preview_import(board, data, "csv", encoding="gbk")
    assert [(a.title, a.where) for a in summary.added] == [("订单管理", "row 2")]


def test_other_encodings_are_refused_not_misread(board_path: Path) -> None:
    board = Board(board_path, "alice")
    for sheet, encoding in (("Title,Customer\r\nGrößenänderung der Fenster,Müller GmbH\r\n", "latin-1"),
                            ("Title\r\nCafé crème à la carte\r\n", "cp1252"),
                            ("Title,Customer\r\n電子發票自動開立,台積電\r\n", "big5"),
                            ("Title,Customer\r\n匯出報表,鴻海\r\n", "big5"),
                            ("Title,Customer,Description\r\n行動裝置登入失敗,中華電信,使用者輸入密碼後應用程式會閃退，"
                             "需要盡快修復這個問題。\r\n", "big5")):
        data = sheet.encode(encoding)
        assert detect(data) is None, sheet
        assert preview_import(board, data, "csv").refused, sheet


def test_a_gb18030_export_in_traditional_characters_is_detected(board_path: Path, tmp_path: Path) -> None:
    """Traditional characters are GB18030's rarer ones; amid other Chinese characters, as forms of its common
    ones, they are Chinese text all the same."""
    source = Board(board_path, "alice")
    for title, customer in (("電子發票自動開立", "台積電"), ("行動裝置登入失敗", "中華電信"), ("匯出報表", "鴻海")):
        source.add_requirement(title, customer=customer)
    data = export_board(source, "csv", encoding="gb18030")
    assert detect(data) == "gb18030"
    target = Board(tmp_path / "target.json", "bob")
    apply_import(target, data, "csv")
    assert [(r.title, r.customer) for r in target.requirements()] == [
        ("電子發票自動開立", "台積電"), ("行動裝置登入失敗", "中華電信"), ("匯出報表", "鴻海")]


def test_a_gb18030_file_whose_first_rows_are_english_is_detected(board_path: Path) -> None:
    """What `export --encoding gb18030` writes for a board whose early requirements are English: more than
    the 64 KiB detection looks at before its first Chinese row. It is judged by its Chinese text."""
    sheet = "Title,Customer\r\n" + "".join(f"Requirement {n},ACME Corporation\r\n" for n in range(3000))
    data = (sheet + "电子发票自动开具,华为\r\n").encode("gb18030")
    assert data.find("电".encode("gb18030")) > 1 << 16
    assert detect(data) == "gb18030"
    board = Board(board_path, "alice")
    apply_import(board, data, "csv")
    assert (board.get("REQ-3001").title, board.get("REQ-3001").customer) == ("电子发票自动开具", "华为")


def test_where_a_file_stops_being_text_is_found_in_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal of a big file that is no text in its encoding names the byte by row and column without
    decoding the file whole (a copy of its text, several times its size): a megabyte at a time."""
    sheet = "Title,Customer,Description\r\n" + "".join(
        f"Requirement number {n},Customer {n % 50},Some description of it\r\n" for n in range(200_000))
    data = (sheet + "Größe,Müller,x\r\n").encode("latin-1")  # 12 MB, then a Latin-1 row
    tracemalloc.start()
    try:
        problems = read_csv_file(data).problems
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [f"row 200002, column A (Title): the file is not UTF-8 text (byte {len(sheet) + 2}), nor "
                        'Chinese text in GB18030: save it as "CSV UTF-8", or name the encoding it is in (gb18030, '
                        "gbk, gb2312, big5, utf-16)"]
    assert peak < len(data) // 2, f"{peak:,} bytes at the peak for a file of {len(data):,}"  # (whole: 2 copies)


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16"])
def test_the_first_bad_byte_is_found_across_chunks(codec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read a chunk at a time (here 7 bytes), the first byte that is not text is where decoding it whole says."""
    monkeypatch.setattr(encodings, "_CHUNK", 7)
    text = "标题,客户\r\n离线同步,北京华为😀\r\n" if codec not in ("gbk", "big5") else "標題,客戶\r\n離線同步,北京\r\n"
    good = text.encode(codec)
    for at in range(2 if codec == "utf-16" else 0, len(good)):
        for spliced in (good[:at] + b"\xff" + good[at:], good[:at] + b"\x80\x80" + good[at:], good[:at]):
            try:
                spliced.removeprefix(codecs.BOM_UTF8).decode("utf-8" if codec == "utf-8-sig" else codec)
                expected = len(spliced)
            except UnicodeDecodeError as exc:
                expected = exc.start + (3 if codec == "utf-8-sig" and spliced.startswith(codecs.BOM_UTF8) else 0)
            assert encodings.first_bad_byte(spliced, codec) == expected, (spliced, at)


def test_utf16_named_for_a_file_without_its_byte_order_mark_is_refused(board_path: Path) -> None:
    data = "Title\r\n离线同步\r\n".encode("utf-16-le")
    [problem] = preview_import(Board(board_path, "alice"), data, "csv", encoding="utf-16").refused
    assert problem.startswith("row 1, column A: the file is not UTF-16 text (byte 0)"), problem


def test_english_is_spoken_inside_english_in_that_thread_only(chinese: None) -> None:
    """`i18n.english()`: the English of a message for scripts, while another thread (the TUI's) speaks on."""
    import threading

    inside = threading.Event()
    leave = threading.Event()
    said_there: list[str] = []

    def in_english() -> None:
        with i18n.english():
            said_there.append(i18n._("the file has a header but no rows"))
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=in_english)
    worker.start()
    assert inside.wait(10)
    here = i18n._("the file has a header but no rows")
    leave.set()
    worker.join(10)
    assert said_there == ["the file has a header but no rows"] and here != said_there[0] and i18n.is_chinese()


def test_import_json_output_of_a_clash_and_of_reqif_is_the_same_in_every_language(
        board_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The board's own refusals (a key that names another requirement here) and ReqIF's places are
    English in `--json` too: the whole summary is made in English when a script asks for it."""
    board = approved_board(board_path)
    document = orjson.loads(export_board(board, "json"))
    document["requirements"][0]["uid"] = "rb-" + "1" * 32  # REQ-1 again, but another requirement
    clash = tmp_path / "clash.json"
    clash.write_bytes(orjson.dumps(document))
    summary, _err = _the_json_in_both_languages(
        ["--store", str(board_path), "--json", "import", str(clash), "--dry-run"], monkeypatch, capsys)
    assert summary["refused"] and not re.search("[\u4e00-\u9fff]", str(summary["refused"]))
    reqif = export_board(board, "reqif")
    broken = tmp_path / "broken.reqif"
    broken.write_bytes(reqif.replace(b"<SPEC-OBJECTS>", b"<SPEC-OBJECTS><SPEC-OBJECT/>", 1))
    summary, _err = _the_json_in_both_languages(
        ["--store", str(board_path), "--json", "import", str(broken), "--dry-run"], monkeypatch, capsys)
    assert summary["refused"] and not re.search("[\u4e00-\u9fff]", str(summary["refused"]))
