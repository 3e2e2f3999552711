"""The zh_CN catalogue speaks one vocabulary and writes Chinese punctuation: checked over the compiled
catalogue that ships (store/locale/zh_CN/LC_MESSAGES/reqboard.mo).

- Terms: an English message that names a concept of the glossary (change request, acceptance criteria,
  due date, owner, filter, WIP limit, ...) is translated with the glossary's one term for it (变更申请,
  验收标准, 截止日期, 负责人, 筛选, 在制品上限, ...), and no translation uses a rival word for one of them
  (过滤, 变更请求, 到期日, ...).
- States and choices: each is shown by the first of its Chinese names in store/domain.py (the names the
  CLI, the filter and CSV also accept), and a state in quotes or in a `collected → done` span is too.
- Punctuation: no ASCII `,` `(` `)` between two Chinese characters, no ASCII `;` `?` `!` or sentence
  `,`/`.` after one, no half-width `:` between two Chinese characters (except the filter syntax, whose
  `客户:华为` keeps the colon a person types), and a space between Chinese and Latin letters or digits.

The checks are plain functions over {(context, English): [Chinese forms]}, so that the last test can show
each of them failing on a tiny planted sample.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from reqboard.store.domain import CHINESE_NAMES, CHOICE_LABELS, STATE_LABELS
from reqboard.store.i18n import CHINESE, DOMAIN, LOCALE_DIR
from reqboard.store.query import CHINESE_FIELDS

Messages = Mapping[tuple[str | None, str], list[str]]
"""(context, English singular) -> the Chinese forms (one for Chinese, which has no plural)."""

COMPILED = LOCALE_DIR / CHINESE / "LC_MESSAGES" / f"{DOMAIN}.mo"

HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"


def read_compiled(path: Path) -> dict[tuple[str | None, str], list[str]]:
    """The messages of a compiled gettext catalogue (GNU .mo), without its header."""
    data = path.read_bytes()
    order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
    count, originals, translations = struct.unpack(order + "3I", data[8:20])

    def text(table: int, index: int) -> str:
        length, offset = struct.unpack(order + "2I", data[table + 8 * index:table + 8 * index + 8])
        return data[offset:offset + length].decode("utf-8")

    messages: dict[tuple[str | None, str], list[str]] = {}
    for index in range(count):
        original = text(originals, index)
        if not original:
            continue
        context, _sep, english = original.rpartition("\x04")
        messages[(context or None, english.split("\x00")[0])] = text(translations, index).split("\x00")
    return messages


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str | None, str], list[str]]:
    return read_compiled(COMPILED)


# ---- terms -------------------------------------------------------------------------------------------

TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (what the English says, as a regex; the Chinese it must use (any of); a note for the failure)
    (r"\bchange[- ]requests?\b", ("变更申请",), "change request"),
    (r"\bacceptance criteri(?:a|on)\b", ("验收标准",), "acceptance criteria"),
    (r"\bdue\b", ("截止日期",), "due date"),
    # a requirement's owner; not the owner of a database or of a board on a server
    (r"\bowners?\b(?! of the board's tables)(?<!board's owner)(?<!database's owner)", ("负责人",), "owner"),
    (r"\bfilter", ("筛选",), "filter"),
    (r"\bWIP limit|\bwork-in-progress limit", ("在制品上限",), "WIP limit"),
    (r"\bimpact assessment\b", ("影响评估",), "impact assessment"),
    # a customer's tier: 层级, or the tier named in the phrase "A 类客户"
    (r"\btiers?\b", ("层级", "类客户"), "tier"),
    (r"\b(?:swim)?lanes?\b", ("泳道",), "swimlane"),
    (r"\bsuspect\b", ("可疑",), "suspect"),
    (r"\bsatisfaction\b", ("满意度",), "satisfaction"),
    (r"\blead[- ]times?\b", ("交付周期",), "lead time"),
    (r"\bcycle time\b", ("周期时间",), "cycle time"),
    (r"\bthroughput\b", ("吞吐量",), "throughput"),
    (r"\bcumulative flow\b", ("累积流图",), "cumulative flow"),
    (r"\bfeasibility\b", ("可行性",), "feasibility"),
    (r"\bbusiness value\b", ("业务价值",), "business value"),
    (r"\bneed type\b", ("需求类型",), "need type"),
    (r"\bKano\b", ("Kano",), "Kano"),
    (r"\bschema\b", ("结构版本",), "schema (version)"),
)

RIVALS: tuple[tuple[str, str], ...] = (
    # (a word the catalogue does not use, the glossary's term instead)
    ("过滤", "筛选"),
    ("变更请求", "变更申请"),
    ("更改请求", "变更申请"),
    ("变更需求单", "变更申请"),
    ("接受标准", "验收标准"),
    ("验收条件", "验收标准"),
    ("到期日", "截止日期"),
    ("截止时间", "截止日期"),
    ("在制品限制", "在制品上限"),
    ("WIP 限制", "在制品上限"),
    ("卡诺", "Kano"),
    ("泳线", "泳道"),
    ("架构版本", "结构版本"),
    ("代数", "代次"),
    ("本方", "我方"),
)

_NOT_WORDS = re.compile(r"\{[^{}]*\}|--[\w-]+|`[^`]*`")


def _english_words(english: str) -> str:
    """The English a person reads: {fields}, --options and `commands` are typed as they are, not translated."""
    return _NOT_WORDS.sub(" ", english)


def term_problems(messages: Messages) -> list[str]:
    """Messages whose English names a glossary concept and whose Chinese does not use its term, and
    Chinese that uses a rival word."""
    found = []
    for (_context, english), forms in messages.items():
        words = _english_words(english)
        for pattern, chinese, concept in TERMS:
            if re.search(pattern, words, re.IGNORECASE):
                found += [f"{concept} is {' or '.join(chinese)}: {english!r} -> {form!r}"
                          for form in forms if not any(term in form for term in chinese)]
        for rival, term in RIVALS:
            found += [f"{rival} where the catalogue says {term}: {english!r} -> {form!r}" for form in forms if rival in form]
    return found


# ---- states and choices ------------------------------------------------------------------------------

_STATE_CHINESE = {label.casefold(): CHINESE_NAMES[state][0] for state, label in STATE_LABELS.items()}
_STATE_ALIASES = {alias: names[0] for state, names in CHINESE_NAMES.items() if state in STATE_LABELS
                  for alias in names[1:]}


def state_problems(messages: Messages) -> list[str]:
    """States and choices shown by another name than domain.py's first Chinese one."""
    found = []
    for member, label in [*STATE_LABELS.items(), *CHOICE_LABELS.items()]:
        wanted = CHINESE_NAMES[member][0]
        for form in messages.get((None, label), []):
            if form != wanted:
                found.append(f"{type(member).__name__}.{member.name} is {wanted}: {label!r} -> {form!r}")
    for (_context, english), forms in messages.items():
        if "→" in english:  # a span of the workflow: every state in it by its name
            for label, chinese in _STATE_CHINESE.items():
                if re.search(rf"\b{re.escape(label)}\b", english, re.IGNORECASE):
                    found += [f"{label} is {chinese}: {english!r} -> {form!r}" for form in forms if chinese not in form]
        for form in forms:
            for quoted in re.findall(r"“([^”]*)”", form):
                if quoted in _STATE_ALIASES:
                    found.append(f"the state “{quoted}” is {_STATE_ALIASES[quoted]}: {english!r} -> {form!r}")
    return found


