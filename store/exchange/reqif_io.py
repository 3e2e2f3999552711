"""ReqIF 1.0 (OMG) for DOORS, Polarion, ReqView, StrictDoc and friends, through the `reqif` library.

Export: one SPEC-OBJECT per requirement, in one SPECIFICATION, valid against the OMG ReqIF schema.
Attributes use the names of the ReqIF Implementation Guide, which other tools map without
configuration, and `reqboard.*` names for the rest:

    ReqIF.ForeignID            key (REQ-12)              STRING
    ReqIF.Name                 title                     STRING
    ReqIF.Text                 description               XHTML (line breaks as <br/>, spaces kept)
    ReqIF.Category             category                  STRING
    ReqIF.ChapterName          section (heading path)    STRING
    ReqIF.ForeignCreatedBy/On  created by / at           STRING / DATE
    ReqIF.ForeignModifiedBy/On updated by / at           STRING / DATE
    reqboard.state, .tier, .channel, .need_type, .kano, .feasibility      ENUMERATION
    reqboard.importance, .urgency, .business_value (1-5), .version        INTEGER
    reqboard.effort_estimate   REAL;  reqboard.customer, .owner, .due (YYYY-MM-DD), .tags (one per
    line), .acceptance_criteria ("[x] text" per line), .rejection_reason, .cause (a complaint's)  STRING
    reqboard.notes             the communication log as the CSV's Notes column shows it   STRING

The notes are for reading, as created and modified by/on are: import recognises the attribute and leaves
it alone (a note is a record of its own; a JSON export carries them whole).

`depends_on` and `conflicts_with` are SPEC-RELATIONs of the types "Depends on" and "Conflicts with"
(source: the requirement that depends or conflicts; target: the other one). A SPEC-OBJECT's
IDENTIFIER is `rb-` + the requirement's uid, so a file that went through another tool and back
updates the same requirements.

Import reads such files and files written with the same conventions by other tools: ReqIF.ForeignID
is used as the key only when it is a reqboard key (REQ-12); any other object is new, and remembered by
its IDENTIFIER (hashed into the uid) so that importing the same file again updates instead of
duplicating. Title: ReqIF.Name, else the first line of ReqIF.Text. Heading objects (ReqIF.ChapterName
without text) are skipped. Attributes that are not ours are listed in the report and ignored. Relation
types whose name mentions "depend" or "conflict" become links; others are ignored. An object without a
tier takes its customer's tier (as a new requirement does), so importing a file again changes nothing.

What a file cannot do (each is refused, naming the element, and nothing is written):
- expand or fetch anything: the XML is parsed with entities, DTD loading and the network off and the
  parser's size and depth limits on; a DOCTYPE is refused (ReqIF has none). Comments and processing
  instructions, in XHTML or anywhere else, import as nothing.
- pass for another encoding: only UTF-8 and UTF-16 are read, and only when the byte order mark, the
  XML declaration and the bytes agree (a Latin-1 file declared UTF-8, or any file declared ISO-8859-1
  or UTF-7, is refused rather than imported as mojibake).
- give two SPEC-OBJECTs one identity: a second object with the IDENTIFIER or ReqIF.ForeignID of an
  earlier one is refused, naming both.
- claim a key the board cannot hold: a ForeignID of REQ- and a number is a key, checked by the
  models' own rule (REQ-12345678901234567 is refused); REQ- with other digits (REQ-², REQ-١٢) is
  refused too; REQ-007 (a leading zero, never one of our keys) is another tool's id.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from lxml import etree
from pydantic import TypeAdapter, ValidationError
from reqif.models.error_handling import ReqIFMissingTagException, ReqIFSchemaError, ReqIFXMLParsingError
from reqif.models.reqif_core_content import ReqIFCoreContent
from reqif.models.reqif_data_type import (
    ReqIFDataTypeDefinitionDateIdentifier,
    ReqIFDataTypeDefinitionEnumeration,
    ReqIFDataTypeDefinitionInteger,
    ReqIFDataTypeDefinitionReal,
    ReqIFDataTypeDefinitionString,
    ReqIFDataTypeDefinitionXHTML,
    ReqIFEnumValue,
)
from reqif.models.reqif_namespace_info import ReqIFNamespaceInfo
from reqif.models.reqif_req_if_content import ReqIFReqIFContent
from reqif.models.reqif_reqif_header import ReqIFReqIFHeader
from reqif.models.reqif_spec_hierarchy import ReqIFSpecHierarchy
from reqif.models.reqif_spec_object import ReqIFSpecObject, SpecObjectAttribute
from reqif.models.reqif_spec_object_type import ReqIFSpecObjectType, SpecAttributeDefinition
from reqif.models.reqif_spec_relation import ReqIFSpecRelation
from reqif.models.reqif_spec_relation_type import ReqIFSpecRelationType
from reqif.models.reqif_specification import ReqIFSpecification
from reqif.models.reqif_specification_type import ReqIFSpecificationType
from reqif.models.reqif_types import SpecObjectAttributeType as AT
from reqif.parser import ReqIFParser
from reqif.reqif_bundle import ReqIFBundle
from reqif.unparser import ReqIFUnparser

from ..board import Board
from ..errors import validation_message
from ..i18n import ENGLISH, N_, _, language, library_words, ngettext
from ..models import (
    Channel,
    Feasibility,
    Kano,
    NeedType,
    Requirement,
    RequirementKey,
    State,
    Tier,
    key_number,
    now,
)
from . import csv_io
from .incoming import Incoming, ReadFile, Ref, Unmapped, problem_at

XHTML_NS = "http://www.w3.org/1999/xhtml"
TOOL = "reqboard"
_NEWLINE = "\x00"  # stands for a line break inside a STRING value until the XML is written (see _finish)
_XML_INVALID = re.compile("[\ufffe\uffff]")
_PRE_WRAP = "white-space:pre-wrap"
STRING_LENGTH = 20_000
"""The longest STRING value the file declares (a description is XHTML, without one)."""


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True)
class Attr:
    """One attribute of the requirement type: its ReqIF name, kind, data type and field."""

    name: str
    kind: AT
    datatype: str
    field: str

    @property
    def identifier(self) -> str:
        return "rb-attr-" + self.name.lower().replace(".", "-").replace("_", "-")


_ENUMS: dict[str, type[StrEnum]] = {
    "state": State, "tier": Tier, "channel": Channel, "need_type": NeedType, "kano": Kano,
    "feasibility": Feasibility,
}

ATTRS: tuple[Attr, ...] = (
    Attr("ReqIF.ForeignID", AT.STRING, "rb-dt-string", "key"),
    Attr("ReqIF.Name", AT.STRING, "rb-dt-string", "title"),
    Attr("ReqIF.Text", AT.XHTML, "rb-dt-xhtml", "description"),
    Attr("reqboard.state", AT.ENUMERATION, "rb-dt-state", "state"),
    Attr("ReqIF.Category", AT.STRING, "rb-dt-string", "category"),
    Attr("ReqIF.ChapterName", AT.STRING, "rb-dt-string", "section"),
    Attr("reqboard.customer", AT.STRING, "rb-dt-string", "customer"),
    Attr("reqboard.tier", AT.ENUMERATION, "rb-dt-tier", "tier"),
    Attr("reqboard.channel", AT.ENUMERATION, "rb-dt-channel", "channel"),
    Attr("reqboard.need_type", AT.ENUMERATION, "rb-dt-need-type", "need_type"),
    Attr("reqboard.kano", AT.ENUMERATION, "rb-dt-kano", "kano"),
    Attr("reqboard.importance", AT.INTEGER, "rb-dt-score", "importance"),
    Attr("reqboard.urgency", AT.INTEGER, "rb-dt-score", "urgency"),
    Attr("reqboard.business_value", AT.INTEGER, "rb-dt-score", "business_value"),
    Attr("reqboard.effort_estimate", AT.REAL, "rb-dt-effort", "effort_estimate"),
    Attr("reqboard.feasibility", AT.ENUMERATION, "rb-dt-feasibility", "feasibility"),
    Attr("reqboard.owner", AT.STRING, "rb-dt-string", "owner"),
    Attr("reqboard.due", AT.STRING, "rb-dt-string", "due"),
    Attr("reqboard.tags", AT.STRING, "rb-dt-string", "tags"),
    Attr("reqboard.acceptance_criteria", AT.STRING, "rb-dt-string", "acceptance_criteria"),
    Attr("reqboard.rejection_reason", AT.STRING, "rb-dt-string", "rejection_reason"),
    Attr("reqboard.version", AT.INTEGER, "rb-dt-version", "version"),
    Attr("reqboard.cause", AT.STRING, "rb-dt-string", "cause"),
    Attr("reqboard.notes", AT.STRING, "rb-dt-string", "notes"),
    Attr("ReqIF.ForeignCreatedBy", AT.STRING, "rb-dt-string", "created_by"),
    Attr("ReqIF.ForeignCreatedOn", AT.DATE, "rb-dt-date", "created_at"),
    Attr("ReqIF.ForeignModifiedBy", AT.STRING, "rb-dt-string", "updated_by"),
    Attr("ReqIF.ForeignModifiedOn", AT.DATE, "rb-dt-date", "updated_at"),
)
_BY_NAME = {a.name.lower(): a for a in ATTRS}
# Read from a file but never imported: the board records its own who and when, and its own notes.
_INFORMATIONAL = {"created_by", "created_at", "updated_by", "updated_at", "notes"}
RELATIONS = {"depends_on": ("rb-rel-depends-on", "Depends on"),
             "conflicts_with": ("rb-rel-conflicts-with", "Conflicts with")}
OBJECT_TYPE = "rb-type-requirement"
SPEC_TYPE = "rb-type-specification"


def _enum_id(field: str, value: str) -> str:
    return f"rb-enum-{field.replace('_', '-')}-{value.lower().replace('_', '-')}"


# ------------------------------------------------------------------ export
def _datatypes(stamp: str) -> list[Any]:
    types: list[Any] = [
        ReqIFDataTypeDefinitionString("rb-dt-string", last_change=stamp, long_name="Text",
                                      max_length=str(STRING_LENGTH)),
        ReqIFDataTypeDefinitionXHTML("rb-dt-xhtml", last_change=stamp, long_name="Formatted text",
                                     is_self_closed=True),
        ReqIFDataTypeDefinitionDateIdentifier("rb-dt-date", last_change=stamp, long_name="Date and time"),
        ReqIFDataTypeDefinitionInteger("rb-dt-score", last_change=stamp, long_name="Score 1-5",
                                       min_value="1", max_value="5"),
        ReqIFDataTypeDefinitionInteger("rb-dt-version", last_change=stamp, long_name="Revision",
                                       min_value="1", max_value="2147483647"),
        ReqIFDataTypeDefinitionReal("rb-dt-effort", accuracy=6, last_change=stamp, long_name="Effort",
                                    min_value="0", max_value="1000000", is_self_closed=True),
    ]
    for attr in ATTRS:
        if attr.kind is AT.ENUMERATION:
            kind = _ENUMS[attr.field]
            members: list[Any] = list(kind)  # State or a _Choice: each has an English label
            values = [ReqIFEnumValue(_enum_id(attr.field, m.value), key=str(i), last_change=stamp,
                                     long_name=m.value, other_content=m.english)
                      for i, m in enumerate(members)]
            types.append(ReqIFDataTypeDefinitionEnumeration(attr.datatype, last_change=stamp,
                                                            long_name=attr.name, values=values))
    return types


def _string(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text).replace("\n", _NEWLINE)


def _xhtml(text: str) -> str:
    """Plain text as XHTML: a div that keeps spaces, line breaks as <br/>."""
    lines = [html.escape(_XML_INVALID.sub("\ufffd", line), quote=False) for line in text.split("\n")]
    return f'<xhtml:div style="{_PRE_WRAP}">' + "<xhtml:br/>".join(lines) + "</xhtml:div>"


def _values(req: Requirement) -> list[SpecObjectAttribute]:
    values = []
    for attr in ATTRS:
        raw = getattr(req, attr.field)
        if raw is None or raw == "" or raw == ():
            continue
        if attr.kind is AT.ENUMERATION:
            value: Any = [_enum_id(attr.field, raw.value)]
        elif attr.kind is AT.XHTML:
            value = _xhtml(raw)
        elif attr.kind is AT.DATE:
            value = _when(raw)
        elif attr.kind is AT.REAL:
            value = repr(float(raw))
        elif attr.field == "tags":
            value = _string(csv_io.tags_text(raw))  # read back as the CSV cell is (a lone "a,b" stays one tag)
        elif attr.field == "acceptance_criteria":
            value = _string(csv_io.criteria_text(raw))
        elif attr.field == "notes":
            value = _string(csv_io.notes_text(raw, limit=STRING_LENGTH))
        elif attr.field == "due":
            value = raw.isoformat()
        else:
            value = _string(str(raw))
        values.append(SpecObjectAttribute(attr.kind, attr.identifier, value))
    return values


def export_reqif(board: Board) -> bytes:
    """The board as a ReqIF 1.0 document (UTF-8 XML)."""
    reqs = board.requirements()
    stamp = _when(now())
    definitions = [
        SpecAttributeDefinition(attr.kind, attr.identifier, attr.datatype, last_change=stamp,
                                long_name=attr.name,
                                multi_valued=False if attr.kind is AT.ENUMERATION else None)
        for attr in ATTRS
    ]
    spec_types: list[Any] = [
        ReqIFSpecObjectType(OBJECT_TYPE, last_change=stamp, long_name="Requirement",
                            attribute_definitions=definitions),
        *(ReqIFSpecRelationType(ident, last_change=stamp, long_name=name) for ident, name in RELATIONS.values()),
        ReqIFSpecificationType(SPEC_TYPE, last_change=stamp, long_name="Requirements board",
                               is_self_closed=True),
    ]
    objects = [
        ReqIFSpecObject(f"rb-{req.uid}", _values(req), OBJECT_TYPE, last_change=_when(req.updated_at))
        for req in reqs
    ]
    uids = {req.key: req.uid for req in reqs}
    relations = []
    for req in reqs:
        for field, (type_id, _name) in RELATIONS.items():
            for other in getattr(req, field):
                if other in uids:  # a link to a requirement that no longer exists is left out
                    relations.append(ReqIFSpecRelation(
                        f"rb-rel-{req.uid}-{field.replace('_', '-')}-{uids[other]}", type_id,
                        f"rb-{req.uid}", f"rb-{uids[other]}", last_change=_when(req.updated_at)))
    hierarchy = [
        ReqIFSpecHierarchy(identifier=f"rb-node-{req.uid}", spec_object=f"rb-{req.uid}", level=1,
                           last_change=_when(req.updated_at))
        for req in reqs
    ]
    specification = ReqIFSpecification("rb-specification", last_change=stamp, long_name="Requirements",
                                       specification_type=SPEC_TYPE, children=hierarchy or None)
    content = ReqIFReqIFContent(data_types=_datatypes(stamp), spec_types=spec_types, spec_objects=objects,
                                spec_relations=relations, specifications=[specification])
    namespaces = ReqIFNamespaceInfo.create_default()
    bundle = ReqIFBundle(
        namespace_info=namespaces,
        req_if_header=ReqIFReqIFHeader(
            identifier=f"rb-header-{board.generation}", creation_time=stamp, req_if_tool_id=TOOL,
            req_if_version="1.0", source_tool_id=TOOL, title="Requirements"),
        core_content=ReqIFCoreContent(content), tool_extensions_tag_exists=False,
        lookup=None, exceptions=[],  # the unparser does not look things up
    )
    return _finish(ReqIFUnparser.unparse(bundle)).encode("utf-8")


def _finish(xml: str) -> str:
    """Character references the library's templates do not write: a line break or a tab inside an
    attribute value would otherwise be read back as a space (XML attribute-value normalisation)."""
    return xml.replace(_NEWLINE, "&#10;").replace("\t", "&#9;")


# ------------------------------------------------------------------ import
def xhtml_text(the_value: Any) -> str:
    """The plain text of an XHTML attribute value (THE-VALUE element).

    Our own exports (a div with white-space:pre-wrap) come back exactly; other tools' XHTML is read as
    a browser shows it: blocks and <br/> make line breaks, runs of spaces become one, list items get "- ".
    """
    if the_value is None:
        return ""
    children = [c for c in the_value if isinstance(c.tag, str)]
    if len(children) == 1 and _local(children[0]) == "div" and _PRE_WRAP in (children[0].get("style") or "").replace(" ", ""):
        return _exact_text(children[0])
    parts: list[str] = []
    _flow_text(the_value, parts, pre=False)
    text = "".join(parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _local(node: Any) -> str:
    return etree.QName(node).localname.lower() if isinstance(node.tag, str) else ""


def _exact_text(node: Any) -> str:
    out = [node.text or ""]
    for child in node:
        if _local(child) == "br":
            out.append("\n")
        elif isinstance(child.tag, str):
            out.append(_exact_text(child))
        out.append(child.tail or "")
    return "".join(out)


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "pre",
           "blockquote", "dl", "dt", "dd", "address", "hr"}


def _flow_text(node: Any, out: list[str], *, pre: bool) -> None:
    def add(text: str | None) -> None:
        if text:
            out.append(text if pre else re.sub(r"\s+", " ", text))

    add(node.text)
    for child in node:
        name = _local(child)
        if name == "br":
            out.append("\n")
        elif name:
            block = name in _BLOCKS and name != "li"
            if block:
                out.append("\n\n" if name in ("p", "pre", "table", "blockquote") else "\n")
            if name == "li":
                out.append("\n- ")
            _flow_text(child, out, pre=pre or name == "pre")
            if block:
                out.append("\n")
        add(child.tail)


def _uid_for(identifier: str) -> str:
    match = re.fullmatch(r"rb-([0-9a-f]{32})", identifier)
    if match:
        return match.group(1)
    return hashlib.sha256(f"reqif:{identifier}".encode()).hexdigest()[:32]


def _plain(value: Any) -> str:
    """A value read as text: an enumeration's one value, nothing for none (or several)."""
    if isinstance(value, list):
        return str(value[0]) if len(value) == 1 else ""
    return "" if value is None else str(value)


