"""`--map`: which attribute of another tool's ReqIF file fills which field of a requirement.

    parse_mapping(["Object Text=description", "Priority=importance", "_CREATEDBY=-"])
    -> {"Object Text": "description", "Priority": "importance", "_CREATEDBY": "-"}

The name on the left is an attribute definition's LONG-NAME or IDENTIFIER, as the file spells it (it is
matched without regard to case); the right names a field of `MAPPABLE_FIELDS`, `key` (the object's
identity in its tool: a DOORS Absolute Number, a Polarion id), or `-` to ignore the attribute. A mapped
attribute comes before every convention the reader recognises by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidValue
from ..i18n import _

MAPPABLE_FIELDS: tuple[str, ...] = (
    "title", "description", "customer", "tier", "channel", "importance", "urgency", "business_value", "kano",
    "need_type", "category", "owner", "due", "tags", "section", "effort_estimate", "feasibility",
    "acceptance_criteria", "cause", "key",
)
"""The fields an attribute can be mapped to (`key`: the object's identity in the tool that wrote it)."""

IGNORE = "-"
"""Mapped to this, an attribute is neither read nor listed among the unmapped ones."""

_FIELD_ALIASES = {"value": "business_value", "effort": "effort_estimate", "criteria": "acceptance_criteria",
                  "kano_class": "kano", "need": "need_type", "identity": "key", "id": "key"}


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """`NAME=FIELD` items as a dict from attribute name to field name (or `-`).

    Raises InvalidValue naming the item that is not `NAME=FIELD`, names an unknown field, or maps one
    attribute twice to different fields.
    """
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for item in items:
        name, equals, target = item.rpartition("=")
        name, target = name.strip(), target.strip()
        if not equals or not name or not target:
            raise InvalidValue(_("--map {item!r}: write it NAME=FIELD, e.g. --map \"Object Text=description\" "
                                 "(NAME is the attribute's LONG-NAME or IDENTIFIER)").format(item=item))
        folded = target.casefold().replace("-", "_").replace(" ", "_") if target != IGNORE else IGNORE
        field = _FIELD_ALIASES.get(folded, folded)
        if field != IGNORE and field not in MAPPABLE_FIELDS:
            raise InvalidValue(_("--map {item!r}: {field!r} is not a field that can be mapped; use one of {fields}, "
                                 "or - to ignore the attribute").format(
                                     item=item, field=target, fields=", ".join(MAPPABLE_FIELDS)))
        before = seen.get(name.casefold())
        if before is not None and mapping[before] != field:
            raise InvalidValue(_("--map {item!r}: the attribute {name!r} is already mapped to {field}").format(
                item=item, name=name, field=mapping[before]))
        seen[name.casefold()] = name
        mapping[name] = field
    return mapping


__all__ = ["IGNORE", "MAPPABLE_FIELDS", "parse_mapping"]
