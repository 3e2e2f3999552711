"""Hostile ReqIF files (issue 11): entities, encodings, comments, duplicate identities, impossible keys,
re-imports, and a fuzzer that mutates a valid export's bytes and structure.

Whatever a file holds, an import either adds and changes what it says, or is refused with one line per
problem naming the element (ImportRefused, exit 1), and the board reads and passes `check` afterwards.
"""

from __future__ import annotations

import copy
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue
from reqboard.store.exchange import ImportRefused, apply_import, export_board

from exchange_samples import sample_board, snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "reqif" / "other_tool.reqif"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def other_tool(declaration: str = DECLARATION) -> str:
    """The other tool's file (three requirements, a heading, two relations) with another declaration."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.startswith(DECLARATION)
    return declaration + text[len(DECLARATION):]


def refused(board_path: Path, data: bytes) -> list[str]:
    """The refusal lines of importing `data`; asserts that the import was refused and wrote nothing."""
    board = Board(board_path, "alice")
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as caught:
        apply_import(board, data, "reqif", source="hostile.reqif")
    assert snapshot(board_path) == before
    lines = caught.value.summary.refused
    assert lines and all("\n" not in line for line in lines), lines
    return lines


# ------------------------------------------------------------------ item 14: comments, PIs, entities
def test_comments_and_processing_instructions_in_xhtml_import_as_nothing(board_path: Path) -> None:
    text = other_tool().replace("<xhtml:li>by e-mail link</xhtml:li>",
                                "<xhtml:li>by e-<!-- checked by legal -->mail<?render fast?> link</xhtml:li>")
    text = text.replace("<SPEC-OBJECT IDENTIFIER=\"_obj-c41e09\"", "<!-- third --><?tool x?><SPEC-OBJECT "
                        "IDENTIFIER=\"_obj-c41e09\"")
    board = Board(board_path, "alice")
    apply_import(board, text.encode(), "reqif")
    assert board.get("REQ-1").description == ("A customer who forgot the password resets it from the login page."
                                              "\n\n- by e-mail link\n- by SMS code & no hotline call")
    assert board.get("REQ-3").title == "门户支持中文"


def test_a_comment_inside_our_own_exact_text_is_dropped_and_the_text_kept(tmp_path: Path, board_path: Path) -> None:
    data = export_board(sample_board(board_path), "reqif").decode()
    data = data.replace("用户希望界面支持简体中文。<xhtml:br/>", "用户希望<!-- a note -->界面支持简体中文。<?pi x?><xhtml:br/>")
    target = Board(tmp_path / "new.json", "bob")
    apply_import(target, data.encode(), "reqif")
    assert target.get("REQ-2").description == "用户希望界面支持简体中文。\n第二行。"


def _utf7_with_hidden_doctype() -> bytes:
    """A UTF-7 file whose DOCTYPE declares an entity the title uses; in its bytes, `<!` is `+ADwAIQ-`."""
    text = other_tool('<?xml version="1.0" encoding="UTF-7"?>')
    text = text.replace("<REQ-IF ", '<!DOCTYPE REQ-IF [<!ENTITY name "EXPANDED">]><REQ-IF ', 1)
    text = text.replace('THE-VALUE="Customers reset their own password"', 'THE-VALUE="&name;"')
    data = text.encode("utf-7").replace(b"<!DOCTYPE", b"+ADwAIQ-DOCTYPE").replace(b"<!ENTITY", b"+ADwAIQ-ENTITY")
    assert b"<!DOCTYPE" not in data and b"<!ENTITY" not in data  # what a scan of the text looked for
    return data


def test_a_doctype_hidden_by_utf7_is_refused_and_nothing_expanded(board_path: Path) -> None:
    lines = refused(board_path, _utf7_with_hidden_doctype())
    assert lines == [('the file declares encoding="UTF-7"; reqboard reads ReqIF files in UTF-8 or UTF-16 only: '
                      "save it as UTF-8 (the encoding ReqIF files are written in) and import it again")]
    assert not board_path.exists()


def _laughs(levels: int = 12) -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels))
    return f"<!DOCTYPE REQ-IF [{entities}]>"


DOCTYPES: dict[str, Callable[[Path], str]] = {
    "billion laughs": lambda secret: _laughs(),
    "external entity": lambda secret: f'<!DOCTYPE REQ-IF [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>',
    "parameter entity": lambda secret: f'<!DOCTYPE REQ-IF [<!ENTITY % leak SYSTEM "{secret.as_uri()}"> %leak;]>',
    "external DTD": lambda secret: f'<!DOCTYPE REQ-IF SYSTEM "{secret.as_uri()}">',
    "bare DOCTYPE": lambda secret: "<!DOCTYPE REQ-IF>",
}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("name", list(DOCTYPES))
def test_a_doctype_is_refused_without_expanding_or_fetching_anything(tmp_path: Path, board_path: Path,
                                                                       name: str, encoding: str) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY name "THE SECRET TEXT">', encoding="utf-8")
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    text = other_tool(declaration).replace("<REQ-IF ", DOCTYPES[name](secret) + "<REQ-IF ", 1)
    text = text.replace('THE-VALUE="Customers reset their own password"',
                        'THE-VALUE="&lol11;"' if name == "billion laughs" else 'THE-VALUE="&name;"')
    lines = refused(board_path, text.encode(encoding))
    assert len(lines) == 1 and lines[0].startswith("the file declares a DOCTYPE or entities, which ReqIF does "
                                                   "not use"), lines
    assert "remove its <!DOCTYPE …> declaration" in lines[0]
    assert "SECRET" not in lines[0]


def test_a_refused_doctype_names_the_entities_it_declares(tmp_path: Path, board_path: Path) -> None:
    doctype = f'<!DOCTYPE REQ-IF [<!ENTITY leak SYSTEM "{(tmp_path / "x").as_uri()}"><!ENTITY brand "ACME">]>'
    [line] = refused(board_path, other_tool().replace("<REQ-IF ", doctype + "<REQ-IF ", 1).encode())
    assert line == ("the file declares a DOCTYPE or entities, which ReqIF does not use (entities brand, leak, "
                    "which are never expanded): remove its <!DOCTYPE …> declaration and import it again")


def test_nesting_beyond_the_parsers_limit_is_refused_without_advice_to_lift_it(board_path: Path) -> None:
    deep = "<xhtml:b>" * 300 + "</xhtml:b>" * 300
    [line] = refused(board_path, other_tool().replace("by e-mail link", deep).encode())
    assert line.startswith("the file is not a readable ReqIF document: it is not well-formed XML (Excessive depth "
                           "in document: 256 (more than reqboard reads), line 83"), line
    assert "XML_PARSE_HUGE" not in line


# ------------------------------------------------------------------ item 14 and 18: encodings
def test_utf16_with_its_byte_order_mark_and_declaration_imports(board_path: Path) -> None:
    for codec in ("utf-16", "utf-16-be"):
        path = board_path.with_name(f"{codec}.json")
        data = other_tool('<?xml version="1.0" encoding="UTF-16"?>').encode(codec)
        if codec == "utf-16-be":
            data = b"\xfe\xff" + data
        board = Board(path, "alice")
        apply_import(board, data, "reqif")
        assert [r.title for r in board.requirements()] == [
            "Customers reset their own password", "Das Portal zeigt Rechnungen als PDF an.", "门户支持中文"]
        assert board.get("REQ-2").description.endswith("Größe höchstens 5 MB.")


def test_a_utf8_file_with_a_byte_order_mark_imports(board_path: Path) -> None:
    board = Board(board_path, "alice")
    apply_import(board, b"\xef\xbb\xbf" + other_tool().encode(), "reqif")
    assert board.get("REQ-3").title == "门户支持中文"


MISDECLARED: dict[str, tuple[Callable[[], bytes], str]] = {
    "declared UTF-8, Latin-1 bytes": (
        lambda: other_tool().replace("门户支持中文", "Portal auf Deutsch").encode("latin-1"),
        ("the file says it is UTF-8 but is not: byte {offset} (line {line}) is 0xF6; it may be Latin-1, "
         "Windows-1252 or GB18030 text: save it as UTF-8")),
    "no declaration, Latin-1 bytes": (
        lambda: other_tool("").replace("门户支持中文", "Portal auf Deutsch").encode("latin-1"),
        "the file is not UTF-8 text: byte {offset} (line {line}) is 0xF6"),
    "declared UTF-8, GB18030 bytes": (
        lambda: other_tool().replace("Größe", "Grosse").encode("gb18030"),
        "the file says it is UTF-8 but is not: byte {offset} (line {line})"),
    "declared ISO-8859-1, UTF-8 bytes": (
        lambda: other_tool('<?xml version="1.0" encoding="ISO-8859-1"?>').encode("utf-8"),
        'the file declares encoding="ISO-8859-1"; reqboard reads ReqIF files in UTF-8 or UTF-16 only'),
    "declared ISO-8859-1, Latin-1 bytes": (
        lambda: other_tool('<?xml version="1.0" encoding="ISO-8859-1"?>').replace("门户支持中文", "x")
        .encode("latin-1"),
        'the file declares encoding="ISO-8859-1"'),
    "declared GB18030, GB18030 bytes": (
        lambda: other_tool('<?xml version="1.0" encoding="GB18030"?>').encode("gb18030"),
        'the file declares encoding="GB18030"'),
    "UTF-8 byte order mark, declared UTF-16": (
        lambda: b"\xef\xbb\xbf" + other_tool('<?xml version="1.0" encoding="UTF-16"?>').encode("utf-8"),
        ('the file declares encoding="UTF-16" but starts with a UTF-8 byte order mark: the declaration and '
         "the bytes must agree")),
    "UTF-16 byte order mark, declared UTF-8": (
        lambda: other_tool().encode("utf-16"),
        'the file declares encoding="UTF-8" but starts with a UTF-16 byte order mark'),
    "declared UTF-16, no byte order mark": (
        lambda: other_tool('<?xml version="1.0" encoding="UTF-16"?>').encode("utf-8"),
        'the file declares encoding="UTF-16" but has no UTF-16 byte order mark (it reads as UTF-8)'),
    "UTF-16 without a byte order mark": (
        lambda: other_tool('<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16-le"),
        "the file looks like UTF-16 text without the byte order mark XML requires for it"),
    "UTF-32": (lambda: other_tool("").encode("utf-32"), "the file is UTF-32 text, which reqboard does not read"),
}


@pytest.mark.parametrize("name", list(MISDECLARED))
def test_a_misdeclared_or_unsupported_encoding_is_refused_not_imported_as_mojibake(board_path: Path,
                                                                                    name: str) -> None:
    make, expected = MISDECLARED[name]
    data = make()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        expected = expected.format(offset=exc.start, line=data[: exc.start].count(b"\n") + 1)
    [line] = refused(board_path, data)
    assert line.startswith(expected), line


# ------------------------------------------------------------------ item 7: one identity, one object
def _with_a_copy_of(data: bytes, key: str, new_key: str) -> bytes:
    """Our export with a second SPEC-OBJECT: a copy of `key`'s, same IDENTIFIER, ForeignID `new_key`."""
    root = etree.fromstring(data)
    ns = {"r": root.nsmap[None]}
    foreign_id = f"r:VALUES/r:ATTRIBUTE-VALUE-STRING[@THE-VALUE='{key}']"
    original = next(o for o in root.iterfind(".//r:SPEC-OBJECT", ns) if o.find(foreign_id, ns) is not None)
    twin = copy.deepcopy(original)
    twin.find(foreign_id, ns).set("THE-VALUE", new_key)
    original.addnext(twin)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_two_spec_objects_with_one_identifier_are_refused_naming_both(tmp_path: Path, board_path: Path) -> None:
    source = sample_board(board_path)
    uid = source.get("REQ-4").uid
    data = _with_a_copy_of(export_board(source, "reqif"), "REQ-4", "REQ-40")
    lines = refused(tmp_path / "new.json", data)
    assert f"SPEC-OBJECT rb-{uid} (REQ-40): it has the IDENTIFIER of SPEC-OBJECT rb-{uid} (REQ-4) " \
           "(SPEC-OBJECTs number 4 and 5 in the file): one IDENTIFIER names one requirement, so give one of " \
           "them another" in lines, lines


