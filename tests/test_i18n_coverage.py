"""Text a person reads goes through the catalogue: a scan of the code for English handed to a screen,
a terminal or an error without `_()` / `N_()` / `ngettext()` / `pgettext()`.

The catalogue test (tests/test_i18n.py) checks what is marked; this one finds what is not. It reads
every module of cli/, store/, tui/ and themes/ and looks at what reaches a person:

- display calls: `notify`, `Static`, `Label`, `Button`, `Input(placeholder=)`, `Option`, `Hit`,
  `SystemCommand`, `FieldSpec(label, help=)`, `GuardInput(label)`, a `DataTable`'s `add_column(s)`, a
  widget's `update`, a form's title, intro and button (`FormScreen`, `_form`, `_cr_step`), a chart
  panel's title, a change's notice and what a worker is doing (`Change`, `Lookup`, `@background`),
  through Rich and Textual `Content`/`Text`, `shown()` and `.format()` on the way;
- a `Binding`'s description, which is made at import time and so must be `N_()` (never `_()`, never
  bare text);
- `title`, `sub_title`, `border_title`, `border_subtitle` (and `TITLE`/`SUB_TITLE`) assigned;
- the errors people read: any call of `StoreError` or a subclass, `ValueError` (pydantic shows a
  validator's), every exception class of the code derived from them, the CLI's `UsageError`;
- the CLI: `print`, `write` to a stream, argparse's `help=`, `description=`, `epilog=` and
  `parser.error`, a subcommand's help (`command`), `show`'s labelled rows, the `_note`/`_error` lines;
- the reports (Markdown, HTML, SVG, the Markdown export): any text between the markup;
- tui/ and cli/ as a whole: any literal that reads as prose (two English words or more), wherever it goes.

Text counts as English when `zh_support.english_words` finds a word in it: three Latin letters or more,
not a key, option, path, command, file name, ALL-CAPS name or a word Chinese text uses as it is
(CSV, JSON, WIP, ...). The prefixes scripts read (`error:`, `note:`, `warning:`) never count.

Text that no person reads (an id, an internal error, what the board file stores) is exempted where it
is written, with a reason: a comment `# i18n: not shown (why)` on a line of the expression, or
`# i18n: stays English (why)` for what is shown but must not change with the language (what a
script reads).
"""

from __future__ import annotations

import ast
import errno
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reqboard.store import i18n

from zh_support import english_words

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("cli", "store", "tui", "themes")

MARKED = frozenset({"_", "N_", "ngettext", "pgettext"})
"""The catalogue's calls: what they are given is in the catalogue (tests/test_i18n.py checks that)."""

EXEMPTION = re.compile(r"#\s*i18n:\s*(?:not shown|stays English)\s*\(\s*[^)\s][^)]*\)")
"""`# i18n: not shown (why)` / `# i18n: stays English (why)`: a reason is required."""

_PREFIX = re.compile(r"^\s*(?:error|note|warning):\s*")
"""The prefixes a script reads at the start of a CLI line, never translated."""

_MARKUP = re.compile(r"<[^<>]*>|&#?\w+;")
"""HTML and SVG tags and entities: the report's words are what lies between them."""
_MARKED_UP = re.compile(r"<[a-zA-Z/][^<>]*>|^\s*(?:#{1,6} |[-*|] )")
"""Text in a report that is a piece of the document: HTML/SVG, a Markdown heading, list item or table row."""

ALL = "*"  # every positional argument

