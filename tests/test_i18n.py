"""The message catalogue and the language setting: every marked message is in the zh_CN catalogue with
a translation whose {fields} match, the compiled catalogue is the .po compiled, and the language comes
from the config file, else REQBOARD_LANG, else the locale."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from reqboard.store import i18n
from reqboard.store.i18n import _, ngettext
from reqboard.tui.config import Config, apply_settings, load_config

ROOT = Path(__file__).resolve().parent.parent


def _catalogue_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogue_tool", ROOT / ".ci" / "catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_message_is_in_the_catalogue_and_translated() -> None:
    problems = _catalogue_tool().problems()
    assert problems == [], "\n".join(problems[:60])


def test_the_catalogue_check_finds_a_message_without_translation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a message added to the code and not to the catalogue is reported."""
    tool = _catalogue_tool()
    source = tmp_path / "store"
    source.mkdir()
    (source / "new.py").write_text('from reqboard.store.i18n import _\nprint(_("a message nobody translated"))\n'
                                   'print(_(f"an {f}-string"))\n')
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "SOURCES", ("store",))
    problems = tool.problems()
    assert any("a message nobody translated" in line for line in problems)
    assert any("new.py:3" in line and "literal" in line for line in problems)


@pytest.mark.parametrize(("setting", "environ", "expected"), [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    (None, {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    (None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.GB18030"}, "zh_CN"),
    (None, {"LC_ALL": "C", "REQBOARD_LANG": "zh_CN"}, "zh_CN"),
    ("en", {"REQBOARD_LANG": "zh_CN"}, "en"),
    ("zh-Hans", {}, "zh_CN"),
    (None, {"LANG": "de_DE.UTF-8"}, "en"),
    (None, {"LANG": ""}, "en"),
])
def test_the_language_comes_from_the_config_then_reqboard_lang_then_the_locale(
        setting: str | None, environ: dict[str, str], expected: str) -> None:
    assert i18n.resolve_language(setting, environ) == expected


def test_chinese_is_spoken_when_the_config_says_so(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('language = "zh_CN"\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    config, problems = load_config(config_file)
    assert problems == []
    apply_settings(config)
    assert i18n.language() == "zh_CN"
    assert i18n.language_tag() == "zh-CN"
    assert _("Quit") == "退出"
    apply_settings(Config(language="en"))
    assert _("Quit") == "Quit"
    assert ngettext("{n} requirement", "{n} requirements", 1).format(n=1) == "1 requirement"


def test_a_language_or_zone_the_config_cannot_use_is_named(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('language = "fr"\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    config, problems = load_config(config_file)
    assert config.language is None and config.timezone is None
    assert any("language" in line and "zh_CN" in line for line in problems)
    assert any("timezone" in line and "IANA" in line for line in problems)


def test_every_enum_value_is_accepted_by_its_chinese_names_and_shown_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from reqboard.store.domain import CHINESE_NAMES, Channel, CRStatus, Feasibility, Kano, NeedType, Risk, State, Tier

    for enum in (State, Tier, Channel, NeedType, Kano, Feasibility, Risk, CRStatus):
        for member in enum:
            names = CHINESE_NAMES.get(member)
            assert names, f"{enum.__name__}.{member.name} has no Chinese name"
            for name in names:
                assert (State.parse(name) if enum is State else enum(name)) is member, name
    i18n.set_language("zh_CN")
    assert State.IN_PROGRESS.label == "进行中"
    assert Channel.AFTER_SALES.label == "售后服务"
    assert Kano.MUST_BE.label == CHINESE_NAMES[Kano.MUST_BE][0]
    assert State.IN_PROGRESS.english == "In progress"
    with pytest.raises(ValueError, match="未知状态"):
        State.parse("做梦")


def test_chinese_names_sort_in_pinyin_order_beside_latin_ones() -> None:
    from reqboard.store.collation import sort_key

    names = ["Zeta", "华为", "北京银行", "Beijing Tech", "重庆", "阿里巴巴", "apple", "中国移动"]
    assert sorted(names, key=sort_key) == ["阿里巴巴", "apple", "Beijing Tech", "北京银行", "重庆", "华为", "Zeta", "中国移动"]


def test_pinyin_initials_and_simplified_forms() -> None:
    from reqboard.store.collation import initials, simplified

    assert initials("北京华为") == "bjhw"
    assert initials("ACME 北京 Ltd 中国") == "bj zg"
    assert initials("ACME") == ""
    assert simplified("發票軟體 v2") == "发票软体 v2"


def test_times_are_shown_and_days_cut_in_the_configured_zone() -> None:
    from datetime import UTC, date, datetime

    from reqboard.store import clock

    monday_morning_in_beijing = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 30 Nov, 07:30 in UTC+8
    clock.set_zone("UTC")
    assert clock.local_day(monday_morning_in_beijing) == date(2026, 11, 29)
    assert clock.shown(monday_morning_in_beijing) == "2026-11-29 23:30"
    clock.set_zone("Asia/Shanghai")
    assert clock.local_day(monday_morning_in_beijing) == date(2026, 11, 30)
    assert clock.shown(monday_morning_in_beijing, zone_abbreviation=True) == "2026-11-30 07:30 CST"
    with pytest.raises(clock.UnknownZone):
        clock.set_zone("Mars/Olympus")
    assert clock.zone_name() == "Asia/Shanghai"


def test_the_catalogue_check_finds_a_translation_that_would_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A translation naming a {field} the English does not, or dropping an argparse %(name)s, is reported."""
    tool = _catalogue_tool()
    source = tmp_path / "store"
    source.mkdir()
    (source / "m.py").write_text('from reqboard.store.i18n import _, N_\n_("moved {key}")\nN_("%(prog)s: error: %(message)s")\n')
    po = tmp_path / "reqboard.po"
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "SOURCES", ("store",))
    monkeypatch.setattr(tool, "PO", po)
    monkeypatch.setattr(tool, "MO", po.with_suffix(".mo"))
    (tmp_path / "t.json").write_text('{"moved {key}": "已移动 {keys}", "%(prog)s: error: %(message)s": "%(prog)s：错误：%(mesage)s"}',
                                     encoding="utf-8")
    tool.translate(tmp_path / "t.json")
    problems = tool.problems()
    assert any("moved {key}" in line and "fields" in line for line in problems), problems
    assert any("%(prog)s" in line and "fields" in line for line in problems), problems


def test_a_damaged_or_missing_catalogue_speaks_english_rather_than_failing(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "reqboard.mo").write_bytes(b"\x00not a catalogue at all")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n.set_language("zh_CN") == "en" and _("Quit") == "Quit"
    real = (ROOT / "store" / "locale" / "zh_CN" / "LC_MESSAGES" / "reqboard.mo").read_bytes()
    for cut in (10, 100, len(real) // 2):  # a catalogue cut short, as a failed copy leaves it
        (folder / "reqboard.mo").write_bytes(real[:cut])
        assert i18n.set_language("zh_CN") == "en" and _("Quit") == "Quit"
    (folder / "reqboard.mo").unlink()
    assert i18n.set_language("zh_CN") == "en" and _("Quit") == "Quit"