def test_two_spec_objects_with_one_foreign_id_are_refused_naming_both(board_path: Path) -> None:
    lines = refused(board_path, other_tool().replace('"PORTAL-2"', '"PORTAL-1"').encode())
    assert lines == [("SPEC-OBJECT _obj-77b2d0 (PORTAL-1): it has the ReqIF.ForeignID of SPEC-OBJECT _obj-3f9a1c "
                      "(PORTAL-1) (SPEC-OBJECTs number 2 and 3 in the file): one ReqIF.ForeignID names one "
                      "requirement, so give one of them another")]


def test_two_spec_objects_claiming_one_key_are_refused_once(board_path: Path) -> None:
    lines = refused(board_path, other_tool().replace('"PORTAL-1"', '"REQ-5"').replace('"PORTAL-3"', '"req-5"')
                    .encode())
    assert len(lines) == 1 and lines[0].startswith("SPEC-OBJECT _obj-c41e09 (req-5): it has the ReqIF.ForeignID "
                                                   "of SPEC-OBJECT _obj-3f9a1c (REQ-5)"), lines


def test_a_relation_whose_target_names_nothing_is_refused(board_path: Path) -> None:
    text = other_tool().replace("<TARGET><SPEC-OBJECT-REF>_obj-3f9a1c</SPEC-OBJECT-REF></TARGET>",
                                "<TARGET><SPEC-OBJECT-REF></SPEC-OBJECT-REF></TARGET>", 1)
    assert refused(board_path, text.encode()) == ["SPEC-RELATION _link-1: its TARGET names no SPEC-OBJECT"]