def _foreign_id(values: dict[str, Any]) -> str:
    """An object's ReqIF.ForeignID (its id in the tool that wrote it), or "" when it has none."""
    return _plain(next((value for name, value in values.items() if _folded(name) == "reqifforeignid"), None)).strip()


@functools.cache
def _requirement_key() -> TypeAdapter[str]:
    return TypeAdapter(RequirementKey)


def _key_refusal(key: str) -> str | None:
    """Why `key` cannot be a key on a board (the models' own rule, in their words), or None."""
    try:
        key_number(key)
        _requirement_key().validate_python(key)
    except ValidationError as exc:
        reason = "; ".join(validation_message(exc).errors.values())
        return _("{key} is not a key a board can hold ({reason}): {advice}").format(
            key=_shown(key), reason=reason, advice=_(_KEY_ADVICE))
    except ValueError as exc:
        return problem_at(_one_line(str(exc)), _(_KEY_ADVICE))
    return None


_KEY_ADVICE = N_("correct it, or leave ReqIF.ForeignID out to import the object under a new key")


def _attribute(name: str) -> str:
    """`attribute ReqIF.Name`: where a value is in a SPEC-OBJECT, as a message names it."""
    return _("attribute {name}").format(name=name)


class _Identities:
    """The first SPEC-OBJECT with each identity (IDENTIFIER, ReqIF.ForeignID): a second is refused, naming both.

    Two objects with one identity would become two requirements with one uid (which breaks the next
    export and every merge) or both claim one key.
    """

    def __init__(self) -> None:
        self.first: dict[tuple[str, str], tuple[int, str]] = {}

    def check(self, record: Incoming, position: int, foreign_id: str, *, numbered: bool = False) -> None:
        """Add a problem to `record` (the `position`th SPEC-OBJECT) when an earlier one has its identity
        (`numbered`: its uid comes from its module and DOORS Absolute Number, not its IDENTIFIER)."""
        # The uid stands for the IDENTIFIER (the rb- identifier's uid or the identifier's hash), or for the
        # module and Absolute Number.
        claims = [("Absolute Number" if numbered else "IDENTIFIER", record.uid or "")]
        if foreign_id:
            claims.append(("ReqIF.ForeignID", record.key or foreign_id))  # req-5 and REQ-5 are one key
        for what, value in claims:
            position_before, where_before = self.first.setdefault((what, value), (position, record.where))
            if position_before != position:
                message = _("it has the {what} of {where} (SPEC-OBJECTs number {first} and {second} in the file): one "
                            "{what} names one requirement, so give one of them another").format(
                                what=what, where=where_before, first=position_before, second=position)
                record.problems.append(("", message))
                return


