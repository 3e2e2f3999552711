"""The store's seams, kept by scanning the source: only the file storage touches TinyDB, and nothing
reaches into another object's private members (the store's one write path is `Board.transaction()`,
its storage is reached through the `Storage` protocol)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILE_STORAGE = REPO / "store" / "filestore"
TINYDB_SCANNED = ("cli", "store", "tui", "themes")
PRIVATES_SCANNED = ("cli", "store", "tui", "bench")


def _sources(folders: tuple[str, ...]) -> list[Path]:
    return [p for folder in folders for p in sorted((REPO / folder).rglob("*.py"))]


def tinydb_imports(source: str) -> list[int]:
    """The lines of `source` that import tinydb (or a module of it)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "tinydb" or name.startswith("tinydb.") for name in names):
            lines.append(node.lineno)
    return lines


KNOWN_LIBRARY_PRIVATES = {
    # lxml names its element class `_Element`, and documents that name for annotations.
    ("store/exchange/reqif_io.py", "etree._Element"),
    # Textual's frame hook, wrapped to time frames (a benchmark, not the app).
    ("bench/tui.py", "app._display"),
    # The fix for Textual#6357 (a wide character at another widget's edge is dropped): the compositor's
    # line chopping, replaced for the pinned Textual; tests/test_i18n_coverage.py checks it is still 8.2.8's.
    ("tui/wide_chars.py", "Compositor._render_chops"),
}
"""Third-party private names, each with its reason; none of this project's own objects."""


def _own_names(cls: ast.ClassDef) -> set[str]:
    """The names a class defines: its methods, class attributes, `__slots__` and `self.x = ...`."""
    names: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and isinstance(
                node.value, ast.Name) and node.value.id == "self":
            names.add(node.attr)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                    if target.id == "__slots__" and isinstance(node.value, (ast.Tuple, ast.List)):
                        names.update(e.value for e in node.value.elts
                                     if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return names


def foreign_privates(source: str) -> list[str]:
    """`line: expression` for each use of a private member (one leading underscore) of another object.

    A class's own methods may use its private members on any instance of it (a classmethod filling
    in the object it made), so a private name the class itself defines is fine inside that class;
    so is anything on `self` or `cls`. Dunders (`__init__`) and the enum's reserved `_sunder_` names
    are not private.
    """
    tree = ast.parse(source)
    allowed_at: dict[int, set[str]] = {}  # id of an Attribute node -> names its class defines
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef):
            own = _own_names(cls)
            for node in ast.walk(cls):
                if isinstance(node, ast.Attribute):
                    allowed_at.setdefault(id(node), set()).update(own)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or (name.endswith("_") and len(name) > 2):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        if name in allowed_at.get(id(node), ()):
            continue
        found.append((node.lineno, f"{node.lineno}: {ast.unparse(node)}"))
    return [text for _line, text in sorted(found)]


def test_only_the_file_storage_imports_tinydb() -> None:
    sources = _sources(TINYDB_SCANNED)
    assert len(sources) > 50
    importers = {p.relative_to(REPO).as_posix() for p in sources if tinydb_imports(p.read_text(encoding="utf-8"))}
    assert importers, "the file storage imports tinydb: the scan must see it"
    assert {p for p in importers if not (REPO / p).is_relative_to(FILE_STORAGE)} == set()


def test_the_tinydb_scan_would_notice_an_import_elsewhere() -> None:
    sample = "import os\nimport tinydb\nfrom tinydb.storages import Storage\nfrom .tinydb_like import x\n"
    assert tinydb_imports(sample) == [2, 3]


def test_no_module_touches_another_objects_private_members() -> None:
    sources = _sources(PRIVATES_SCANNED)
    assert len(sources) > 30
    offences = [
        f"{path.relative_to(REPO).as_posix()}:{found}"
        for path in sources
        for found in foreign_privates(path.read_text(encoding="utf-8"))
        if (path.relative_to(REPO).as_posix(), found.split(": ", 1)[1]) not in KNOWN_LIBRARY_PRIVATES
    ]
    assert offences == []


def test_the_private_member_scan_would_notice_a_reach_inside() -> None:
    sample = (
        "def plan(board, tx):\n"
        "    board._now = board.clock()\n"          # another object's private: caught
        "    tx._change.put(1)\n"                   # caught
        "    self._models.clear()\n"                # its own: fine
        "    cls._cache = {}\n"                     # fine
        "    _helper(board)\n"                      # a module's own helper, called by name: fine
        "    board.__class__, State._value2member_map_\n"  # a dunder, an enum's sunder name: fine
        "class Card:\n"
        "    __slots__ = ('_cached',)\n"
        "    @classmethod\n"
        "    def of(cls):\n"
        "        card = cls.__new__(cls)\n"
        "        card._cached = None\n"                 # its own class's member: fine
        "        card._other = None\n"                  # not the class's: caught
        "        return card\n"
        "def outside(card):\n"
        "    return card._cached\n"                     # Card's private, outside Card: caught
    )
    assert foreign_privates(sample) == ["2: board._now", "3: tx._change", "14: card._other", "17: card._cached"]
