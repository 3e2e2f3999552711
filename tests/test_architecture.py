"""One direction of dependency: `tui -> store`, `tui -> themes`, `cli -> store`. `store` and `themes`
never import textual (nor the tui); the scripted CLI does not load textual either. Everything is
installed under one name, `reqboard`."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tokenize
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CORE = ("store", "themes")  # folders, installed as reqboard.store and reqboard.themes
FORBIDDEN = ("textual", "rich", "reqboard.tui", "reqboard.cli")
PROJECT_FOLDERS = ("cli", "store", "themes", "tui")

# Imports every module of the packages named on the command line, then reports what got loaded.
PROBE = r"""
import importlib, json, pkgutil, sys
loaded = []
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    loaded.append(name)
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), name + "."):
        importlib.import_module(info.name)
        loaded.append(info.name)
print(json.dumps({"loaded": loaded, "modules": sorted(sys.modules)}))
"""


def probe(*packages: str, path: Path | None = None) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(path)} if path else None
    proc = subprocess.run([sys.executable, "-c", PROBE, *packages], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def offenders(modules: list[str], roots: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == root or m.startswith(root + ".") for root in roots)]


@pytest.mark.parametrize("package", CORE)
def test_importing_every_core_module_loads_no_textual(package: str) -> None:
    result = probe(f"reqboard.{package}")
    assert len(result["loaded"]) >= 1
    assert offenders(result["modules"], FORBIDDEN) == []


def test_the_probe_would_notice_textual(tmp_path: Path) -> None:
    """The check above can fail: a package with one module deep down importing textual is caught."""
    leaky = tmp_path / "leaky"
    (leaky / "deep").mkdir(parents=True)
    (leaky / "__init__.py").write_text("")
    (leaky / "deep" / "__init__.py").write_text("")
    (leaky / "deep" / "view.py").write_text("from textual.widget import Widget\n")
    result = probe("leaky", path=tmp_path)
    assert "leaky.deep.view" in result["loaded"]
    assert "textual.widget" in offenders(result["modules"], FORBIDDEN)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.append((node.lineno, str(node.args[0].value)))
    return found


def test_no_core_source_imports_textual_or_the_tui() -> None:
    sources = [p for package in CORE for p in sorted((REPO / package).rglob("*.py"))]
    assert any(p.name == "storage.py" for p in sources)
    bad = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in sources
        for line, module in _imports(path)
        if offenders([module], FORBIDDEN)
    ]
    assert bad == []


def test_every_module_imports_the_project_by_its_installed_name() -> None:
    """`import store` would find the repository's folder (from the repository only) and load a second
    copy of every module beside `reqboard.store`: two Board classes, two sets of errors."""
    sources = [p for folder in (*PROJECT_FOLDERS, "bench", "tests") for p in sorted((REPO / folder).rglob("*.py"))]
    assert len(sources) > 50
    bad = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in sources
        for line, module in _imports(path)
        if module.split(".")[0] in PROJECT_FOLDERS
    ]
    assert bad == []


def test_the_installed_name_scan_would_notice_a_bare_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from store.board import Board\nimport tui.app\nfrom reqboard.store import errors\n")
    assert [m for _line, m in _imports(sample) if m.split(".")[0] in PROJECT_FOLDERS] == ["store.board", "tui.app"]


@pytest.mark.slow
def test_the_wheel_installs_one_top_level_name(tmp_path: Path) -> None:
    """`pip install .` puts `reqboard` in site-packages and nothing else: no `store`, `tui`, `bench`."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    import zipfile

    (wheel,) = tmp_path.glob("reqboard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"reqboard"}
    assert {"reqboard/store/board.py", "reqboard/tui/app.tcss", "reqboard/cli/main.py"} <= set(names)
    assert any(name.startswith("reqboard/themes/") and name.endswith(".toml") for name in names)
    # Every module of every package folder is shipped (a subpackage missing from pyproject's list is not).
    sources = {f"reqboard/{path.relative_to(REPO).as_posix()}" for folder in ("cli", "store", "themes", "tui")
               for path in (REPO / folder).rglob("*.py") if "__pycache__" not in path.parts}
    assert sources - set(names) == set()


def test_the_source_scan_would_notice_a_textual_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom textual.app import App\nimportlib.import_module('textual.widgets')\n")
    assert [m for _line, m in _imports(sample)] == ["os", "textual.app", "textual.widgets"]


def test_scripted_cli_commands_do_not_load_textual(board_path: Path) -> None:
    code = (
        "import sys\n"
        "from reqboard.cli.main import main\n"
        "main(['add', 'x', '--store', sys.argv[1]])\n"
        "main(['list', '--json', '--store', sys.argv[1]])\n"
        "print('LOADED' if 'textual' in sys.modules else 'CLEAN', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(board_path)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "CLEAN"


DRAWS_FIRST = r"""
import asyncio, json, sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
sys.path.insert(0, "tests")
from waiting import await_until

async def main(path):
    app = ReqboardApp(Path(path), "tester", config=Config(), watch_interval=3600)
    seen = []
    display = app._display

    def stamped(screen, update):
        display(screen, update)
        if getattr(app.screen, "loaded", False) and not seen:
            seen.append(sorted(m for m in sys.modules if m.split(".")[0] == "pydantic"))

    app._display = stamped
    async with app.run_test(size=(120, 30)) as pilot:
        await await_until(lambda: seen, "the first frame with the cards", timeout=60)
        # Made without a key press, however busy the machine (a fixed pause failed under load).
        await await_until(lambda: app.link.board_made is not None, "the store to be made after the first frame",
                          timeout=60, pause=pilot.pause)
        ready = app.link.board_made is not None
    print(json.dumps({"at_first_frame": seen[0], "store_made_after": ready}))

asyncio.run(main(sys.argv[1]))
"""


def test_the_board_is_drawn_before_pydantic_and_the_store_are_loaded(board_of: Callable[..., Any], board_path: Path) -> None:
    """Start-up speed: the first frame with the cards needs neither the models nor pydantic (a
    tenth of the start-up); the store is made right after it, before the first key."""
    board_of(1)
    proc = subprocess.run([sys.executable, "-c", DRAWS_FIRST, str(board_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"at_first_frame": [], "store_made_after": True}


PARSES = r"""
import json, sys
from reqboard.cli.main import build_parser
build_parser().parse_args(sys.argv[1:])
print(json.dumps({"rules": "reqboard.store.workflow" in sys.modules, "pydantic": "pydantic" in sys.modules}))
"""


@pytest.mark.parametrize(("argv", "rules"), [([], False), (["list"], False), (["move", "REQ-1", "done"], True)],
                         ids=["open-the-board", "list", "move"])
def test_the_command_line_reads_the_rules_only_for_move_and_never_loads_pydantic_to_parse(
        argv: list[str], rules: bool) -> None:
    """`reqboard` opening the board, and every scripted command, start without the rules; `move` builds
    its options from them (workflow's declaration), which must not bring in pydantic either."""
    proc = subprocess.run([sys.executable, "-c", PARSES, *argv], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"rules": rules, "pydantic": False}


# ---------------------------------------------------------------------------- `# type: ignore` says why
IGNORE = re.compile(r"(?:^|\s)#\s*type:\s*ignore\b(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def bare_ignores(path: Path) -> list[int]:
    """Lines of `path` with a `# type: ignore` comment that names no error code or gives no reason after it."""
    found = []
    with path.open("rb") as source:
        for token in tokenize.tokenize(source.readline):
            match = IGNORE.search(token.string) if token.type == tokenize.COMMENT else None
            if match and (not match["codes"] or not match["rest"].strip().lstrip("#").strip()):
                found.append(token.start[0])
    return found


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    sources = [p for folder in (*PROJECT_FOLDERS, "bench", "tests") for p in sorted((REPO / folder).rglob("*.py"))]
    assert len(sources) > 50
    bad = [f"{path.relative_to(REPO)}:{line}" for path in sources for line in bare_ignores(path)]
    assert bad == []


def test_the_type_ignore_scan_would_notice_a_bare_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("a = 1  # type: ignore\nb = 2  # type: ignore[assignment]\n"
                      "c = 3  # type: ignore[assignment]  # the stub is wrong\nd = '# type: ignore is text'\n"
                      "e = 5  # noqa: E501  # type: ignore\n")
    assert bare_ignores(sample) == [1, 2, 5]  # not the reasoned one, nor text in a string