def _folded(name: str) -> str:
    """A name as conventions are matched: case, dots, spaces, `_` and `-` ignored (ReqIF.Name = ReqIFName)."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


# What other tools call a requirement's title and text, best first: DOORS (Object Heading / Object Text,
# by LONG-NAME or by the identifier suffix of its per-module definitions), Capella (ReqIFName, ReqIFText),
# Polarion, ReqIF Studio, StrictDoc (ReqIF.Name / ReqIF.Text), Enterprise Architect and ProR (user-named
# attributes: Name, Title, Description, Text).
_TITLE_NAMES = ("reqifname", "objectheading", "objectshorttext", "title", "name", "heading", "reqiflongname",
                "summary")
_TEXT_NAMES = ("reqiftext", "objecttext", "text", "description", "reqifdescription", "statement", "notes")
_HEADING_NAMES = ("reqifchaptername", "objectheading")
_IDENTITY_NAMES = ("absolutenumber",)
_HEADING_TYPE_NAMES = frozenset({"heading", "chapter", "section", "headline"})
# Who and when in the tool that wrote the file: recognised, never imported (the board records its own).
_BOOKKEEPING_NAMES = frozenset({
    "createdby", "createdon", "lastmodifiedby", "lastmodifiedon", "modifiedby", "modifiedon", "author",
    "createdthru", "reqifforeigncreatedby", "reqifforeigncreatedon", "reqifforeignmodifiedby",
    "reqifforeignmodifiedon", "reqifforeigncreatedthru", "reqifprefix", "reqifidentifier",
})
_DOORS_SUFFIXES = {"_objectheading": "objectheading", "_objecttext": "objecttext",
                   "_objectshorttext": "objectshorttext", "_absolutenumber": "absolutenumber",
                   "_createdby": "createdby", "_createdon": "createdon", "_lastmodifiedby": "lastmodifiedby",
                   "_lastmodifiedon": "lastmodifiedon", "_createdthru": "createdthru"}
_CANONICAL = {attr.field: attr.name.lower() for attr in ATTRS}
# The Implementation Guide's names as other tools spell them (Capella: ReqIFForeignID, ReqIFChapterName).
_BY_FOLDED = {_folded(attr.name): attr.name.lower() for attr in ATTRS if attr.name.startswith("ReqIF.")}
_NUMBERED = re.compile(r"^\d+(?:\.\d+)*\.?\s")


def _convention(name: str, identifier: str) -> str:
    """The conventional name (folded) an attribute goes by: its LONG-NAME, or what a DOORS identifier
    suffix says it is."""
    lowered = identifier.casefold()
    for suffix, known in _DOORS_SUFFIXES.items():
        if lowered.endswith(suffix):
            return known
    return _folded(name)


@dataclass
class _Value:
    """One attribute value of a SPEC-OBJECT, with what its definition says."""

    identifier: str
    name: str
    value: Any
    text: bool = True  # a STRING or XHTML value (a number, date or flag is never a title)


@dataclass
class _Column:
    """What the file holds in one attribute definition, over all objects: for `Unmapped`."""

    name: str
    identifier: str
    sample: str = ""
    count: int = 0


class _Reader:
    def __init__(self, bundle: ReqIFBundle, mapping: Mapping[str, str] | None = None) -> None:
        self.bundle = bundle
        self.lookup = bundle.lookup
        content = bundle.core_content.req_if_content if bundle.core_content else None
        self.content = content or ReqIFReqIFContent()
        self.ignored: dict[str, int] = {}
        self.headings = 0
        self.notes: list[str] = []
        self.numbered: set[str] = set()
        """The uids made from a module and a DOORS Absolute Number."""
        self.mapping = {name.casefold(): field for name, field in (mapping or {}).items()}
        self.used_mapping: set[str] = set()
        self.columns: dict[str, _Column] = {}
        self.unmapped: dict[str, _Column] = {}
        # Every attribute definition of the file, whichever type defines it: a partial export's object
        # whose type is missing still names definitions another type holds.
        self.definitions: dict[str, SpecAttributeDefinition] = {}
        for spec_type in self.content.spec_types or []:
            if isinstance(spec_type, ReqIFSpecObjectType):
                self.definitions.update(spec_type.attribute_map)
        self.undefined_types: dict[str, int] = {}
        self.undefined_enums: dict[str, int] = {}
        self.unknown_datatypes: set[str] = set()

    def _enum_name(self, definition: SpecAttributeDefinition | None, ref: str) -> str:
        try:
            assert definition is not None
            datatype = self.lookup.get_data_type_by_ref(definition.datatype_definition)
            value = datatype.values_map[ref]
        except (KeyError, AttributeError, AssertionError):
            self.undefined_enums[ref] = self.undefined_enums.get(ref, 0) + 1
            return ref
        return value.long_name or value.other_content or value.key or ref

    def _datatype_known(self, definition: SpecAttributeDefinition) -> None:
        ref = definition.datatype_definition
        if not ref or ref in self.unknown_datatypes:
            return
        try:
            self.lookup.get_data_type_by_ref(ref)
        except (KeyError, AttributeError):
            self.unknown_datatypes.add(ref)

    def values(self, obj: ReqIFSpecObject, definitions: dict[str, SpecAttributeDefinition]) -> list[_Value]:
        out: list[_Value] = []
        for attribute in obj.attributes:
            definition = definitions.get(attribute.definition_ref) or self.definitions.get(attribute.definition_ref)
            if definition is not None:
                self._datatype_known(definition)
            name = (definition.long_name if definition and definition.long_name else attribute.definition_ref)
            name = name or _("(a value without DEFINITION)")  # reported among the ignored attributes
            value: Any
            if attribute.attribute_type is AT.ENUMERATION:
                value = [self._enum_name(definition, ref) for ref in attribute.value]
            elif attribute.attribute_type is AT.XHTML:
                node = attribute.xml_node.find("THE-VALUE") if attribute.xml_node is not None else None
                value = xhtml_text(node)
            else:
                value = attribute.value
            out.append(_Value(attribute.definition_ref or "", name, value,
                              attribute.attribute_type in (AT.STRING, AT.XHTML)))
        return out

    def _tolerance_notes(self) -> list[str]:
        notes = []
        for type_ref, n in sorted(self.undefined_types.items()):
            notes.append(_("{n} SPEC-OBJECT(s) name the type {type}, which the file does not define (a partial "
                           "export?): their values were read by their attribute definitions").format(
                               n=n, type=_shown(type_ref)))
        for ref in sorted(self.unknown_datatypes):
            notes.append(_("the datatype {datatype} is not defined in the file: its attributes' values were read "
                           "as text").format(datatype=_shown(ref)))
        for ref, n in sorted(self.undefined_enums.items()):
            notes.append(_("the enumeration value {value} is not defined in the file ({n} use(s)): it was read "
                           "by its identifier").format(value=_shown(ref), n=n))
        return notes

    def records(self) -> tuple[list[Incoming], list[str]]:
        problems: list[str] = []
        records: list[Incoming] = []
        by_identifier: dict[str, Incoming] = {}
        relation_fields = self._relation_types()
        identities = _Identities()
        sections, modules = self._structure()
        for position, obj in enumerate(self.content.spec_objects or [], start=1):
            where = f"SPEC-OBJECT {_shown(obj.identifier)}"
            try:
                spec_type = self.lookup.get_spec_type_by_ref(obj.spec_object_type)
                definitions = spec_type.attribute_map
            except (KeyError, AttributeError, TypeError):
                type_ref = str(obj.spec_object_type or "")
                self.undefined_types[type_ref] = self.undefined_types.get(type_ref, 0) + 1
                definitions = {}
            values = self.values(obj, definitions)
            defined = {(d.long_name or d.identifier).lower() for d in definitions.values()}
            record = self._record(obj, where, values, defined, sections.get(obj.identifier),
                                  modules.get(obj.identifier, ""))
            if record is None:
                continue
            identities.check(record, position, _foreign_id({v.name: v.value for v in values}),
                             numbered=record.uid in self.numbered)
            for relation_field in relation_fields.values():
                record.fields.setdefault(relation_field, [])
            records.append(record)
            by_identifier.setdefault(obj.identifier, record)
        for relation in self.content.spec_relations or []:
            field = relation_fields.get(relation.relation_type_ref)
            if field is None:
                self._ignore(_("relation type {name!r}").format(name=self._relation_name(relation.relation_type_ref)))
                continue
            source = by_identifier.get(relation.source)
            if source is None:
                if relation.source in self.heading_ids:
                    continue  # a link from a chapter heading: no requirement to hold it
                problems.append(problem_at(f"SPEC-RELATION {_shown(relation.identifier)}", _(
                    "its SOURCE {source} is not a requirement in this file").format(source=_shown(str(relation.source)))))
                continue
            if not relation.target:
                problems.append(problem_at(f"SPEC-RELATION {_shown(relation.identifier)}",
                                           _("its TARGET names no SPEC-OBJECT")))
                continue
            target = by_identifier.get(relation.target)
            if target is None and relation.target in self.heading_ids:
                continue
            source.fields[field].append(Ref(_shown(str(relation.target)), target,
                                            None if target else _uid_for(relation.target)))
            source.labels.setdefault(field, f"SPEC-RELATION {_shown(relation.identifier)}")
        for record in records:
            for field in relation_fields.values():
                record.fields[field] = tuple(record.fields[field])
        self.notes.extend(self._tolerance_notes())
        return records, problems

    def _relation_name(self, type_ref: str) -> str:
        try:
            return self.lookup.get_spec_type_by_ref(type_ref).long_name or type_ref
        except KeyError:
            return type_ref

    def _relation_types(self) -> dict[str, str]:
        found = {}
        for spec_type in self.content.spec_types or []:
            if isinstance(spec_type, ReqIFSpecRelationType):
                name = (spec_type.long_name or spec_type.identifier).lower()
                if "depend" in name:
                    found[spec_type.identifier] = "depends_on"
                elif "conflict" in name:
                    found[spec_type.identifier] = "conflicts_with"
        return found

    def _ignore(self, what: str) -> None:
        self.ignored[what] = self.ignored.get(what, 0) + 1

    # ---------------------------------------------------------------- structure
    def _structure(self) -> tuple[dict[str, str], dict[str, str]]:
        """Each object's section (the path of the heading objects above it in its SPECIFICATION) and
        module (the SPECIFICATION's name), by SPEC-OBJECT identifier. Heading objects are noted in
        `heading_ids` (they become sections, not requirements)."""
        objects = {obj.identifier: obj for obj in self.content.spec_objects or []}
        self.heading_ids: set[str] = set()
        for identifier, obj in objects.items():
            if self._heading_text(obj) is not None:
                self.heading_ids.add(identifier)
        sections: dict[str, str] = {}
        modules: dict[str, str] = {}

        shortened = deep = False

        def walk(nodes: list[Any] | None, path: tuple[str, ...], numbers: tuple[int, ...], module: str,
                 depth: int) -> None:
            nonlocal shortened, deep
            counter = 0
            for node in nodes or []:
                identifier = node.spec_object
                if depth > MAX_HIERARCHY_DEPTH:  # deeper than any document (or a node within itself)
                    deep = True
                    return
                modules.setdefault(identifier, module)
                if identifier in self.heading_ids:
                    counter += 1
                    heading = _one_line(self._heading_text(objects[identifier]) or "", MAX_HEADING)
                    mark = ".".join(map(str, (*numbers, counter)))
                    label = heading if _NUMBERED.match(heading + " ") else f"{mark} {heading}"
                    walk(node.children, (*path, label), (*numbers, counter), module, depth + 1)
                else:
                    section, cut = _section_path(path)
                    shortened = shortened or cut
                    sections.setdefault(identifier, section)
                    walk(node.children, path, numbers, module, depth + 1)

        for specification in self.content.specifications or []:
            walk(specification.children, (), (), specification.long_name or specification.identifier, 0)
        if shortened:
            self.notes.append(_("a section path longer than {n} characters was shortened to its deepest "
                                "headings").format(n=MAX_SECTION))
        if deep:
            self.notes.append(_("the SPEC-HIERARCHY is more than {n} levels deep (or holds a node within "
                                "itself): what lies deeper has no section").format(n=MAX_HIERARCHY_DEPTH))
        return sections, modules

    def _heading_text(self, obj: ReqIFSpecObject) -> str | None:
        """The heading of a heading-only object (a chapter: a heading, no text, no title), else None."""
        found: dict[str, Any] = {}
        for attribute in obj.attributes:
            definition = self.definitions.get(attribute.definition_ref)
            name = definition.long_name if definition and definition.long_name else attribute.definition_ref or ""
            mapped = self.mapping.get(name.casefold()) or self.mapping.get((attribute.definition_ref or "").casefold())
            role = mapped or _convention(name, attribute.definition_ref or "")
            value = attribute.value
            if attribute.attribute_type is AT.XHTML:
                node = attribute.xml_node.find("THE-VALUE") if attribute.xml_node is not None else None
                value = xhtml_text(node)
            found[role] = _plain(value).strip() if not isinstance(value, list) else ""
        heading = next((found[n] for n in _HEADING_NAMES if found.get(n)), "")
        if not heading and self._heading_type(obj):  # a chapter type titled by a title attribute (StrictDoc's TITLE)
            heading = next((found[n] for n in _TITLE_NAMES if found.get(n)), "")
        texts = ("description", "title", *_TEXT_NAMES, "reqifname")
        if not heading or (any(found.get(n) for n in texts) and not self._heading_type(obj)):
            return None
        return " ".join(heading.split())

    def _heading_type(self, obj: ReqIFSpecObject) -> bool:
        """Whether the object's SPEC-OBJECT-TYPE is a tool's type for chapters (Polarion's "Heading",
        StrictDoc's "SECTION"): such an object is a chapter even with text (Polarion repeats the heading there)."""
        try:
            spec_type = self.lookup.get_spec_type_by_ref(obj.spec_object_type)
        except (KeyError, AttributeError, TypeError):
            return False
        return _folded(spec_type.long_name or "") in _HEADING_TYPE_NAMES

    # ---------------------------------------------------------------- one object
    def _role(self, value: _Value) -> str | None:
        """The canonical (ATTRS) name of the field a value fills, "" for one recognised but not imported,
        None for one neither recognised nor mapped."""
        for name in (value.name, value.identifier):
            field = self.mapping.get(name.casefold())
            if field is not None:
                self.used_mapping.add(name.casefold())
                if field == "-":
                    return ""
                return "identity" if field == "key" else _CANONICAL[field]
        if value.name.lower() in _BY_NAME or value.name.lower() in ("reqif.description",):
            return value.name.lower()
        if _folded(value.name) in _BY_FOLDED:  # Capella's ReqIFForeignID, ReqIF_Category, ...
            return _BY_FOLDED[_folded(value.name)]
        known = _convention(value.name, value.identifier)
        if known in _BOOKKEEPING_NAMES:
            return ""
        if known in _IDENTITY_NAMES:
            return "identity"
        return None

    def _note_column(self, value: _Value, unmapped: bool) -> None:
        if _convention(value.name, value.identifier) in (*_BOOKKEEPING_NAMES, *_IDENTITY_NAMES):
            return  # recognised, never a title: not worth naming
        text = _plain(value.value) if not isinstance(value.value, list) else ", ".join(map(str, value.value))
        if not text.strip():
            return
        table = self.unmapped if unmapped else self.columns
        column = table.setdefault(value.identifier or value.name, _Column(value.name, value.identifier))
        column.count += 1
        if not column.sample:
            column.sample = _one_line(text, 80)

    def _record(self, obj: ReqIFSpecObject, where: str, values: list[_Value], defined: set[str],
                section: str | None, module: str) -> Incoming | None:
        if obj.identifier in self.heading_ids:
            self.headings += 1
            return None
        lowered: dict[str, Any] = {}
        labels: dict[str, str] = {}
        conventional: dict[str, tuple[int, Any, str]] = {}  # field -> (rank, value, attribute name)
        identity = ""
        readable: list[str] = []  # texts not ignored: where the last-resort title is found
        for value in values:
            role = self._role(value)
            if role not in ("", "identity") and value.text and not isinstance(value.value, list):
                readable.append(_plain(value.value))
            self._note_column(value, unmapped=role is None and _convention(value.name, value.identifier) not in (
                *_TITLE_NAMES, *_TEXT_NAMES, *_HEADING_NAMES))
            if role == "identity":
                identity = _plain(value.value).strip()
                continue
            if role == "":
                continue
            if role is not None:
                lowered.setdefault(role, value.value)
                labels.setdefault(role, value.name)
                continue
            known = _convention(value.name, value.identifier)
            for field, names in (("title", _TITLE_NAMES + _HEADING_NAMES), ("description", _TEXT_NAMES)):
                if known in names:
                    rank = names.index(known)
                    if field not in conventional or rank < conventional[field][0]:
                        conventional[field] = (rank, value.value, value.name)
                    break
            else:
                self._ignore(_("attribute {name!r}").format(name=value.name))
        if "reqif.chaptername" in lowered and "reqif.name" not in lowered and "title" not in conventional:
            # Another tool's chapter name on an object with text: its heading, used as its title.
            conventional["title"] = (0, lowered.pop("reqif.chaptername"), labels.pop("reqif.chaptername"))
        for field, (_rank, raw, name) in conventional.items():
            if _CANONICAL[field] not in lowered and _plain(raw).strip():
                lowered[_CANONICAL[field]] = raw
                labels[_CANONICAL[field]] = name
        if section and "reqif.chaptername" not in lowered:
            lowered["reqif.chaptername"] = section
            labels["reqif.chaptername"] = "SPEC-HIERARCHY"
        text = _plain(lowered.get("reqif.text", lowered.get("reqif.description")))
        record = Incoming(where=where, uid=_uid_for(obj.identifier))
        if identity:  # DOORS' Absolute Number: the same object in the next export, whatever its IDENTIFIER
            record.uid = hashlib.sha256(f"reqif-object:{module}:{identity}".encode()).hexdigest()[:32]
            record.where = _("{element} (Absolute Number {number})").format(element=where, number=_shown(identity))
            self.numbered.add(record.uid)
        foreign_id = _foreign_id({v.name: v.value for v in values})
        if foreign_id:
            record.where = _("{element} ({foreign_id})").format(element=where, foreign_id=_shown(foreign_id))
        label = _attribute("ReqIF.ForeignID")
        number = foreign_id[4:] if foreign_id[:4].upper() == "REQ-" else ""
        if number.isascii() and number.isdigit() and not number.startswith("0"):
            refusal = _key_refusal("REQ-" + number)
            if refusal:
                record.problems.append((label, refusal))
            else:
                record.key = "REQ-" + number
                record.labels["key"] = label
        elif number.isnumeric() and not number.isascii():  # REQ-² or REQ-١٢ poses as a key: say so
            message = _("{foreign_id} looks like a requirement key but its number is not written with the digits "
                        "0-9: {advice}").format(foreign_id=_shown(foreign_id), advice=_(_KEY_ADVICE))
            record.problems.append((label, message))
        # Another tool's id (PORTAL-7, REQ-007) is no key of ours: the object is matched by its IDENTIFIER.
        for attr in ATTRS:
            if attr.field in ("key", *_INFORMATIONAL):
                continue
            name = attr.name.lower()
            label = _attribute(labels.get(name, attr.name))
            record.labels[attr.field] = label
            if name not in lowered and name not in defined:
                continue  # the file does not carry this field at all: leave it as it is
            raw = lowered.get(name)
            try:
                self._set(record, attr, raw)
            except ValidationError as exc:  # a ValueError too, but with one line per error
                record.problems.append((label, "; ".join(validation_message(exc).errors.values())))
            except ValueError as exc:  # CellError says what the value should be; any other, what is wrong
                record.problems.append((label, _one_line(str(exc))))
        if "description" not in record.fields and "reqif.description" in lowered:
            record.fields["description"] = _plain(lowered["reqif.description"])
            record.labels["description"] = _attribute("ReqIF.Description")
        if not record.fields.get("title"):
            fallback = " ".join((obj.long_name or "").split()) or " ".join((obj.description or "").split())
            longest = max(readable, key=len, default="")
            first = fallback or next((line.strip() for line in (text or longest).splitlines() if line.strip()), "")
            if first:
                record.fields["title"] = first if len(first) <= 200 else first[:199] + "…"
        if "tier" in record.fields and record.fields["tier"] is None and record.fields.get("customer"):
            # No tier in the file: the customer's, as a new requirement gets it, so that importing the
            # same file again does not clear the tier the first import filled in.
            del record.fields["tier"]
        return record

    def _set(self, record: Incoming, attr: Attr, raw: Any) -> None:
        if isinstance(raw, list):  # enumeration: one value at most
            if len(raw) > 1:
                raise csv_io.CellError(_("has {n} values; it takes one").format(n=len(raw)))
            raw = raw[0] if raw else None
        text = "" if raw is None else str(raw)
        if attr.field == "version":
            record.version = csv_io.parse_version(text)
            return
        column = csv_io.COLUMNS_BY_FIELD[attr.field]
        record.fields[attr.field] = column.parse(text)


class _Unreadable(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


_SAVE_AS_UTF8 = N_("save it as UTF-8 (the encoding ReqIF files are written in) and import it again")
# UTF-32 first: its little-endian mark FF FE 00 00 starts like UTF-16's FF FE.
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                     (codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_ENCODINGS = {"UTF-8": "UTF-8", "UTF8": "UTF-8", "UTF-16": "UTF-16", "UTF16": "UTF-16"}
_DECLARATION = re.compile(r"""<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1"""
                          r"""(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?"""
                          r"""(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*\?>""")


# What libxml2 says of a file that is not well-formed XML (the common ones), as it words them.
_XML_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Document is empty"), N_("Document is empty")),
    (re.compile(r"Start tag expected, '<' not found"), N_("Start tag expected, '<' not found")),
    (re.compile(r"Opening and ending tag mismatch: (?P<opening>\S+) line (?P<at>\d+) and (?P<ending>\S+)"),
     N_("Opening and ending tag mismatch: {opening} line {at} and {ending}")),
    (re.compile(r"Premature end of data in tag (?P<tag>\S+) line (?P<at>\d+)"),
     N_("Premature end of data in tag {tag} line {at}")),
    (re.compile(r"Couldn't find end of Start Tag (?P<tag>\S+) line (?P<at>\d+)"),
     N_("Couldn't find end of Start Tag {tag} line {at}")),
    (re.compile(r"Extra content at the end of the document"), N_("Extra content at the end of the document")),
    (re.compile(r"Invalid bytes in character encoding"), N_("Invalid bytes in character encoding")),
    (re.compile(r"AttValue: \" or ' expected"), N_("AttValue: \" or ' expected")),
    (re.compile(r"EntityRef: expecting ';'"), N_("EntityRef: expecting ';'")),
    (re.compile(r"PCDATA invalid Char value (?P<value>\d+)"), N_("PCDATA invalid Char value {value}")),
)
_XML_AT = re.compile(r"(?P<problem>.*), line (?P<line>\d+), column (?P<column>\d+)", re.DOTALL)


def _xml_words(detail: str) -> str:
    """libxml2's words for XML it cannot read (`Document is empty, line 1, column 1`) in the current
    language where they are common ones; in English as libxml2 wrote them."""
    if language() == ENGLISH:
        return detail
    at = _XML_AT.fullmatch(detail)
    problem = library_words(at["problem"] if at else detail, _XML_WORDS)
    if at:
        return _("{problem}, line {line}, column {column}").format(problem=problem, line=at["line"],
                                                                     column=at["column"])
    return problem


MAX_SECTION = 300
"""As long as a requirement's section may be (store.models)."""
MAX_HEADING = 80
"""How much of one heading a section path keeps."""
MAX_HIERARCHY_DEPTH = 64


def _section_path(path: tuple[str, ...]) -> tuple[str, bool]:
    """The headings above a requirement as its section, and whether it had to be shortened: a path
    longer than a section may be keeps its deepest headings after "… / "."""
    joined = " / ".join(path)
    if len(joined) <= MAX_SECTION:
        return joined, False
    kept: list[str] = []
    for heading in reversed(path):
        if len(" / ".join(["…", heading, *kept])) > MAX_SECTION:
            break
        kept.insert(0, heading)
    return " / ".join(["…", *kept]), True


def _one_line(text: str, limit: int = 200) -> str:
    """Text for a one-line message: runs of white space (line breaks too) as one space, long text cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(name: str, limit: int = 100) -> str:
    """A name from the file as a message shows it: as it is when printable, else quoted with escapes."""
    if name and name.isprintable() and len(name) <= limit:
        return name
    shown = repr(name)
    return shown if len(shown) <= limit else shown[: limit - 2] + "…" + shown[0]


def _declared_encoding(head: str) -> str | None:
    """The encoding named by the XML declaration at the start of `head`, or None when none is named."""
    if not re.match(r"<\?xml[\s?]", head):
        return None
    match = _DECLARATION.match(head)
    if match is None:
        first = _one_line(head.split("\n", 1)[0], 80)
        raise _Unreadable(_('the XML declaration on line 1 is malformed ({line}): it should read '
                            '<?xml version="1.0" encoding="UTF-8"?>').format(line=first))
    return match.group(3)


def _utf8_payload(data: bytes) -> bytes:
    """The file's XML as UTF-8 bytes without a byte order mark.

    Only UTF-8 and UTF-16 are read, and only when the byte order mark (if any), the XML declaration
    (if any) and the bytes themselves agree; a mis-declared file would otherwise import as mojibake.
    Raises _Unreadable naming what disagrees.
    """
    mark = next(((bom, name) for bom, name in _BYTE_ORDER_MARKS if data.startswith(bom)), None)
    if mark is not None and mark[1] == "UTF-32":
        raise _Unreadable(_("the file is UTF-32 text, which reqboard does not read: {advice}").format(
            advice=_(_SAVE_AS_UTF8)))
    if mark is None and data[:2] in (b"<\x00", b"\x00<"):
        raise _Unreadable(_("the file looks like UTF-16 text without the byte order mark XML requires for it: "
                            "{advice}").format(advice=_(_SAVE_AS_UTF8)))
    actual = mark[1] if mark else "UTF-8"
    body = data[len(mark[0]):] if mark and actual == "UTF-8" else data
    codec = "utf-8" if actual == "UTF-8" else "utf-16"
    declared = _declared_encoding(body[:400].decode(codec, "replace"))
    if declared is not None:
        named = _ENCODINGS.get(declared.upper())
        if named is None:
            raise _Unreadable(_('the file declares encoding="{encoding}"; reqboard reads ReqIF files in UTF-8 or '
                                'UTF-16 only: {advice}').format(encoding=_shown(declared), advice=_(_SAVE_AS_UTF8)))
        if named != actual:
            if mark:
                message = _('the file declares encoding="{encoding}" but starts with a {actual} byte order mark: '
                            'the declaration and the bytes must agree; {advice}')
            else:
                message = _('the file declares encoding="{encoding}" but has no UTF-16 byte order mark (it reads '
                            'as UTF-8): the declaration and the bytes must agree; {advice}')
            raise _Unreadable(message.format(encoding=declared, actual=actual, advice=_(_SAVE_AS_UTF8)))
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)  # count the byte order mark too
        if actual == "UTF-16":
            raise _Unreadable(_("the file is not valid UTF-16: bytes {first}-{last} ({reason}): {advice}").format(
                first=offset, last=offset + exc.end - exc.start - 1, reason=exc.reason,
                advice=_(_SAVE_AS_UTF8))) from None
        line = body[: exc.start].count(b"\n") + 1
        if declared:
            message = _("the file says it is UTF-8 but is not: byte {offset} (line {line}) is {byte}; it may be "
                        "Latin-1, Windows-1252 or GB18030 text: {advice}")
        else:
            message = _("the file is not UTF-8 text: byte {offset} (line {line}) is {byte}; it may be Latin-1, "
                        "Windows-1252 or GB18030 text: {advice}")
        raise _Unreadable(message.format(offset=offset, line=line, byte=f"0x{body[exc.start]:02X}",
                                         advice=_(_SAVE_AS_UTF8))) from None
    return body if actual == "UTF-8" else text.encode("utf-8")


def _parse_xml(payload: bytes) -> Any:
    """The root element of UTF-8 XML, parsed without expanding or fetching anything.

    Entities are never resolved, no DTD or network resource is loaded, the parser's size and depth
    limits stay on; comments and processing instructions are dropped (their text is no content), so
    they import as nothing wherever they are. A DOCTYPE is refused: ReqIF has none, and one that
    declares entities is how a file expands to gigabytes or reads other files. Raises _Unreadable.
    """
    try:
        root = etree.fromstring(payload, etree.XMLParser(**_SAFE_PARSING, remove_comments=True, remove_pis=True))
    except etree.LxmlError as exc:
        if _has_doctype(payload):  # the parser's own limits stopped what the DOCTYPE set up: say why
            raise _Unreadable(_(_DOCTYPE_REFUSED).format(entities="")) from None
        detail = _one_line(exc.msg if isinstance(exc, etree.XMLSyntaxError) and exc.msg else str(exc))
        # libxml2 suggests an option that lifts its limits; they stay on, so the hint would mislead.
        detail = re.sub(r",? (?:use|try) XML_PARSE_HUGE(?: option)?", " (more than reqboard reads)", detail)
        raise _Unreadable(_("the file is not a readable ReqIF document: it is not well-formed XML ({detail})").format(
            detail=_xml_words(detail))) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        dtd = docinfo.internalDTD
        entities = sorted({entity.name for entity in dtd.iterentities()}) if dtd is not None else []
        named = _(" (entities {names}, which are never expanded)").format(
            names=_one_line(", ".join(entities), 80)) if entities else ""
        raise _Unreadable(_(_DOCTYPE_REFUSED).format(entities=named))
    return root


_SAFE_PARSING: dict[str, Any] = {"encoding": "utf-8", "resolve_entities": False, "no_network": True,
                                 "load_dtd": False, "huge_tree": False}
_DOCTYPE_REFUSED = N_("the file declares a DOCTYPE or entities, which ReqIF does not use{entities}: remove its "
                      "<!DOCTYPE …> declaration and import it again")


class _DoctypeSeen:
    """A parser target that notes whether the document declares a DOCTYPE and keeps nothing else."""

    def __init__(self) -> None:
        self.seen = False

    def doctype(self, name: str | None, public_id: str | None, system_url: str | None) -> None:
        self.seen = True

    def close(self) -> bool:
        return self.seen


def _has_doctype(payload: bytes) -> bool:
    """Whether XML that failed to parse declared a DOCTYPE before it failed (the prolog comes first)."""
    target = _DoctypeSeen()
    try:
        etree.fromstring(payload, etree.XMLParser(**_SAFE_PARSING, target=target))
    except etree.LxmlError:
        pass  # it fails again, where it failed before; the DOCTYPE, if any, was seen on the way
    return target.seen


def _bundle(root: Any) -> ReqIFBundle:
    """The reqif library's reading of the parsed document. Raises _Unreadable."""
    # The library parses text itself (with its own parser); it gets the checked tree's serialisation,
    # which holds no DOCTYPE, entity, comment or processing instruction any more.
    text = etree.tostring(root, encoding="unicode")
    try:
        bundle = ReqIFParser.parse_from_string(text)
    except ReqIFXMLParsingError as exc:
        raise _Unreadable(_("the file is not a readable ReqIF document: {detail}").format(
            detail=_one_line(str(exc)))) from None
    except Exception as exc:  # the library meets a malformed structure with several kinds; all mean that
        raise _Unreadable(_("the file is not a readable ReqIF document: an element ReqIF 1.0 requires is missing "
                            "or malformed {where}; the tool that wrote the file, or a ReqIF validator, can say "
                            "more").format(where=_where_library_stopped(exc))) from None
    if bundle.core_content is None or bundle.core_content.req_if_content is None:
        raise _Unreadable(_("the file has no CORE-CONTENT / REQ-IF-CONTENT: nothing to import"))
    return bundle


_KINDS = ("BOOLEAN", "DATE", "ENUMERATION", "INTEGER", "REAL", "STRING", "XHTML")
# What each list of the content may hold, as the reqif library reads it; anything else stops its parser.
_ALLOWED = {
    "DATATYPES": {f"DATATYPE-DEFINITION-{kind}" for kind in _KINDS},
    "SPEC-ATTRIBUTES": {f"ATTRIBUTE-DEFINITION-{kind}" for kind in _KINDS},
    "VALUES": {f"ATTRIBUTE-VALUE-{kind}" for kind in _KINDS},
    "SPEC-TYPES": {"SPEC-OBJECT-TYPE", "SPEC-RELATION-TYPE", "SPECIFICATION-TYPE", "RELATION-GROUP-TYPE"},
}


def _tolerate(root: Any) -> list[str]:
    """Make a document the reqif library would refuse readable, saying what was left out.

    Tools write elements the library does not know (a datatype of their own, an extension inside the
    content) and partial exports leave out what the library requires (a value's DEFINITION, an object's
    TYPE, a hierarchy node's OBJECT). Unknown elements and values that cannot be read are removed, an
    object without a TYPE gets an empty one (its values are read by their definitions), a hierarchy node
    without an OBJECT gives its children to its parent. Returns one note per kind of change."""
    unknown: dict[str, int] = {}
    incomplete: dict[tuple[str, str], int] = {}

    def drop(node: Any) -> None:
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)

    def child(node: Any, name: str) -> Any:
        return next((c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name), None)

    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node).localname
        parent = node.getparent()
        parent_name = etree.QName(parent).localname if parent is not None else ""
        allowed = _ALLOWED.get(parent_name)
        holder = parent.getparent() if parent is not None else None
        if parent_name == "VALUES" and (holder is None or etree.QName(holder).localname == "ATTRIBUTE-VALUE-ENUMERATION"):
            allowed = None  # an enumeration value's VALUES hold ENUM-VALUE-REFs
        if allowed is not None and name not in allowed:
            unknown[name] = unknown.get(name, 0) + 1
            drop(node)
            continue
        missing = ""
        if name.startswith("ATTRIBUTE-VALUE-") and name in _ALLOWED["VALUES"]:
            if child(node, "DEFINITION") is None:
                missing = "DEFINITION"
            elif name == "ATTRIBUTE-VALUE-XHTML" and child(node, "THE-VALUE") is None:
                missing = "THE-VALUE"
            elif name not in ("ATTRIBUTE-VALUE-XHTML", "ATTRIBUTE-VALUE-ENUMERATION") and node.get("THE-VALUE") is None:
                missing = "THE-VALUE"
        elif name == "SPEC-RELATION" and child(node, "TYPE") is None:
            missing = "TYPE"
        elif name == "SPEC-OBJECT" and parent_name == "SPEC-OBJECTS" and child(node, "TYPE") is None:
            type_node = etree.SubElement(node, etree.QName(node, "TYPE"))
            etree.SubElement(type_node, etree.QName(node, "SPEC-OBJECT-TYPE-REF")).text = ""
            incomplete[(name, "TYPE")] = incomplete.get((name, "TYPE"), 0) + 1
        elif name == "SPEC-HIERARCHY" and child(node, "OBJECT") is None and parent is not None:
            children = child(node, "CHILDREN")
            at = parent.index(node)
            for offset, grandchild in enumerate(list(children) if children is not None else []):
                parent.insert(at + 1 + offset, grandchild)
            drop(node)
            incomplete[(name, "OBJECT")] = incomplete.get((name, "OBJECT"), 0) + 1
        if missing:
            incomplete[(name, missing)] = incomplete.get((name, missing), 0) + 1
            drop(node)
    notes = [_("left out {n} {element} element(s), which ReqIF 1.0 does not define (another tool's own "
               "extension?)").format(n=n, element=_shown(name)) for name, n in sorted(unknown.items())]
    for (name, missing), n in sorted(incomplete.items()):
        if name == "SPEC-OBJECT":
            notes.append(_("{n} SPEC-OBJECT(s) have no <TYPE>: their values were read by their attribute "
                           "definitions").format(n=n))
        elif name == "SPEC-HIERARCHY":
            notes.append(_("{n} SPEC-HIERARCHY node(s) name no <OBJECT>: their children were read one level "
                           "up").format(n=n))
        else:
            notes.append(_("left out {n} {element} element(s) without <{missing}>, which ReqIF requires").format(
                n=n, element=name, missing=missing))
    return notes


def _where_library_stopped(exc: Exception) -> str:
    """Where in the document the reqif library stopped: the innermost element it was reading.

    The library says nothing useful itself (an AttributeError on None, a bare assertion), but the
    element being read is a local of the frame that failed; reading it is for this message only.
    """
    frames = []
    trace = exc.__traceback__
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if isinstance(value, etree._Element) and isinstance(value.tag, str):
                name = etree.QName(value).localname
                identifier = value.get("IDENTIFIER")
                if identifier:
                    return _("in {element} {identifier}").format(element=name, identifier=_shown(identifier))
                parent = next((a for a in value.iterancestors() if a.get("IDENTIFIER")), None)
                if parent is None:
                    return _("in {element}").format(element=name)
                return _("in {element} in {parent} {identifier}").format(
                    element=name, parent=etree.QName(parent).localname, identifier=_shown(parent.get("IDENTIFIER", "")))
    return f"({type(exc).__name__})"


def _schema_problem(error: Exception) -> str:
    """An element the library skipped as malformed (a SPEC-RELATION without a TARGET), as a refusal."""
    if isinstance(error, ReqIFMissingTagException):
        node = error.xml_node
        identifier = node.get("IDENTIFIER")
        element = f"{etree.QName(node).localname} " + (_shown(identifier) if identifier else _("(no IDENTIFIER)"))
        return problem_at(element, _("it has no <{tag}> element, which ReqIF requires").format(tag=error.tag))
    if isinstance(error, ReqIFSchemaError):
        return _one_line(error.get_description().split("\n", 1)[0])
    return _one_line(str(error)) or type(error).__name__


def read_reqif(data: bytes, mapping: Mapping[str, str] | None = None) -> tuple[list[Incoming], list[str], list[str]]:
    """Parse a ReqIF file into records: (records, problems with the file, notes)."""
    read = read_reqif_file(data, mapping=mapping)
    return read.records, read.problems, read.notes


def read_reqif_file(data: bytes, *, mapping: Mapping[str, str] | None = None) -> ReadFile:
    """A ReqIF file's records for the import pipeline, with what is wrong with the file, what was
    ignored and the attributes neither recognised nor mapped (`mapping`: attribute LONG-NAME or
    IDENTIFIER -> field, see `mapping.parse_mapping`). Its records are planned even when the file has
    problems, so that the report names every refusal at once; nothing is written when anything is refused."""
    try:
        root = _parse_xml(_utf8_payload(data))
        left_out = _tolerate(root)
        bundle = _bundle(root)
    except _Unreadable as exc:
        return ReadFile("reqif", [], [str(exc)], [])
    reader = _Reader(bundle, mapping)
    reader.notes.extend(left_out)
    records, problems = reader.records()
    problems.extend(_schema_problem(error) for error in bundle.exceptions)
    notes = [_("ignored {what} ({n} values)").format(what=what, n=n) if n > 1 else _("ignored {what}").format(what=what)
             for what, n in sorted(reader.ignored.items())]
    if reader.headings:
        notes.append(_("skipped {n} heading object(s) (ReqIF.ChapterName)").format(n=reader.headings))
    notes.extend(reader.notes)
    for name in mapping or {}:
        if name.casefold() not in reader.used_mapping:
            notes.append(_("--map {name!r}: the file has no attribute of that LONG-NAME or IDENTIFIER").format(
                name=name))
    unmapped = sorted(reader.unmapped.values(), key=lambda c: (-c.count, c.name.casefold()))
    if not problems and not any(r.fields.get("title") or r.key for r in records):
        found = sorted({**reader.columns, **reader.unmapped}.values(), key=lambda c: (-c.count, c.name.casefold()))
        if found:
            names = ", ".join(ngettext("{name} ({n} object)", "{name} ({n} objects)", c.count).format(
                name=_shown(c.name, 60), n=c.count) for c in found[:6])
            problems.append(_("the file has no requirement reqboard recognises: its attributes are {names}; map the "
                              "one that holds the title, e.g. --map \"{first}=title\"").format(
                                  names=names, first=found[0].name))
            records = []  # that one line says it all: not once more for each object without a title
        elif not records:
            problems.append(_("the file has no requirements (no SPEC-OBJECT with ReqIF.Name or ReqIF.Text)"))
    return ReadFile("reqif", records, problems, notes,
                    unmapped=[Unmapped(c.name, c.identifier, c.sample, c.count) for c in unmapped])
