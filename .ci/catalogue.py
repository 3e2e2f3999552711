#!/usr/bin/env python3
"""The message catalogue: extract the text reqboard shows, merge it into the zh_CN catalogue, compile.

    python .ci/catalogue.py update            # extract from the code, merge into the .po, compile the .mo
    python .ci/catalogue.py translate F.json  # set translations: {"English": "中文", ...}, then update
    python .ci/catalogue.py check             # what is missing, untranslated or inconsistent (exit 1)
    python .ci/catalogue.py untranslated [PATH...]  # English of entries without a translation (used in PATH)

The .po file is the translators' source and is committed with the .mo compiled from it (the package
ships the .mo, so installing reqboard needs no Babel). Every command takes a lock on the .po, so that
several people (or helpers) updating it at once do not overwrite each other's work.
tests/test_i18n.py runs `problems()` and fails on any.
"""

from __future__ import annotations

import ast
import fcntl
import gettext
import io
import json
import re
import string
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("cli", "store", "tui", "themes")
LOCALE = ROOT / "store" / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "reqboard.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# Fixed, so that the files change only when a message does (not with the day they were merged).
_HEADER = {
    "project": "reqboard",
    "version": "",
    "copyright_holder": "the reqboard authors",
    "creation_date": datetime(2026, 12, 1, tzinfo=UTC),
    "revision_date": datetime(2026, 12, 1, tzinfo=UTC),
    "last_translator": "the reqboard authors",
    "language_team": "简体中文",
    "header_comment": "# 简体中文 (zh_CN) messages of reqboard. English is the source text (in the code).\n"
                      "# Edit the translations here; .ci/catalogue.py merges new messages and compiles the .mo.",
}
_CALLS = {"_", "N_", "ngettext", "pgettext"}


def extracted() -> Catalog:
    """Every message the code marks, with where it is used."""
    catalog = Catalog(domain="reqboard", fuzzy=False, **_HEADER)
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("i18n:",),
            strip_comment_tags=True,
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def _read() -> Catalog:
    if not PO.exists():
        return Catalog(locale="zh_CN", domain="reqboard", fuzzy=False, **_HEADER)
    with PO.open("rb") as file:
        return read_po(file, locale="zh_CN", domain="reqboard")


def _write(catalog: Catalog) -> None:
    PO.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, include_lineno=False, sort_output=True, ignore_obsolete=True)
    PO.write_bytes(buffer.getvalue())
    MO.write_bytes(compiled(catalog))


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


@contextmanager
def _locked() -> Iterator[None]:
    PO.parent.mkdir(parents=True, exist_ok=True)
    with (PO.parent / "reqboard.po").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _merged(catalog: Catalog) -> Catalog:
    template = extracted()
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    for name, value in _HEADER.items():
        setattr(catalog, name, value)
    catalog.fuzzy = False
    return catalog


def update() -> None:
    with _locked():
        _write(_merged(_read()))


def translate(path: Path) -> None:
    """Set the translations in a JSON object of English -> Chinese (a list of forms for a plural entry;
    "context\\x04English" for an entry with a context), merging first so that new messages are there."""
    given = json.loads(path.read_text(encoding="utf-8"))
    with _locked():
        catalog = _merged(_read())
        unknown = []
        for key, text in given.items():
            context, _sep, english = key.rpartition("\x04")
            message = catalog.get(english, context=context or None)
            if message is None:
                unknown.append(key)
                continue
            if isinstance(message.id, tuple | list):
                message.string = tuple(text) if isinstance(text, list) else (text,)
            else:
                message.string = text
            message.flags.discard("fuzzy")
        _write(catalog)
    if unknown:
        print(f"not in the code (not set): {len(unknown)}", file=sys.stderr)
        for key in unknown:
            print(f"  {key!r}", file=sys.stderr)


def _fields(text: str) -> set[str]:
    """The names of a message's `{fields}`: a translation must use the same (an unknown one raises at
    `.format`; one left out loses what it says). Their formats may differ on purpose: a week unpadded
    in Chinese, a day as `%m-%d`."""
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdrif%]")


