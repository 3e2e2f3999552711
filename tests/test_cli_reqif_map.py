"""`reqboard import --map` and the dry run's list of a ReqIF file's attributes that no field reads (#20),
with `edit --section`, `show` and `list --query section:` on what such an import gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import CliRunner, ReqboardProcess

XHTML_DT = '<DATATYPE-DEFINITION-XHTML-REF>_dt-x</DATATYPE-DEFINITION-XHTML-REF>'
STRING_DT = '<DATATYPE-DEFINITION-STRING-REF>_dt-s</DATATYPE-DEFINITION-STRING-REF>'


def _xhtml(ref: str, text: str) -> str:
    return (f'<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>{ref}'
            f'</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION><THE-VALUE><xhtml:div><xhtml:p>{text}</xhtml:p>'
            f'</xhtml:div></THE-VALUE></ATTRIBUTE-VALUE-XHTML>')


def _string(ref: str, value: str) -> str:
    return (f'<ATTRIBUTE-VALUE-STRING THE-VALUE="{value}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>{ref}'
            f'</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>')


def _object(ident: str, *values: str) -> str:
    return (f'<SPEC-OBJECT IDENTIFIER="{ident}" LAST-CHANGE="2026-03-01T10:00:00Z"><VALUES>{"".join(values)}'
            f'</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>_t-obj</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>')


def _definition(kind: str, ident: str, name: str, datatype: str) -> str:
    return (f'<ATTRIBUTE-DEFINITION-{kind} IDENTIFIER="{ident}" LAST-CHANGE="2026-03-01T10:00:00Z" '
            f'LONG-NAME="{name}"><TYPE>{datatype}</TYPE></ATTRIBUTE-DEFINITION-{kind}>')


def doors_file(path: Path) -> Path:
    """A DOORS-classic-style module export: Object Heading / Object Text / Absolute Number by the module's
    own identifiers, a chapter heading over two requirements, and two attributes of the module's own
    ("Priority" on both, "Source Ref" on one) that no reqboard field reads unless mapped."""
    module = "_M00001a"
    heading, text, number = f"{module}_OBJECTHEADING", f"{module}_OBJECTTEXT", f"{module}_ABSOLUTENUMBER"
    objects = [
        _object("_o1", _xhtml(heading, "Payment"), _string(number, "1")),
        _object("_o2", _xhtml(text, "The customer pays by card."), _string(number, "2"),
                _string("_a-pri", "4"), _string("_a-src", "RFQ-7 §2")),
        _object("_o3", _xhtml(text, "A refund reaches the customer within 14 days."), _string(number, "3"),
                _string("_a-pri", "2")),
    ]
    definitions = [
        _definition("XHTML", heading, "Object Heading", XHTML_DT),
        _definition("XHTML", text, "Object Text", XHTML_DT),
        _definition("STRING", number, "Absolute Number", STRING_DT),
        _definition("STRING", "_a-pri", "Priority", STRING_DT),
        _definition("STRING", "_a-src", "Source Ref", STRING_DT),
    ]

    def child(ident: str, inner: str = "") -> str:
        children = f"<CHILDREN>{inner}</CHILDREN>" if inner else ""
        return (f'<SPEC-HIERARCHY IDENTIFIER="_h{ident}" LAST-CHANGE="2026-03-01T10:00:00Z"><OBJECT>'
                f'<SPEC-OBJECT-REF>{ident}</SPEC-OBJECT-REF></OBJECT>{children}</SPEC-HIERARCHY>')

    path.write_text(f'''<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<THE-HEADER><REQ-IF-HEADER IDENTIFIER="_hdr"><REQ-IF-TOOL-ID>DOORS</REQ-IF-TOOL-ID>
<REQ-IF-VERSION>1.0</REQ-IF-VERSION><SOURCE-TOOL-ID>DOORS 9.7</SOURCE-TOOL-ID><TITLE>Checkout</TITLE>
</REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES>
<DATATYPE-DEFINITION-STRING IDENTIFIER="_dt-s" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="String" MAX-LENGTH="1000"/>
<DATATYPE-DEFINITION-XHTML IDENTIFIER="_dt-x" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="XHTML"/>
</DATATYPES>
<SPEC-TYPES>
<SPEC-OBJECT-TYPE IDENTIFIER="_t-obj" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="Checkout object type">
<SPEC-ATTRIBUTES>{"".join(definitions)}</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE>
<SPECIFICATION-TYPE IDENTIFIER="_t-spec" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="Module"/>
</SPEC-TYPES>
<SPEC-OBJECTS>{"".join(objects)}</SPEC-OBJECTS>
<SPECIFICATIONS><SPECIFICATION IDENTIFIER="{module}" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="Checkout">
<TYPE><SPECIFICATION-TYPE-REF>_t-spec</SPECIFICATION-TYPE-REF></TYPE>
<CHILDREN>{child("_o1", child("_o2") + child("_o3"))}</CHILDREN></SPECIFICATION></SPECIFICATIONS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>
''', encoding="utf-8")
    return path


@pytest.fixture
def doors(tmp_path: Path) -> Path:
    return doors_file(tmp_path / "checkout.reqif")


def _by_text(cli: CliRunner) -> dict[str, dict]:
    """The board's requirements by which of the file's two they are (card or refund), wherever DOORS'
    Object Text went (the title, and the description)."""
    found: dict[str, dict] = {}
    for r in cli.json("list"):
        shown = cli.json("show", r["key"])
        words = f"{shown['title']} {shown['description']}"
        found["card" if "card" in words else "refund" if "refund" in words else shown["title"]] = shown
    return found


def test_the_dry_run_lists_each_attribute_no_field_reads_with_a_sample_a_count_and_the_map_to_give(
        cli: CliRunner, doors: Path) -> None:
    out = cli("import", str(doors), "--dry-run")
    listing = out[out.index("read into no field"):]
    priority = next(line for line in listing.splitlines() if line.strip().startswith("Priority"))
    assert "\u201c4\u201d" in priority and "(in 2 objects)" in priority and '--map "Priority=..."' in priority
    source = next(line for line in listing.splitlines() if line.strip().startswith("Source Ref"))
    assert "\u201cRFQ-7 §2\u201d" in source and "(in 1 object)" in source and '--map "Source Ref=..."' in source
    # DOORS' own attributes are recognised, so not listed; the dry run wrote nothing.
    assert "Object Text" not in listing and "Absolute Number" not in listing
    assert cli.json("list") == []


def test_map_reads_an_attribute_into_a_field_and_it_leaves_the_list(cli: CliRunner, doors: Path) -> None:
    out = cli("import", str(doors), "--dry-run", "--map", "Priority=importance")
    assert "Priority" not in out[out.index("read into no field"):]
    cli("import", str(doors), "--map", "Priority=importance", "--map", "_a-src=-")
    reqs = _by_text(cli)
    assert {t: r["importance"] for t, r in reqs.items()} == {"card": 4, "refund": 2}
    # The chapter heading is no requirement: it is their section.
    assert all("Payment" in r["section"] for r in reqs.values())


def test_a_dry_run_with_everything_mapped_lists_nothing(cli: CliRunner, doors: Path) -> None:
    out = cli("import", str(doors), "--dry-run", "--map", "Priority=importance", "--map", "Source Ref=-")
    assert "read into no field" not in out and "--map" not in out


def test_json_gives_the_unmapped_attributes_in_fixed_english_keys(cli: CliRunner, doors: Path) -> None:
    said = cli.json("import", str(doors), "--dry-run", "--map", "Priority=importance")
    assert said["unmapped"] == [{"name": "Source Ref", "identifier": "_a-src", "sample": "RFQ-7 §2", "count": 1}]


@pytest.mark.parametrize(("item", "named"), [
    ("Priority", "Priority"),                  # no field
    ("Priority=importancy", "importancy"),     # no such field
    ("=title", "=title"),                      # no attribute
])
def test_a_bad_map_is_a_usage_error_naming_the_fields_allowed(cli: CliRunner, doors: Path, item: str,
                                                              named: str) -> None:
    err = cli.fails(2, "import", str(doors), "--map", item)
    assert err.startswith("error: --map ") and named in err
    assert "description" in err and "importance" in err and "section" in err  # the fields it may name
    assert cli.json("list") == []


def test_map_is_refused_for_a_file_that_is_not_reqif(cli: CliRunner, tmp_path: Path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("Title\nSomething\n", encoding="utf-8")
    err = cli.fails(2, "import", str(csv), "--map", "Title=description")
    assert "--map is for ReqIF files only, not csv" in err


def test_a_mapping_comes_before_what_the_import_recognises(cli: CliRunner, doors: Path) -> None:
    cli("import", str(doors), "--map", "Source Ref=title", "--map", "Object Text=description",
        "--map", "priority=urgency")  # names are matched regardless of case
    card = _by_text(cli)["card"]
    assert (card["title"], card["urgency"]) == ("RFQ-7 §2", 4)
    assert "The customer pays by card." in card["description"]


def test_edit_section_show_and_the_section_filter(cli: CliRunner) -> None:
    key = cli("add", "Pay by card").strip()
    other = cli("add", "Refunds").strip()
    cli("edit", key, "--section", "3 Interfaces / 3.2 Payment")
    assert cli.json("show", key)["section"] == "3 Interfaces / 3.2 Payment"
    assert "section      3 Interfaces / 3.2 Payment" in cli("show", key)
    assert "section" not in cli("show", other)
    assert [r["key"] for r in cli.json("list", "--query", "section:payment")] == [key]
    cli("edit", key, "--section", "")
    assert cli.json("show", key)["section"] == ""
    assert cli.json("list", "--query", "section:payment") == []


def test_a_file_that_yields_no_requirement_names_its_attributes_and_suggests_map(
        reqboard_process: ReqboardProcess, tmp_path: Path) -> None:
    """Objects that carry only numbers (no name, no text reqboard can read as a title): the import is
    refused, naming the attributes found with their counts, and the --map that would give a title."""
    path = tmp_path / "numbers.reqif"
    obj = ('<SPEC-OBJECT IDENTIFIER="_o{n}" LAST-CHANGE="2026-03-01T10:00:00Z"><VALUES>'
           '<ATTRIBUTE-VALUE-INTEGER THE-VALUE="{n}"><DEFINITION><ATTRIBUTE-DEFINITION-INTEGER-REF>_a-cost'
           '</ATTRIBUTE-DEFINITION-INTEGER-REF></DEFINITION></ATTRIBUTE-VALUE-INTEGER></VALUES>'
           '<TYPE><SPEC-OBJECT-TYPE-REF>_t-obj</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>')
    path.write_text(f'''<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd">
<THE-HEADER><REQ-IF-HEADER IDENTIFIER="_hdr"><REQ-IF-TOOL-ID>Sheet</REQ-IF-TOOL-ID>
<REQ-IF-VERSION>1.0</REQ-IF-VERSION><SOURCE-TOOL-ID>Sheet</SOURCE-TOOL-ID><TITLE>Costs</TITLE>
</REQ-IF-HEADER></THE-HEADER>
<CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES><DATATYPE-DEFINITION-INTEGER IDENTIFIER="_dt-i" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="Int"
 MAX="1000000" MIN="0"/></DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="_t-obj" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="Row">
<SPEC-ATTRIBUTES><ATTRIBUTE-DEFINITION-INTEGER IDENTIFIER="_a-cost" LAST-CHANGE="2026-03-01T10:00:00Z"
 LONG-NAME="Cost"><TYPE><DATATYPE-DEFINITION-INTEGER-REF>_dt-i</DATATYPE-DEFINITION-INTEGER-REF></TYPE>
</ATTRIBUTE-DEFINITION-INTEGER></SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS>{obj.format(n=1)}{obj.format(n=2)}</SPEC-OBJECTS>
</REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>
''', encoding="utf-8")
    board = str(tmp_path / "board.json")
    refused = reqboard_process("import", str(path), "--store", board)
    assert (refused.returncode, refused.stdout) == (1, ""), refused.stderr
    first = refused.stderr.splitlines()[0]
    assert first.startswith("error: nothing imported from "), first
    assert "Cost (2 objects)" in first and '--map "Cost=title"' in first, first
    listed = reqboard_process("list", "--json", "--store", board)
    assert (listed.returncode, listed.stdout.strip()) == (0, "[]")  # nothing written


def test_a_heading_too_long_for_a_section_is_shortened_not_refused(cli: CliRunner, doors: Path) -> None:
    doors.write_text(doors.read_text(encoding="utf-8").replace(">Payment<", ">" + "Payment " * 60 + "<"),
                     encoding="utf-8")
    cli("import", str(doors))
    sections = {r["section"] for r in (cli.json("show", r["key"]) for r in cli.json("list"))}
    [section] = sections
    assert section.startswith("1 Payment Payment") and section.endswith("…") and len(section) <= 90


def test_a_section_path_deeper_than_a_section_holds_keeps_its_deepest_headings() -> None:
    from reqboard.store.exchange.reqif_io import MAX_SECTION, _section_path

    path = tuple(f"{n} Chapter number {n}" for n in range(1, 41))
    section, cut = _section_path(path)
    assert cut and section.startswith("… / ") and section.endswith(" / 40 Chapter number 40")
    assert len(section) <= MAX_SECTION
    assert _section_path(path[:3]) == ("1 Chapter number 1 / 2 Chapter number 2 / 3 Chapter number 3", False)


def test_the_dry_run_names_an_attribute_by_its_identifier_when_its_name_cannot_be_typed_back(
        cli: CliRunner, doors: Path) -> None:
    doors.write_text(doors.read_text(encoding="utf-8").replace('LONG-NAME="Source Ref"', 'LONG-NAME=" Source Ref "'),
                     encoding="utf-8")
    out = cli("import", str(doors), "--dry-run")
    assert '--map "_a-src=..."' in out
    assert "note: ignored attribute" not in out  # listed once, with its sample, not also as a note
    cli("import", str(doors), "--map", "_a-src=owner")  # the suggestion, used as shown, maps it
    assert {r["owner"] for r in cli.json("list")} == {"RFQ-7 §2", ""}


def test_two_objects_with_one_absolute_number_are_refused_naming_the_absolute_number(
        reqboard_process: ReqboardProcess, tmp_path: Path) -> None:
    path = doors_file(tmp_path / "twice.reqif")
    path.write_text(path.read_text(encoding="utf-8").replace(
        'THE-VALUE="3"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_M00001a_ABSOLUTENUMBER',
        'THE-VALUE="2"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>_M00001a_ABSOLUTENUMBER'), encoding="utf-8")
    refused = reqboard_process("import", str(path), "--store", str(tmp_path / "b.json"))
    assert refused.returncode == 1
    assert "it has the Absolute Number of SPEC-OBJECT _o2" in refused.stderr.splitlines()[0], refused.stderr


def test_a_hierarchy_deeper_than_any_document_is_said_not_lost_silently(cli: CliRunner, doors: Path) -> None:
    text = doors.read_text(encoding="utf-8")
    start, end = text.index("<CHILDREN>", text.index("<SPECIFICATION ")), text.index("</SPECIFICATION>")
    nested = "".join(f'<SPEC-HIERARCHY IDENTIFIER="_deep{n}" LAST-CHANGE="2026-03-01T10:00:00Z"><OBJECT>'
                     f'<SPEC-OBJECT-REF>_o1</SPEC-OBJECT-REF></OBJECT><CHILDREN>' for n in range(70))
    nested += ('<SPEC-HIERARCHY IDENTIFIER="_bottom" LAST-CHANGE="2026-03-01T10:00:00Z"><OBJECT><SPEC-OBJECT-REF>_o2'
               '</SPEC-OBJECT-REF></OBJECT></SPEC-HIERARCHY>' + "</CHILDREN></SPEC-HIERARCHY>" * 70)
    doors.write_text(text[:start] + f"<CHILDREN>{nested}</CHILDREN>" + text[end:], encoding="utf-8")
    out = cli("import", str(doors), "--dry-run")
    assert "note: the SPEC-HIERARCHY is more than 64 levels deep" in out, out
