"""The TUI's modules depend on each other one way: its import graph has no cycle.

Every import counts, wherever it is written: at the top of a module, under `if TYPE_CHECKING:`, or
inside a function (deferred for start-up speed). A deferred import hides a cycle from Python, not from
the design: `app` -> `screens.board` -> `actions` -> `app` is a ring however late the last step runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "reqboard.tui"  # the tui/ folder, as it is installed


def modules_of(folder: Path, package: str) -> dict[str, Path]:
    """Every module of the package in `folder`, by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([package, *parts])] = path
    return found


def _imported_names(tree: ast.AST, name: str, is_package: bool) -> Iterator[str]:
    """Every module name an import in `tree` asks for (`name` is the module it is in), resolved to
    absolute names: `from .x import y` gives both `<package>.x` and `<package>.x.y` (y may be a module)."""
    here = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):  # every node: TYPE_CHECKING blocks and function bodies too
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def import_graph(folder: Path, package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = modules_of(folder, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        wanted = _imported_names(tree, name, path.name == "__init__.py")
        graph[name] = {target for target in wanted if target in modules and target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (its first module repeated at the end), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return path[path.index(target):] + [target]
            if target not in done and (cycle := visit(target)):
                return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit(start)):
            return cycle
    return None


def test_the_tui_import_graph_has_no_cycle() -> None:
    graph = import_graph(REPO / "tui", PACKAGE)
    # The scan sees the modules and their imports, deferred ones included (else it proves nothing).
    assert {"reqboard.tui.app", "reqboard.tui.link", "reqboard.tui.actions", "reqboard.tui.screens.board"} <= set(graph)
    assert "reqboard.tui.screens.board" in graph["reqboard.tui.app"]
    assert "reqboard.tui.actions" in graph["reqboard.tui.screens.board"]  # imported on the first key only
    cycle = find_cycle(graph)
    assert cycle is None, "the tui imports in a ring: " + " -> ".join(cycle or [])


def test_no_screen_imports_the_app() -> None:
    """Screens get what they need passed in (the store link) or by messages, never from the app."""
    graph = import_graph(REPO / "tui", PACKAGE)
    assert [name for name, targets in graph.items() if "reqboard.tui.app" in targets] == []


def _runtime_imports_and_calls(tree: ast.AST) -> tuple[set[str], set[str]]:
    """The absolute modules a source imports when it runs (not under `if TYPE_CHECKING:`), and the
    names of the attributes it calls."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    imports, calls = set(), set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            imports.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imports.add(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.add(node.func.attr)
    return imports, calls


def one_way_offences(folder: Path) -> list[str]:
    """Where a module of the TUI other than the store link makes the store, or a worker hands its
    result to the UI thread by a call instead of a message."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        imports, calls = _runtime_imports_and_calls(ast.parse(path.read_text(encoding="utf-8")))
        name = path.relative_to(folder).as_posix()
        if "reqboard.store.board" in imports and name != "link.py":
            found.append(f"{name} imports the store's Board")
        if "call_from_thread" in calls:
            found.append(f"{name} calls call_from_thread")
    return found


def test_only_the_store_link_makes_the_board_and_workers_answer_by_message() -> None:
    assert one_way_offences(REPO / "tui") == []


def test_the_one_way_scan_would_notice_a_screen_with_its_own_board(tmp_path: Path) -> None:
    root = _sample(tmp_path, {
        "link.py": "from reqboard.store.board import Board\n",
        "screens/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from reqboard.store.board import Board\n",
        "screens/own.py": "def load(self):\n    from reqboard.store.board import Board\n"
                          "    self.app.call_from_thread(self.show, Board('b', 'u').cards())\n",
    })
    assert one_way_offences(root) == ["screens/own.py imports the store's Board", "screens/own.py calls call_from_thread"]


def _sample(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "sample"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_a_ring_made_of_deferred_and_type_checking_imports(tmp_path: Path) -> None:
    """It can fail: a ring of one import at the top, one under TYPE_CHECKING and one inside a function."""
    root = _sample(tmp_path, {
        "__init__.py": "",
        "app.py": "from .screens.board import BoardScreen\n",
        "screens/__init__.py": "",
        "screens/board.py": "def key():\n    from .. import actions\n",
        "actions.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .app import App\n",
        "widgets.py": "import os\nfrom reqboard.store import board\n",
    })
    graph = import_graph(root, "sample")
    assert graph["sample.actions"] == {"sample.app"}
    assert graph["sample.screens.board"] == {"sample", "sample.actions"}
    assert graph["sample.widgets"] == set()  # only the package's own modules count
    assert find_cycle(graph) == ["sample.actions", "sample.app", "sample.screens.board", "sample.actions"]


def test_the_checker_passes_a_one_way_sample(tmp_path: Path) -> None:
    root = _sample(tmp_path, {
        "__init__.py": "",
        "app.py": "from .screens import board\nfrom sample.link import Link\n",
        "link.py": "",
        "screens/__init__.py": "",
        "screens/board.py": "from ..link import Link\ndef key():\n    from . import form\n",
        "screens/form.py": "from sample import link\n",
    })
    graph = import_graph(root, "sample")
    assert graph["sample.app"] == {"sample.screens", "sample.screens.board", "sample.link"}
    assert graph["sample.screens.board"] == {"sample.link", "sample.screens", "sample.screens.form"}
    assert find_cycle(graph) is None