# ------------------------------------------------------------------ item 2: keys a board cannot hold
@pytest.mark.parametrize("foreign_id", ["REQ-12345678901234567", "REQ-18446744073709551616",
                                        pytest.param("REQ-" + "9" * 5000, id="REQ-(5000 nines)"),
                                        "REQ-²", "REQ-١٢", "REQ-１２"])
def test_a_foreign_id_that_is_no_possible_key_is_refused_naming_the_element(board_path: Path,
                                                                              foreign_id: str) -> None:
    [line] = refused(board_path, other_tool().replace('"PORTAL-1"', f'"{foreign_id}"').encode())
    assert line.startswith("SPEC-OBJECT _obj-3f9a1c ("), line
    assert "), attribute ReqIF.ForeignID: " in line, line
    assert line.endswith("correct it, or leave ReqIF.ForeignID out to import the object under a new key"), line
    assert len(line) < 400


def test_another_tools_numbering_with_a_leading_zero_is_not_taken_for_a_key(board_path: Path) -> None:
    board = Board(board_path, "alice")
    summary = apply_import(board, other_tool().replace('"PORTAL-2"', '"REQ-007"').encode(), "reqif")
    assert [(a.key, a.where) for a in summary.added][1] == ("REQ-2", "SPEC-OBJECT _obj-77b2d0 (REQ-007)")