# Calls that show their argument to a person: callee name -> (positions, keywords). The callee is the
# called name or attribute (`self.notify`, `widgets.Static`).
DISPLAY_CALLS: dict[str, tuple[tuple[int, ...] | str, tuple[str, ...]]] = {
    "notify": ((0,), ("message", "title")),
    "Static": ((0,), ("content", "renderable")),
    "Label": ((0,), ("content", "renderable")),
    "Button": ((0,), ("label", "tooltip")),
    "Input": ((), ("placeholder", "tooltip")),
    "TextArea": ((), ("placeholder", "tooltip")),
    "Option": ((0,), ("prompt",)),
    "Checkbox": ((0,), ("label",)),
    "RadioButton": ((0,), ("label",)),
    "Switch": ((), ("tooltip",)),
    "TabPane": ((0,), ("title",)),
    "Tab": ((0,), ("label",)),
    "Collapsible": ((), ("title",)),
    "Panel": ((), ("title", "subtitle")),
    "SystemCommand": ((0, 1), ("title", "help")),
    "Hit": ((1,), ("match_display", "text", "help")),
    "DiscoveryHit": ((0,), ("display", "text", "help")),
    "FieldSpec": ((1,), ("label", "help", "placeholder")),
    "GuardInput": ((2,), ("label", "help")),
    "add_column": ((0,), ("label",)),
    "add_columns": (ALL, ()),
    "update": ((0,), ()),  # a widget's new content (a dict's update takes no text)
    "FormScreen": ((0,), ("title", "intro", "submit_label")),
    "_form": ((0,), ("title", "intro", "submit_label")),
    "_cr_step": ((1, 4, 5), ("title", "intro", "submit_label", "what")),
    "background": ((0,), ()),  # what a worker is doing, for its failure notice
    "Lookup": ((1,), ("doing",)),
    "Change": ((1,), ("what", "doing")),  # a change's words for its notice ("created") and its wait
    "ChartPanel": ((0,), ("title",)),
    "_status": ((0,), ()),
}
CLI_CALLS: dict[str, tuple[tuple[int, ...] | str, tuple[str, ...]]] = {
    "print": (ALL, ()),
    "write": ((0,), ()),
    "error": ((0,), ("message",)),  # parser.error
    "exit": ((0,), ()),
    "SystemExit": ((0,), ()),
    "_note": ((0,), ()),
    "command": ((1,), ("help",)),  # build_parser's subcommand: its help
    "row": ((0,), ()),  # show's and cr show's labelled lines
    "_error": ((0,), ()),
    "add_argument": ((), ("help",)),
    "add_parser": ((), ("help", "description", "epilog")),
    "add_subparsers": ((), ("title", "description", "help")),
    "add_argument_group": ((0, 1), ("title", "description")),
    "ArgumentParser": ((), ("description", "epilog")),
    "Parser": ((), ("description", "epilog")),
}
ERROR_ROOTS = frozenset({"StoreError", "ValueError", "UsageError"})
"""Exceptions whose message a person reads: the store's errors, a validator's ValueError (pydantic shows
it), the CLI's usage errors, and every class of the code derived from one of them (found below)."""
ERROR_KEYWORDS = ("message",)

TITLE_ATTRIBUTES = frozenset({"title", "sub_title", "border_title", "border_subtitle", "TITLE", "SUB_TITLE"})
REPORT_MODULES = ("store/reports/", "store/exchange/markdown.py")
PROSE_FOLDERS = ("cli/", "tui/")

# In tui/ and cli/, literals that are prose but are not text: styles, CSS, selectors.
_STYLE_WORDS = frozenset({
    "bold", "dim", "italic", "underline", "reverse", "strike", "blink", "not", "on", "and", "none", "default",
    "red", "green", "blue", "yellow", "magenta", "cyan", "white", "black", "grey", "gray", "bright", "auto",
})
_NOT_TEXT_KEYWORDS = frozenset({
    "id", "classes", "name", "style", "variant", "action", "key", "dest", "metavar", "type", "group", "key_display",
    "encoding", "errors", "mode", "sep", "end", "prog", "markup", "tooltip_style", "language", "theme", "format",
})
_NOT_TEXT_CALLS = frozenset({
    "query", "query_one", "query_exactly_one", "query_children", "add_class", "remove_class", "set_class",
    "has_class", "toggle_class", "set_classes", "getattr", "setattr", "hasattr", "delattr", "Binding",
    "compile", "match", "search", "fullmatch", "sub", "split", "strip", "lstrip", "rstrip", "startswith",
    "endswith", "replace", "get", "pop", "setdefault", "index", "find", "count", "join", "encode", "decode",
    "strftime", "strptime", "fromisoformat", "environ", "getenv", "run_worker", "work", "post_message",
    "set_interval", "set_timer", "call_later", "import_module", "cast", "TypeVar", "NewType", "field",
    "Style", "parse", "from_markup_style", "Color", "parse_style", "add_mutually_exclusive_group", "field_label",
})
# Wrappers that pass their first argument on to the screen (or every argument, for assemble).
_TRANSPARENT = frozenset({"Content", "Text", "shown", "literal", "str", "center", "Align", "from_markup",
                          "Markdown", "Padding", "Styled", "styled", "fit", "pad", "_text", "_cell"})