# ---- punctuation and spacing ---------------------------------------------------------------------------

_PUNCTUATION: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{HAN}[,()]{HAN}"), "ASCII , ( or ) between Chinese characters (，（）)"),
    (re.compile(rf"[(]{HAN}|{HAN}[)]"), "ASCII parenthesis around Chinese text (（）)"),
    (re.compile(rf"{HAN}[;?!]"), "ASCII ; ? or ! after a Chinese character (；？！)"),
    (re.compile(rf"{HAN}[,.](?:\s|$)"), "ASCII , or . ending a Chinese clause (，。)"),
    (re.compile(rf"{HAN}[A-Za-z0-9]|[A-Za-z0-9]{HAN}"), "no space between Chinese and Latin letters or digits"),
)
_COLON = re.compile(rf"({HAN}+):(?={HAN})")
_FILTER_SYNTAX = re.compile(r"\b[a-z]+:(?:\S|\s\s)")
"""An English message that shows the filter syntax (`customer:acme`, `tag:  owner:`)."""


def punctuation_problems(messages: Messages) -> list[str]:
    """Chinese written with ASCII punctuation, or without a space before or after Latin text."""
    found = []
    for (_context, english), forms in messages.items():
        for form in forms:
            for pattern, what in _PUNCTUATION:
                for match in pattern.finditer(form):
                    found.append(f"{what}: {match.group()!r} in {english!r} -> {form!r}")
            for match in _COLON.finditer(form):
                # the filter's `客户:华为` keeps the colon one types, and only where the English shows the syntax
                field_name = next((name for name in CHINESE_FIELDS if match.group(1).endswith(name)), None)
                if field_name is None or not _FILTER_SYNTAX.search(english):
                    found.append(f"half-width : between Chinese characters (：): {match.group()!r} in {english!r} "
                                 f"-> {form!r}")
    return found