def test_cli_refuses_an_impossible_key_with_one_error_line(tmp_path: Path, board_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "keys.reqif"
    path.write_text(other_tool().replace('"PORTAL-1"', '"REQ-²"'), encoding="utf-8")
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: nothing imported from ") and "unexpected" not in "\n".join(err)
    assert err[1].startswith("  SPEC-OBJECT _obj-3f9a1c (REQ-²), attribute ReqIF.ForeignID: REQ-² looks like a "
                             "requirement key")
    assert not board_path.exists()


def test_rekey_adds_an_object_whose_key_is_another_requirement_under_a_new_key(tmp_path: Path,
                                                                               board_path: Path) -> None:
    data = export_board(sample_board(board_path), "reqif")
    other = Board(tmp_path / "other.json", "bob")
    other.add_requirement("A different REQ-1")
    summary = apply_import(other, data, "reqif", rekey=True)
    assert summary.rekeyed["REQ-1"] == "REQ-10"
    assert other.get("REQ-10").title == sample_board(tmp_path / "again.json").get("REQ-1").title
    assert other.get("REQ-1").title == "A different REQ-1"
    assert other.get("REQ-2").depends_on == ("REQ-10",)


# ------------------------------------------------------------------ item 16: the same file twice
def _renumbered(data: bytes) -> bytes:
    """Our export as another tool would hand it back: its own ids in ReqIF.ForeignID, not our keys."""
    return re.sub(rb'THE-VALUE="REQ-([0-9]+)"', rb'THE-VALUE="OTHER-\1"', data)


def _board_knowing_the_customers(path: Path) -> Board:
    """A board that knows the sample's customers with other tiers than the file gives them."""
    board = Board(path, "bob")
    board.add_requirement("Known customer", customer="Zed", tier="C")
    board.add_requirement("Another", customer="ACME Corp", tier="B")
    return board


REIMPORTS: dict[str, Callable[[Path, Path], tuple[Board, bytes]]] = {
    "our export into a new board": lambda source, path: (
        Board(path, "bob"), export_board(sample_board(source), "reqif")),
    "our export into the board it came from": lambda source, path: (
        sample_board(path), export_board(Board(path, "alice"), "reqif")),
    # A requirement added without a tier takes its customer's; importing the file again must keep it.
    "another tool's numbering into a board that knows the customers": lambda source, path: (
        _board_knowing_the_customers(path), _renumbered(export_board(sample_board(source), "reqif"))),
    "another tool's file": lambda source, path: (_board_knowing_the_customers(path), FIXTURE.read_bytes()),
}


@pytest.mark.parametrize("name", list(REIMPORTS))
def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, name: str) -> None:
    board, data = REIMPORTS[name](tmp_path / "source.json", tmp_path / "board.json")
    first = apply_import(board, data, "reqif")
    assert first.ok and (first.added or first.unchanged)
    before = snapshot(board.path)
    again = apply_import(board, data, "reqif")
    assert (again.added, again.changed) == ([], []), again.text()
    assert sorted(again.unchanged) == sorted(first.unchanged + [a.key for a in first.added])
    assert snapshot(board.path) == before


