"""The `reqboard` command: no subcommand opens the board; subcommands script the store.

Exit codes: 0 done; 1 refused (rule, not found, invalid value, a server login without the right);
2 usage (and a file-only command on a server board); 3 conflict; 4 store unreadable or server
unreachable. Errors go to stderr as one line starting `error:`; notes (an ignored --user, a password
in a URL) as lines starting `note:`. Textual is imported only to open the board, and psycopg only for
a server board, so scripted commands start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from reqboard.store.outputs import BoardFiles

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONFLICT, EXIT_UNREADABLE = 0, 1, 2, 3, 4


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one `error:` line with exit code 2.

    `deferred_options` adds options whose declaration costs an import (`move`'s come from the workflow
    rules) when this parser is first used, so that other commands and opening the board do not pay it.
    """

    deferred_options: Callable[[argparse.ArgumentParser], None] | None = None

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")

    def add_deferred_options(self) -> Parser:
        """Add the deferred options now (parsing does it; so may a test that lists every option)."""
        if self.deferred_options is not None:
            add, self.deferred_options = self.deferred_options, None
            add(self)
        return self

    def parse_known_args(self, args: Iterable[str] | None = None,
                         namespace: Any = None) -> tuple[Any, list[str]]:
        self.add_deferred_options()
        return super().parse_known_args(args, namespace)


def _global_options() -> Parser:
    # SUPPRESS lets the options stand before or after the subcommand without one hiding the other.
    common = Parser(add_help=False)
    common.add_argument("--store", metavar="PATH|URL", default=argparse.SUPPRESS,
                        help="board file, or a postgresql:// URL of a board on a server (default: "
                             "$REQBOARD_STORE, else the user data directory)")
    common.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="who is acting (default: $REQBOARD_USER, else the login name; ignored on a "
                             "server board, where the database login acts)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print records as JSON")
    return common


def _score(text: str) -> int:
    # Only the syntax is a usage error; the 1-5 range is the store's to refuse (an invalid value, exit 1).
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 5") from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _version(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version number") from None


def _add_field_options(p: argparse.ArgumentParser, *, editing: bool) -> None:
    if editing:
        p.add_argument("--title")
    p.add_argument("--description", "-d")
    p.add_argument("--customer")
    p.add_argument("--tier", help="customer tier A|B|C")
    p.add_argument("--channel", help="interview, survey, hotline, email, after-sales, social-media, "
                                     "market-research, complaint, other")
    p.add_argument("--need-type", help="explicit, implicit, latent")
    p.add_argument("--kano", help="must-be, performance, attractive, indifferent, reverse")
    p.add_argument("--category")
    p.add_argument("--importance", type=_score)
    p.add_argument("--urgency", type=_score)
    p.add_argument("--value", type=_score, help="business value 1-5")
    p.add_argument("--effort", type=_number, help="effort estimate (hours)")
    p.add_argument("--feasibility", help="high, medium, low, unknown")
    p.add_argument("--owner")
    p.add_argument("--due", help="due date YYYY-MM-DD (empty to clear)")
    p.add_argument("--tag", action="append", help="a tag (repeat for several; replaces the tags)")
    p.add_argument("--depends-on", action="append", metavar="KEY", help="repeat; replaces the list")
    p.add_argument("--conflicts-with", action="append", metavar="KEY", help="repeat; replaces the list")
    p.add_argument("--criterion", action="append", metavar="TEXT",
                   help="an acceptance criterion (repeat; replaces the list)")
    if editing:
        p.add_argument("--check", action="append", type=int, metavar="N",
                       help="mark acceptance criterion N (from 1) as met")
        p.add_argument("--uncheck", action="append", type=int, metavar="N")


_FIELD_MAP = {
    "title": "title", "description": "description", "customer": "customer", "tier": "tier",
    "channel": "channel", "need_type": "need_type", "kano": "kano", "category": "category",
    "importance": "importance", "urgency": "urgency", "value": "business_value",
    "effort": "effort_estimate", "feasibility": "feasibility", "owner": "owner", "due": "due",
    "tag": "tags", "depends_on": "depends_on", "conflicts_with": "conflicts_with",
}


def _field_values(args: argparse.Namespace) -> dict[str, Any]:
    from reqboard.store.domain import normalise_key

    values: dict[str, Any] = {}
    for option, field in _FIELD_MAP.items():
        value = getattr(args, option, None)
        if value is None:
            continue
        if field in ("depends_on", "conflicts_with"):
            value = tuple(normalise_key(k) for k in value if k.strip())
        elif field == "tags":
            value = tuple(t for t in value if t.strip())
        elif field in ("tier", "due", "need_type", "kano", "feasibility") and value == "":
            value = None
        values[field] = value
    if getattr(args, "criterion", None) is not None:
        values["acceptance_criteria"] = tuple({"text": t} for t in args.criterion if t.strip())
    return values


# `--owner` set the owner with any move before guards declared their inputs; it still does.
_SET_WITH_ANY_MOVE = frozenset({"owner"})


def _guard_inputs() -> dict[str, list[tuple[Any, Any]]]:
    """Every guard input by name, with the states whose moves take it (workflow's declaration)."""
    from reqboard.store import workflow
    from reqboard.store.domain import BOARD_STATES

    by_name: dict[str, list[tuple[Any, Any]]] = {}
    for state in BOARD_STATES:
        for inp in workflow.inputs_of(state):
            by_name.setdefault(inp.name, []).append((state, inp))
    return by_name


def _add_guard_options(p: argparse.ArgumentParser) -> None:
    """`reqboard move`'s options for what a state's rule asks: one per guard input, from workflow."""
    group = p.add_argument_group("what the target state asks for (see `reqboard show KEY` for a criterion's number)")
    for name, uses in _guard_inputs().items():
        first = uses[0][1]
        kinds = {inp.kind for _state, inp in uses}
        labels = dict.fromkeys(inp.label for _state, inp in uses)
        if len(labels) == 1:
            help = f"{first.label}: for a move to {' or '.join(state.value for state, _inp in uses)}"
        else:
            help = "; ".join(f"{inp.label} (for a move to {state.value})" for state, inp in uses)
        if name in _SET_WITH_ANY_MOVE:
            help += " (sets it with any other move too)"
        if kinds == {"choice"}:
            help += "; one of " + ", ".join(value.replace("_", "-") for value, _label in first.choices)
        if "checklist" in kinds:
            help += " (repeat for several)"
        group.add_argument(first.option, dest=f"input_{name}", metavar=_metavar(kinds),
                           action="append" if "checklist" in kinds else "store",
                           type=_score if kinds == {"score"} else str, help=help)