_TRANSPARENT_ALL = frozenset({"assemble", "from_text"})


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.where}: {self.text!r}"


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal_text(node: ast.Constant | ast.JoinedStr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(str(v.value) if isinstance(v, ast.Constant) else " " for v in node.values)


def _is_english(text: str, *, markup: bool = False) -> bool:
    text = _PREFIX.sub("", text)
    if markup:
        text = _MARKUP.sub(" ", text)
    return bool(english_words(text))


def shown_literals(node: ast.AST | None) -> Iterator[ast.Constant | ast.JoinedStr]:
    """The unmarked literal text in an expression whose value reaches a person: through conditions,
    `or`, `+`, `"...".format(...)`, f-string fields and wrappers that pass text on (`Content(...)`)."""
    if node is None:
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            yield node
    elif isinstance(node, ast.JoinedStr):
        yield node
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                yield from shown_literals(value.value)
    elif isinstance(node, ast.IfExp):
        yield from shown_literals(node.body)
        yield from shown_literals(node.orelse)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from shown_literals(value)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from shown_literals(node.left)
        yield from shown_literals(node.right)
    elif isinstance(node, ast.Call):
        name = _callee(node)
        if name in MARKED:
            return
        if name == "format" and isinstance(node.func, ast.Attribute):
            yield from shown_literals(node.func.value)  # the template; its fields are values
        elif name in _TRANSPARENT and node.args:
            yield from shown_literals(node.args[0])
        elif name in _TRANSPARENT_ALL:
            for arg in node.args:
                yield from shown_literals(arg.elts[0] if isinstance(arg, ast.Tuple) and arg.elts else arg)
    elif isinstance(node, ast.Starred):
        yield from shown_literals(node.value)
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            yield from shown_literals(element)


def _argument(call: ast.Call, positions: tuple[int, ...] | str, keywords: tuple[str, ...]) -> Iterator[ast.AST]:
    if positions == ALL:
        yield from call.args
    else:
        for index in positions:
            if index < len(call.args):
                yield call.args[index]
    for keyword in call.keywords:
        if keyword.arg in keywords:
            yield keyword.value


def error_classes(trees: dict[str, ast.Module]) -> frozenset[str]:
    """ERROR_ROOTS and every class of the code derived from one of them, however indirectly."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr for b in node.bases if isinstance(b, ast.Name | ast.Attribute))
    found = set(ERROR_ROOTS)
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in found and parents & found:
                found.add(name)
                grew = True
    return frozenset(found)


class _Scan:
    def __init__(self, path: str, source: str, errors: frozenset[str]) -> None:
        self.path = path
        self.lines = source.splitlines()
        self.tree = ast.parse(source)
        self.errors = errors
        self.findings: list[Finding] = []
        self.seen: set[int] = set()
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def exempt(self, node: ast.AST) -> bool:
        """An exemption comment at the end of one of the expression's lines or of its statement's first
        line, or on a line of its own just above either."""
        first = getattr(node, "lineno", 1)
        last = getattr(node, "end_lineno", first) or first
        numbers = set(range(first, last + 1))
        statement: ast.AST | None = node
        while statement is not None and not isinstance(statement, ast.stmt):
            statement = self.parents.get(statement)
        starts = {first}
        if statement is not None:
            numbers.add(statement.lineno)
            starts.add(statement.lineno)
        numbers |= {start - 1 for start in starts if start >= 2 and self.lines[start - 2].strip().startswith("#")}
        return any(EXEMPTION.search(self.lines[number - 1]) for number in numbers)

    def report(self, node: ast.Constant | ast.JoinedStr, where: str, *, markup: bool = False) -> None:
        if id(node) in self.seen:
            return
        text = _literal_text(node)
        if not _is_english(text, markup=markup) or self.exempt(node):
            return
        self.seen.add(id(node))
        self.findings.append(Finding(self.path, node.lineno, where, text))

    def report_all(self, expression: ast.AST | None, where: str) -> None:
        for literal in shown_literals(expression):
            self.report(literal, where)

    def run(self) -> list[Finding]:
        cli = self.path.startswith("cli/")
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.call(node, cli)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
                    if name in TITLE_ATTRIBUTES:
                        self.report_all(node.value, name)
        if self.path.startswith(REPORT_MODULES):
            self.everything(markup=True, where="report text")
        elif self.path.startswith(PROSE_FOLDERS):
            self.everything(markup=False, where="prose")
        return self.findings

    def call(self, node: ast.Call, cli: bool) -> None:
        name = _callee(node)
        if name == "Binding":
            description = node.args[2] if len(node.args) > 2 else next(
                (k.value for k in node.keywords if k.arg == "description"), None)
            if isinstance(description, ast.Call) and _callee(description) == "_":
                self.findings.append(Finding(self.path, node.lineno, "Binding description",
                                             "_() at import time: mark it N_() and translate where it is shown"))
            self.report_all(description, "Binding description")
            for keyword in node.keywords:
                if keyword.arg == "tooltip":
                    self.report_all(keyword.value, "Binding tooltip")
            return
        sinks = [DISPLAY_CALLS.get(name)]
        if cli:
            sinks.append(CLI_CALLS.get(name))
        if name in self.errors:
            sinks.append(((0,), ERROR_KEYWORDS))
        for sink in sinks:
            if sink is not None:
                for argument in _argument(node, *sink):
                    self.report_all(argument, f"{name}()")

    def docstrings(self) -> set[int]:
        found = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                found.add(id(node.value))  # docstrings, and the strings that document an attribute
        return found

    def not_text(self, node: ast.AST) -> bool:
        """True for a literal in a place that holds no text for people (a key, a style, a selector, CSS, a
        comparison), or inside a marked call."""
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.Call):
                name = _callee(parent)
                if name in MARKED or name in _NOT_TEXT_CALLS:
                    return True
            if isinstance(parent, ast.keyword) and parent.arg in _NOT_TEXT_KEYWORDS:
                return True
            if isinstance(parent, ast.Assert):
                return True  # a broken invariant, for the programmer
            if isinstance(parent, ast.Subscript) and parent.slice is child:
                return True
            if isinstance(parent, ast.Compare | ast.Match | ast.match_case):
                return True
            if isinstance(parent, ast.Dict) and any(k is child for k in parent.keys):
                return True
            if isinstance(parent, ast.Assign | ast.AnnAssign):
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                if any(isinstance(t, ast.Name | ast.Attribute) and (t.id if isinstance(t, ast.Name) else t.attr)
                       in ("CSS", "DEFAULT_CSS", "__all__", "COMPONENT_CLASSES") for t in targets):
                    return True
            if isinstance(parent, ast.JoinedStr) and child is not parent:
                return False
            if isinstance(parent, ast.stmt):
                return False
            child, parent = parent, self.parents.get(parent)
        return False

    def everything(self, *, markup: bool, where: str) -> None:
        docstrings = self.docstrings()
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Constant | ast.JoinedStr) or id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and not isinstance(node.value, str):
                continue
            if isinstance(self.parents.get(node), ast.JoinedStr):
                continue  # a piece of an f-string: the f-string is looked at whole
            if self.not_text(node):
                continue
            text = _literal_text(node)
            if not _reads_as_prose(text) and not (markup and _MARKED_UP.search(text)):
                continue  # a single word outside markup: an id, a class, a field's name
            self.report(node, where, markup=markup)


_NAMES = re.compile(r"\$[\w-]+|[\w.#]*\w-[\w-]*|\b\w+(?:_\w+)+\b")
"""Theme variables, hyphenated and snake_case names: CSS and code, not words."""


def _reads_as_prose(text: str) -> bool:
    """Two English words or more, not all of them style words (`bold reverse`), and not CSS: theme
    variables (`$warning`) and hyphenated names (`conflict-side`) are no words."""
    if "{" in text and ";" in text:
        return False
    text = _NAMES.sub(" ", _PREFIX.sub("", text))
    words = [w for w in re.findall(r"[A-Za-z]+", text) if len(w) >= 2]
    english = [w for w in words if len(w) >= 3]
    if len(words) < 2 or not english or " " not in text.strip():
        return False
    return not all(w.casefold() in _STYLE_WORDS for w in words)


def scan(root: Path, folders: tuple[str, ...] = FOLDERS) -> list[Finding]:
    """Every unmarked English text a person reads in the modules of `folders` under `root`."""
    sources = {str(path.relative_to(root)): path.read_text(encoding="utf-8")
               for folder in folders for path in sorted((root / folder).rglob("*.py"))}
    trees = {path: ast.parse(source) for path, source in sources.items()}
    errors = error_classes(trees)
    findings: list[Finding] = []
    for path, source in sources.items():
        findings += _Scan(path, source, errors).run()
    return findings


def test_no_english_reaches_a_person_without_the_catalogue() -> None:
    findings = scan(ROOT)
    assert findings == [], (f"{len(findings)} unmarked text(s) a person reads; wrap with _()/N_()/ngettext(), "
                            "or say why not with `# i18n: not shown (why)`:\n" + "\n".join(map(str, findings)))


# The scanner itself: it finds what it is meant to find (the test above would pass vacuously otherwise).

def _scan_sample(tmp_path: Path, folder: str, source: str) -> list[Finding]:
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / folder / "sample.py").write_text(source, encoding="utf-8")
    return scan(tmp_path, (folder,))


def test_the_scan_reports_an_unwrapped_notice(tmp_path: Path) -> None:
    findings = _scan_sample(tmp_path, "tui", 'def hello(app):\n    app.notify("Hello world")\n')
    assert [(f.line, f.where, f.text) for f in findings] == [(2, "notify()", "Hello world")]


@pytest.mark.parametrize(("folder", "source", "where"), [
    ("tui", 'from x import Binding, N_\nB = [Binding("q", "quit", "Quit the app")]\n', "Binding description"),
    ("tui", 'from x import Binding, _\nB = [Binding("q", "quit", _("Quit"))]\n', "Binding description"),
    ("tui", 'def f(self):\n    self.title = f"Board of {self.name}"\n', "title"),
    ("tui", 'def f(self, n):\n    yield Static(Content("Saved " + n))\n', "Static()"),
    ("tui", 'def f(self, n):\n    self.query_one("#x").update("{n} cards".format(n=n))\n', "update()"),
    ("tui", 'def f(n):\n    return FieldSpec("title", "Title" if n else "Name")\n', "FieldSpec()"),
    ("tui", 'def f(n):\n    return Input(placeholder="type a key")\n', "Input()"),
    ("tui", 'def f(n):\n    message = f"moved {n} to the next column"\n    return message\n', "prose"),
    ("store", 'class StoreError(Exception): ...\nclass Refused(StoreError): ...\n'
              'def f(key):\n    raise Refused(f"{key} is approved", "code")\n', "Refused()"),
    ("store", 'def f(v):\n    raise ValueError(f"must be a number, not {v!r}")\n', "ValueError()"),
    ("cli", 'def f(p):\n    p.add_argument("--x", help="the thing to do")\n', "add_argument()"),
    ("cli", 'def f(n):\n    print(f"error: {n} requirements moved")\n', "print()"),
    ("store/reports", 'def f(n):\n    return f"<h2>Lead time</h2><p>{n}</p>"\n', "report text"),
])
def test_the_scan_finds_each_kind_of_sink(tmp_path: Path, folder: str, source: str, where: str) -> None:
    findings = _scan_sample(tmp_path, folder, source)
    assert findings and {f.where for f in findings} == {where}, findings


def test_the_scan_passes_marked_text_and_what_no_person_reads(tmp_path: Path) -> None:
    source = '''
from x import Binding, N_, _, ngettext
B = [Binding("q", "quit", N_("Quit"), id="app.quit")]
def f(self, n, key):
    self.notify(_("{key} moved on").format(key=key))
    self.notify(ngettext("{n} requirement", "{n} requirements", n).format(n=n))
    yield Static(Content(_("Saved")), id="saved-note", classes="note bold")
    self.query_one("#form-error").update(Content(shown(key)))
    print(f"error: {key}")
    raise ValueError(f"document {n} exists")  # i18n: not shown (a programming error)
    # i18n: stays English (the board stores it as written)
    tx.record_event("board", "imported", reason=f"imported from {key}")
    label.styles = "bold reverse"
    if key == "not a line end":
        return None
'''
    assert _scan_sample(tmp_path, "tui", source) == []


def test_an_exemption_needs_a_reason(tmp_path: Path) -> None:
    source = 'def f(app):\n    app.notify("Hello world")  # i18n: not shown\n'
    assert [f.text for f in _scan_sample(tmp_path, "tui", source)] == ["Hello world"]


# What the scan cannot see: text that reaches a person from stored data or from a library, in Chinese.

@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language(i18n.CHINESE)
    yield
    i18n.set_language(i18n.ENGLISH)


def test_the_reasons_the_store_writes_into_history_are_shown_in_chinese(tmp_path: Path) -> None:
    """A sync, a renumbering, an import and an undo write their reasons in English (the board's record);
    the history shows each in the current language."""
    from reqboard.store.board import Board
    from reqboard.store.exchange import apply_import
    from reqboard.store.labels import stored_note
    from reqboard.store.sync import clone_board, sync_boards

    team = Board(tmp_path / "team.json", "wang")
    first = team.add_requirement("登录")
    offline = Board(tmp_path / "offline.json", "li")
    clone_board(team, offline)
    team.add_requirement("团队新增")
    offline.add_requirement("离线新增")  # the same key on both boards: the sync renumbers one
    edited = offline.edit_requirement(first.key, {"title": "登录页"})
    sync_boards(offline, team)
    apply_import(team, "Title\n导入的需求\n".encode(), "csv", source="客户需求.csv")
    apply_import(team, "Title\n又一个需求\n".encode(), "csv")
    current = team.get(first.key)
    team.replace_requirement(edited.model_copy(update={"title": "登录"}), expect_version=current.version)
    reasons = {e.reason for req in team.requirements() for e in team.history(req.key) if e.reason}
    assert len(reasons) >= 5, reasons  # synced, renumbered, imported from, imported (csv), undo

    i18n.set_language(i18n.CHINESE)
    try:
        shown = {english: stored_note(english) for english in reasons}
    finally:
        i18n.set_language(i18n.ENGLISH)
    left = {english: text for english, text in shown.items() if english_words(text)}
    assert left == {}


@pytest.mark.parametrize(("data", "fmt", "english"), [
    (b'Key,Title\r\n,"unclosed\r\n', "csv", "unexpected end of data"),
    (b'Title,Owner\r\nok,"Bob"by\r\n', "csv", "expected after"),
    (b'{"format": "reqboard",}', "json", "trailing comma"),
    (b"", "json", "zero-length"),
    (b"<a><b></a>", "reqif", "Opening and ending tag mismatch"),
    (b"<a>", "reqif", "Premature end of data"),
])
def test_what_a_parser_says_of_a_bad_file_is_said_in_chinese(
        tmp_path: Path, data: bytes, fmt: str, english: str) -> None:
    from reqboard.store.board import Board
    from reqboard.store.exchange import preview_import

    board = Board(tmp_path / "board.json", "li")
    assert english in " ".join(preview_import(board, data, fmt).report_lines() + [_refusal(board, data, fmt)])
    i18n.set_language(i18n.CHINESE)
    try:
        said = _refusal(board, data, fmt)
    finally:
        i18n.set_language(i18n.ENGLISH)
    assert said and english_words(said, allowed={"Key", "Title", "Owner"}) == set(), said


def _refusal(board: Any, data: bytes, fmt: str) -> str:
    from reqboard.store.exchange import preview_import

    summary = preview_import(board, data, fmt)
    return " ".join([summary.error_message(), *summary.report_lines()])


def test_a_refused_choice_lists_the_choices_by_their_chinese_names(tmp_path: Path, chinese: None) -> None:
    from reqboard.store.board import Board
    from reqboard.store.errors import InvalidValue

    board = Board(tmp_path / "board.json", "li")
    req = board.add_requirement("登录")
    with pytest.raises(InvalidValue) as refused:
        board.edit_requirement(req.key, {"channel": "飞鸽"})
    assert "“邮件”" in str(refused.value) and english_words(str(refused.value)) == set()


def test_why_a_file_could_not_be_read_is_said_in_the_language(chinese: None) -> None:
    from reqboard.store.errors import os_reason

    assert os_reason(PermissionError(errno.EACCES, "Permission denied", "/x")) == "权限不足"
    assert os_reason(FileNotFoundError(errno.ENOENT, "No such file or directory")) == "文件或目录不存在"
    try:
        b"ok\xff".decode("utf-8")
    except UnicodeDecodeError as exc:
        assert os_reason(exc) == "不是 UTF-8 文本：偏移量 2 处的字节为 0xFF"
    i18n.set_language(i18n.ENGLISH)
    assert os_reason(PermissionError(errno.EACCES, "Permission denied", "/x")) == "Permission denied"


# A notice in Chinese over the board: Textual's compositor would drop a character wherever a column of
# the board begins under it (tui/wide_chars.py).

NOTICE = "已撤销：REQ-61 已创建需求，已经写入看板"


async def test_a_chinese_notice_over_the_board_keeps_every_character(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reqboard.tui import wide_chars
    from reqboard.tui.screens.board import BoardScreen

    from tui_support import build_small_board, open_app, wait_until

    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    build_small_board(tmp_path / "board.json")
    app = open_app(tmp_path / "board.json")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loaded, "the board")
        for indent in range(4):  # the text starts a cell further each time: some character meets a column edge
            app.notify(" " * indent + NOTICE, timeout=60)
        await wait_until(pilot, lambda: len(app.screen.query("Toast")) == 4, "the notices")
        await pilot.pause(0.3)
        compositor = app.screen._compositor
        drawn = [strip.text for strip in compositor.render_strips()]
        assert sum(NOTICE in line for line in drawn) == 4, "\n".join(drawn)
        # Textual's own method loses characters here: what the test would see without the fix.
        with monkeypatch.context() as patch:
            patch.setattr(type(compositor), "_render_chops", wide_chars.ORIGINAL)
            drawn = [strip.text for strip in compositor.render_strips()]
        assert sum(NOTICE in line for line in drawn) < 4, "\n".join(drawn)


def test_the_compositor_method_replaced_is_still_textuals_own() -> None:
    """tui/wide_chars.py replaces Compositor._render_chops as Textual 8.2.8 wrote it: another Textual
    may change or fix it, and then the replacement must be looked at again."""
    import hashlib
    import inspect

    import textual

    from reqboard.tui import wide_chars

    source = inspect.getsource(wide_chars.ORIGINAL)
    assert textual.__version__ == "8.2.8"
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == ORIGINAL_RENDER_CHOPS, source


ORIGINAL_RENDER_CHOPS = "ca8c3359d7afd017"


def test_what_is_wrong_with_a_toml_file_is_said_in_chinese(tmp_path: Path, chinese: None) -> None:
    from reqboard.themes import ThemeFileError, parse_theme
    from reqboard.tui.config import ConfigError, load_config

    config = tmp_path / "config.toml"
    config.write_text('language = "zh_CN"\ntheme = \n', encoding="utf-8")
    with pytest.raises(ConfigError) as bad_config:
        load_config(config)
    assert "无效的值（第 2 行第 9 列）" in str(bad_config.value)
    with pytest.raises(ThemeFileError) as bad_theme:
        parse_theme('name = "x"\n[colors\n', "mine.toml")
    assert english_words(str(bad_theme.value)) == set(), str(bad_theme.value)


async def test_a_changed_approved_text_is_shown_with_its_criteria_heading_in_chinese(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The approved text is kept in English ("Acceptance criteria:", the approval's record); the detail
    pane's "was → now" of what changed since names the criterion in Chinese."""
    from test_tui_detail_zh import pane_text

    from reqboard.store.board import Board
    from reqboard.store.models import State

    from tui_support import open_app, open_detail

    board = Board(tmp_path / "board.json", "li")
    req = board.add_requirement("导出发票", customer="华为", acceptance_criteria=({"text": "每张发票一个 PDF", "done": False},))
    board.move_requirement(req.key, State.ANALYSED, updates={"importance": 4, "urgency": 3, "kano": "performance"})
    board.approve(req.key, "同意")
    board.edit_requirement(req.key, {"acceptance_criteria": ({"text": "每张发票一个 PDF，带公司抬头", "done": False},)})
    assert "Acceptance criteria:" in board.get(req.key).approvals[-1].text

    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    app = open_app(tmp_path / "board.json")
    async with app.run_test(size=(160, 50)) as pilot:
        await open_detail(pilot, req.key)
        text = pane_text(app)
    assert "验收标准 1" in text and "每张发票一个 PDF → 每张发票一个 PDF，带公司抬头" in text, text
    assert english_words(text, allowed={"PDF"}) == set(), text


def test_an_exemption_covers_its_own_statement_only(tmp_path: Path) -> None:
    source = ('def f(app):\n'
              '    app.notify("Hello world")  # i18n: not shown (a sample)\n'
              '    app.notify("Goodbye world")\n')
    assert [(f.line, f.text) for f in _scan_sample(tmp_path, "tui", source)] == [(3, "Goodbye world")]


@pytest.mark.parametrize("location", ["postgresql://[bad", "postgresql://h/db?foo=bar", "postgresql://h/db?x",
                                      "postgresql://h/%zz/db"])
def test_a_url_the_server_storage_cannot_read_is_refused_in_chinese(location: str, chinese: None) -> None:
    pytest.importorskip("psycopg")
    from reqboard.store.errors import Unsupported
    from reqboard.store.pgstore.url import ServerURL

    with pytest.raises(Unsupported) as refused:
        ServerURL.parse(location)
    assert english_words(str(refused.value), allowed={"IPv", "foo"}) == set(), str(refused.value)


@pytest.mark.parametrize(("reason", "chinese_words"), [
    ("Connection refused", "连接被拒绝"),
    ('database "team" does not exist', "数据库 team 不存在"),
    ("failed to resolve host 'db.example': [Errno -2] Name or service not known", "无法解析主机名 db.example"),
])
def test_why_the_server_cannot_be_reached_is_said_in_chinese(reason: str, chinese_words: str, chinese: None) -> None:
    pytest.importorskip("psycopg")
    from reqboard.store.pgstore.server import server_words

    assert server_words(reason) == chinese_words


def test_textuals_own_key_descriptions_the_help_lists_are_translated(chinese: None) -> None:
    """The help lists the keys in force on the screen one came from, Textual's own bindings included
    (an input's, a text area's, a list's, a table's, a scrolling container's): each is translated
    (tui/screens/help.py marks them). The command palette's own keys are never listed (the help opens
    over the screen beneath it)."""
    import textual.containers as containers
    import textual.widgets as widgets
    from textual.app import App
    from textual.binding import Binding
    from textual.screen import ModalScreen, Screen
    from textual.scroll_view import ScrollView
    from textual.widgets._select import SelectCurrent, SelectOverlay  # the parts of a Select that take keys
    from textual.widgets._toast import Toast

    from reqboard.tui.widgets.card_list import CardList

    used = [widgets.Button, widgets.DataTable, widgets.Input, widgets.Label, widgets.OptionList, widgets.Select,
            widgets.SelectionList, widgets.Static, widgets.TextArea, SelectCurrent, SelectOverlay, Toast,
            containers.Horizontal, containers.Vertical, containers.VerticalScroll, containers.HorizontalScroll,
            containers.Grid, containers.HorizontalGroup, containers.VerticalGroup, Screen, ModalScreen, ScrollView,
            App, CardList]
    untranslated = set()
    for widget in used:
        for klass in widget.__mro__:
            for binding in vars(klass).get("BINDINGS", []):
                description = binding.description if isinstance(binding, Binding) else (
                    binding[2] if len(binding) > 2 else "")
                if description and i18n._(description) == description:
                    untranslated.add(f"{klass.__name__}: {description}")
    assert untranslated == set()


def test_the_markdown_export_says_the_stores_notes_in_chinese(tmp_path: Path) -> None:
    """A suspect requirement's note ("CR-1 changed REQ-1", stored in English) reads in Chinese in the
    Markdown document, as in the detail pane and `reqboard show`."""
    from reqboard.store.board import Board
    from reqboard.store.exchange import export_board
    from reqboard.store.models import State

    board = Board(tmp_path / "board.json", "li")
    base = board.add_requirement("统一登录", customer="华为")
    board.add_requirement("单点登录报表", customer="华为", depends_on=(base.key,))
    board.move_requirement(base.key, State.ANALYSED, updates={"importance": 4, "urgency": 3, "kano": "performance"})
    board.approve(base.key, "同意")
    cr = board.add_change_request(base.key, "改名", new_title="统一身份认证")
    board.assess_change_request(cr.key, schedule_days=1, cost=100, effort_hours=8, risk="low")
    board.decide_change_request(cr.key, approve=True, rationale="客户要求")
    assert any(req.suspect for req in board.requirements())

    i18n.set_language(i18n.CHINESE)
    try:
        document = export_board(board, "md").decode("utf-8")
    finally:
        i18n.set_language(i18n.ENGLISH)
    assert "修改了" in document and english_words(document) == set(), document