CHECKS: tuple[Callable[[Messages], list[str]], ...] = (term_problems, state_problems, punctuation_problems)


# ---- the tests -------------------------------------------------------------------------------------------

def test_the_compiled_catalogue_is_read(catalogue: dict[tuple[str | None, str], list[str]]) -> None:
    """The reader sees the catalogue as gettext does: plain, plural and context entries."""
    assert catalogue[(None, "Quit")] == ["退出"]
    assert catalogue[(None, "{n} requirement")] == ["{n} 个需求"]
    assert catalogue[("list separator", ", ")] == ["、"]
    assert len(catalogue) > 1000


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_catalogue_uses_the_glossary_and_chinese_punctuation(
        catalogue: dict[tuple[str | None, str], list[str]], check: Callable[[Messages], list[str]]) -> None:
    problems = check(catalogue)
    assert problems == [], "\n".join(problems[:40])


def test_each_check_fails_on_a_planted_violation_and_passes_what_is_fine() -> None:
    planted: Messages = {
        (None, "file a change request"): ["提交变更请求"],                       # a rival and not the term
        (None, "Acceptance criteria"): ["接受准则"],
        (None, "due date"): ["到期日"],
        (None, "Owner"): ["所有者"],
        (None, "Filter the board"): ["过滤看板"],
        (None, "WIP limit of {state}"): ["{state}的WIP限制"],                   # and no space before WIP
        (None, "In progress"): ["实施中"],                                      # an alias, not the name
        (None, "after sales"): ["售后"],
        (None, "Lead time (collected → done)"): ["交付周期（收集 → 完成）"],
        (None, "{key} moved to {state}"): ["{key} 已移至“完成”"],
        (None, "Customer, owner"): ["客户,负责人"],
        (None, "Tags (comma separated)"): ["标签(以逗号分隔)"],
        (None, "Done?"): ["完成了吗?"],
        (None, "Comment: text"): ["备注:文本"],
        (None, "3 requirements"): ["3个需求"],
    }
    found = [line for check in CHECKS for line in check(planted)]
    for english in ("file a change request", "Acceptance criteria", "due date", "Owner", "Filter the board",
                    "WIP limit of {state}", "In progress", "after sales", "Lead time (collected → done)",
                    "{key} moved to {state}", "Customer, owner", "Tags (comma separated)", "Done?",
                    "Comment: text", "3 requirements"):
        assert any(repr(english) in line for line in found), (english, found)
    assert any("变更请求 where the catalogue says 变更申请" in line for line in found)
    assert any("between Chinese and Latin" in line and "WIP" in line for line in found)

    fine: Messages = {
        # the filter syntax keeps its ASCII colons; a board's owner on a server is not a requirement's owner
        (None, "words to find, and customer:  tier:A  channel:email  (empty clears)"):
            ["输入要查找的词，以及 客户:  层级:A  渠道:邮件（留空则清除筛选）"],
        (None, "ask the board's owner for access"): ["请向看板所有者申请访问权限"],
        (None, "e.g. --title or --owner"): ["例如 --title 或 --owner"],
        (None, "{customer} (tier {tier})"): ["{customer}（{tier} 类客户）"],
        (None, "Lead time (collected → done)"): ["交付周期（已收集 → 已完成）"],
        (None, "In progress"): ["进行中"],
        (None, "{key} moved to {state}"): ["{key} 已移至“已完成”"],
        (None, "{n} requirements, {open} open"): ["共 {n} 个需求，{open} 个未完成"],
    }
    assert [line for check in CHECKS for line in check(fine)] == []
