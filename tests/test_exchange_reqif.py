"""ReqIF 1.0: the export validates against the OMG schema, round-trips, and other tools' files import."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import reqif
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.exchange import ImportRefused, apply_import, export_board, preview_import

from exchange_samples import TRICKY_TITLES, content, sample_board, snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "reqif" / "other_tool.reqif"
NS = {"r": "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd"}
# Bookkeeping attributes that differ between two boards holding the same requirements.
VOLATILE = {"ReqIF.ForeignCreatedBy", "ReqIF.ForeignCreatedOn", "ReqIF.ForeignModifiedBy",
            "ReqIF.ForeignModifiedOn", "reqboard.version"}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """The OMG ReqIF 1.0 schema shipped inside the reqif package (with the XHTML modules it imports)."""
    package_dir = Path(reqif.__file__).parent
    old = os.getcwd()
    os.chdir(package_dir.parent)  # the schema's imports are relative to the package's parent directory
    try:
        return xmlschema.XMLSchema(str(package_dir / "reqif_schema" / "reqif.xsd"))
    finally:
        os.chdir(old)


def objects(data: bytes) -> dict[str, dict[str, str]]:
    """ForeignID -> {attribute LONG-NAME: value} read straight from the XML (not through our reader)."""
    root = etree.fromstring(data)
    names = {d.get("IDENTIFIER"): d.get("LONG-NAME") for d in root.iterfind(".//r:SPEC-ATTRIBUTES/*", NS)}
    enums = {e.get("IDENTIFIER"): e.get("LONG-NAME") for e in root.iterfind(".//r:ENUM-VALUE", NS)}
    out = {}
    for obj in root.iterfind(".//r:SPEC-OBJECT", NS):
        values = {}
        for value in obj.find("r:VALUES", NS):
            name = names[value.find("r:DEFINITION", NS)[0].text]
            if value.get("THE-VALUE") is not None:
                values[name] = value.get("THE-VALUE")
            elif value.find("r:VALUES", NS) is not None:
                values[name] = ",".join(enums[ref.text] for ref in value.find("r:VALUES", NS))
            else:
                values[name] = etree.tostring(value.find("r:THE-VALUE", NS)[0], encoding="unicode")
        out[values["ReqIF.ForeignID"]] = values
    return out


def relations(data: bytes) -> set[tuple[str, str, str]]:
    root = etree.fromstring(data)
    key_of = {o.get("IDENTIFIER"): next(v.get("THE-VALUE") for v in o.find("r:VALUES", NS)
                                         if v.find("r:DEFINITION", NS)[0].text == "rb-attr-reqif-foreignid")
              for o in root.iterfind(".//r:SPEC-OBJECT", NS)}
    types = {t.get("IDENTIFIER"): t.get("LONG-NAME") for t in root.iterfind(".//r:SPEC-RELATION-TYPE", NS)}
    return {(key_of[r.find("r:SOURCE", NS)[0].text], types[r.find("r:TYPE", NS)[0].text],
             key_of[r.find("r:TARGET", NS)[0].text]) for r in root.iterfind(".//r:SPEC-RELATION", NS)}


def stable(data: bytes) -> dict[str, dict[str, str]]:
    return {key: {k: v for k, v in values.items() if k not in VOLATILE} for key, values in objects(data).items()}


# ------------------------------------------------------------------ export
def test_the_export_validates_against_the_omg_schema(board_path: Path, schema: xmlschema.XMLSchema) -> None:
    data = export_board(sample_board(board_path), "reqif")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    errors = list(schema.iter_errors(etree.fromstring(data)))
    assert errors == []


def test_an_empty_board_exports_a_valid_document(board_path: Path, schema: xmlschema.XMLSchema) -> None:
    data = export_board(Board(board_path, "alice"), "reqif")
    assert list(schema.iter_errors(etree.fromstring(data))) == []


def test_the_schema_check_itself_catches_a_broken_document(board_path: Path, schema: xmlschema.XMLSchema) -> None:
    data = export_board(sample_board(board_path), "reqif").replace(b' LAST-CHANGE="', b' CHANGED="', 1)
    assert list(schema.iter_errors(etree.fromstring(data)))


def test_attributes_use_the_names_other_tools_map_without_configuration(board_path: Path) -> None:
    board = sample_board(board_path)
    exported = objects(export_board(board, "reqif"))
    assert set(exported) == {r.key for r in board.requirements()}
    first = exported["REQ-1"]
    assert first["ReqIF.Name"] == TRICKY_TITLES[0]
    assert first["ReqIF.Text"].startswith("<xhtml:div ") and 'style="white-space:pre-wrap"' in first["ReqIF.Text"]
    assert '>Line one, with a comma<xhtml:br/>Line "two" with quotes<xhtml:br/><xhtml:br/>  indented' in first["ReqIF.Text"]
    assert first["reqboard.state"] == "collected"
    assert first["reqboard.tags"] == "ui\nexport"  # the line break survives XML attribute normalisation
    assert first["reqboard.acceptance_criteria"] == "[x] exports open in Excel\n[ ] no formulas run"
    assert first["reqboard.effort_estimate"] == "12.5"
    assert first["ReqIF.ForeignCreatedBy"] == "alice"
    second = exported["REQ-2"]
    assert (second["reqboard.importance"], second["reqboard.kano"], second["ReqIF.Category"]) == ("4", "performance", "UI")
    assert exported["REQ-3"]["reqboard.rejection_reason"] == "Duplicate of REQ-1;\nsee the meeting notes"


def test_links_are_spec_relations(board_path: Path) -> None:
    data = export_board(sample_board(board_path), "reqif")
    # A conflict is stored on both requirements (the board mirrors it): a relation each way.
    assert relations(data) == {("REQ-2", "Depends on", "REQ-1"), ("REQ-3", "Conflicts with", "REQ-2"),
                               ("REQ-2", "Conflicts with", "REQ-3")}


# ------------------------------------------------------------------ round trips
def test_round_trip_into_a_new_board_gives_the_same_content(tmp_path: Path, board_path: Path) -> None:
    source = sample_board(board_path)
    exported = export_board(source, "reqif")
    target = Board(tmp_path / "new.json", "bob")
    summary = apply_import(target, exported, "reqif", source="board.reqif")
    assert len(summary.added) == len(TRICKY_TITLES) and summary.refused == []
    again = export_board(target, "reqif")
    assert stable(again) == stable(exported)
    assert relations(again) == relations(exported)
    assert [content(r) for r in target.requirements()] == [content(r) for r in source.requirements()]
    assert [r.uid for r in target.requirements()] == [r.uid for r in source.requirements()]


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, board_path: Path) -> None:
    board = sample_board(board_path)
    data = export_board(board, "reqif")
    before = snapshot(board_path)
    summary = apply_import(board, data, "reqif")
    assert (summary.added, summary.changed, len(summary.unchanged)) == ([], [], len(TRICKY_TITLES))
    assert snapshot(board_path) == before


def test_a_file_edited_in_another_tool_updates_field_by_field(board_path: Path) -> None:
    board = sample_board(board_path)
    data = export_board(board, "reqif").decode()
    data = data.replace('THE-VALUE="支持中文界面"', 'THE-VALUE="支持中文和日文界面"')
    data = data.replace("用户希望界面支持简体中文。<xhtml:br/>第二行。", "用户希望界面支持简体中文。<xhtml:br/>第二行 &amp; 第三行。")
    preview = preview_import(board, data.encode(), "reqif")
    assert '~ REQ-2 title: "支持中文界面" -> "支持中文和日文界面"' in preview.report_lines()
    apply_import(board, data.encode(), "reqif", source="edited.reqif")
    req = board.get("REQ-2")
    assert (req.title, req.description) == ("支持中文和日文界面", "用户希望界面支持简体中文。\n第二行 & 第三行。")
    assert req.version == 4  # created, moved to analysed, REQ-3's conflict mirrored onto it, then this import
    assert {e.field for e in board.history("REQ-2") if e.action == "imported"} == {"title", "description"}


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_text.filter(lambda t: t.strip()),
       description=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\ufffe\uffff"),
                           max_size=200),
       customer=_text)
def test_any_text_survives_a_round_trip(title: str, description: str, customer: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Board(Path(tmp) / "a.json", "alice")
        req = source.add_requirement(title, description=description, customer=customer)
        target = Board(Path(tmp) / "b.json", "bob")
        apply_import(target, export_board(source, "reqif"), "reqif")
        copy = target.get(req.key)
        assert (copy.title, copy.description, copy.customer) == (req.title, req.description, req.customer)


# ------------------------------------------------------------------ other tools' files
def test_a_file_from_another_tool_imports_by_the_ReqIF_conventions(board_path: Path, schema: xmlschema.XMLSchema) -> None:
    data = FIXTURE.read_bytes()
    assert list(schema.iter_errors(etree.fromstring(data))) == []  # the fixture is a valid ReqIF file
    board = Board(board_path, "alice")
    summary = apply_import(board, data, "reqif", source="portal.reqif")
    reqs = board.requirements()
    assert [(r.key, r.title) for r in reqs] == [
        ("REQ-1", "Customers reset their own password"),
        ("REQ-2", "Das Portal zeigt Rechnungen als PDF an."),  # no ReqIF.Name: the first line of the text
        ("REQ-3", "门户支持中文"),
    ]
    assert reqs[0].description == ("A customer who forgot the password resets it from the login page.\n\n"
                                   "- by e-mail link\n- by SMS code & no hotline call")
    assert reqs[1].description == "Das Portal zeigt Rechnungen als PDF an.\n\nGröße höchstens 5 MB."
    assert reqs[1].depends_on == ("REQ-1",)  # "Depends On" relation; "Parent" is not one of ours
    assert all(r.state.value == "collected" for r in reqs)
    assert "ignored attribute 'Status'" in summary.notes
    assert "ignored relation type 'Parent'" in summary.notes
    assert "skipped 1 heading object(s) (ReqIF.ChapterName)" in summary.notes


def test_importing_another_tools_file_twice_does_not_duplicate(board_path: Path) -> None:
    board = Board(board_path, "alice")
    apply_import(board, FIXTURE.read_bytes(), "reqif")
    edited = FIXTURE.read_text().replace("Customers reset their own password", "Customers reset their password")
    summary = apply_import(board, edited.encode(), "reqif")
    assert len(board.requirements()) == 3
    assert [(c.key, [str(f) for f in c.changes]) for c in summary.changed] == [
        ("REQ-1", ['title: "Customers reset their own password" -> "Customers reset their password"'])]


# ------------------------------------------------------------------ bad files
def _broken_relation(data: str) -> str:
    return data.replace("<SPEC-OBJECT-REF>_obj-3f9a1c</SPEC-OBJECT-REF></TARGET>",
                        "<SPEC-OBJECT-REF>_obj-gone</SPEC-OBJECT-REF></TARGET>", 1)


BAD = {
    "not xml": (lambda d: "this is not XML", "the file is not a readable ReqIF document"),
    "truncated": (lambda d: d[: len(d) // 2], "the file is not a readable ReqIF document"),
    "wrong root": (lambda d: '<?xml version="1.0"?><SPEC/>', "Expected root tag to be REQ-IF"),
    "entities": (lambda d: d.replace("<REQ-IF ", '<!DOCTYPE r [<!ENTITY x "y">]><REQ-IF ', 1),
                 "declares a DOCTYPE or entities"),
    "dangling relation": (_broken_relation, "SPEC-OBJECT _obj-77b2d0 (PORTAL-2), SPEC-RELATION _link-1: it links "
                                            "to _obj-gone, which is neither"),
    "long title": (lambda d: d.replace('THE-VALUE="门户支持中文"', 'THE-VALUE="%s"' % ("长" * 201)),
                   "SPEC-OBJECT _obj-c41e09 (PORTAL-3), attribute ReqIF.Name: must be at most 200 characters"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_file_writes_nothing_and_names_the_element(board_path: Path, name: str) -> None:
    change, expected = BAD[name]
    board = sample_board(board_path)
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, change(FIXTURE.read_text()).encode(), "reqif", source="bad.reqif")
    assert snapshot(board_path) == before
    assert any(expected in line for line in refused.value.summary.refused), refused.value.summary.refused


def test_bad_values_in_our_own_attributes_are_named(board_path: Path) -> None:
    board = sample_board(board_path)
    data = export_board(board, "reqif").decode().replace(
        '<ATTRIBUTE-VALUE-INTEGER THE-VALUE="4">', '<ATTRIBUTE-VALUE-INTEGER THE-VALUE="four">', 1)
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, data.encode(), "reqif")
    assert snapshot(board_path) == before
    [message] = refused.value.summary.refused
    assert "(REQ-2), attribute reqboard.importance: 'four' is not a whole number from 1 to 5" in message


# ------------------------------------------------------------------ command line
def test_cli_export_and_import_reqif(tmp_path: Path, board_path: Path, capsys: pytest.CaptureFixture[str],
                                     schema: xmlschema.XMLSchema) -> None:
    sample_board(board_path)
    out = tmp_path / "board.reqif"
    assert main(["export", "--format", "reqif", "-o", str(out)]) == 0
    assert list(schema.iter_errors(etree.parse(str(out)))) == []
    other = tmp_path / "other.json"
    assert main(["--store", str(other), "import", str(out), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith(f"would add {len(TRICKY_TITLES)} requirement(s)")
    assert not other.exists()
    assert main(["--store", str(other), "import", str(FIXTURE)]) == 0
    assert len(Board(other, "x").requirements()) == 3


def test_another_boards_requirement_with_a_clashing_key_is_refused(tmp_path: Path, board_path: Path) -> None:
    data = export_board(sample_board(board_path), "reqif")
    other_path = tmp_path / "other.json"
    other = Board(other_path, "bob")
    other.add_requirement("A different REQ-1")
    before = snapshot(other_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(other, data, "reqif")
    assert snapshot(other_path) == before
    assert any("(REQ-1), attribute ReqIF.ForeignID: REQ-1 on this board is a different requirement" in line
               for line in refused.value.summary.refused), refused.value.summary.refused
