"""Checks that what a person reads in zh_CN is Chinese: the English words left in a text.

    assert english_words(screen_text) == set()

A word here is a run of three or more Latin letters. Some are Chinese text too, as Chinese teams write
them: names of formats and products, key names, units and codes; they are allowed (`ALLOWED`, plus
what a test adds, such as the user data it typed). Keys (REQ-12, CR-3), URLs, paths, option names
(--json), commands to type (`reqboard approve`, anything in backquotes) and ALL-CAPS metavariables (KEY,
FILE) are skipped before words are looked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ALLOWED = frozenset({
    # formats, products and protocols
    "reqboard", "csv", "json", "jsonl", "reqif", "xml", "xhtml", "html", "svg", "png", "utf", "bom", "gbk", "gb18030",
    "markdown", "excel", "doors", "polarion", "reqview", "strictdoc", "postgresql", "postgres", "psql", "tinydb",
    "kano", "wip", "ssh", "tcp", "url", "uri", "iana", "utc", "cst", "toml", "textual", "pgpass", "sql", "id", "ids",
    "ctrl", "shift", "alt", "enter", "esc", "escape", "tab", "space", "home", "end", "pageup", "pagedown", "up",
    "down", "left", "right", "backspace", "delete", "insert",
    "iso", "xdg", "tty", "gid", "uid", "pid", "api", "cfd",
})

_SKIP = re.compile(
    r"(?:REQ|CR)-\d+"          # keys
    r"|reqboard(?: [a-z][\w-]*){1,2}"  # a command to type: `reqboard approve`, `reqboard cr add`
    r"|`[^`\n]*`"                # anything quoted as code
    r"|\b(?:big5|gb2312|gb18030|gbk|cp936|utf-?(?:8|16)(?:-sig)?)\b"  # encodings, as they are named
    r"|https?://\S+|postgresql://\S+"
    r"|(?:~|\.{0,2})/[\w./-]+"  # paths
    r"|--?[a-z][\w-]*"         # options
    r"|\b[A-Z][A-Z0-9_]+\b"    # metavariables, codes, badges (KEY, FILE, CHG)
    r"|\b[\w.-]+\.(?:json|toml|csv|md|html|reqif|jsonl|py|svg|png)\b"  # file names
)
_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str, allowed: Iterable[str] = ()) -> set[str]:
    """The English words in `text` that are not allowed (casefolded comparison)."""
    extra = {word.casefold() for word in allowed}
    stripped = _SKIP.sub(" ", text)
    return {word for word in _WORD.findall(stripped)
            if word.casefold() not in ALLOWED and word.casefold() not in extra}
