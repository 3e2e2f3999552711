"""What reaches a terminal: disguising characters are made visible, separators become breaks."""

from __future__ import annotations

import pytest

from reqboard.store.text import shown


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
                                  "\u200f", "\u061c", "\u200b", "\u2060", "\ufeff"])
def test_disguising_characters_are_shown_as_code_points(char: str) -> None:
    assert shown(f"REQ-1 txt{char}exe") == f"REQ-1 txt<U+{ord(char):04X}>exe"


def test_line_separators_break_lines_or_become_spaces() -> None:
    assert shown("one\u2028two\u2029three") == "one\ntwo\nthree"
    assert shown("one\u2028two\nthree\tfour", one_line=True) == "one two three four"


def test_terminal_controls_are_dropped() -> None:
    assert shown("a\x1b[2Jb\x9bc") == "a[2Jbc"


def test_an_emoji_joiner_is_kept_but_not_between_letters() -> None:
    family = "\U0001f468\u200d\U0001f469"
    assert shown(family) == family
    assert shown("pay\u200dpal") == "pay<U+200D>pal"
    assert shown("\u200d") == "<U+200D>"


def test_ordinary_text_is_returned_as_it_is() -> None:
    for text in ("电子发票自动开具", "[@click=app.quit]x", "Ünïcödé ½"):
        assert shown(text) is text


def test_json_for_terminal_escapes_what_shown_would_make_visible_and_keeps_the_data() -> None:
    import json

    from reqboard.store.text import json_for_terminal

    text = json.dumps({"t": "Pay \u202etxt\u200b\u2028\x9b[2J"}, ensure_ascii=False)
    inert = json_for_terminal(text)
    assert inert.isascii() and "\\u202e" in inert and "\\u009b" in inert
    assert json.loads(inert) == json.loads(text)
    assert json_for_terminal('{"t": "电子发票"}') == '{"t": "电子发票"}'
