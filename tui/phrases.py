"""Translated sentences with styled parts, as Textual Content.

A translation may put the parts of a sentence in another order than the English (Chinese often does),
so a sentence with a bold number or a literal path in it is one template with named fields, never
fragments joined together:

    phrase(_("{count} open"), count=(str(n), "bold"))
    phrase(_("Syncing with {where}…"), where=location)

Every part is literal text, never markup: the template's own words and each field's value (a string,
a (string, style) pair, or Content).
"""

from __future__ import annotations

import string

from textual.content import Content

Part = str | tuple[str, str] | Content


def phrase(template: str, **fields: Part) -> Content:
    """`template` with each `{name}` replaced by `fields[name]`, styled as given. Raises KeyError for a
    field the template names and `fields` lacks (a translation with a field the English has not)."""
    parts: list[Part] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is not None:
            parts.append(fields[name])
    return Content.assemble(*parts)


def labelled(label: str) -> str:
    """A label before its value: `filter: ` in English, `筛选：` in Chinese (a full-width colon holds
    its own space)."""
    return label if label.endswith(("：", "）")) else label + " "
