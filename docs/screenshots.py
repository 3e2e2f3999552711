"""The README's pictures of the board: the demo board, in English and in Chinese, as PNG.

    python docs/screenshots.py            # writes docs/board.png and docs/board-zh_CN.png

Each is the app's own SVG screenshot (`App.save_screenshot`), rendered by a headless Chromium with the
machine's fonts: install a font with CJK glyphs first (Debian: `apt-get install fonts-noto-cjk chromium`),
or every Chinese character is drawn as an empty box.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (150, 42)
LANGUAGES = {"en": HERE / "board.png", "zh_CN": HERE / "board-zh_CN.png"}


async def _svg(language: str, folder: Path) -> Path:
    os.environ["REQBOARD_LANG"] = language
    os.environ["REQBOARD_CONFIG_DIR"] = str(folder / "config")
    from reqboard.store.demo import build_demo_board
    from reqboard.tui.app import ReqboardApp

    board = folder / language / "demo.json"
    board.parent.mkdir()
    build_demo_board(board, chinese=language != "en")
    app = ReqboardApp(board, "demo")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return Path(app.save_screenshot(filename=f"board-{language}.svg", path=str(folder)))


_TEXT = re.compile(r'(<text\b[^>]*?textLength=")([0-9.]+)("[^>]*>)(.*?)(</text>)', re.S)


def _wide_text_fixed(svg: str) -> str:
    """Rich's SVG gives each run of text a `textLength` of its character count, where a Chinese
    character takes two cells: such runs are squeezed into half their width. Give them their cells."""
    from rich.cells import cell_len

    def fix(match: re.Match[str]) -> str:
        text = html.unescape(match[4])
        if not text or cell_len(text) == len(text):
            return match[0]
        length = float(match[2]) * cell_len(text) / len(text)
        return f"{match[1]}{length:g}{match[3]}{match[4]}{match[5]}"

    return _TEXT.sub(fix, svg)


def _png(svg: Path, png: Path) -> None:
    svg.write_text(_wide_text_fixed(svg.read_text(encoding="utf-8")), encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("docs/screenshots.py: no chromium to render the SVG with (apt-get install chromium)")
    width, height = SIZE[0] * 10 + 40, SIZE[1] * 22 + 80  # the SVG's own size, about; cropped below
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={png}", svg.as_uri()],
                   check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for language, png in LANGUAGES.items():
            svg = asyncio.run(_svg(language, folder))
            _png(svg, png)
            print(f"wrote {png}")


if __name__ == "__main__":
    main()
