"""The command line in 简体中文: help (argparse's own text included), messages and errors in Chinese,
Chinese names for every fixed value, output aligned by display cells in local time, and what scripts
read (`error:`, exit codes, `--json`) the same in both languages."""

from __future__ import annotations

import argparse
import ast
import inspect
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len

from reqboard.cli import main as cli_main
from reqboard.cli.main import ARGPARSE_MESSAGES, Parser, build_parser, main, wrap_cells
from reqboard.store import i18n

from cli_support import CliRunner
from zh_support import english_words


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")


def _commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command line that has a help of its own: the program, each command, each subcommand."""
    yield words
    for action in parser._actions:  # argparse offers no public listing of its subparsers
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _commands(child, (*words, name))


COMMANDS = list(_commands(build_parser()))
COMMAND_NAMES = {part for words in COMMANDS for word in words for part in (word, *word.split("-"))}
"""Words typed as they are in any language (`reqboard cr assess`, `signoff-roles`), like option names."""


def help_of(words: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])
    assert exited.value.code == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


# ---------------------------------------------------------------------------- help
@pytest.mark.parametrize("words", COMMANDS, ids=lambda words: " ".join(words) or "reqboard")
def test_the_help_of_every_command_is_chinese(words: tuple[str, ...], chinese: None,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = help_of(words, capsys)
    assert text.startswith("用法：reqboard")
    assert "选项:" in text  # argparse's own headings, from our catalogue
    # Field names typed in a --resolve (REQ-3.title=对方) are what one types, like the command names.
    assert english_words(text, allowed=COMMAND_NAMES | {"title", "status"}) == set(), text
    # Wrapped by display cells: no line wider than the terminal, no line starting with a closing mark.
    for line in text.splitlines():
        assert cell_len(line) <= 80, line
        assert not line.strip().startswith(("，", "。", "、", "：", "）")), line


def test_the_usage_keeps_its_continuation_lines_under_the_first_option(
        chinese: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = help_of(("move",), capsys).split("\n\n")[0].splitlines()
    assert len(lines) > 1
    first_option = cell_len(lines[0][: lines[0].index("[-h]")])
    assert {cell_len(line) - len(line.lstrip(" ")) for line in lines[1:]} == {first_option}


def test_english_help_is_argparse_s_own(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(("move",), capsys)
    assert text.startswith("usage: reqboard move [-h]")
    assert "positional arguments:" in text and "options:" in text and "show this help message and exit" in text
    assert "用法" not in text


def test_every_message_argparse_shows_a_person_is_in_the_catalogue_with_its_placeholders() -> None:
    """argparse's messages for a person (not those for a programmer who declared a parser wrongly) are
    marked in cli/main.py; a Python whose argparse says something new fails here until it is added."""
    source = inspect.getsource(argparse)
    said: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            said.update(arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant) and isinstance(arg.value, str))
    for_programmers = {
        ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
        "cannot merge actions - two groups are named %r", "'required' is an invalid argument for positionals",
        "invalid option string %(option)r: must start with a character %(prefix_chars)r",
        "dest= is required for options like %r", "invalid conflict_resolution value: %r",
        "conflicting option string: %s", "conflicting option strings: %s",
        "mutually exclusive arguments must be optional", "cannot have multiple subparser arguments",
        "%r is not callable", "subcommands",
        # argparse.FileType's and the default error()'s, which reqboard does not use
        'argument "-" with mode %r', "can't open '%(filename)s': %(error)s", "%(prog)s: error: %(message)s\n",
    }
    marked = {*ARGPARSE_MESSAGES, "expected %s argument", "expected %s arguments"}
    assert said - for_programmers - marked == set()
    i18n.set_language(i18n.CHINESE)
    placeholder = re.compile(r"%\(\w+\)[sr]|%[sr]")
    for message in ARGPARSE_MESSAGES:
        chinese = i18n._(message)
        assert chinese != message, message
        assert sorted(placeholder.findall(chinese)) == sorted(placeholder.findall(message)), (message, chinese)
    assert i18n.ngettext("expected %s argument", "expected %s arguments", 2) == "需要给出 %s 个值"


def test_argparse_speaks_our_language_only_inside_our_parser(chinese: None, capsys: pytest.CaptureFixture[str]) -> None:
    help_of(("show",), capsys)
    assert i18n.is_chinese()
    other = argparse.ArgumentParser(prog="other")
    assert "usage: other" in other.format_usage() and "show this help message and exit" in other.format_help()
    assert "用法：other" in Parser(prog="other").format_usage()


def test_wrapping_by_display_cells() -> None:
    text = "将整个看板（含历史记录）复制到空的存储中：看板文件与 postgresql:// 数据库之间，双向均可"
    lines = wrap_cells(text, 20)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(cell_len(line) <= 20 for line in lines), lines
    assert not any(line.startswith(("，", "：", "）")) or line.endswith("（") for line in lines), lines
    assert wrap_cells("a tag (repeat for several)", 12) == ["a tag", "(repeat for", "several)"]


# ---------------------------------------------------------------------------- errors
def test_a_usage_error_is_chinese_and_keeps_its_prefix_and_exit_code(chinese: None, cli: CliRunner) -> None:
    err = cli.fails(2, "show")
    assert err.startswith("error: 缺少必需的参数：KEY")
    assert english_words(err.removeprefix("error:"), allowed=COMMAND_NAMES) == set(), err
    err = cli.fails(2, "bogus")
    assert err.startswith("error: 参数 COMMAND：无效的取值：'bogus'")
    err = cli.fails(2, "add", "标题", "--importance", "高")
    assert err.startswith("error: 参数 --importance：'高' 不是 1 到 5 之间的整数")
    err = cli.fails(2, "edit", "1")
    assert err.startswith("error: 没有要修改的内容")
    assert cli.fails(2, "export", "--format", "json", "--encoding", "gbk").startswith(
        "error: --encoding 只用于 CSV 文件，不适用于 json")


def test_an_encoding_for_another_format_than_csv_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    assert cli.fails(2, "export", "-o", str(tmp_path / "out.json"), "--encoding", "gb18030").startswith(
        "error: --encoding is for CSV files only, not json")
    (tmp_path / "in.json").write_text("[]")
    assert "--encoding is for CSV files only, not reqif" in cli.fails(
        2, "import", str(tmp_path / "in.json"), "--format", "reqif", "--encoding", "gbk")
    assert not (tmp_path / "out.json").exists()


def test_a_note_keeps_its_prefix(chinese: None, cli: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    cli("add", "导出发票")
    capsys.readouterr()
    assert main(["show", "REQ-1", "--store", "postgresql://ann:secret@127.0.0.1:1/none"]) != 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert notes and notes[0].startswith("note: URL 中的密码")


# ---------------------------------------------------------------------------- what scripts read
def _board_in_chinese(cli: CliRunner) -> None:
    cli("add", "导出发票为 PDF", "--customer", "华为", "--channel", "邮件", "--kano", "必备", "--need-type", "隐性需求",
        "--tier", "A类", "--feasibility", "高", "--importance", "4", "--urgency", "3", "--tag", "发票",
        "--criterion", "能打开")
    cli("move", "REQ-1", "已分析")
    cli("--user", "李伟", "approve", "REQ-1", "--comment", "同意")
    cli("cr", "add", "REQ-1", "增加横向打印", "--reason", "客户要求")
    cli("cr", "assess", "CR-1", "--schedule-days", "2", "--cost", "100", "--effort-hours", "8", "--risk", "高")


@pytest.mark.parametrize("argv", [("show", "REQ-1"), ("list",), ("history", "REQ-1"), ("cr", "show", "CR-1"),
                                  ("cr", "list"), ("restore", "--list")], ids=" ".join)
def test_json_output_is_the_same_in_both_languages(argv: tuple[str, ...], cli: CliRunner,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _board_in_chinese(cli)
    english = cli(*argv, "--json")
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    assert cli(*argv, "--json") == english
    assert cli(*argv) != cli_text_in_english(cli, argv, monkeypatch)


def cli_text_in_english(cli: CliRunner, argv: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        patch.setenv("REQBOARD_LANG", "en")
        return cli(*argv)


# ---------------------------------------------------------------------------- Chinese input
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_every_fixed_value_is_accepted_by_its_chinese_name(language: str, cli: CliRunner,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQBOARD_LANG", language)
    _board_in_chinese(cli)
    shown = cli.json("show", "REQ-1")
    assert (shown["channel"], shown["kano"], shown["need_type"], shown["tier"], shown["feasibility"]) == (
        "email", "must_be", "implicit", "A", "high")
    assert shown["state"] == "approved"
    assert [r["key"] for r in cli.json("list", "--state", "已批准")] == ["REQ-1"]
    assert cli.json("list", "--state", "已分析") == []
    assert cli.json("cr", "show", "CR-1")["assessment"]["risk"] == "high"
    assert [c["key"] for c in cli.json("cr", "list", "--status", "已评估")] == ["CR-1"]
    cli("move", "REQ-1", "进行中", "--owner", "王芳")
    cli("wip", "进行中", "3")
    assert "3" in cli("wip").splitlines()[3]
    cli("wip", "进行中", "无")
    assert cli("wip").splitlines()[3].split()[-1] == "-"
    assert cli_main._side("对方") == "theirs" and cli_main._side("ours") == "ours"
    assert cli_main._resolution("REQ-1.title=我方") == ("REQ-1.title", "ours")


def test_an_unknown_chinese_value_is_refused_in_chinese(chinese: None, cli: CliRunner,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cli("add", "导出发票")
    cli("cr", "add", "REQ-1", "增加横向打印")
    err = cli.fails(2, "cr", "assess", "CR-1", "--schedule-days", "1", "--cost", "1", "--effort-hours", "1",
                    "--risk", "很高")
    assert "'很高' 不是风险等级：请从 低、中、高 中选择" in err
    # An unknown status lists nothing with exit 0, as it always did, and a note says which there are.
    capsys.readouterr()
    assert main(["cr", "list", "--status", "很多"]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("note: 未知状态 '很多'")


# ---------------------------------------------------------------------------- text for people
def test_list_show_and_history_speak_chinese(chinese: None, cli: CliRunner) -> None:
    _board_in_chinese(cli)
    listed = cli("list")
    assert listed.splitlines()[0].split() == ["编号", "状态", "优先级", "客户", "标题"]
    assert listed.splitlines()[1].split()[:3] == ["REQ-1", "已批准", "12"]
    shown = cli("show", "REQ-1")
    assert "  渠道         邮件\n" in shown and "  Kano 类别    必备型\n" in shown
    assert "  下一步       reqboard move REQ-1 进行中" in shown
    user_text = {"PDF", "tester"}  # what people typed and who they are
    assert english_words(shown, allowed=user_text | COMMAND_NAMES) == set(), shown
    history = cli("history", "REQ-1")
    assert re.search(r"李伟 +已批准 版本 2  \(同意\)$", history, re.MULTILINE), history
    assert english_words(history, allowed=user_text) == set(), history
    assert english_words(cli("cr", "show", "CR-1"), allowed=user_text) == set()
    assert cli("move", "REQ-1", "进行中", "--owner", "王芳") == "REQ-1 现为进行中\n"


def test_history_lines_up_by_display_cells_in_local_time(chinese: None, cli: CliRunner,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    cli("--user", "ann", "add", "导出发票")
    cli("--user", "李伟", "edit", "1", "--owner", "王芳")
    cli("--user", "Zoë", "edit", "1", "--owner", "ann")
    events = cli.json("history", "REQ-1")
    lines = cli("history", "REQ-1").splitlines()
    assert [line.split()[2] for line in lines] == ["ann", "李伟", "Zoë"]
    starts = set()
    for event, line in zip(events, lines, strict=True):
        at = datetime.fromisoformat(event["at"].replace("Z", "+00:00")) + timedelta(hours=8)
        assert line.startswith(at.strftime("%Y-%m-%d %H:%M:%S  ")), line  # Beijing time
        after_name = line.index(event["by"]) + len(event["by"])
        action = after_name + len(line[after_name:]) - len(line[after_name:].lstrip(" "))
        starts.add(cell_len(line[:action]))
    assert len(starts) == 1, lines


# ---------------------------------------------------------------------------- where the language comes from
def test_the_locale_chooses_chinese_without_reqboard_lang(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("REQBOARD_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert help_of(("list",), capsys).startswith("用法：reqboard list")


def test_the_config_file_s_language_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(tmp_path / "config")
    config.mkdir(exist_ok=True)
    (config / "config.toml").write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("REQBOARD_CONFIG_DIR", str(config))
    monkeypatch.delenv("REQBOARD_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert help_of(("list",), capsys).startswith("usage: reqboard list")
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    assert help_of(("list",), capsys).startswith("usage: reqboard list")


# ---------------------------------------------------------------------------- CSV encodings
def test_a_gb18030_csv_export_and_its_import(cli: CliRunner, tmp_path: Path) -> None:
    cli("add", "导出发票", "--customer", "华为")
    exported = tmp_path / "reqs.csv"
    cli("export", "--format", "csv", "--encoding", "gb18030", "-o", str(exported))
    data = exported.read_bytes()
    assert "导出发票".encode("gb18030") in data and not data.startswith(b"\xef\xbb\xbf")
    other = tmp_path / "other.json"
    cli("--store", str(other), "import", str(exported), "--encoding", "gb18030")
    assert [r["title"] for r in cli.json("--store", str(other), "list")] == ["导出发票"]
    detected = tmp_path / "detected.json"
    cli("--store", str(detected), "import", str(exported))  # no --encoding: told from the file
    assert [r["customer"] for r in cli.json("--store", str(detected), "list")] == ["华为"]
    default = tmp_path / "default.csv"
    cli("export", "-o", str(default))
    assert default.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel-compatible UTF-8 by default


def test_what_a_command_stores_for_a_person_stays_english_and_is_shown_translated(chinese: None, cli: CliRunner) -> None:
    """`cr approve` without --rationale stores "approved" (what `--json` and the board keep), shown as 已批准."""
    cli("add", "电子发票", "--customer", "华为")
    cli("cr", "add", "REQ-1", "同时支持专票")
    cli("cr", "assess", "CR-1", "--schedule-days", "2", "--cost", "100", "--effort-hours", "8")
    cli("cr", "approve", "CR-1")
    assert cli.json("cr", "show", "CR-1", "--json")["decision"]["rationale"] == "approved"
    shown = cli("cr", "show", "CR-1")
    assert "批准：同意" in shown and "approved" not in shown