def _metavar(kinds: set[str]) -> str:
    return {"score": "N", "checklist": "N", "choice": "CHOICE"}.get(next(iter(kinds)), "TEXT") if len(kinds) == 1 else "VALUE"


def build_parser() -> Parser:
    common = _global_options()
    parser = Parser(prog="reqboard", parents=[common],
                    description="A keyboard-first terminal kanban for customer requirements.")
    parser.add_argument("--demo", action="store_true", help="open a sample board (a fresh copy)")
    parser.add_argument("--version", action="version", version=f"reqboard {_package_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    p = command("add", "add a requirement (prints its key)")
    p.add_argument("title")
    _add_field_options(p, editing=False)

    p = command("list", "list requirements")
    p.add_argument("--state", help="only this state (collected ... fed_back, rejected)")
    p.add_argument("--customer")
    p.add_argument("--tag")
    p.add_argument("--owner")

    p = command("show", "show one requirement")
    p.add_argument("key")

    p = command("edit", "change fields of a requirement")
    p.add_argument("key")
    _add_field_options(p, editing=True)
    p.add_argument("--reason", default="")
    p.add_argument("--expect-version", type=_version, metavar="N")

    p = command("move", "move a requirement to another state, giving what that state's rule asks for")
    p.add_argument("key")
    p.add_argument("state")
    p.add_argument("--reason", default="", help="why (moving back, rejecting, reopening)")
    p.add_argument("--expect-version", type=_version, metavar="N")
    assert isinstance(p, Parser)
    p.deferred_options = _add_guard_options

    p = command("approve", "record an approval (moves an analysed requirement to approved)")
    p.add_argument("key")
    p.add_argument("--comment", default="")
    p.add_argument("--expect-version", type=_version, metavar="N")

    p = command("feedback", "record customer feedback (moves a done requirement to fed_back)")
    p.add_argument("key")
    p.add_argument("--satisfaction", type=_score, required=True)
    p.add_argument("--comment", default="")
    p.add_argument("--channel", default="email", help="how the customer was told")
    p.add_argument("--expect-version", type=_version, metavar="N")

    p = command("reject", "reject a requirement (off the board, into the archive)")
    p.add_argument("key")
    p.add_argument("--reason", required=True)
    p.add_argument("--expect-version", type=_version, metavar="N")

    p = command("review", "clear a requirement's suspect flag after reviewing it")
    p.add_argument("key")
    p.add_argument("--comment", default="")

    p = command("history", "the history of a requirement")
    p.add_argument("key")

    p = command("check", "validate the board file, one line per problem")
    p.add_argument("--repair", action="store_true",
                   help="keep what can be read of a lost, cut or damaged history journal (the rest is set "
                        "aside) so that the board takes changes again")

    p = command("export", "export the board")
    p.add_argument("--format", choices=["json", "csv", "md", "reqif"],
                   help="default: from the -o file's extension, else json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")

    p = command("import", "import requirements from a file (all or nothing)")
    p.add_argument("file")
    p.add_argument("--format", choices=["json", "csv", "reqif"], help="default: from the file's extension")
    p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--rekey", action="store_true", help="give clashing requirements new keys")

    p = command("clone", "copy the board at SOURCE (history included) into a new board DEST that can sync back")
    p.add_argument("source", help="the board to copy (a board file)")
    p.add_argument("dest", help="the new board (must not exist)")

    p = command("migrate", "copy a whole board (history included) into an empty store: between board files "
                           "and postgresql:// databases, either way")
    p.add_argument("source", help="the board to copy (a board file or a postgresql:// URL)")
    p.add_argument("dest", help="where to: a new board file, or a database made ready by `reqboard server init`")

    p = command("sync", "merge this board (--store: ours) with another (theirs), both ways, three-way by uid")
    p.add_argument("other", nargs="?",
                   help="the other board (default: the one this board was cloned from or last synced with)")
    p.add_argument("--dry-run", action="store_true", help="print the whole plan; write nothing")
    p.add_argument("--prefer", choices=["ours", "theirs"], help="settle every conflict with this side's value")
    p.add_argument("--no-base", action="store_true",
                   help="merge as boards that never synced (every difference a conflict): after a restore or a copy")
    p.add_argument("--resolve", action="append", type=_resolution, metavar="KEY.FIELD=ours|theirs", default=[],
                   help="settle one conflict, e.g. REQ-3.title=theirs or CR-2.status=ours (repeat for several)")

    p = command("restore", "list the kept backups or make one the current board")
    p.add_argument("--list", action="store_true", help="list the kept backups")
    p.add_argument("--generation", type=int, metavar="N", help="the generation to restore (default: newest)")

    p = command("wip", "show or set a column's work-in-progress limit")
    p.add_argument("state", nargs="?")
    p.add_argument("limit", nargs="?", help="a number, or 'none' to remove the limit")

    p = command("report", "a report of flow, satisfaction, change requests and the intake forecast")
    p.add_argument("--format", choices=["md", "html", "json"], default=None,
                   help="md (default: for a status mail or wiki), html (one self-contained file), json")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    p.add_argument("--since", type=_date, metavar="DATE", help="only the period from DATE (YYYY-MM-DD)")

    cr = command("cr", "change requests")
    crs = cr.add_subparsers(dest="cr_command", metavar="CR_COMMAND")

    def cr_command(name: str, help: str) -> argparse.ArgumentParser:
        return crs.add_parser(name, parents=[common], help=help, description=help)

    p = cr_command("add", "file a change request against a requirement (prints its key)")
    p.add_argument("key")
    p.add_argument("summary")
    p.add_argument("--reason", default="")
    p.add_argument("--new-title")
    p.add_argument("--new-description")
    p.add_argument("--new-criterion", action="append", metavar="TEXT")
    p = cr_command("assess", "record the impact assessment")
    p.add_argument("cr")
    p.add_argument("--schedule-days", type=_number, required=True)
    p.add_argument("--cost", type=_number, required=True)
    p.add_argument("--effort-hours", type=_number, required=True)
    p.add_argument("--risk", default="medium", choices=["low", "medium", "high"])
    p.add_argument("--resources", default="")
    p.add_argument("--affects", action="append", default=[], metavar="KEY")
    cr_steps = [p]
    p = cr_command("approve", "approve (applies the change to its requirement)")
    p.add_argument("cr")
    p.add_argument("--rationale", default="approved")
    cr_steps.append(p)
    p = cr_command("reject", "reject a change request")
    p.add_argument("cr")
    p.add_argument("--rationale", required=True)
    cr_steps.append(p)
    for name, help in (("implement", "mark as implemented"), ("close", "close"), ("show", "show one")):
        p = cr_command(name, help)
        p.add_argument("cr")
        if name != "show":
            cr_steps.append(p)
    for p in cr_steps:
        p.add_argument("--expect-version", type=_version, metavar="N",
                       help="refuse (exit 3) if its requirement changed since this version "
                            "(requirement_version in `cr show --json`)")
    p = cr_command("list", "list change requests")
    p.add_argument("--status")

    server = command("server", "set up a board on a PostgreSQL server: init, grant, revoke")
    servers = server.add_subparsers(dest="server_command", metavar="SERVER_COMMAND")

    def server_command(name: str, help: str) -> argparse.ArgumentParser:
        p = servers.add_parser(name, parents=[common], help=help, description=help)
        p.add_argument("url", help="the database, e.g. postgresql://db.example.com/reqboard")
        return p

    server_command("init", "make the board's tables in a database, or bring them up to date (safe to repeat)")
    p = server_command("grant", "let a database login change the board (or, with --read-only, only read it)")
    p.add_argument("login", help="the database login (a role made with CREATE ROLE ... LOGIN)")
    p.add_argument("--read-only", action="store_true", help="only read the board (takes back a right to write)")
    p = server_command("revoke", "take back a database login's access to the board")
    p.add_argument("login")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reqboard")
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------------------- output
def _write_bytes(payload: bytes) -> None:
    """Bytes to standard output as they are (JSON and exports are UTF-8 whatever the terminal's encoding)."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (some embedders): hand it text
        sys.stdout.write(payload.decode("utf-8", "replace"))
    else:
        buffer.write(payload)
        buffer.flush()


def _print_json(data: Any) -> None:
    import orjson

    _write_bytes(_json_for_terminal(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"))


def _json_for_terminal(payload: bytes) -> bytes:
    """JSON bytes made inert for a terminal (see store.text.json_for_terminal)."""
    from reqboard.store.text import json_for_terminal

    return json_for_terminal(payload.decode("utf-8")).encode("utf-8")


def _path_text(path: str | Path) -> str:
    """A file name as text that JSON and the history can hold: bytes that are not UTF-8 (which Python
    keeps as lone surrogates) are written as `\\xe9` escapes."""
    import os

    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return os.fsencode(text).decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return text.encode("utf-8", "backslashreplace").decode("ascii")
    return text


def _text(value: Any) -> str:
    """User text for one line of a terminal: nothing in it can hide itself or disguise what follows."""
    from reqboard.store.text import shown

    return shown("" if value is None else str(value), one_line=True)


def _cell(text: str, width: int) -> str:
    """Made safe (see `_text`), then padded or cut to a display width (wide characters count two)."""
    from rich.cells import cell_len, set_cell_size

    text = _text(text)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def _pad(text: str, width: int) -> str:
    """Made safe and padded to at least a display width; longer text is kept whole."""
    from rich.cells import cell_len

    text = _text(text)
    return text + " " * max(0, width - cell_len(text))


def _print_list(reqs: Sequence[Any]) -> None:
    # Keys and states are never cut (a longer one shifts its line); customers are cut to their column.
    print(f"{_pad('KEY', 9)} {_pad('STATE', 12)} {'PRI':>3}  {_cell('CUSTOMER', 20)} TITLE")
    for r in reqs:
        pri = "" if r.priority is None else str(r.priority)
        print(f"{_pad(r.key, 9)} {_pad(r.state.value, 12)} {pri:>3}  {_cell(r.customer or '-', 20)} "
              f"{_text(r.title)}")


def _show_text(req: Any) -> str:
    """`reqboard show`: one requirement for a person to read, every piece of user text made safe."""
    from reqboard.store.workflow import next_state

    lines = [f"{req.key}  {req.title}", f"  state        {req.state.label}"
             + (f" (rejected: {req.rejection_reason})" if req.rejection_reason else "")]

    def row(label: str, value: Any) -> None:
        if value not in (None, "", ()):
            lines.append(f"  {label:<12} {value}")

    row("customer", f"{req.customer} (tier {req.tier.value})" if req.tier else req.customer)
    row("channel", req.channel.label)
    row("need type", req.need_type.label if req.need_type else None)
    row("kano", req.kano.label if req.kano else None)
    row("category", req.category)
    if req.priority is not None:
        row("priority", f"{req.priority} (importance {req.importance} x urgency {req.urgency})")
    row("value", req.business_value)
    row("effort", req.effort_estimate)
    row("feasibility", req.feasibility.label if req.feasibility else None)
    row("owner", req.owner)
    row("due", req.due.isoformat() if req.due else None)
    row("tags", ", ".join(req.tags))
    row("depends on", ", ".join(req.depends_on))
    row("conflicts", ", ".join(req.conflicts_with))
    if req.suspect:
        row("SUSPECT", req.suspect + f" (clear with: reqboard review {req.key})")
    if req.approvals and not req.approval_current:
        row("CHANGED", "since its approval")
    row("version", f"{req.version}, updated by {req.updated_by} at {req.updated_at:%Y-%m-%d %H:%M} UTC")
    if req.description:
        from reqboard.store.text import shown

        lines.append("  description")
        lines.extend(f"    {line}" for line in shown(req.description).splitlines())
    if req.acceptance_criteria:
        lines.append("  acceptance criteria")
        for i, c in enumerate(req.acceptance_criteria, 1):
            lines.append(f"    {i}. [{'x' if c.done else ' '}] {c.text}")
    for a in req.approvals:
        lines.append(f"  approved     by {a.by} at {a.at:%Y-%m-%d %H:%M}" + (f": {a.comment}" if a.comment else ""))
    for f in req.feedback:
        lines.append(f"  feedback     {f.satisfaction}/5 via {f.channel.label} at {f.at:%Y-%m-%d}"
                     + (f": {f.comment}" if f.comment else ""))
    for cr in req.change_requests:
        lines.append(f"  {cr.key:<12} {cr.status.label:<12} {cr.summary}")
    nxt = next_state(req.state)
    if nxt:
        lines.append(f"  next         reqboard move {req.key} {nxt.value}")
    # Every line carries user text somewhere: each is made safe whole, so no field can be missed.
    return "\n".join(_text(line) for line in lines)


# ---------------------------------------------------------------------------- commands
def _store_path(args: argparse.Namespace) -> Path | str:
    """The board's location: a path, or a server's URL as given (a Path would fold its `//`)."""
    from reqboard.store.paths import default_store_path

    given = getattr(args, "store", None)
    if given == "":  # e.g. `--store "$UNSET"`: never fall back to the user's own board for it
        raise UsageError("--store was given an empty path: give the board file, or leave --store out")
    if given is None:
        return default_store_path()
    return given if "://" in given else Path(given)


def _user(args: argparse.Namespace) -> str:
    from reqboard.store.paths import default_user

    return getattr(args, "user", None) or default_user()


def _board(args: argparse.Namespace) -> Any:
    return _board_at(_store_path(args), args)


_OPENED: list[Any] = []
"""The boards the command opened, closed when it ends (a server board's connections and threads)."""


def _close_opened() -> None:
    """Let go of what the boards the command opened hold: a server board's connection pool is closed
    here, in the main thread, rather than whenever the garbage collector frees it, which may be in one
    of the pool's own threads (that cannot join itself, and Python prints the failure)."""
    while _OPENED:
        try:
            _OPENED.pop().storage.close()
        except Exception:  # the command is over and has said how it went: a failed goodbye changes nothing
            pass


def _board_at(location: str | Path, args: argparse.Namespace, user: str | None = None) -> Any:
    """The board at `location`, as `user` (default: --user, $REQBOARD_USER, the login name). A server
    board acts as its database login whatever the user is: a --user given on the command line gets a
    note saying so, once ($REQBOARD_USER is ignored there silently: it is set for file boards)."""
    from reqboard.store.board import Board

    board = Board(location, user if user is not None else _user(args))
    _OPENED.append(board)
    login = board.storage.login
    if login is not None and "user" in args and not getattr(args, "user_noted", False):
        args.user_noted = True
        print(f"note: --user is ignored on a server board: changes are made as the database login {_text(login)}",
              file=sys.stderr)
    return board


def _where(board: Any, given: str) -> str:
    """How to name a board in output: a file as it was given, a server as its URL without a password."""
    return board.storage.location if board.files() is None else _path_text(given)


def _holds_no_board(board: Any) -> bool:
    """Is there nothing at `board`'s location to copy (no file, or a board never written to)?"""
    snapshot = board.snapshot()
    return snapshot.generation == 0 and not snapshot.requirements


def _board_files(board: Any) -> BoardFiles | None:
    """The files of `board` that an export or a report must never be written onto (None: it has none)."""
    files: BoardFiles | None = board.files()
    return files


def _write_output(output: str | None, board: Any, make: Callable[[], bytes], *, is_json: bool = False) -> None:
    """`make()`'s bytes to the -o file (`-` or none: standard output), never onto one of the board's files.

    On standard output JSON is made inert for a terminal (see `_json_for_terminal`), and a document
    shown on a terminal itself goes through `store.text.shown`; a file gets the bytes as they are."""
    if output is None or output == "-":
        payload = make()
        if is_json:
            payload = _json_for_terminal(payload)
        elif sys.stdout.isatty():
            from reqboard.store.text import shown

            payload = shown(payload.decode("utf-8", "replace")).encode("utf-8")
        _write_bytes(payload)
        return
    from reqboard.store.outputs import check_output, write_output

    files = _board_files(board)
    check_output(output, files)  # before the work of making it
    write_output(output, make(), files)


def _emit(args: argparse.Namespace, req: Any, text: str) -> None:
    if getattr(args, "json", False):
        from reqboard.store.exchange.json_io import requirement_json

        _print_json(requirement_json(req))
    else:
        print("\n".join(_text(line) for line in text.split("\n")))


def cmd_add(args: argparse.Namespace) -> int:
    fields = _field_values(args)
    title = fields.pop("title")
    req = _board(args).add_requirement(title, **fields)
    _emit(args, req, req.key)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from reqboard.store.cards import validated
    from reqboard.store.domain import State

    state = None
    if args.state:
        try:
            state = State.parse(args.state)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def wanted(r: Any) -> bool:
        return ((state is None or r.state is state)
                and (not args.customer or r.customer.casefold() == args.customer.casefold())
                and (not args.tag or args.tag in r.tags)
                and (not args.owner or r.owner.casefold() == args.owner.casefold()))

    board = _board(args)
    as_json = getattr(args, "json", False)
    if as_json:
        from reqboard.store.exchange.json_io import requirement_json
    # One model at a time, each turned into its output at once: every record is still validated (one
    # the models refuse stops the listing, exit 4), but 50,000 models are never held together.
    listed: list[Any] = []
    for card in board.cards(whole=True):  # (a server sends only what cards show unless asked for more)
        req = validated(card.record, card.path)
        if wanted(req):
            listed.append(_json_element(requirement_json(req)) if as_json else card)
    if as_json:
        _write_bytes(_json_for_terminal(("[\n" + ",\n".join(listed) + "\n]\n" if listed else "[]\n").encode()))
    else:
        _print_list(listed)
    return EXIT_OK


def _json_element(data: Any) -> str:
    """One element of an indented JSON list, as `_print_json` would print it inside the list."""
    import orjson

    return "\n".join("  " + line for line in orjson.dumps(data, option=orjson.OPT_INDENT_2).decode().split("\n"))


def cmd_show(args: argparse.Namespace) -> int:
    from reqboard.store.errors import NotFound

    board = _board(args)
    try:
        req = board.get(args.key)
    except NotFound:
        moved = board.formerly(args.key)
        if not moved:
            raise
        req = moved[0]
        print(f"note: {_text(args.key.upper())} is now {req.key}: a sync gave it a new key", file=sys.stderr)
    else:
        for other in board.formerly(req.key):
            print(f"note: {req.key} was also the key of {other.key} ({_text(other.title)}) until a sync gave it "
                  f"a new key", file=sys.stderr)
    _emit(args, req, _show_text(req))
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    board = _board(args)
    changes = _field_values(args)
    expect_version = args.expect_version
    if args.check or args.uncheck:
        req = board.get(args.key)
        # The list is rewritten from this read: refuse it if someone changed the record meanwhile.
        expect_version = req.version if expect_version is None else expect_version
        criteria = [dict(c) for c in changes.get("acceptance_criteria", [c.model_dump() for c in req.acceptance_criteria])]
        for n, done in [(n, True) for n in args.check or []] + [(n, False) for n in args.uncheck or []]:
            if not 1 <= n <= len(criteria):
                from reqboard.store.errors import InvalidValue

                raise InvalidValue(f"{req.key} has {len(criteria)} acceptance criteria; there is no number {n}")
            criteria[n - 1]["done"] = done
        changes["acceptance_criteria"] = tuple(criteria)
    if not changes:
        raise UsageError("nothing to change: give at least one field option, e.g. --title or --owner")
    req = board.edit_requirement(args.key, changes, expect_version=expect_version, reason=args.reason)
    _emit(args, req, f"{req.key} is now version {req.version}")
    return EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    from reqboard.store.domain import State

    try:
        state = State.parse(args.state)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    inputs, updates = _move_inputs(args, state)
    req = _board(args).move_requirement(args.key, state, reason=args.reason, expect_version=args.expect_version,
                                        updates=updates, inputs=inputs)
    _emit(args, req, f"{req.key} is now {req.state.value}")
    return EXIT_OK


def _move_inputs(args: argparse.Namespace, state: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The guard inputs a move was given, parsed by the rule's own declaration (InvalidValue, exit 1),
    and the field updates of options kept from before (`--owner` with any move)."""
    from reqboard.store import workflow

    given = {name: getattr(args, f"input_{name}") for name in _guard_inputs()
             if getattr(args, f"input_{name}", None) is not None}
    declared = workflow.inputs_of(state)
    taken = {inp.name for inp in declared}
    updates: dict[str, Any] = {}
    for name in [name for name in given if name not in taken and name in _SET_WITH_ANY_MOVE]:
        value = given.pop(name)
        if value:  # an empty --owner was ignored before guard inputs, and is still
            updates[name] = value
    stray = [name for name in given if name not in taken]
    if stray:
        uses = _guard_inputs()
        name = stray[0]
        raise UsageError(f"--{name.replace('_', '-')} is for a move to "
                         f"{' or '.join(s.value for s, _inp in uses[name])}, not to {state.value}")
    inputs = workflow.parse_inputs(declared, given) if given else None
    return inputs or None, updates or None


def cmd_approve(args: argparse.Namespace) -> int:
    req = _board(args).approve(args.key, args.comment, expect_version=args.expect_version)
    _emit(args, req, f"{req.key} approved by {req.approvals[-1].by}; it is {req.state.value}")
    return EXIT_OK


def cmd_feedback(args: argparse.Namespace) -> int:
    req = _board(args).record_feedback(args.key, args.satisfaction, args.comment, channel=args.channel,
                                       expect_version=args.expect_version)
    _emit(args, req, f"{req.key} feedback recorded ({args.satisfaction}/5); it is {req.state.value}")
    return EXIT_OK


def cmd_reject(args: argparse.Namespace) -> int:
    req = _board(args).reject(args.key, args.reason, expect_version=args.expect_version)
    _emit(args, req, f"{req.key} rejected")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    req = _board(args).review(args.key, args.comment)
    _emit(args, req, f"{req.key} reviewed; no longer suspect")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    events = _board(args).history(args.key)
    if getattr(args, "json", False):
        _print_json([e.model_dump(mode="json") for e in events])
        return EXIT_OK
    for e in events:
        what = e.action + (f" {e.cr}" if e.cr else "")
        if e.field and e.action not in ("created",):
            what += f" {e.field}: {_short(e.old)} -> {_short(e.new)}"
        elif e.new is not None:
            what += f" {_short(e.new)}"
        print(f"{e.at:%Y-%m-%d %H:%M:%S}  {_pad(e.by, 12)} {_text(what)}"
              + (f"  ({_text(e.reason)})" if e.reason else ""))
    return EXIT_OK


def _short(value: Any) -> str:
    """A history value on one line, made safe, cut to 60 display cells."""
    from rich.cells import cell_len, set_cell_size

    text = _text("-" if value in (None, "", []) else value)
    return text if cell_len(text) <= 60 else set_cell_size(text, 59) + "…"


def cmd_check(args: argparse.Namespace) -> int:
    import os

    board = _board(args)
    board.storage.maintenance()  # Unsupported (exit 2) where the board is kept by a server, not in a file
    if not os.path.lexists(board.path):
        print(f"{_text(board.path)} does not exist yet (an empty board)")
        return EXIT_OK
    if args.repair:
        done = board.repair()
        for line in done:
            print(f"repaired: {_text(line)}")
        if not done:
            print("nothing to repair in the history journal")
    errors, warnings = board.check()
    for w in warnings:
        print(f"warning: {_text(w)}")
    if errors:
        for e in errors:
            print(f"error: {_text(e)}", file=sys.stderr)
        return EXIT_UNREADABLE
    reqs = board.requirements()
    print(f"{_text(board.path)}: ok ({len(reqs)} requirements, generation {board.generation}, "
          f"{len(board.backups())} backups kept)")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from reqboard.store.exchange import export_board, guess_format

    fmt = args.format or (guess_format(args.output) if args.output else None) or "json"
    board = _board(args)
    _write_output(args.output, board, lambda: export_board(board, fmt), is_json=fmt == "json")
    return EXIT_OK


def _resolution(text: str) -> tuple[str, str]:
    name, sep, side = text.rpartition("=")
    if not sep or side not in ("ours", "theirs") or "." not in name.strip("."):
        raise argparse.ArgumentTypeError(f"{text!r}: give KEY.FIELD=ours or KEY.FIELD=theirs, e.g. REQ-3.title=theirs")
    return name, side


def _source_and_dest(args: argparse.Namespace, command: str, dest_is: str) -> tuple[Any, Any]:
    """The boards `clone` and `migrate` copy from and into; a usage error when either is not named,
    NotFound when there is no board at SOURCE to copy."""
    from reqboard.store.errors import NotFound

    if args.source == "" or args.dest == "":
        raise UsageError(f"{command} needs a SOURCE board and {dest_is}")
    source = _board_at(args.source, args)
    if _holds_no_board(source):
        raise NotFound(f"{_where(source, args.source)}: no board there to {command}")
    return source, _board_at(args.dest, args)


def cmd_clone(args: argparse.Namespace) -> int:
    from reqboard.store.sync import clone_board

    source, dest = _source_and_dest(args, "clone", "a new DEST file name")
    count = clone_board(source, dest)
    if getattr(args, "json", False):
        _print_json({"source": source.storage.location, "dest": _path_text(dest.storage.location),
                     "requirements": count})
    else:
        to = _where(dest, args.dest)
        print(f"cloned {count} requirement{'s' if count != 1 else ''} from {_where(source, args.source)} "
              f"into {to}; `reqboard --store {to} sync` brings the work back")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from reqboard.store.sync import migrate_board

    source, dest = _source_and_dest(args, "migrate", "a DEST file or database")
    requirements, events = migrate_board(source, dest)
    if getattr(args, "json", False):
        _print_json({"source": _path_text(source.storage.location), "dest": _path_text(dest.storage.location),
                     "requirements": requirements, "events": events})
    else:
        print(f"migrated {requirements} requirement{'s' if requirements != 1 else ''} and {events} history "
              f"event{'s' if events != 1 else ''} from {_where(source, args.source)} to {_where(dest, args.dest)}")
    return EXIT_OK


def cmd_server(args: argparse.Namespace) -> int:
    from reqboard.store import pgstore
    from reqboard.store.errors import Refused

    if args.server_command is None:
        raise UsageError("give a server command: init, grant, revoke")
    url = pgstore.ServerURL.parse(args.url)
    as_json = getattr(args, "json", False)
    if args.server_command == "init":
        found, now = pgstore.init_server(args.url)
        if now > pgstore.SCHEMA_VERSION:
            raise Refused(f"{url.shown} is at schema {now}, newer than this reqboard knows "
                          f"({pgstore.SCHEMA_VERSION}): nothing was changed; upgrade reqboard to set it up",
                          "server.newer")
        if as_json:
            _print_json({"location": url.shown, "schema_found": found, "schema": now})
        elif found is None:
            print(f"made the reqboard tables in {_text(url.shown)} (schema {now})")
        elif found == now:
            print(f"{_text(url.shown)} is already at schema {now}")
        else:
            print(f"migrated the reqboard tables in {_text(url.shown)} from schema {found} to {now}")
        return EXIT_OK
    login = _text(args.login)
    if args.server_command == "grant":
        access = pgstore.grant(args.url, args.login, read_only=args.read_only)
        done = (f"{login} may now read the board at {_text(url.shown)} (read-only)" if args.read_only
                else f"{login} may now change the board at {_text(url.shown)}")
        still = "change" if args.read_only and access.writes_some else None
    else:
        access = pgstore.revoke(args.url, args.login)
        done = f"{login} no longer has access of its own to the board at {_text(url.shown)}"
        still = "change" if access.writes_some else "read" if access.reads else None
    if as_json:
        _print_json({"location": url.shown, "login": args.login, "reads": access.reads, "writes": access.writes})
    else:
        print(done)
    if still:
        print(f"note: {login} can still {still} the board: it is a superuser, or a member of a role that may",
              file=sys.stderr)
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from reqboard.store.sync import SyncConflicts, default_other, resolution_name, resolver, sync_boards

    if args.other == "":  # e.g. `sync "$UNSET"`: never fall back to the remembered board for it
        raise UsageError("sync was given an empty path: name the other board, or leave it out")
    ours = _board(args)
    other = args.other or default_other(ours)
    if not other:
        raise UsageError(f"{_path_text(ours.path)} was never cloned or synced: name the other board, "
                         "e.g. `reqboard sync team.json`")
    theirs = _board_at(other, args, ours.user)
    decide = resolver(args.prefer, dict(args.resolve))
    with _interrupts_held_after_commit(ours):
        try:
            plan = sync_boards(ours, theirs, decide=decide, dry_run=args.dry_run, no_base=args.no_base)
        except SyncConflicts as exc:
            plan = exc.plan
            if getattr(args, "json", False):
                _print_json(plan.as_json())
            else:
                print("\n".join(_text(line) for line in _sync_lines(plan, dry_run=args.dry_run, refused=True)))
            sys.stdout.flush()
            _error(exc)
            for c in plan.conflicts:  # (every line through _text: values are user text)
                print(_text(f"{c.key} {c.field}: base {_value_text(c.base)} ours {_value_text(c.ours)} "
                            f"theirs {_value_text(c.theirs)}"), file=sys.stderr)
            return EXIT_CONFLICT
    if getattr(args, "json", False):
        _print_json(plan.as_json())
    else:
        print("\n".join(_text(line) for line in _sync_lines(plan, dry_run=args.dry_run)))
    settled = {conflict.name for conflict, _side in plan.settled}
    for name, _side in args.resolve:  # a typo settles nothing: say so, rather than let it pass unseen
        if resolution_name(name) not in settled:
            print(f"note: --resolve {_text(name)} names no conflict of this sync; it was not needed",
                  file=sys.stderr)
    return EXIT_OK


def _value_text(value: Any) -> str:
    import orjson

    text = orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:79] + "…"


def _sync_lines(plan: Any, *, dry_run: bool, refused: bool = False) -> list[str]:
    """What `sync` prints of a plan: as done, or as a plan ("would ...") for a dry run or a sync refused
    for its conflicts (which says on stderr that nothing was written)."""
    planned = dry_run or refused
    would = "would " if planned else ""
    where = {"ours": _path_text(plan.ours), "theirs": _path_text(plan.theirs)}
    lines = [f"{'plan: ' if planned else ''}{where['ours']} (ours) with {where['theirs']} (theirs)"]
    if plan.base == "none":
        lines.append("no common base (never cloned or synced with each other): every difference is a conflict")
    if plan.changes_nothing:
        lines.append("already in sync: nothing to do")
    if plan.pulled:
        lines.append(f"{would}pull {len(plan.pulled)} into ours: {' '.join(plan.pulled)}")
    if plan.pushed:
        lines.append(f"{would}push {len(plan.pushed)} to theirs: {' '.join(plan.pushed)}")
    for moved in plan.renumbered:
        created = " and ".join(where[side] for side in moved.created_on) or "?"
        lines.append(f"{moved.old} (created on {created}) {'would become' if planned else 'is now'} {moved.new}")
    for conflict, side in plan.settled:
        lines.append(f"{conflict.key} {conflict.field}: kept {side} ({_value_text(getattr(conflict, side))})")
    if plan.conflicts:
        lines.append(f"{len(plan.conflicts)} conflict{'s' if len(plan.conflicts) != 1 else ''} (listed below)")
    if plan.events_pulled or plan.events_pushed:
        lines.append(f"history: {plan.events_pulled} event{'s' if plan.events_pulled != 1 else ''} in, "
                     f"{plan.events_pushed} out")
    if dry_run:
        lines.append("nothing was written (dry run)")
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    from reqboard.store.exchange import IMPORT_FORMATS, ImportRefused, apply_import, guess_format, preview_import

    fmt = args.format or guess_format(args.file)
    if fmt not in IMPORT_FORMATS:
        raise UsageError(f"cannot tell the format of {args.file}: give --format json, csv or reqif")
    from reqboard.store.outputs import read_import_file

    data = read_import_file(args.file)
    board = _board(args)
    with _interrupts_held_after_commit(board) as held:
        try:
            if args.dry_run:
                summary = preview_import(board, data, fmt, source=_path_text(args.file), rekey=args.rekey)
            else:
                summary = apply_import(board, data, fmt, source=_path_text(args.file), rekey=args.rekey)
        except ImportRefused as exc:
            summary = exc.summary
        if getattr(args, "json", False):
            _print_json(summary.as_dict())
        elif args.dry_run or not summary.refused:
            print("\n".join(_text(line) for line in [summary.headline(), *summary.report_lines()]))
        sys.stdout.flush()
    if summary.refused:
        # One `error:` line, then the report by row/column or element, all on stderr.
        print(f"error: {_text(summary.error_message())}", file=sys.stderr)
        for line in summary.refused:
            print(f"  {_text(line)}", file=sys.stderr)
        return EXIT_REFUSED
    if held:
        print("note: ctrl+c came once the board had changed on disk, so the import was completed rather "
              "than cut short: everything reported above is on the board", file=sys.stderr)
    return EXIT_OK


@contextmanager
def _interrupts_held_after_commit(board: Any) -> Iterator[list[bool]]:
    """Ctrl+C stops an import until its commit is on disk; from then on it is held back (and noted in
    the list yielded) until the summary is printed, so that what was committed is always reported.

    The board file's signature tells, at the moment ctrl+c comes, whether the board was replaced since
    the import began (by this import's commit, or, rarely, another process's: then the import is let
    finish rather than stopped, and says so). A server board has no file to look at, and asking the
    server from a signal handler could deadlock on the connection in use: there ctrl+c always stops
    the command (the server keeps a change whole or not at all; only the summary can be lost).
    """
    import signal
    import threading

    from reqboard.store.storage import Signature

    def committed() -> bool:
        try:
            return Signature.of(board_path) != before
        except OSError:
            return False

    def on_interrupt(signum: int, frame: Any) -> None:
        if not committed():
            raise KeyboardInterrupt
        held.append(True)

    held: list[bool] = []
    files = board.files()
    if files is None:
        yield held
        return
    board_path = files.board
    before = Signature.of(board_path)
    if threading.current_thread() is not threading.main_thread():  # only the main thread has signals
        yield held
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:  # started with ctrl+c ignored (nohup, a background job): keep it so
        yield held
        return
    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_restore(args: argparse.Namespace) -> int:
    board = _board(args)
    if args.list:
        backups = board.backups()
        if getattr(args, "json", False):
            _print_json([{"generation": b.generation, "path": _path_text(b.path), "size": b.size,
                          "modified": b.mtime} for b in backups])
        elif not backups:
            print("no backups kept yet")
        for b in backups if not getattr(args, "json", False) else ():
            from datetime import datetime

            when = datetime.fromtimestamp(b.mtime, UTC)
            print(f"generation {b.generation:<8} {when:%Y-%m-%d %H:%M:%S} UTC  {b.size:>10} bytes  {_text(b.path)}")
        return EXIT_OK
    chosen = board.restore(args.generation)
    print(f"restored generation {chosen.generation} of {_text(board.path)}")
    return EXIT_OK


def cmd_wip(args: argparse.Namespace) -> int:
    from reqboard.store.domain import BOARD_STATES, State

    board = _board(args)
    if args.state is None:
        limits = board.wip_limits()
        for state in BOARD_STATES:
            print(f"{state.value:<12} {limits.get(state, '-')}")
        return EXIT_OK
    if args.limit is None:
        raise UsageError("give a limit (a number, or 'none')")
    try:
        state = State.parse(args.state)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    limit = None if args.limit.lower() == "none" else _whole(args.limit)
    board.set_wip_limit(state, limit)
    print(f"WIP limit of {_text(args.state)}: {limit if limit is not None else 'none'}")
    return EXIT_OK


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a whole number") from None


def cmd_cr(args: argparse.Namespace) -> int:
    board = _board(args)
    sub = args.cr_command
    if sub is None:
        raise UsageError("give a change-request command: add, assess, approve, reject, implement, close, list, show")
    if sub == "add":
        cr = board.add_change_request(args.key, args.summary, reason=args.reason, new_title=args.new_title,
                                      new_description=args.new_description, new_criteria=args.new_criterion)
        return _emit_cr(args, cr, cr.key)
    expect = getattr(args, "expect_version", None)
    if sub == "assess":
        cr = board.assess_change_request(args.cr, schedule_days=args.schedule_days, cost=args.cost,
                                         effort_hours=args.effort_hours, risk=args.risk,
                                         resources=args.resources, affects=args.affects, expect_version=expect)
    elif sub in ("approve", "reject"):
        cr = board.decide_change_request(args.cr, approve=sub == "approve", rationale=args.rationale,
                                         expect_version=expect)
    elif sub == "implement":
        cr = board.implement_change_request(args.cr, expect_version=expect)
    elif sub == "close":
        cr = board.close_change_request(args.cr, expect_version=expect)
    elif sub == "show":
        req, cr = board.find_change_request(args.cr)
        return _emit_cr(args, cr, _cr_text(req, cr), req)
    else:
        rows = [(r, c) for r, c in board.change_requests() if not args.status or c.status.value == args.status]
        if getattr(args, "json", False):
            _print_json([_cr_json(c, r) for r, c in rows])
        else:
            for r, c in rows:
                print(f"{_pad(c.key, 8)} {_pad(c.status.value, 12)} {_pad(r.key, 9)} {_text(c.summary)}")
        return EXIT_OK
    return _emit_cr(args, cr, f"{cr.key} is now {cr.status.value}")


def _cr_json(cr: Any, req: Any) -> dict[str, Any]:
    return {**cr.model_dump(mode="json"), "requirement": req.key, "requirement_version": req.version}


def _emit_cr(args: argparse.Namespace, cr: Any, text: str, req: Any = None) -> int:
    if getattr(args, "json", False):
        _print_json(_cr_json(cr, req) if req is not None else cr.model_dump(mode="json"))
    else:
        print(text)  # made safe by whoever wrote it (keys and states, or `_cr_text`)
    return EXIT_OK


def _cr_text(req: Any, cr: Any) -> str:
    lines = [f"{cr.key}  {cr.summary}", f"  requirement  {req.key} {req.title}", f"  status       {cr.status.label}",
             f"  submitted    by {cr.submitted_by} at {cr.submitted_at:%Y-%m-%d %H:%M}"]
    if cr.reason:
        lines.append(f"  reason       {cr.reason}")
    if cr.proposed_title:
        lines.append(f"  new title    {cr.proposed_title}")
    if cr.assessment:
        a = cr.assessment
        lines.append(f"  impact       {a.schedule_days:g} days, cost {a.cost:g}, {a.effort_hours:g} hours, "
                     f"risk {a.risk.value}" + (f", affects {', '.join(a.affects)}" if a.affects else ""))
    if cr.decision:
        d = cr.decision
        lines.append(f"  decision     {'approved' if d.approved else 'rejected'} by {d.by} at "
                     f"{d.at:%Y-%m-%d %H:%M}: {d.rationale}")
    return "\n".join(_text(line) for line in lines)


def cmd_report(args: argparse.Namespace) -> int:
    from reqboard.store.metrics import board_metrics

    fmt = args.format or "md"
    if getattr(args, "json", False):
        if args.format not in (None, "json"):
            raise UsageError(f"--json and --format {args.format} contradict each other: give one")
        fmt = "json"
    board = _board(args)

    def payload() -> bytes:
        metrics = board_metrics(board, since=args.since)
        if fmt == "json":
            import orjson

            from reqboard.store.reports import report_json

            return orjson.dumps(report_json(metrics, board=_path_text(board.path.name)), option=orjson.OPT_INDENT_2) + b"\n"
        if fmt == "html":
            from reqboard.store.reports import render_html

            return render_html(metrics, board=_path_text(board.path.name)).encode()
        from reqboard.store.reports import render_markdown

        return render_markdown(metrics, board=_path_text(board.path.name)).encode()

    _write_output(args.output, board, payload, is_json=fmt == "json")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "add": cmd_add, "list": cmd_list, "show": cmd_show, "edit": cmd_edit, "move": cmd_move,
    "approve": cmd_approve, "feedback": cmd_feedback, "reject": cmd_reject, "review": cmd_review,
    "history": cmd_history, "check": cmd_check, "export": cmd_export, "import": cmd_import,
    "restore": cmd_restore, "wip": cmd_wip, "cr": cmd_cr, "clone": cmd_clone, "sync": cmd_sync,
    "report": cmd_report, "migrate": cmd_migrate, "server": cmd_server,
}


def open_board(args: argparse.Namespace) -> int:
    from reqboard.tui.app import run_app

    return run_app(_store_path(args), _user(args), demo=args.demo)


# Options that name files: any bytes the file system takes are fine there, unlike in text.
_PATH_OPTIONS = frozenset({"store", "output", "file", "source", "dest", "other"})


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Refuse (exit 1) text that is not valid UTF-8: the shell passed bytes in another encoding, which
    Python keeps as lone surrogates that no JSON file or history line can hold."""
    from reqboard.store.errors import InvalidValue

    for name, value in vars(args).items():
        if name in _PATH_OPTIONS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                try:
                    raw = text.encode("utf-8", "surrogateescape")
                except UnicodeEncodeError:
                    raw = text.encode("utf-8", "backslashreplace")
                raise InvalidValue(
                    f"the {name.replace('_', ' ')} given ({raw!r}) is not valid UTF-8 text; set the "
                    "terminal or script to UTF-8, or convert the text (e.g. with iconv), and try again"
                ) from None


# Arguments that may name a board on a server (a postgresql:// URL).
_LOCATION_OPTIONS = ("store", "source", "dest", "other", "url")


def _note_password(args: argparse.Namespace) -> None:
    """A password written into a URL works, but anyone on the machine sees it in the process list, and
    the shell keeps it in its history: say where it belongs instead (once; it is never printed)."""
    for name in _LOCATION_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, str) and "://" in value and _redacted(value) != value:
            print("note: a password in a URL shows in the process list and the shell history: keep it in "
                  "~/.pgpass (or the file $PGPASSFILE names) and leave it out of the URL", file=sys.stderr)
            return


def _redacted(text: str) -> str:
    """`text` with the password of any URL or connection string in it replaced by `***`."""
    if "://" not in text and "password" not in text.lower():
        return text  # (nothing to hide: the URL module is not even loaded)
    from reqboard.store.pgstore.url import redact

    return redact(text)


def _never_fail_to_print() -> None:
    """A terminal or pipe that cannot show a character gets a backslash escape of it, never a crash
    (PYTHONIOENCODING=ascii, a C locale, a Windows code page)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to print to anyway
                pass


def main(argv: Sequence[str] | None = None) -> int:
    from reqboard.store.errors import StoreError

    _never_fail_to_print()
    from reqboard.tui.config import apply_config_quietly

    apply_config_quietly()  # the language of every message below, and the time zone
    try:
        args = build_parser().parse_args(argv)
        _check_text_arguments(args)
        _note_password(args)
        handler = COMMANDS.get(args.command) if args.command else open_board
        assert handler is not None
        return handler(args)
    except UsageError as exc:
        _error(exc)
        return EXIT_USAGE
    except StoreError as exc:
        _error(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        _error(f"{exc.filename or ''}: {exc.strerror or exc}")
        return EXIT_UNREADABLE
    except Exception as exc:  # the promise is no traceback for a user: say what it was, briefly
        _error(f"unexpected {type(exc).__name__}: {exc} (please report this)")
        return EXIT_REFUSED
    finally:
        _close_opened()


def _error(message: object) -> None:
    """One `error:` line on stderr, whatever the message echoes back (line breaks, terminal controls,
    bidi overrides, a password a URL carried)."""
    print("error: " + _text(_redacted(" ".join(str(message).splitlines()))), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