def test_cli_reimport_reports_everything_unchanged(tmp_path: Path, board_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(FIXTURE)]) == 0
    capsys.readouterr()
    assert main(["import", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "added 0 requirement(s), changed 0, 3 unchanged"
    assert len(Board(board_path, "x").requirements()) == 3


# ------------------------------------------------------------------ item 11: fuzzing
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A sample board to import into (copied for each example) and its own ReqIF export."""
    path = tmp_path_factory.mktemp("template") / "board.json"
    return path, export_board(sample_board(path), "reqif")


def _import_and_check(template: Path, data: bytes, into_empty: bool) -> None:
    """Import `data` into a copy of the template board (or an empty one) and check what may come out:
    success, or a refusal with one line per problem; the board reads and passes `check` afterwards,
    and a file that was imported changes nothing when imported again."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.json"
        if not into_empty:
            for name in ("board.json", "board.json.history.jsonl"):
                shutil.copy2(template.with_name(name), Path(tmp) / name)
        before = snapshot(path)
        try:
            apply_import(Board(path, "fuzz"), data, "reqif", source="fuzz.reqif")
            imported = True
        except InvalidValue as exc:  # ImportRefused is one: the file, or a record in it, was refused
            lines = exc.summary.refused if isinstance(exc, ImportRefused) else [str(exc)]
            assert lines and all(line.strip() and "\n" not in line and "Traceback" not in line
                                 for line in lines), lines
            assert snapshot(path) == before
            imported = False
        board = Board(path, "fuzz")
        board.requirements()
        if path.exists():
            errors, _warnings = board.check()
            assert errors == []
        if imported:
            again = apply_import(board, data, "reqif")
            assert (again.added, again.changed) == ([], []), again.text()


FUZZ = settings(max_examples=40, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
VALUES = st.one_of(
    st.sampled_from(["", "REQ-1", "REQ-2", "REQ-0", "REQ-12345678901234567", "REQ-²", "REQ-007", "req-3", "-1", "0",
                     "6", "1e400", "nan", "18446744073709551616", "9" * 5000, "analysed", "rejected", "done",
                     "in_progress", "2026-02-30", "0001-01-01", "[x]", "A", "Z", "must_be", "x" * 300, "\n", "1.5"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r"), max_size=30),
)


@st.composite
def xhtml(draw: st.DrawFn) -> str:
    """An XHTML value as other tools write them: nested blocks, comments, PIs, CDATA, references."""
    def node(depth: int) -> str:
        tag = draw(st.sampled_from(["div", "p", "br", "li", "ul", "pre", "span", "b", "table", "td", "object"]))
        inner = "".join(
            draw(st.sampled_from(["x", "  y  ", "\n", "&amp;", "REQ-1", "é", "&#160;", "<!-- c -->", "<?x y?>",
                                  "<![CDATA[<b>&]]>", "&#x1F600;"])) if draw(st.booleans()) else node(depth + 1)
            for _ in range(draw(st.integers(0, 3) if depth < 5 and tag != "br" else st.just(0))))
        return f"<xhtml:{tag}>{inner}</xhtml:{tag}>"

    body = node(0)
    if draw(st.integers(0, 4)) == 0:  # deep nesting, near the parser's own depth limit
        depth = draw(st.integers(100, 300))
        body = "<xhtml:div>" * depth + "deep" + "</xhtml:div>" * depth
    return f'<xhtml:div xmlns:xhtml="http://www.w3.org/1999/xhtml">{body}</xhtml:div>'


_DEEP = etree.XMLParser(huge_tree=True)  # builds the deep XHTML values that the importer's parser refuses


@st.composite
def restructured(draw: st.DrawFn, source: bytes) -> bytes:
    """`source` with a few elements deleted, copied, moved or swapped, attributes and texts replaced,
    comments and processing instructions inserted, XHTML values rewritten."""
    root = etree.fromstring(source)
    for _ in range(draw(st.integers(1, 4))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        if draw(st.booleans()):  # the requirements and links, more often than the type definitions
            elements = [e for e in elements if any(etree.QName(a).localname in ("SPEC-OBJECTS", "SPEC-RELATIONS")
                                                   for a in e.iterancestors())] or elements
        element = draw(st.sampled_from(elements))
        parent = element.getparent()
        op = draw(st.sampled_from(["delete", "copy", "attribute", "text", "comment", "move", "swap", "xhtml"]))
        if op == "delete" and parent is not None:
            parent.remove(element)
        elif op == "copy" and parent is not None:
            element.addnext(copy.deepcopy(element))
        elif op == "attribute":
            element.set(draw(st.sampled_from(sorted(element.attrib) or ["IDENTIFIER"])), draw(VALUES))
        elif op == "text":
            element.text = draw(VALUES)
        elif op == "comment":
            node = draw(st.sampled_from([etree.Comment(" note "), etree.ProcessingInstruction("tool", "x")]))
            element.insert(draw(st.integers(0, len(element))), node)
        elif op in ("move", "swap") and parent is not None:
            other = draw(st.sampled_from(elements))
            if other is element or other in element.iterancestors() or element in other.iterancestors():
                continue
            if op == "move":
                other.append(element)
            elif other.getparent() is not None:
                mark = etree.Element("mark")
                element.addprevious(mark)
                other.addprevious(element)
                mark.addprevious(other)
                mark.getparent().remove(mark)
        elif op == "xhtml":
            values = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "THE-VALUE"]
            if values:
                value = draw(st.sampled_from(values))
                value.clear()
                value.append(etree.fromstring(draw(xhtml()), _DEEP))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@st.composite
def damaged(draw: st.DrawFn, source: bytes) -> bytes:
    """`source` with a few bytes replaced, inserted or deleted, or cut short."""
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
            [b"<", b">", b"&", b"<!--", b"]]>", b'"', b"\x00", b"\xff\xfe", b"&#0;", b"&lt;", b"</VALUES>",
             b"<!DOCTYPE x>", b"<?xml", b"\xc3", b"\xe2\x80\xae"]))
        op = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
        if op == "replace":
            data[at:at + len(chunk)] = chunk
        elif op == "insert":
            data[at:at] = chunk
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        else:
            del data[at:]
    return bytes(data)


@st.composite
def reencoded(draw: st.DrawFn, source: bytes) -> bytes:
    """`source` under another declaration and another encoding, agreeing or not."""
    body = source.decode("utf-8").split("?>", 1)[1]
    declared = draw(st.sampled_from(["UTF-8", "utf-8", "UTF-16", "UTF-16LE", "ISO-8859-1", "UTF-7", "GB18030",
                                     "US-ASCII", ""]))
    codec = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1",
                                  "gb18030", "utf-7"]))
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return (head + body).encode(codec, "replace")