def _percent_fields(text: str) -> list[str]:
    """The `%s` / `%(name)s` placeholders of a message (argparse's own are written that way)."""
    return sorted(match[0] for match in _PERCENT.finditer(text) if match[0] != "%%")


def unmarked_calls() -> list[str]:
    """Calls of _() / N_() / ngettext() / pgettext() whose text the extractor cannot see: an f-string, a
    concatenation, a `%` or a call made inside the parentheses (its text would never be translated).
    N_() takes literal text only; _() may also take a name or an item of text marked with N_()."""
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS):
                    continue
                literal = 2 if node.func.id in ("ngettext", "pgettext") else 1
                args = node.args[:literal]
                if node.func.id == "_":
                    ok = len(args) == 1 and isinstance(args[0], ast.Constant | ast.Name | ast.Subscript | ast.Attribute)
                else:
                    ok = len(args) == literal and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args)
                if not ok:
                    where = path.relative_to(ROOT)
                    found.append(f"{where}:{node.lineno}: {node.func.id}() of something other than literal text")
    return found


def problems() -> list[str]:
    """Everything wrong with the catalogue (read under the lock: never half-written by an update)."""
    with _locked():
        return _problems()


def _problems() -> list[str]:
    """Everything wrong with the catalogue: messages the code has that the .po lacks (or the other way),
    entries without a translation, translations whose {fields} differ from the English, a .mo that
    is not the .po compiled, and marked calls of non-literal text."""
    found = unmarked_calls()
    catalog = _read()
    template = extracted()
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    want = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    used_in = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): ", ".join(sorted({w for w, _n in m.locations}))
               for m in template if m.id}
    found += [f"not in the catalogue (run .ci/catalogue.py update; {used_in[key]}): {key[1]!r}"
              for key in sorted(want - have, key=str)]
    found += [f"in the catalogue but no longer in the code (run update): {key[1]!r}" for key in sorted(have - want, key=str)]
    for message in catalog:
        if not message.id:
            continue
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        chinese = [message.string] if isinstance(message.string, str) else list(message.string or ())
        where = ", ".join(sorted({w for w, _n in message.locations}))
        if "fuzzy" in message.flags or not chinese or not all(chinese):
            found.append(f"no translation ({where}): {english[0]!r}")
            continue
        if any(_fields(text) != _fields(english[-1]) for text in chinese) or (
                "python-format" in message.flags
                and any(_percent_fields(text) != _percent_fields(english[-1]) for text in chinese)):
            found.append(f"the translation's {{fields}} differ from the English ({where}): {english[0]!r} -> {chinese[0]!r}")
    if not MO.exists() or _messages(MO.read_bytes()) != _messages(compiled(catalog)):
        found.append("the .mo is not the .po compiled (run .ci/catalogue.py update)")
    return found


def _messages(mo: bytes) -> dict[object, str]:
    """What a compiled catalogue translates, without its header (which names the Babel that wrote it)."""
    table = gettext.GNUTranslations(io.BytesIO(mo))._catalog  # type: ignore[attr-defined]  # no public view of it
    return {key: text for key, text in table.items() if key != ""}


def untranslated(paths: list[str] | None = None) -> list[str]:
    """The English of every entry without a translation (used in one of `paths`, if given)."""
    catalog = _merged(_read())
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog
            if m.id and (not m.string or not all(m.string))
            and (not paths or any(where.startswith(tuple(paths)) for where, _line in m.locations))]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        update()
    elif command == "translate" and len(argv) == 2:
        translate(Path(argv[1]))
    elif command == "check":
        found = problems()
        if len(argv) > 1:  # only what concerns these files (`check tui/screens/detail.py ...`)
            found = [line for line in found if any(path in line for path in argv[1:]) or "literal" in line]
        for line in found:
            print(line)
        return 1 if found else 0
    elif command == "untranslated":
        for english in untranslated(argv[1:] or None):
            print(json.dumps(english, ensure_ascii=False))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
