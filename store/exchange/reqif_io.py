"""ReqIF 1.0 (OMG) for DOORS, Polarion, ReqView, StrictDoc and friends, through the `reqif` library.

Export: one SPEC-OBJECT per requirement, in one SPECIFICATION, valid against the OMG ReqIF schema.
Attributes use the names of the ReqIF Implementation Guide, which other tools map without
configuration, and `reqboard.*` names for the rest:

    ReqIF.ForeignID            key (REQ-12)              STRING
    ReqIF.Name                 title                     STRING
    ReqIF.Text                 description               XHTML (line breaks as <br/>, spaces kept)
    ReqIF.Category             category                  STRING
    ReqIF.ForeignCreatedBy/On  created by / at           STRING / DATE
    ReqIF.ForeignModifiedBy/On updated by / at           STRING / DATE
    reqboard.state, .tier, .channel, .need_type, .kano, .feasibility      ENUMERATION
    reqboard.importance, .urgency, .business_value (1-5), .version        INTEGER
    reqboard.effort_estimate   REAL;  reqboard.customer, .owner, .due (YYYY-MM-DD), .tags (one per
    line), .acceptance_criteria ("[x] text" per line), .rejection_reason  STRING

`depends_on` and `conflicts_with` are SPEC-RELATIONs of the types "Depends on" and "Conflicts with"
(source: the requirement that depends or conflicts; target: the other one). A SPEC-OBJECT's
IDENTIFIER is `rb-` + the requirement's uid, so a file that went through another tool and back
updates the same requirements.

Import reads such files and files written with the same conventions by other tools: ReqIF.ForeignID
is used as the key only when it is a reqboard key (REQ-12); any other object is new, and remembered by
its IDENTIFIER (hashed into the uid) so that importing the same file again updates instead of
duplicating. Title: ReqIF.Name, else the first line of ReqIF.Text. Heading objects (ReqIF.ChapterName
without text) are skipped. Attributes that are not ours are listed in the report and ignored. Relation
types whose name mentions "depend" or "conflict" become links; others are ignored.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from lxml import etree
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
from ..models import Channel, Feasibility, Kano, NeedType, Requirement, State, Tier, now
from . import csv_io
from .merge import ImportSummary, Incoming, Ref, merge

XHTML_NS = "http://www.w3.org/1999/xhtml"
TOOL = "reqboard"
_NEWLINE = "\x00"  # stands for a line break inside a STRING value until the XML is written (see _finish)
_XML_INVALID = re.compile("[\ufffe\uffff]")
_PRE_WRAP = "white-space:pre-wrap"


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


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


_ENUMS: dict[str, type] = {
    "state": State, "tier": Tier, "channel": Channel, "need_type": NeedType, "kano": Kano,
    "feasibility": Feasibility,
}

ATTRS: tuple[Attr, ...] = (
    Attr("ReqIF.ForeignID", AT.STRING, "rb-dt-string", "key"),
    Attr("ReqIF.Name", AT.STRING, "rb-dt-string", "title"),
    Attr("ReqIF.Text", AT.XHTML, "rb-dt-xhtml", "description"),
    Attr("reqboard.state", AT.ENUMERATION, "rb-dt-state", "state"),
    Attr("ReqIF.Category", AT.STRING, "rb-dt-string", "category"),
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
    Attr("ReqIF.ForeignCreatedBy", AT.STRING, "rb-dt-string", "created_by"),
    Attr("ReqIF.ForeignCreatedOn", AT.DATE, "rb-dt-date", "created_at"),
    Attr("ReqIF.ForeignModifiedBy", AT.STRING, "rb-dt-string", "updated_by"),
    Attr("ReqIF.ForeignModifiedOn", AT.DATE, "rb-dt-date", "updated_at"),
)
_BY_NAME = {a.name.lower(): a for a in ATTRS}
# Read from a file but never imported: the board records its own who and when.
_INFORMATIONAL = {"created_by", "created_at", "updated_by", "updated_at"}
RELATIONS = {"depends_on": ("rb-rel-depends-on", "Depends on"),
             "conflicts_with": ("rb-rel-conflicts-with", "Conflicts with")}
OBJECT_TYPE = "rb-type-requirement"
SPEC_TYPE = "rb-type-specification"


def _enum_id(field: str, value: str) -> str:
    return f"rb-enum-{field.replace('_', '-')}-{value.lower().replace('_', '-')}"


# ------------------------------------------------------------------ export
def _datatypes(stamp: str) -> list[Any]:
    types: list[Any] = [
        ReqIFDataTypeDefinitionString("rb-dt-string", last_change=stamp, long_name="Text", max_length="20000"),
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
            values = [ReqIFEnumValue(_enum_id(attr.field, m.value), key=str(i), last_change=stamp,
                                     long_name=m.value, other_content=m.label)
                      for i, m in enumerate(kind)]
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
            value = _string("\n".join(raw))
        elif attr.field == "acceptance_criteria":
            value = _string(csv_io._criteria_text(raw))
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
        lookup=None, exceptions=[],  # type: ignore[arg-type]  # the unparser does not look things up
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


class _Reader:
    def __init__(self, bundle: ReqIFBundle) -> None:
        self.bundle = bundle
        self.lookup = bundle.lookup
        content = bundle.core_content.req_if_content if bundle.core_content else None
        self.content = content or ReqIFReqIFContent()
        self.ignored: dict[str, int] = {}
        self.headings = 0

    def _enum_name(self, definition: SpecAttributeDefinition, ref: str) -> str:
        try:
            datatype = self.lookup.get_data_type_by_ref(definition.datatype_definition)
            value = datatype.values_map[ref]
        except (KeyError, AttributeError):
            return ref
        return value.long_name or value.other_content or value.key or ref

    def values(self, obj: ReqIFSpecObject, definitions: dict[str, SpecAttributeDefinition]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attribute in obj.attributes:
            definition = definitions.get(attribute.definition_ref)
            name = (definition.long_name if definition and definition.long_name else attribute.definition_ref)
            if attribute.attribute_type is AT.ENUMERATION and definition is not None:
                out[name] = [self._enum_name(definition, ref) for ref in attribute.value]
            elif attribute.attribute_type is AT.XHTML:
                node = attribute.xml_node.find("THE-VALUE") if attribute.xml_node is not None else None
                out[name] = xhtml_text(node)
            else:
                out[name] = attribute.value
        return out

    def records(self) -> tuple[list[Incoming], list[str]]:
        problems: list[str] = []
        records: list[Incoming] = []
        by_identifier: dict[str, Incoming] = {}
        relation_fields = self._relation_types()
        for obj in self.content.spec_objects or []:
            where = f"SPEC-OBJECT {obj.identifier}"
            try:
                spec_type = self.lookup.get_spec_type_by_ref(obj.spec_object_type)
                definitions = spec_type.attribute_map
            except (KeyError, AttributeError):
                problems.append(f"{where}: its type {obj.spec_object_type!r} is not defined in SPEC-TYPES")
                continue
            values = self.values(obj, definitions)
            defined = {(d.long_name or d.identifier).lower() for d in definitions.values()}
            record = self._record(obj, where, values, defined)
            if record is None:
                continue
            for field in relation_fields.values():
                record.fields.setdefault(field, [])
            records.append(record)
            by_identifier[obj.identifier] = record
        for relation in self.content.spec_relations or []:
            field = relation_fields.get(relation.relation_type_ref)
            if field is None:
                self._ignore(f"relation type {self._relation_name(relation.relation_type_ref)!r}")
                continue
            source = by_identifier.get(relation.source)
            if source is None:
                problems.append(f"SPEC-RELATION {relation.identifier}: its SOURCE {relation.source!r} is not a "
                                "requirement in this file")
                continue
            target = by_identifier.get(relation.target)
            source.fields[field].append(Ref(relation.target, target, None if target else _uid_for(relation.target)))
            source.labels.setdefault(field, f"SPEC-RELATION {relation.identifier}")
        for record in records:
            for field in relation_fields.values():
                record.fields[field] = tuple(record.fields[field])
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

    def _record(self, obj: ReqIFSpecObject, where: str, values: dict[str, Any], defined: set[str]) -> Incoming | None:
        lowered = {name.lower(): value for name, value in values.items()}
        text = lowered.get("reqif.text", lowered.get("reqif.description"))
        if "reqif.chaptername" in lowered and not text and "reqif.name" not in lowered:
            self.headings += 1
            return None
        record = Incoming(where=where, uid=_uid_for(obj.identifier))
        foreign_id = str(lowered.get("reqif.foreignid", "")).strip()
        if re.fullmatch(r"(?i)req-[1-9][0-9]*", foreign_id):
            record.key = foreign_id.upper()
            record.where = f"{where} ({record.key})"
            record.labels["key"] = "attribute ReqIF.ForeignID"
        elif foreign_id:
            record.where = f"{where} ({foreign_id})"
        for name in values:
            attr = _BY_NAME.get(name.lower())
            if attr is None and name.lower() not in ("reqif.description", "reqif.chaptername"):
                self._ignore(f"attribute {name!r}")
        for attr in ATTRS:
            if attr.field in ("key", *_INFORMATIONAL):
                continue
            label = f"attribute {attr.name}"
            record.labels[attr.field] = label
            name = attr.name.lower()
            if name not in lowered and name not in defined:
                continue  # the file does not carry this field at all: leave it as it is
            raw = lowered.get(name)
            try:
                self._set(record, attr, raw)
            except csv_io.CellError as exc:
                record.problems.append((label, str(exc)))
        if "description" not in record.fields and "reqif.description" in lowered:
            record.fields["description"] = str(lowered["reqif.description"])
            record.labels["description"] = "attribute ReqIF.Description"
        if not record.fields.get("title"):
            first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
            if first:
                record.fields["title"] = first if len(first) <= 200 else first[:199] + "…"
        return record

    def _set(self, record: Incoming, attr: Attr, raw: Any) -> None:
        if isinstance(raw, list):  # enumeration: one value at most
            if len(raw) > 1:
                raise csv_io.CellError(f"has {len(raw)} values; it takes one")
            raw = raw[0] if raw else None
        text = "" if raw is None else str(raw)
        if attr.field == "version":
            record.version = csv_io._parse_version(text)
            return
        column = csv_io.COLUMNS_BY_FIELD[attr.field]
        record.fields[attr.field] = column.parse(text)


def read_reqif(data: bytes) -> tuple[list[Incoming], list[str], list[str]]:
    """Parse a ReqIF file into records: (records, problems with the file, notes)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"the file is not UTF-8 text (byte {exc.start})"], []
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return [], ["the file declares a DOCTYPE or entities, which ReqIF does not use: refused"], []
    try:
        bundle = ReqIFParser.parse_from_string(text)
    except Exception as exc:  # the library raises several kinds for a broken file; all mean the same
        message = str(exc).strip() or type(exc).__name__
        return [], [f"the file is not a readable ReqIF document: {message}"], []
    if bundle.core_content is None or bundle.core_content.req_if_content is None:
        return [], ["the file has no CORE-CONTENT / REQ-IF-CONTENT: nothing to import"], []
    reader = _Reader(bundle)
    try:
        records, problems = reader.records()
    except Exception as exc:  # a structure the library accepted but that is not usable
        return [], [f"the ReqIF content could not be read: {type(exc).__name__}: {exc}"], []
    notes = [f"ignored {what}" + (f" ({n} values)" if n > 1 else "") for what, n in sorted(reader.ignored.items())]
    if reader.headings:
        notes.append(f"skipped {reader.headings} heading object(s) (ReqIF.ChapterName)")
    if not records and not problems:
        problems.append("the file has no requirements (no SPEC-OBJECT with ReqIF.Name or ReqIF.Text)")
    return records, problems, notes


def import_reqif(board: Board, data: bytes, *, source: str = "", dry_run: bool = False) -> ImportSummary:
    """Import a ReqIF file: every requirement in it or, if anything is refused, nothing.

    Returns the summary (for a dry run, what would happen); raises ImportRefused with the report.
    """
    records, problems, notes = read_reqif(data)
    summary = ImportSummary(format="reqif", source=source, refused=list(problems), notes=notes)
    return merge(board, records if not problems else [], fmt="reqif", source=source, dry_run=dry_run,
                 summary=summary)