SOURCES = st.sampled_from(["ours", "other tool"])


def _source(template: tuple[Path, bytes], which: str) -> bytes:
    return template[1] if which == "ours" else FIXTURE.read_bytes()


@FUZZ
@given(data=st.data(), which=SOURCES, into_empty=st.booleans())
def test_fuzz_restructured_files(template: tuple[Path, bytes], data: st.DataObject, which: str,
                                 into_empty: bool) -> None:
    _import_and_check(template[0], data.draw(restructured(_source(template, which))), into_empty)


@FUZZ
@given(data=st.data(), which=SOURCES, into_empty=st.booleans())
def test_fuzz_damaged_bytes(template: tuple[Path, bytes], data: st.DataObject, which: str,
                            into_empty: bool) -> None:
    _import_and_check(template[0], data.draw(damaged(_source(template, which))), into_empty)


@FUZZ
@given(data=st.data(), which=SOURCES, into_empty=st.booleans())
def test_fuzz_encodings(template: tuple[Path, bytes], data: st.DataObject, which: str, into_empty: bool) -> None:
    _import_and_check(template[0], data.draw(reencoded(_source(template, which))), into_empty)


def test_a_lone_tag_with_a_comma_survives_a_reqif_round_trip(tmp_path: Path) -> None:
    from reqboard.store.board import Board
    from reqboard.store.exchange import export_board, preview_import

    board = Board(tmp_path / "board.json", "ann")
    board.add_requirement("Tagged", tags=("a,b",))
    summary = preview_import(board, export_board(board, "reqif"), "reqif")
    assert not summary.changed and not summary.refused
