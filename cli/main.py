"""The `reqboard` command: no subcommand opens the board; subcommands script the store.

Exit codes: 0 done; 1 refused (rule, not found, invalid value, a server login without the right);
2 usage (and a file-only command on a server board); 3 conflict; 4 store unreadable or server
unreachable. Errors go to stderr as one line starting `error:`; notes (an ignored --user, a password
in a URL) as lines starting `note:`. Textual is imported only to open the board, and psycopg only for
a server board, so scripted commands start fast.

Everything a person reads is in the language of the config file or the environment (English or
简体中文), argparse's own text included; what scripts read does not change with it: the `error:` and
`note:` prefixes, exit codes, `--json` output. Every fixed value (a state, a channel, a risk ...) is
accepted by its Chinese name too, whatever the language.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from reqboard.store import i18n
from reqboard.store.i18n import N_, _, listed, ngettext, pgettext

if TYPE_CHECKING:
    from reqboard.store.outputs import BoardFiles

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONFLICT, EXIT_UNREADABLE = 0, 1, 2, 3, 4


class UsageError(Exception):
    pass


# ---------------------------------------------------------------------------- argparse in our language
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)
"""What argparse says to a person (its usage, headings and parse errors), marked for our catalogue.
Its messages for a programmer who declared a parser wrongly are left in English."""


def _argparse_plural(n: int) -> str:
    """argparse's one message with a plural, marked for our catalogue (argparse asks for it itself)."""
    return ngettext("expected %s argument", "expected %s arguments", n)


@contextmanager
def _argparse_speaks_ours() -> Iterator[None]:
    """argparse looks its text up with the `_` and `ngettext` of its own module (gettext's global
    domain) and has no parameter for a catalogue, so while one of our parsers is built, parses or
    formats its help, those two names are lent our catalogue's lookup, and given back after. Only our
    Parser's own methods enter here, in the CLI's one thread; nested entries restore what they found."""
    names = vars(argparse)  # (its namespace: typeshed does not declare these two helpers)
    saved = names["_"], names["ngettext"]
    names.update(_=_, ngettext=ngettext)
    try:
        yield
    finally:
        names.update(_=saved[0], ngettext=saved[1])


# Chinese punctuation that may not start a line, and the punctuation that may not end one.
_NO_BREAK_BEFORE = frozenset("，。、：；！？）》」』】…")
_NO_BREAK_AFTER = frozenset("（《「『【")
_WHITESPACE = re.compile(r"\s+")


def wrap_cells(text: str, width: int) -> list[str]:
    """`text`, its whitespace collapsed, in lines of at most `width` display cells (a wide character
    counts two): broken at spaces and between Chinese characters, never before a closing mark such
    as ， or 。 nor after an opening one; a word longer than the width stands alone on its line."""
    from rich.cells import cell_len

    pieces: list[tuple[str, bool]] = []  # (text that stays together, whether a space came before it)
    space = False
    for char in _WHITESPACE.sub(" ", text).strip():
        if char == " ":
            space = True
            continue
        wide = cell_len(char) == 2
        if pieces and not space:
            last = pieces[-1][0][-1]
            if (char in _NO_BREAK_BEFORE or last in _NO_BREAK_AFTER
                    or (not wide and cell_len(last) != 2)):
                pieces[-1] = (pieces[-1][0] + char, pieces[-1][1])
                continue
        pieces.append((char, space))
        space = False
    lines: list[str] = []
    line = ""
    for piece, spaced in pieces:
        joined = line + (" " if spaced and line else "") + piece
        if line and cell_len(joined) > width:
            lines.append(line)
            line = piece
        else:
            line = joined
    if line:
        lines.append(line)
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by display cells where a text has wide (Chinese) characters; English
    help is wrapped as argparse always wrapped it."""

    _USAGE_STANDS_IN = "\x00"

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[Any], prefix: str | None = None) -> None:
        if prefix is None:
            # argparse indents a wrapped usage by the prefix's length in characters: it is given a
            # stand-in as wide as the translated prefix in cells, and the prefix replaces it in the end.
            from rich.cells import cell_len

            self._usage_prefix = _("usage: ")
            prefix = self._USAGE_STANDS_IN * cell_len(self._usage_prefix)
        super().add_usage(usage, actions, groups, prefix)

    def format_help(self) -> str:
        text = super().format_help()
        prefix = getattr(self, "_usage_prefix", None)
        if prefix is not None:
            from rich.cells import cell_len

            text = text.replace(self._USAGE_STANDS_IN * cell_len(prefix), prefix, 1)
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        if text.isascii():
            return super()._split_lines(text, width)
        return wrap_cells(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.isascii():
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one `error:` line with exit code 2, and speaks the
    current language (its own text from our catalogue, help wrapped by display cells).

    `deferred_options` adds options whose declaration costs an import (`move`'s come from the workflow
    rules) when this parser is first used, so that other commands and opening the board do not pay it.
    """

    deferred_options: Callable[[argparse.ArgumentParser], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        with _argparse_speaks_ours():  # its headings and -h's help are looked up here
            super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(_("{message} (see `{prog} --help`)").format(message=message, prog=self.prog))

    def add_deferred_options(self) -> Parser:
        """Add the deferred options now (parsing does it; so may a test that lists every option)."""
        if self.deferred_options is not None:
            add, self.deferred_options = self.deferred_options, None
            add(self)
        return self

    def parse_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> Any:
        with _argparse_speaks_ours():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Iterable[str] | None = None,
                         namespace: Any = None) -> tuple[Any, list[str]]:
        self.add_deferred_options()
        with _argparse_speaks_ours():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _argparse_speaks_ours():
            return super().format_usage()

    def format_help(self) -> str:
        self.add_deferred_options()
        with _argparse_speaks_ours():
            return super().format_help()


# ---------------------------------------------------------------------------- values as people type them
class _Named(Protocol):
    """A state or another fixed value of the domain (its `label` is in the current language)."""

    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def _said(member: _Named) -> str:
    """A fixed value as the CLI says it: its spelling in English (`in_progress`, what one types), its
    Chinese name in Chinese (进行中, which is accepted as well)."""
    return member.label if i18n.is_chinese() else member.value


def _choices(members: Iterable[_Named]) -> str:
    """The values of a choice for help: `after-sales, email` in English, 售后服务、邮件 in Chinese."""
    return listed(m.label if i18n.is_chinese() else m.value.replace("_", "-") for m in members)


def _global_options() -> Parser:
    # SUPPRESS lets the options stand before or after the subcommand without one hiding the other.
    common = Parser(add_help=False)
    common.add_argument("--store", metavar="PATH|URL", default=argparse.SUPPRESS,
                        help=_("board file, or a postgresql:// URL of a board on a server (default: "
                               "$REQBOARD_STORE, else the user data directory)"))
    common.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help=_("who is acting (default: $REQBOARD_USER, else the login name; ignored on a "
                               "server board, where the database login acts)"))
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help=_("print records as JSON"))
    return common


def _score(text: str) -> int:
    # Only the syntax is a usage error; the 1-5 range is the store's to refuse (an invalid value, exit 1).
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{given!r} is not a whole number from 1 to 5").format(given=text)) from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{given!r} is not a number").format(given=text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(_("{given!r} is not a finite number").format(given=text))
    return value


def _version(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{given!r} is not a version number").format(given=text)) from None


def _count(text: str) -> int:
    """A whole number typed as an option's value (a criterion's number, a generation)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{given!r} is not a whole number").format(given=text)) from None


def _risk(text: str) -> str:
    """A change request's risk: low, medium, high, or 低, 中, 高."""
    from reqboard.store.domain import Risk

    try:
        return Risk(text).value
    except ValueError:
        raise argparse.ArgumentTypeError(_("{given!r} is not a risk: give one of {choices}").format(
            given=text, choices=_choices(Risk))) from None


def _weight_said(name: str) -> str:
    """A score weight's name as the CLI says it: as typed (`value`) in English, its label (业务价值,
    which is accepted as well) in Chinese."""
    from reqboard.store.scoring import FACTOR_LABELS

    return _(FACTOR_LABELS[name]) if i18n.is_chinese() else name


def _weights_said() -> str:
    from reqboard.store.scoring import WEIGHT_NAMES

    return listed(map(_weight_said, WEIGHT_NAMES))


def _weight(text: str) -> tuple[str, float]:
    """`NAME=N` of `reqboard score-weights`. Only the syntax is a usage error; the store refuses a name
    it does not know or a number out of range (exit 1), naming the weights there are."""
    import unicodedata

    name, sep, value = unicodedata.normalize("NFKC", text).partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(_("{given!r}: give NAME=N, e.g. value=1 (NAME one of {names})").format(
            given=text, names=_weights_said()))
    return name.strip(), _number(value)


SIDES = {"ours": ("ours", "我方", "本方"), "theirs": ("theirs", "对方", "他方")}
"""The sides of a sync, as typed: the English word or a Chinese name."""


def _named(text: str, table: Mapping[str, tuple[str, ...]]) -> str | None:
    """The word of `table` whose names (English or Chinese) include `text` as typed, or None."""
    wanted = text.strip().casefold()
    return next((word for word, names in table.items() if wanted in names), None)


def _side(text: str) -> str:
    """`ours` or `theirs` (我方, 对方) as the side of a sync: the English word, which the store takes."""
    side = _named(text, SIDES)
    if side is not None:
        return side
    raise argparse.ArgumentTypeError(_("{given!r} is neither side: give {ours} or {theirs}").format(
        given=text, ours=_side_said("ours"), theirs=_side_said("theirs")))


def _side_said(side: str) -> str:
    return SIDES[side][1] if i18n.is_chinese() else side


SWITCH = {"on": ("on", "开"), "off": ("off", "关")}
"""A setting switched on or off, as typed: the English word or the Chinese one."""


def _switch(text: str) -> str:
    """`on` or `off` (开, 关)."""
    value = _named(text, SWITCH)
    if value is not None:
        return value
    raise argparse.ArgumentTypeError(_("{given!r} is neither {on} nor {off}").format(
        given=text, on=_switch_said("on"), off=_switch_said("off")))


def _switch_said(value: str) -> str:
    return SWITCH[value][1] if i18n.is_chinese() else value


def _add_field_options(p: argparse.ArgumentParser, *, editing: bool) -> None:
    from reqboard.store.domain import Channel, Feasibility, Kano, NeedType, Tier

    if editing:
        p.add_argument("--title", help=_("the new title"))
    p.add_argument("--description", "-d", help=_("what the customer needs, in their words"))
    p.add_argument("--customer", help=_("the customer who asked"))
    p.add_argument("--tier", help=_("customer tier {choices}").format(choices="|".join(t.value for t in Tier)))
    p.add_argument("--channel", help=_choices(Channel))
    p.add_argument("--need-type", help=_choices(NeedType))
    p.add_argument("--kano", help=_choices(Kano))
    p.add_argument("--category", help=_("a category of your own (free text)"))
    p.add_argument("--section", help=_("its place in the source document, e.g. \"3 Interfaces / 3.2 Payment\" "
                                       "(empty to clear)"))
    p.add_argument("--importance", type=_score, help=_("importance 1-5"))
    p.add_argument("--urgency", type=_score, help=_("urgency 1-5"))
    p.add_argument("--value", type=_score, help=_("business value 1-5"))
    p.add_argument("--effort", type=_number, help=_("effort estimate (hours)"))
    p.add_argument("--feasibility", help=_choices(Feasibility))
    p.add_argument("--owner", help=_("who is responsible for it"))
    p.add_argument("--due", help=_("due date YYYY-MM-DD (empty to clear)"))
    p.add_argument("--tag", action="append", help=_("a tag (repeat for several; replaces the tags)"))
    p.add_argument("--cause", metavar="CODE",
                   help=_("a complaint's cause, one of the board's complaint causes (see `reqboard complaint-causes`; "
                          "empty to clear)"))
    p.add_argument("--depends-on", action="append", metavar="KEY", help=_("repeat; replaces the list"))
    p.add_argument("--conflicts-with", action="append", metavar="KEY", help=_("repeat; replaces the list"))
    p.add_argument("--criterion", action="append", metavar="TEXT",
                   help=_("an acceptance criterion (repeat; replaces the list)"))
    if editing:
        p.add_argument("--check", action="append", type=_count, metavar="N",
                       help=_("mark acceptance criterion N (from 1) as met"))
        p.add_argument("--uncheck", action="append", type=_count, metavar="N",
                       help=_("mark acceptance criterion N (from 1) as not met"))


_FIELD_MAP = {
    "title": "title", "description": "description", "customer": "customer", "tier": "tier",
    "channel": "channel", "need_type": "need_type", "kano": "kano", "category": "category", "section": "section",
    "importance": "importance", "urgency": "urgency", "value": "business_value",
    "effort": "effort_estimate", "feasibility": "feasibility", "owner": "owner", "due": "due",
    "tag": "tags", "depends_on": "depends_on", "conflicts_with": "conflicts_with", "cause": "cause",
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


def _alternatives(words: Iterable[str]) -> str:
    """Words as alternatives in the current language ("a or b"; 甲或乙)."""
    return pgettext("list separator", " or ").join(words)


def _add_guard_options(p: argparse.ArgumentParser) -> None:
    """`reqboard move`'s options for what a state's rule asks: one per guard input, from workflow."""
    group = p.add_argument_group(_("what the target state asks for (see `reqboard show KEY` for a criterion's number)"))
    for name, uses in _guard_inputs().items():
        first = uses[0][1]
        kinds = {inp.kind for _state, inp in uses}
        # (`_` of a label: workflow declares labels in English, marked for the catalogue)
        labels = dict.fromkeys(_(inp.label) for _state, inp in uses)
        if len(labels) == 1:
            help = _("{label}: for a move to {states}").format(
                label=_(first.label), states=_alternatives(_said(state) for state, _inp in uses))
        else:
            help = pgettext("list separator", "; ").join(
                _("{label} (for a move to {state})").format(label=_(inp.label), state=_said(state)) for state, inp in uses)
        if name in _SET_WITH_ANY_MOVE:
            help = _("{help} (sets it with any other move too)").format(help=help)
        if kinds == {"choice"}:
            values = (_(label) if i18n.is_chinese() else value.replace("_", "-") for value, label in first.choices)
            help = _("{help}; one of {choices}").format(help=help, choices=listed(values))
        if "checklist" in kinds:
            help = _("{help} (repeat for several)").format(help=help)
        group.add_argument(first.option, dest=f"input_{name}", metavar=_metavar(kinds),
                           action="append" if "checklist" in kinds else "store",
                           type=_score if kinds == {"score"} else str, help=help)


def _metavar(kinds: set[str]) -> str:
    return {"score": "N", "checklist": "N", "choice": "CHOICE"}.get(next(iter(kinds)), "TEXT") if len(kinds) == 1 else "VALUE"



NO_LIMIT = ("none", "无", "不限")
"""How `reqboard wip STATE none` is typed: no limit."""


def build_parser() -> Parser:
    from reqboard.store.domain import Channel, CRStatus, Risk, State, Tier
    from reqboard.store.encodings import EXPORT_ENCODINGS, IMPORT_ENCODINGS
    from reqboard.store.surveys import LOW_SCORE

    common = _global_options()
    parser = Parser(prog="reqboard", parents=[common],
                    description=_("A keyboard-first terminal kanban for customer requirements."))
    parser.add_argument("--demo", action="store_true", help=_("open a sample board (a fresh copy)"))
    parser.add_argument("--version", action="version", version=f"reqboard {_package_version()}",
                        help=_("show the version and exit"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    def key(p: argparse.ArgumentParser) -> None:
        p.add_argument("key", metavar="KEY", help=_("the requirement: REQ-12, or just 12"))

    def expect_version(p: argparse.ArgumentParser) -> None:
        p.add_argument("--expect-version", type=_version, metavar="N",
                       help=_("refuse (exit 3) if the requirement changed since version N"))

    states = listed(_said(s) for s in State)

    p = command("add", _("add a requirement (prints its key)"))
    p.add_argument("title", metavar="TITLE", help=_("the requirement's title"))
    _add_field_options(p, editing=False)

    p = command("list", _("list requirements"))
    p.add_argument("--state", help=_("only this state: {states}").format(states=states))
    p.add_argument("--customer", help=_("only this customer's"))
    p.add_argument("--tag", help=_("only those with this tag"))
    p.add_argument("--owner", help=_("only this owner's"))
    p.add_argument("--query", "-q", metavar="QUERY",
                   help=_("only those the board's filter finds, in the language of `/` on the board: words, "
                          "field:value terms such as customer:acme, section:interfaces or priority:>=12, due:<DATE, overdue, "
                          "blocked"))

    p = command("show", _("show one requirement"))
    key(p)

    p = command("edit", _("change fields of a requirement"))
    key(p)
    _add_field_options(p, editing=True)
    p.add_argument("--reason", default="", help=_("why (kept in the history)"))
    expect_version(p)

    p = command("move", _("move a requirement to another state, giving what that state's rule asks for"))
    key(p)
    p.add_argument("state", metavar="STATE", help=_("where to: {states}").format(states=states))
    p.add_argument("--reason", default="", help=_("why (moving back, rejecting, reopening, overriding a "
                                                  "dependency)"))
    p.add_argument("--override-dependency", action="store_true",
                   help=_("start or finish it before what it depends on is done (needs --reason; kept in the "
                          "history)"))
    expect_version(p)
    assert isinstance(p, Parser)
    p.deferred_options = _add_guard_options

    p = command("approve", _("record a sign-off of the current text (an analysed requirement moves to approved "
                             "once every sign-off role has signed)"))
    key(p)
    p.add_argument("--role", default="", metavar="ROLE",
                   help=_("the role signed for, one of the board's sign-off roles (see `reqboard signoff-roles`); "
                          "required on a board that names roles"))
    p.add_argument("--on-behalf-of", default="", metavar="NAME",
                   help=_("who signed, when you record it for them (e.g. a customer's sign-off by phone)"))
    p.add_argument("--comment", default="", help=_("a comment kept with the approval"))
    expect_version(p)

    p = command("signoff-roles", _("show or set the roles that must each sign a requirement off before it is "
                                   "approved"))
    p.add_argument("roles", nargs="*", metavar="ROLE",
                   help=_("the roles, e.g. customer product (they replace the board's; commas part them too)"))
    p.add_argument("--none", action="store_true",
                   help=_("name no roles: one sign-off by anyone approves a requirement (the default)"))

    p = command("resolve", _("settle a conflict between two requirements with a decision (kept on both)"))
    key(p)
    p.add_argument("other", metavar="OTHER", help=_("the requirement it is in conflict with"))
    p.add_argument("--decision", required=True, metavar="TEXT", help=_("what was decided, and why"))
    p.add_argument("--reject", metavar="KEY",
                   help=_("reject one of the two (KEY or OTHER), with the decision as its reason"))
    expect_version(p)

    p = command("score-weights", _("show or set the weights of the priority score that orders each column"))
    p.add_argument("weights", nargs="*", type=_weight, metavar="NAME=N",
                   help=_("a weight to set, from 0 to 10: {names}").format(names=_weights_said()))
    p.add_argument("--reset", action="store_true",
                   help=_("every weight back to the default (importance 1, urgency 1, the rest 0: importance "
                          "x urgency) before the ones given"))

    p = command("feedback", _("record customer feedback (moves a done requirement to fed_back; with --interim, a "
                              "reading at any time that moves nothing)"))
    key(p)
    p.add_argument("--satisfaction", type=_score, required=True, metavar="N", help=_("satisfaction 1-5"))
    p.add_argument("--comment", default="", help=_("what the customer said"))
    p.add_argument("--channel", default="email",
                   help=_("how the customer was told: {choices}").format(choices=_choices(Channel)))
    p.add_argument("--interim", action="store_true",
                   help=_("a reading taken before delivery, in any state: the requirement stays where it is"))
    p.add_argument("--score", action="append", default=[], metavar="DIM=N",
                   help=_("a survey dimension scored 1-5, e.g. quality=4 (repeat, or part them with commas; the "
                          "dimensions: `reqboard survey-dimensions`)"))
    p.add_argument("--reason", action="append", default=[], metavar="CODE",
                   help=_("why the customer is unhappy, a code of `reqboard low-score-reasons`; required for a "
                          "satisfaction of {low} or less (repeat, or part them with commas)").format(low=LOW_SCORE))
    expect_version(p)

    p = command("note", _("note a contact with the customer about a requirement (a call, a mail, a meeting), in any "
                          "state"))
    key(p)
    p.add_argument("text", metavar="TEXT", help=_("what was said"))
    p.add_argument("--channel", help=_("through what: {choices} (default: the requirement's channel)").format(
        choices=_choices(Channel)))
    p.add_argument("--with", dest="with_", default="", metavar="NAME",
                   help=_("who on the customer's side took part"))
    p.add_argument("--at", metavar="TIME",
                   help=_("when it took place (default: now): YYYY-MM-DD HH:MM in local time, ISO 8601 with a zone "
                          "(2026-11-20T09:30+08:00), or a date alone, which is noon that day (or now, if noon is still "
                          "ahead)"))
    expect_version(p)

    customer = command("customer", _("customer records: list, show, add, edit, rename"))
    customers = customer.add_subparsers(dest="customer_command", metavar="CUSTOMER_COMMAND")

    def customer_command(name: str, help: str) -> argparse.ArgumentParser:
        return customers.add_parser(name, parents=[common], help=help, description=help)

    def customer_name(p: argparse.ArgumentParser) -> None:
        p.add_argument("customer", metavar="NAME", help=_("the customer's name (any case)"))

    def customer_fields(p: argparse.ArgumentParser, *, editing: bool) -> None:
        tiers = "|".join(t.value for t in Tier)
        if editing:
            p.add_argument("--tier", help=_("the customer's tier {choices}; each of its requirements takes it").format(
                choices=tiers))
            p.add_argument("--contact", help=_("who to talk to, and how: a name, a phone number, a mail address "
                                               "(empty to clear)"))
            p.add_argument("--segment", help=_("the market or group it belongs to, e.g. banks (empty to clear)"))
            p.add_argument("--notes", help=_("what the team keeps in mind about it (empty to clear)"))
        else:
            p.add_argument("--tier", default="B", help=_("the customer's tier {choices} (default: B)").format(
                choices=tiers))
            p.add_argument("--contact", default="",
                           help=_("who to talk to, and how: a name, a phone number, a mail address"))
            p.add_argument("--segment", default="", help=_("the market or group it belongs to, e.g. banks"))
            p.add_argument("--notes", default="", help=_("what the team keeps in mind about it"))

    customer_command("list", _("every customer: tier, open and delivered requirements, satisfaction, last contact"))
    p = customer_command("show", _("what the board knows of one customer: its requirements, lead time, satisfaction, "
                                   "open change requests, last contact"))
    customer_name(p)
    p = customer_command("add", _("add a customer record"))
    p.add_argument("customer", metavar="NAME", help=_("the customer's name"))
    customer_fields(p, editing=False)
    p = customer_command("edit", _("change a customer's record (a new tier goes to each of its requirements)"))
    customer_name(p)
    customer_fields(p, editing=True)
    p = customer_command("rename", _("rename a customer; each of its requirements follows"))
    p.add_argument("customer", metavar="OLD", help=_("the customer's name now (any case)"))
    p.add_argument("new_name", metavar="NEW", help=_("the new name"))

    for kind, metavar in (("survey_dimensions", "DIM"), ("low_score_reasons", "CODE"), ("complaint_causes", "CODE")):
        help, codes_help = _CODE_LIST_HELP[kind]
        p = command(kind.replace("_", "-"), _(help))
        p.add_argument("codes", nargs="*", metavar=metavar, help=_(codes_help))
        p.add_argument("--reset", action="store_true",
                       help=_("back to the default list: {codes}").format(codes=_codes_said(_code_list(kind).default)))

    target = command("target", _("response targets: how soon a requirement must reach a state, by its channel and "
                                 "its customer's tier"))
    targets = target.add_subparsers(dest="target_command", metavar="TARGET_COMMAND")

    def target_command(name: str, help: str) -> argparse.ArgumentParser:
        return targets.add_parser(name, parents=[common], help=help, description=help)

    def target_scope(p: argparse.ArgumentParser) -> None:
        p.add_argument("--channel", help=_("only for requirements that came in through this channel (default: any): "
                                           "{choices}").format(choices=_choices(Channel)))
        p.add_argument("--tier", help=_("only for customers of this tier {choices} (default: any)").format(
            choices="|".join(t.value for t in Tier)))

    target_states = _target_states_said()
    p = target_command("set", _("set a response target (it replaces the one of the same state, channel and tier)"))
    target_scope(p)
    p.add_argument("state", metavar="STATE", help=_("the state to reach: {states}").format(states=target_states))
    p.add_argument("days", type=_number, metavar="DAYS",
                   help=_("within how many days of its collection, e.g. 2 or 0.5 (twelve hours)"))
    target_command("list", _("list the board's response targets"))
    p = target_command("remove", _("remove a response target"))
    target_scope(p)
    p.add_argument("state", metavar="STATE", help=_("the state it names: {states}").format(states=target_states))

    p = command("reject", _("reject a requirement (off the board, into the archive)"))
    key(p)
    p.add_argument("--reason", required=True, help=_("why it is rejected (kept with it)"))
    expect_version(p)

    p = command("review", _("clear a requirement's suspect flag after reviewing it"))
    key(p)
    p.add_argument("--comment", default="", help=_("what the review found"))

    p = command("history", _("the history of a requirement"))
    key(p)

    p = command("check", _("validate the board file, one line per problem"))
    p.add_argument("--repair", action="store_true",
                   help=_("keep what can be read of a lost, cut or damaged history journal (the rest is set "
                          "aside) so that the board takes changes again"))

    p = command("export", _("export the board"))
    p.add_argument("--format", choices=["json", "csv", "md", "reqif"],
                   help=_("default: from the -o file's extension, else json"))
    p.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (default: standard output)"))
    p.add_argument("--encoding", choices=EXPORT_ENCODINGS,
                   help=_("the encoding of a CSV export (default: utf-8-sig, UTF-8 that Excel opens; gb18030 "
                          "for an older Chinese Excel)"))
    p.add_argument("--customer", metavar="NAME",
                   help=_("only this customer's requirements, and nothing of any other customer (any case)"))
    p.add_argument("--query", "-q", metavar="QUERY",
                   help=_("only the requirements the board's filter finds (the language of `reqboard list --query`); "
                          "with --customer, those of the customer it finds"))

    p = command("import", _("import requirements from a file (all or nothing)"))
    p.add_argument("file", metavar="FILE", help=_("the file to import"))
    p.add_argument("--format", choices=["json", "csv", "reqif"], help=_("default: from the file's extension"))
    p.add_argument("--encoding", choices=IMPORT_ENCODINGS, metavar="ENCODING",
                   help=_("the encoding of a CSV file, one of {names} (default: told from the file: UTF-8, "
                          "else GB18030)").format(names=", ".join(IMPORT_ENCODINGS)))
    p.add_argument("--dry-run", action="store_true", help=_("show what would happen; write nothing"))
    p.add_argument("--rekey", action="store_true", help=_("give clashing requirements new keys"))
    p.add_argument("--map", action="append", dest="mapping", metavar="NAME=FIELD",
                   help=_("ReqIF only: read the attribute NAME (its long name or identifier) into FIELD, e.g. "
                          "--map \"Object Text=description\"; --map \"NAME=-\" leaves it out (repeat; --dry-run lists the "
                          "attributes not mapped)"))

    p = command("clone", _("copy the board at SOURCE (history included) into a new board DEST that can sync back"))
    p.add_argument("source", metavar="SOURCE", help=_("the board to copy (a board file)"))
    p.add_argument("dest", metavar="DEST", help=_("the new board (must not exist)"))

    p = command("migrate", _("copy a whole board (history included) into an empty store: between board files "
                             "and postgresql:// databases, either way"))
    p.add_argument("source", metavar="SOURCE", help=_("the board to copy (a board file or a postgresql:// URL)"))
    p.add_argument("dest", metavar="DEST",
                   help=_("where to: a new board file, or a database made ready by `reqboard server init`"))

    p = command("sync", _("merge this board (--store: ours) with another (theirs), both ways, three-way by uid"))
    p.add_argument("other", nargs="?", metavar="OTHER",
                   help=_("the other board (default: the one this board was cloned from or last synced with)"))
    p.add_argument("--dry-run", action="store_true", help=_("print the whole plan; write nothing"))
    # (metavars stay ASCII: argparse lines up the help after them by their length in characters)
    p.add_argument("--prefer", type=_side, metavar="SIDE",
                   help=_("settle every conflict with this side's value: {ours} or {theirs}").format(
                       ours=_side_said("ours"), theirs=_side_said("theirs")))
    p.add_argument("--no-base", action="store_true",
                   help=_("merge as boards that never synced (every difference a conflict): after a restore or a copy"))
    p.add_argument("--resolve", action="append", type=_resolution, default=[],
                   metavar="KEY.FIELD=SIDE",
                   help=_("settle one conflict, e.g. REQ-3.title={theirs} or CR-2.status={ours} (repeat for "
                          "several)").format(theirs=_side_said("theirs"), ours=_side_said("ours")))

    p = command("restore", _("list the kept backups or make one the current board"))
    p.add_argument("--list", action="store_true", help=_("list the kept backups"))
    p.add_argument("--generation", type=_count, metavar="N", help=_("the generation to restore (default: newest)"))

    p = command("wip", _("show or set a column's work-in-progress limit, and whether the limits are strict"))
    p.add_argument("state", nargs="?", metavar="STATE", help=_("the column's state: {states}").format(states=states))
    p.add_argument("limit", nargs="?", metavar="LIMIT",
                   help=_("a number, or '{none}' to remove the limit").format(none=_no_limit_said()))
    p.add_argument("--strict", type=_switch, metavar="ON|OFF",
                   help=_("{on}: a move, reopen or new requirement that would take a column past its limit is "
                          "refused (exit 1); {off} (the default): it is made, with a warning on stderr").format(
                       on=_switch_said("on"), off=_switch_said("off")))

    p = command("report", _("a report of flow, satisfaction, change requests and the intake forecast; with "
                            "--customer, a progress report for one customer"))
    p.add_argument("--format", choices=["md", "html", "json"], default=None,
                   help=_("md (default: for a status mail or wiki), html (one self-contained file), json"))
    p.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE (default: standard output)"))
    p.add_argument("--since", type=_date, metavar="DATE",
                   help=_("only the period from DATE (YYYY-MM-DD); with --customer, what changed since then (the "
                          "last report)"))
    p.add_argument("--customer", metavar="NAME",
                   help=_("a progress report for this customer, to send them: its requirements only, nothing of "
                          "any other customer"))

    cr = command("cr", _("change requests"))
    crs = cr.add_subparsers(dest="cr_command", metavar="CR_COMMAND")

    def cr_command(name: str, help: str) -> argparse.ArgumentParser:
        return crs.add_parser(name, parents=[common], help=help, description=help)

    def cr_key(p: argparse.ArgumentParser) -> None:
        p.add_argument("cr", metavar="CR", help=_("the change request: CR-3, or just 3"))

    p = cr_command("add", _("file a change request against a requirement (prints its key)"))
    key(p)
    p.add_argument("summary", metavar="SUMMARY", help=_("the change asked for, in one line"))
    p.add_argument("--reason", default="", help=_("why the change is asked for"))
    p.add_argument("--new-title", help=_("the title the requirement would have"))
    p.add_argument("--new-description", help=_("the description the requirement would have"))
    p.add_argument("--new-criterion", action="append", metavar="TEXT",
                   help=_("an acceptance criterion it would have (repeat; replaces the list)"))
    p.add_argument("--new-due", type=_date, metavar="DATE",
                   help=_("the due date it would have (YYYY-MM-DD; without it, the assessed schedule days move "
                          "the due date)"))
    p.add_argument("--new-owner", metavar="NAME", help=_("the owner it would have"))
    p.add_argument("--new-importance", type=_score, metavar="N", help=_("the importance it would have (1-5)"))
    p.add_argument("--new-urgency", type=_score, metavar="N", help=_("the urgency it would have (1-5)"))
    p = cr_command("assess", _("record the impact assessment"))
    cr_key(p)
    p.add_argument("--schedule-days", type=_number, required=True, metavar="DAYS",
                   help=_("how many days the schedule slips"))
    p.add_argument("--cost", type=_number, required=True, help=_("the extra cost"))
    p.add_argument("--effort-hours", type=_number, required=True, metavar="HOURS", help=_("the extra effort in hours"))
    p.add_argument("--risk", default="medium", type=_risk,
                   help=_("the risk: {choices} (default: {default})").format(choices=_choices(Risk),
                                                                           default=_said(Risk.MEDIUM)))
    p.add_argument("--resources", default="", help=_("the people or things it needs"))
    p.add_argument("--affects", action="append", default=[], metavar="KEY",
                   help=_("another requirement it affects (repeat for several)"))
    p.add_argument("--notify", action="extend", nargs="+", default=[], metavar="NAME",
                   help=_("who must be told once it is decided (one or more names; repeat the option for more)"))
    cr_steps = [p]
    p = cr_command("approve", _("approve (applies the change to its requirement)"))
    cr_key(p)
    p.add_argument("--rationale", help=_("why it is approved (default: approved)"))
    cr_steps.append(p)
    p = cr_command("reject", _("reject a change request"))
    cr_key(p)
    p.add_argument("--rationale", required=True, help=_("why it is rejected"))
    cr_steps.append(p)
    for name, help in (("implement", _("mark as implemented")), ("close", _("close")), ("show", _("show one"))):
        p = cr_command(name, help)
        cr_key(p)
        if name != "show":
            cr_steps.append(p)
    p = cr_command("notified", _("record that someone the assessment lists was told of the change request"))
    cr_key(p)
    p.add_argument("name", metavar="NAME", help=_("who was told (as the assessment's --notify names them)"))
    cr_steps.append(p)
    for p in cr_steps:
        p.add_argument("--expect-version", type=_version, metavar="N",
                       help=_("refuse (exit 3) if its requirement changed since this version "
                              "(requirement_version in `cr show --json`)"))
    p = cr_command("list", _("list change requests"))
    p.add_argument("--status", help=_("only this status: {choices}").format(choices=listed(_said(s) for s in CRStatus)))

    server = command("server", _("set up a board on a PostgreSQL server: init, grant, revoke"))
    servers = server.add_subparsers(dest="server_command", metavar="SERVER_COMMAND")

    def server_command(name: str, help: str) -> argparse.ArgumentParser:
        p = servers.add_parser(name, parents=[common], help=help, description=help)
        p.add_argument("url", metavar="URL", help=_("the database, e.g. postgresql://db.example.com/reqboard"))
        return p

    server_command("init", _("make the board's tables in a database, or bring them up to date (safe to repeat)"))
    p = server_command("grant", _("let a database login change the board (or, with --read-only, only read it)"))
    p.add_argument("login", metavar="LOGIN", help=_("the database login (a role made with CREATE ROLE ... LOGIN)"))
    p.add_argument("--read-only", action="store_true", help=_("only read the board (takes back a right to write)"))
    p = server_command("revoke", _("take back a database login's access to the board"))
    p.add_argument("login", metavar="LOGIN", help=_("the database login"))
    return parser


_CODE_LIST_HELP = {
    "survey_dimensions": (
        N_("show or set the dimensions a satisfaction survey scores (feedback --score DIM=N)"),
        N_("the dimensions (they replace the board's; commas part them too)")),
    "low_score_reasons": (
        N_("show or set the reasons a low satisfaction score is given with (feedback --reason CODE)"),
        N_("the reasons (they replace the board's; commas part them too)")),
    "complaint_causes": (
        N_("show or set the causes a complaint is put down to (add and edit --cause CODE)"),
        N_("the causes (they replace the board's; commas part them too)")),
}
"""The help of the commands that show or set one of the board's lists (store.surveys): the command's,
its codes'."""


def _code_list(kind: str) -> Any:
    """One of the board's lists (store.surveys.CodeList) by its setting's name."""
    from reqboard.store.surveys import CODE_LISTS

    return CODE_LISTS[kind]


def _codes_said(codes: Iterable[str]) -> str:
    """Codes of one of the board's lists as a person reads them (a default code in the current language)."""
    from reqboard.store.surveys import code_label

    return listed(code_label(code) for code in codes)


def _target_states_said() -> str:
    from reqboard.store.targets import TARGET_STATES

    return listed(_said(s) for s in TARGET_STATES)


def _no_limit_said() -> str:
    return NO_LIMIT[1] if i18n.is_chinese() else NO_LIMIT[0]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(_("{given!r} is not a date (YYYY-MM-DD)").format(given=text)) from None


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
    from reqboard.store.text import pad

    return pad(_text(text), width)


def _right(text: str, width: int) -> str:
    """Made safe and right-aligned in at least a display width."""
    from rich.cells import cell_len

    text = _text(text)
    return " " * max(0, width - cell_len(text)) + text


def _print_list(reqs: Sequence[Any]) -> None:
    # Keys and states are never cut (a longer one shifts its line); customers are cut to their column.
    # Each column is as wide as its heading at least (a translated heading may be wider).
    from rich.cells import cell_len

    key, state, pri, customer, title = _("KEY"), _("STATE"), _("PRI"), _("CUSTOMER"), _("TITLE")
    key_w, state_w, pri_w = max(9, cell_len(key)), max(12, cell_len(state)), max(3, cell_len(pri))
    print(f"{_pad(key, key_w)} {_pad(state, state_w)} {_right(pri, pri_w)}  {_cell(customer, 20)} {title}")
    for r in reqs:
        priority = "" if r.priority is None else str(r.priority)
        print(f"{_pad(r.key, key_w)} {_pad(_said(r.state), state_w)} {_right(priority, pri_w)}  "
              f"{_cell(r.customer or '-', 20)} {_text(r.title)}")


def _when(moment: Any, *, zone: bool = False) -> str:
    """A stored (UTC) time as a person reads it: local, to the minute (with the zone's abbreviation)."""
    from reqboard.store import clock

    return clock.shown(moment, zone_abbreviation=zone)


def _show_text(req: Any, review: _BoardReview) -> str:
    """`reqboard show`: one requirement for a person to read, every piece of user text made safe; with
    what the board says of it (`review`): its links both ways, its sign-offs, its score."""
    from reqboard.store import clock, workflow
    from reqboard.store.domain import State
    from reqboard.store.labels import action_label, field_label, stored_note
    from reqboard.store.text import shown
    from reqboard.store.workflow import next_state

    state = req.state.label
    if req.rejection_reason:
        state = _("{state} (rejected: {reason})").format(state=state, reason=stored_note(req.rejection_reason))
    lines = [f"{req.key}  {req.title}"]

    def row(label: str, value: Any) -> None:
        if value not in (None, "", ()):
            lines.append(f"  {_pad(label, 12)} {value}")

    row(field_label("state"), state)
    row(field_label("customer"), _("{customer} (tier {tier})").format(customer=req.customer, tier=req.tier.label)
        if req.tier else req.customer)
    row(field_label("channel"), req.channel.label)
    row(field_label("need_type"), req.need_type.label if req.need_type else None)
    row(field_label("kano"), req.kano.label if req.kano else None)
    row(field_label("category"), req.category)
    row(field_label("section"), _text(req.section) if req.section else None)
    if req.priority is not None:
        row(field_label("priority"), _("{priority} (importance {importance} x urgency {urgency})").format(
            priority=req.priority, importance=req.importance, urgency=req.urgency))
    row(_("score"), _score_said(req, review))
    row(field_label("business_value"), req.business_value)
    row(field_label("effort_estimate"), req.effort_estimate)
    row(field_label("feasibility"), req.feasibility.label if req.feasibility else None)
    row(field_label("owner"), req.owner)
    row(field_label("due"), req.due.isoformat() if req.due else None)
    row(field_label("tags"), listed(req.tags))
    links = review.links
    row(field_label("depends_on"), listed(req.depends_on))
    row(_("needed by"), listed(links.needed_by(req.key)))
    blockers = review.blocked_by(req.key)
    if blockers:
        row(_("blocked by"), listed(_("{key} ({state})").format(key=k, state=_said(s)) if (s := links.state(k)) else k
                                    for k in blockers))
    for other in links.conflicts_of(req.key):
        for said in _conflict_said(req, other, links):
            row(field_label("conflicts_with"), said)
    if req.suspect:
        row(_("SUSPECT"), _("{reason} (clear with: reqboard review {key})").format(reason=stored_note(req.suspect), key=req.key))
    if workflow.reapproval_pending(req, review.rules):  # as the CHG badge: until every role signed it again
        row(_("CHANGED"), _("since its approval"))
    row(field_label("cause"), _code_said(req.cause) if req.cause else None)
    for check in _breaches(req, review):
        row(_("SLA"), _("{target}: due by {deadline}, {days} late").format(
            target=_target_said(check.target), deadline=_when(check.deadline),
            days=_days_said(_days_since(check.deadline))))
    row(field_label("version"), _("{version}, updated by {user} at {time}").format(
        version=req.version, user=req.updated_by, time=_when(req.updated_at, zone=True)))
    if req.description:
        lines.append(f"  {field_label('description')}")
        lines.extend(f"    {line}" for line in shown(req.description).splitlines())
    if req.acceptance_criteria:
        lines.append(f"  {field_label('acceptance_criteria')}")
        for i, c in enumerate(req.acceptance_criteria, 1):
            lines.append(f"    {i}. [{'x' if c.done else ' '}] {c.text}")
    current = {id(a) for a in req.current_approvals}
    for a in req.approvals:
        if id(a) in current:
            row(_("signed off"), _approval_said(a))
        else:
            row(action_label("approved"), _("{signature} (an earlier text)").format(signature=_approval_said(a)))
    missing = review.signoffs_missing(req)
    if missing:
        from reqboard.store.review import missing_shown

        fix = f"reqboard approve {req.key} --role {_shell_word(missing[0])}" if review.roles else f"reqboard approve {req.key}"
        row(_("missing"), _("{missing} (sign with: {fix})").format(
            missing=_("a sign-off by {roles}").format(roles=missing_shown(missing)) if review.roles
            else missing_shown(missing), fix=fix))
    for f in req.feedback:
        details = _feedback_details(f)
        if details:
            said = (_("{satisfaction}/5 via {channel} at {day} ({details}): {comment}") if f.comment
                    else _("{satisfaction}/5 via {channel} at {day} ({details})"))
        else:
            said = (_("{satisfaction}/5 via {channel} at {day}: {comment}") if f.comment
                    else _("{satisfaction}/5 via {channel} at {day}"))
        row(field_label("feedback"), said.format(satisfaction=f.satisfaction, channel=f.channel.label,
                                                 day=clock.local_day(f.at).isoformat(), comment=f.comment,
                                                 details=details))
    if req.last_contact is not None:
        row(_("last contact"), _("{ago} ({time})").format(ago=_ago(req.last_contact), time=_when(req.last_contact)))
    for n in reversed(req.notes):  # newest first, as the detail pane lists them
        said = (_("{time} via {channel} with {name} (noted by {user})") if n.with_
                else _("{time} via {channel} (noted by {user})"))
        row(field_label("notes"), said.format(time=_when(n.at), channel=n.channel.label, name=n.with_, user=n.by))
        lines.extend(f"    {line}" for line in shown(n.text).splitlines())
    for cr in req.change_requests:
        lines.append(f"  {_pad(cr.key, 12)} {_pad(cr.status.label, 12)} {cr.summary}")
    nxt = next_state(req.state)
    if nxt:
        # What the board's rules say of the next move, when they hold it back; else the command to make it.
        links = review.links
        rules = workflow.Rules(signoff_roles=review.roles, blockers=links.blockers(req.key),
                               open_conflicts=links.open_conflicts(req.key) if nxt is State.APPROVED else ())
        refusal = workflow.check_move(req, nxt, "", rules)
        held = refusal is not None and refusal.rule in ("dependency.open", "approved.reapproval", "approved.conflict",
                                                        "approved.approval")
        row(pgettext("the next step", "next"), refusal.message if held and refusal else
            f"reqboard move {req.key} {_said(nxt)}")
    # Every line carries user text somewhere: each is made safe whole, so no field can be missed.
    return "\n".join(_text(line) for line in lines)


def _feedback_details(f: Any) -> str:
    """What a satisfaction reading holds besides its score: interim, the dimensions' scores, the reasons."""
    parts = []
    if f.interim:
        parts.append(_("interim"))
    if f.scores:
        parts.append(listed(_("{dimension} {score}").format(dimension=_code_said(d), score=n) for d, n in f.scores.items()))
    if f.reasons:
        parts.append(_("why: {reasons}").format(reasons=listed(map(_code_said, f.reasons))))
    return pgettext("list separator", "; ").join(parts)


def _code_said(code: str) -> str:
    """A code of one of the board's lists as a person reads it (a default one in the current language)."""
    from reqboard.store.surveys import code_label

    return code_label(code)


def _breaches(req: Any, review: _BoardReview) -> tuple[Any, ...]:
    """The response targets `req` has not reached by their deadline (what the SLA badge is about)."""
    from reqboard.store import targets
    from reqboard.store.domain import State

    if not review.targets:
        return ()
    started = req.entered_at.get(State.COLLECTED) or req.created_at
    found: tuple[Any, ...] = targets.breached(targets.checks(
        review.targets, channel=req.channel, tier=req.tier, state=req.state, started=started,
        entered_at=req.entered_at, now=datetime.now(UTC)))
    return found


def _days_since(moment: datetime) -> float:
    return (datetime.now(UTC) - moment).total_seconds() / 86400


def _days_said(days: float) -> str:
    """A number of days, to a tenth: `1 day`, `2.5 days`."""
    shown = f"{days:.1f}".removesuffix(".0")
    return ngettext("{n} day", "{n} days", 1 if shown == "1" else 2).format(n=shown)


def _shell_word(text: str) -> str:
    """`text` as one word of a command to type: as it is when it is one (letters of any script, digits,
    `-`, `.`, `_`), else quoted for the shell."""
    if re.fullmatch(r"[\w.-]+", text):
        return text
    from shlex import quote

    return quote(text)


def _approval_said(a: Any) -> str:
    """One sign-off as `show` lists it: the role, who signed (and who recorded it for them), when, the
    comment."""
    if a.on_behalf_of:
        who = _("{signer} (recorded by {user})").format(signer=a.on_behalf_of, user=a.by)
    else:
        who = a.by
    when = _when(a.at)
    if a.role:
        said = (_("{role}: {signer} at {time}: {comment}") if a.comment else _("{role}: {signer} at {time}"))
    else:
        said = _("by {user} at {time}: {comment}") if a.comment else _("by {user} at {time}")
    return said.format(role=a.role, signer=who, user=who, time=when, comment=a.comment)


def _conflict_said(req: Any, other: str, links: Any) -> list[str]:
    """One conflict of `req` as `show` lists it: each decision that settled it (by whom, when, what;
    two, when two copies of the board each decided and synced), else with a rejected requirement, or
    open (and how to settle it)."""

    uid = links.uids.get(other)
    resolutions = [r for r in req.resolutions if r.other_uid == uid or r.other == other]
    if resolutions:
        said = []
        for resolution in resolutions:
            line = (_("{other}: resolved by {user} at {time}: {decision} ({rejected} rejected)") if resolution.rejected
                    else _("{other}: resolved by {user} at {time}: {decision}"))
            said.append(line.format(other=other, user=resolution.by, time=_when(resolution.at),
                                    decision=resolution.decision, rejected=resolution.rejected))
        return said
    return [_conflict_open_said(req, other, links)]


def _conflict_open_said(req: Any, other: str, links: Any) -> str:
    from reqboard.store.domain import State

    if links.is_resolved(req.key, other):  # settled on the other side only (a board that synced it so)
        return _("{other}: resolved (see reqboard show {other})").format(other=other)
    if links.state(other) is State.REJECTED:
        return _("{other}: no longer open ({other} is rejected)").format(other=other)
    if req.state is State.REJECTED:
        return _("{other}: no longer open ({key} is rejected)").format(other=other, key=req.key)
    return _("{other}: open (settle it with: reqboard resolve {key} {other} --decision TEXT)").format(
        other=other, key=req.key)


def _score_said(req: Any, review: _BoardReview) -> str | None:
    """The priority score and how it is made, when the team's weights make it differ from importance x
    urgency (the priority row says that one); None otherwise or while it has no score."""
    from reqboard.store import scoring

    score = review.score(req)
    if score is None or review.weights == scoring.Weights():
        return None
    factors = [_("{factor} {value}^{weight}").format(factor=_factor_label(name), value=f"{value:g}",
                                                    weight=f"{weight:g}")
               for name, value, weight in scoring.explain(req, review.weights) if weight]
    return _("{score} ({factors})").format(score=f"{score:g}", factors=" × ".join(factors))


def _factor_label(name: str) -> str:
    """A factor of the score by the name a person reads (store.scoring.explain names them)."""
    from reqboard.store.scoring import FACTOR_LABELS

    return _(FACTOR_LABELS[name])


# ---------------------------------------------------------------------------- commands
def _store_path(args: argparse.Namespace) -> Path | str:
    """The board's location: a path, or a server's URL as given (a Path would fold its `//`)."""
    from reqboard.store.paths import default_store_path

    given = getattr(args, "store", None)
    if given == "":  # e.g. `--store "$UNSET"`: never fall back to the user's own board for it
        raise UsageError(_("--store was given an empty path: give the board file, or leave --store out"))
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
        _note(_("--user is ignored on a server board: changes are made as the database login {login}").format(
            login=_text(login)))
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


def _emit(args: argparse.Namespace, req: Any, text: str, board: Any) -> None:
    """What a command that changed a requirement prints: `text`, or with --json the record as `show
    --json` prints it."""
    if getattr(args, "json", False):
        _print_json(_BoardReview(board).record_json(req))
    else:
        print("\n".join(_text(line) for line in text.split("\n")))


class _BoardReview:
    """What the board around a requirement says of it, read once for a command: the links both ways
    (store.links), the sign-off roles and the priority score's weights."""

    def __init__(self, board: Any, cards: Sequence[Any] | None = None) -> None:
        from reqboard.store import scoring, workflow
        from reqboard.store.links import LinkIndex

        if cards is not None:
            self.links = LinkIndex.of(cards)
        elif board.storage.partial_cards:  # a server: its cards are the cheap read of the whole board
            self.links = board.links()
        else:  # a file: its records are read already, and cheaper to index than to make into cards
            self.links = LinkIndex.of_records(board.snapshot().requirements.values())
        self.roles: tuple[str, ...] = board.signoff_roles()
        self.rules = workflow.Rules(signoff_roles=self.roles)
        self.weights = board.score_weights()
        self.targets = board.response_targets()
        self._score = scoring.score
        self._missing = workflow.signoffs_wanted

    def blocked_by(self, key: str) -> tuple[str, ...]:
        """What `key`'s work waits on (nothing once it is done, or when it is rejected)."""
        return self.links.blockers(key) if self.links.blocked(key) else ()

    def signoffs_missing(self, req: Any) -> tuple[str, ...]:
        """The roles still to sign `req`'s current text (`""` alone: the board names none, nobody signed)."""
        missing: tuple[str, ...] = self._missing(req, self.rules)
        return missing

    def score(self, req: Any) -> float | None:
        found: float | None = self._score(req, self.weights)
        return found

    def record_json(self, req: Any) -> dict[str, Any]:
        """`show --json`'s record: every stored and derived field (store.exchange.json_io), and what
        the board says of it: who needs it, its conflicts both ways, what blocks it, the sign-offs
        still missing, its score."""
        from reqboard.store.domain import iso_utc
        from reqboard.store.exchange.json_io import requirement_json

        key = req.key
        return {**requirement_json(req),
                "needed_by": list(self.links.needed_by(key)),
                "conflicts": list(self.links.conflicts_of(key)),
                "open_conflicts": list(self.links.open_conflicts(key)),
                "blocked_by": list(self.blocked_by(key)),
                "signoffs_missing": list(self.signoffs_missing(req)),
                "score": self.score(req),
                "last_contact": None if (contact := req.last_contact) is None else iso_utc(contact)}


def cmd_add(args: argparse.Namespace) -> int:
    fields = _field_values(args)
    title = fields.pop("title")
    board = _board(args)
    req = board.add_requirement(title, **fields)
    _emit(args, req, req.key, board)
    _warn_entered(board, req)
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
    cards = board.cards(whole=True)  # (a server sends only what cards show unless asked for more)
    review = _BoardReview(board, cards) if as_json or args.query is not None else None
    query = _list_query(args.query, review) if args.query is not None else None
    # One model at a time, each turned into its output at once: every record is still validated (one
    # the models refuse stops the listing, exit 4), but 50,000 models are never held together.
    found: list[Any] = []
    for card in cards:
        req = validated(card.record, card.path)
        if wanted(req) and (query is None or query.matches(req)):
            found.append(_json_element(review.record_json(req)) if review is not None and as_json else card)
    if as_json:
        _write_bytes(_json_for_terminal(("[\n" + ",\n".join(found) + "\n]\n" if found else "[]\n").encode()))
    else:
        _print_list(found)
    return EXIT_OK


def _list_query(text: str, review: Any) -> Any:
    """`list --query`: the board's filter (store.query), `blocked` and `overdue` judged as the board
    judges them (the whole board's links, today in the board's time zone). A query it cannot read is
    a usage error (exit 2), as a state it does not know is."""
    from reqboard.store import clock
    from reqboard.store.query import QueryContext, QueryError, parse_query

    try:
        return parse_query(text, QueryContext(today=clock.today(), blocked=review.links.blocked))
    except QueryError as exc:
        raise UsageError(_("--query {query!r}: {reason}").format(query=text, reason=exc)) from None


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
        _note(_("{old} is now {new}: a sync gave it a new key").format(old=_text(args.key.upper()), new=req.key))
    else:
        for other in board.formerly(req.key):
            _note(_("{key} was also the key of {other} ({title}) until a sync gave it a new key").format(
                key=req.key, other=other.key, title=_text(other.title)))
    review = _BoardReview(board)
    if getattr(args, "json", False):
        _print_json(review.record_json(req))
    else:
        print(_show_text(req, review))
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

                raise InvalidValue(ngettext("{key} has {count} acceptance criterion; there is no number {n}",
                                            "{key} has {count} acceptance criteria; there is no number {n}",
                                            len(criteria)).format(key=req.key, count=len(criteria), n=n))
            criteria[n - 1]["done"] = done
        changes["acceptance_criteria"] = tuple(criteria)
    if not changes:
        raise UsageError(_("nothing to change: give at least one field option, e.g. --title or --owner"))
    req = board.edit_requirement(args.key, changes, expect_version=expect_version, reason=args.reason)
    _emit(args, req, _("{key} is now version {version}").format(key=req.key, version=req.version), board)
    return EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    from reqboard.store.domain import State

    try:
        state = State.parse(args.state)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    inputs, updates = _move_inputs(args, state)
    board = _board(args)
    req = board.move_requirement(args.key, state, reason=args.reason, expect_version=args.expect_version,
                                 updates=updates, inputs=inputs, override_dependency=args.override_dependency)
    _warn_entered(board, req)
    if state is State.APPROVED and req.state is State.ANALYSED:  # a sign-off; other roles still to sign
        said = _signoff_said(board, req)
    else:
        said = _("{key} is now {state}").format(key=req.key, state=_said(req.state))
    _emit(args, req, said, board)
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
        raise UsageError(_("{option} is for a move to {states}, not to {state}").format(
            option=f"--{name.replace('_', '-')}", states=_alternatives(_said(s) for s, _inp in uses[name]),
            state=_said(state)))
    inputs = workflow.parse_inputs(declared, given) if given else None
    return inputs or None, updates or None


def cmd_approve(args: argparse.Namespace) -> int:
    board = _board(args)
    req = board.approve(args.key, args.comment, role=args.role, on_behalf_of=args.on_behalf_of,
                        expect_version=args.expect_version)
    _emit(args, req, _signoff_said(board, req), board)
    _warn_entered(board, req)
    return EXIT_OK


def _signoff_said(board: Any, req: Any) -> str:
    """What `approve` (or a move to approved with a sign-off) did: the sign-off it recorded, the roles
    still to sign, and the state the requirement is in now."""
    from reqboard.store.review import missing_shown

    latest = req.approvals[-1] if req.approvals else None
    state = _said(req.state)
    if latest is None or latest.at != req.updated_at:  # signed off already: it moved on without a new sign-off
        return _("{key} was already signed off; it is {state}").format(key=req.key, state=state)
    signer = latest.signer if not latest.on_behalf_of else _("{signer}, recorded by {user}").format(
        signer=latest.signer, user=latest.by)
    _approvals, missing = board.signoff_status(req)
    if not latest.role or not board.signoff_roles():  # a role of a board that names none is a label only
        return _("{key} approved by {user}; it is {state}").format(key=req.key, user=signer, state=state)
    if missing:
        return _("{key} signed off by {role} ({signer}); still missing: {missing}; it is {state}").format(
            key=req.key, role=latest.role, signer=signer, missing=missing_shown(missing), state=state)
    return _("{key} signed off by {role} ({signer}); every sign-off role has signed; it is {state}").format(
        key=req.key, role=latest.role, signer=signer, state=state)


def cmd_signoff_roles(args: argparse.Namespace) -> int:
    board = _board(args)
    roles = [part for given in args.roles for part in (_ROLE_SEPARATORS.split(given) if given.strip() else [given])
             if part.strip() or not given.strip()]
    if args.none and roles:
        raise UsageError(_("give the roles or --none, not both"))
    if args.none or roles:
        shown = board.set_signoff_roles(roles)
    else:
        shown = board.signoff_roles()
    if getattr(args, "json", False):
        _print_json({"signoff_roles": list(shown)})
    elif shown:
        print(_text(_("sign-off roles: {roles} (each signs a requirement's current text before it is "
                      "approved: reqboard approve KEY --role ROLE)").format(roles=listed(shown))))
    else:
        print(_("no sign-off roles: one sign-off by anyone approves a requirement"))
    return EXIT_OK


_ROLE_SEPARATORS = re.compile("[,，、]")
"""What parts roles typed in one word: `customer,product` (and a Chinese comma or list mark)."""


def cmd_resolve(args: argparse.Namespace) -> int:
    board = _board(args)
    first, second = board.resolve_conflict(args.key, args.other, args.decision, reject=args.reject,
                                           expect_version=args.expect_version)
    if getattr(args, "json", False):
        review = _BoardReview(board)
        _print_json([review.record_json(first), review.record_json(second)])
        return EXIT_OK
    resolution = first.resolutions[-1]
    if resolution.rejected:
        said = _("the conflict between {key} and {other} is resolved by {user}: {decision}; {rejected} is rejected")
    else:
        said = _("the conflict between {key} and {other} is resolved by {user}: {decision}")
    print(_text(said.format(key=first.key, other=second.key, user=resolution.by, decision=resolution.decision,
                            rejected=resolution.rejected)))
    return EXIT_OK


def cmd_score_weights(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from reqboard.store.scoring import WEIGHT_NAMES, Weights

    board = _board(args)
    changes: dict[str, float] = dict(args.weights)
    if args.reset:
        changes = {**asdict(Weights()), **changes}
    weights = board.set_score_weights(changes) if changes else board.score_weights()
    values = asdict(weights)
    if getattr(args, "json", False):
        _print_json(values)
        return EXIT_OK
    for name in WEIGHT_NAMES:
        print(f"{_pad(_weight_said(name), 12)} {values[name]:g}")
    factors = [_("{factor}^{weight}").format(factor=_weight_said(name), weight=f"{values[name]:g}")
               for name in WEIGHT_NAMES if values[name]]
    print(_("score = {factors}").format(factors=" × ".join(factors)) if factors
          else _("score = 1 for every requirement (every weight is 0): columns keep the order of the keys"))
    print(_("Each factor counts on a scale of 1 to 5, raised to its weight (0 leaves it out): effort is a cost "
            "(8 hours or less scores 5), feasibility high 5, medium 3, low 1, tier A 5, B 3, C 1, and a factor not "
            "set counts 3. The default weights (importance 1, urgency 1) give importance x urgency."))
    return EXIT_OK


def cmd_feedback(args: argparse.Namespace) -> int:
    scores = _dimension_scores(args.score)
    reasons = [code for given in args.reason for code in _parts(given)]
    board = _board(args)
    req = board.record_feedback(args.key, args.satisfaction, args.comment, channel=args.channel,
                                interim=args.interim, scores=scores, reasons=reasons,
                                expect_version=args.expect_version)
    said = (_("{key} interim reading recorded ({satisfaction}/5); it stays {state}") if args.interim
            else _("{key} feedback recorded ({satisfaction}/5); it is {state}"))
    _emit(args, req, said.format(key=req.key, satisfaction=args.satisfaction, state=_said(req.state)), board)
    _warn_entered(board, req)
    return EXIT_OK


_PARTS = re.compile("[,，、]")
"""What parts several values typed in one word: `late,quality` (and a Chinese comma or list mark)."""


def _parts(given: str) -> list[str]:
    """The values one option's word holds, parted by commas; blank ones left out."""
    return [part.strip() for part in _PARTS.split(given) if part.strip()]


def _dimension_scores(given: Sequence[str]) -> dict[str, int]:
    """`feedback --score DIM=N` (repeated, or parted by commas) as {dimension as typed: score}. Only the
    syntax is a usage error; the store refuses a dimension the board does not survey, or a score out of
    1-5 (exit 1)."""
    import unicodedata

    scores: dict[str, int] = {}
    for word in given:
        for part in _parts(unicodedata.normalize("NFKC", word)) or [word]:
            name, sep, value = part.partition("=")
            if not sep or not name.strip():
                raise UsageError(_("--score {given!r}: give DIM=N, e.g. quality=4 (the dimensions: reqboard "
                                   "survey-dimensions)").format(given=_quoted_part(part)))
            try:
                scores[name.strip()] = int(value)
            except ValueError:
                raise UsageError(_("--score {given!r}: the score is a whole number from 1 to 5").format(
                    given=_quoted_part(part))) from None
    return scores


def _moment(text: str) -> datetime:
    """`note --at`: a date-time in local time (the `timezone` setting), one with its own zone, or a date
    alone, which is noon local time that day (or now, if that is earlier: a contact noted today at nine
    took place before noon). Only the syntax is a usage error; the store refuses a time before 1970 or
    more than a day ahead (exit 1)."""
    from reqboard.store import clock

    given = text.strip()
    try:
        day = date.fromisoformat(given)
    except ValueError:
        day = None
    if day is not None:
        noon = datetime.combine(day, time(12), tzinfo=clock.zone())
        return min(noon, datetime.now(UTC)) if day == clock.today() else noon
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise UsageError(_("--at {given!r} is not a time: give YYYY-MM-DD HH:MM (local time), ISO 8601 with a "
                           "zone (2026-11-20T09:30+08:00), or a date").format(given=_quoted_part(text))) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=clock.zone())


def cmd_note(args: argparse.Namespace) -> int:
    at = _moment(args.at) if args.at is not None else None
    board = _board(args)
    req = board.add_note(args.key, args.text, channel=args.channel or None, with_=args.with_, at=at,
                         expect_version=args.expect_version)
    when = at or req.updated_at  # (the note's own time: now, unless --at said when)
    note = next((n for n in reversed(req.notes) if n.at == when and n.by == req.updated_by), req.notes[-1])
    said = (_("{key}: contact with {name} noted ({channel}, {time})") if note.with_
            else _("{key}: contact noted ({channel}, {time})"))
    _emit(args, req, said.format(key=req.key, name=note.with_, channel=note.channel.label, time=_when(note.at)), board)
    return EXIT_OK


def _ago(moment: datetime) -> str:
    """How long ago `moment` was, in local calendar days: today, yesterday, 3 days ago."""
    from reqboard.store import clock

    days = (clock.today() - clock.local_day(moment)).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)


# ---------------------------------------------------------------------------- customers
def cmd_customer(args: argparse.Namespace) -> int:
    sub = args.customer_command
    if sub is None:
        raise UsageError(_("give a customer command: list, show, add, edit, rename"))
    board = _board(args)
    as_json = getattr(args, "json", False)
    if sub == "list":
        summaries = _customer_summaries(board)
        if as_json:
            _print_json([s.as_json() for s in summaries])
        else:
            _print_customers(summaries)
        return EXIT_OK
    if sub == "show":
        summaries = _customer_summaries(board, args.customer)
        if not summaries:
            from reqboard.store.errors import NotFound

            raise NotFound(_("no customer named {name!r} on this board (see reqboard customer list)").format(
                name=args.customer.strip()[:120]))
        summary, reqs = summaries[0], _requirements_of(board, summaries[0].customer.name)
        if as_json:
            _print_json(summary.as_json())
        else:
            print(_customer_text(summary, reqs))
        return EXIT_OK
    if sub == "add":
        added = board.add_customer(args.customer, _tier(args.tier), contact=args.contact, segment=args.segment,
                                   notes=args.notes)
        said = _("customer {name} added (tier {tier})").format(name=added.name, tier=added.tier.label)
        return _emit_customer(args, board, added.name, said)
    if sub == "edit":
        changes = {name: getattr(args, name) for name in ("tier", "contact", "segment", "notes")
                   if getattr(args, name) is not None}
        if not changes:
            raise UsageError(_("nothing to change: give at least one of --tier, --contact, --segment, --notes"))
        if "tier" in changes:
            changes["tier"] = _tier(changes["tier"])
        edited, changed = board.edit_customer(args.customer, **changes)
        said = (ngettext("customer {name} changed; {n} requirement took tier {tier}",
                         "customer {name} changed; {n} requirements took tier {tier}", changed)
                if "tier" in changes else _("customer {name} changed")).format(
            name=edited.name, n=changed, tier=edited.tier.label)
        return _emit_customer(args, board, edited.name, said)
    old = _customer_spelling(board, args.customer)
    renamed, changed = board.rename_customer(args.customer, args.new_name)
    said = ngettext("customer {old} is now {new}; {n} requirement followed",
                    "customer {old} is now {new}; {n} requirements followed", changed).format(
        old=old, new=renamed.name, n=changed)
    return _emit_customer(args, board, renamed.name, said)


def _customer_spelling(board: Any, name: str) -> str:
    """A customer's name as the board spells it (its record's), else as given."""
    from reqboard.store.errors import NotFound

    try:
        spelled: str = board.customer(name).name
    except NotFound:  # a name only requirements give (the store takes it), or none (the store says so)
        return name.strip()
    return spelled


def _emit_customer(args: argparse.Namespace, board: Any, name: str, text: str) -> int:
    """What a command that changed a customer prints: `text`, or with --json its summary as `customer
    show --json` prints it."""
    if getattr(args, "json", False):
        _print_json(_customer_summaries(board, name)[0].as_json())
    else:
        print(_text(text))
    return EXIT_OK


def _requirements_of(board: Any, name: str) -> list[Any]:
    from reqboard.store.customers import same_customer

    return [r for r in board.requirements() if same_customer(r.customer, name)]


def _customer_summaries(board: Any, name: str | None = None) -> list[Any]:
    """The summary of every customer the board knows (its records, and names requirements give without
    one), in the board's order; or of the one called `name` (any case; none: an empty list)."""
    from reqboard.store import clock
    from reqboard.store.customers import customer_summary, known_customers, same_customer

    reqs = board.requirements()
    by_name: dict[str, list[Any]] = {}
    for r in reqs:
        by_name.setdefault(r.customer.strip().casefold(), []).append(r)
    today = clock.today()
    return [customer_summary(c, by_name.get(c.name.strip().casefold(), []), today=today)
            for c in known_customers(board.customers(), reqs) if name is None or same_customer(c.name, name)]


def _print_customers(summaries: Sequence[Any]) -> None:
    """`customer list`: one line a customer, columns as wide as their headings at least."""
    from rich.cells import cell_len

    heads = (_("CUSTOMER"), _("TIER"), _("OPEN"), _("DELIVERED"), _("SATISFACTION"), _("LAST CONTACT"))
    widths = [max(24, cell_len(heads[0])), max(4, cell_len(heads[1]))] + [cell_len(h) for h in heads[2:5]]
    widths = [max(w, 5) for w in widths]
    print(f"{_pad(heads[0], widths[0])} {_pad(heads[1], widths[1])} {_right(heads[2], widths[2])} "
          f"{_right(heads[3], widths[3])} {_right(heads[4], widths[4])}  {heads[5]}")
    for s in summaries:
        mean = "-" if s.satisfaction_mean is None else f"{s.satisfaction_mean:.2f}"
        contact = "-" if s.last_contact is None else _ago(s.last_contact.at)
        print(f"{_cell(s.customer.name, widths[0])} {_pad(s.customer.tier.label, widths[1])} "
              f"{_right(str(s.open), widths[2])} {_right(str(s.delivered), widths[3])} "
              f"{_right(mean, widths[4])}  {_text(contact)}")


def _customer_text(summary: Any, reqs: Sequence[Any]) -> str:
    """`customer show`: what a key-account manager wants to know of one customer, every piece of user
    text made safe."""
    from reqboard.store.domain import State
    from reqboard.store.labels import field_label
    from reqboard.store.text import shown

    c = summary.customer
    lines = [_("{name}  tier {tier}").format(name=c.name, tier=c.tier.label)]

    def row(label: str, value: Any) -> None:
        if value not in (None, "", ()):
            lines.append(f"  {_pad(label, 14)} {value}")

    row(_("contact"), c.contact)
    row(_("segment"), c.segment)
    counts = _("{total}: {open} open, {delivered} delivered, {rejected} rejected").format(
        total=summary.total, open=summary.open, delivered=summary.delivered, rejected=summary.rejected)
    if summary.overdue:
        counts = _("{counts}; {n} overdue").format(counts=counts, n=summary.overdue)
    row(_("requirements"), counts)
    row(_("by state"), listed(_("{state} {n}").format(state=_said(state), n=n)
                              for state, n in summary.count_by_state.items() if n))
    if summary.lead_time_median is not None:
        row(_("lead time"), _("median {median} days, mean {mean} days (collected to done)").format(
            median=f"{summary.lead_time_median:.1f}", mean=f"{summary.lead_time_mean:.1f}"))
    if summary.satisfaction_mean is not None and summary.satisfaction_latest is not None:
        score, at, key = summary.satisfaction_latest
        row(_("satisfaction"), ngettext(
            "mean {mean} over {n} requirement; latest {score}/5 on {key} at {day}",
            "mean {mean} over {n} requirements; latest {score}/5 on {key} at {day}",
            summary.satisfaction_count).format(mean=f"{summary.satisfaction_mean:.2f}", n=summary.satisfaction_count,
                                               score=score, key=key, day=_when(at)))
    contact = summary.last_contact
    if contact is not None:
        said = (_("{ago}: a note on {key} ({channel}, {time})") if contact.kind == "note"
                else _("{ago}: feedback on {key} ({channel}, {time})"))
        row(_("last contact"), said.format(ago=_ago(contact.at), key=contact.key, channel=contact.channel.label,
                                           time=_when(contact.at)))
    if c.notes:
        lines.append(f"  {field_label('customer.notes')}")
        lines.extend(f"    {line}" for line in shown(c.notes).splitlines())
    if summary.open_change_requests:
        lines.append("  " + _("open change requests"))
        for key, cr in summary.open_change_requests:
            lines.append(f"    {_pad(cr.key, 8)} {_pad(_said(cr.status), 12)} {_pad(key, 9)} {cr.summary}")
    if reqs:
        lines.append("  " + _("its requirements"))
        for r in sorted(reqs, key=lambda r: (r.state is State.REJECTED, r.number)):
            due = _("due {day}").format(day=r.due.isoformat()) if r.due and r.state not in (
                State.DONE, State.FED_BACK, State.REJECTED) else ""
            lines.append(f"    {_pad(r.key, 9)} {_pad(_said(r.state), 12)} {r.title}" + (f"  ({due})" if due else ""))
    return "\n".join(_text(line) for line in lines)


# ---------------------------------------------------------------------------- the board's lists
def cmd_code_list(args: argparse.Namespace) -> int:
    """`survey-dimensions`, `low-score-reasons`, `complaint-causes`: show or set one of the board's lists."""
    kind = _code_list(args.command.replace("-", "_"))
    codes = [part for given in args.codes for part in (_parts(given) or [given])]
    if args.reset and codes:
        raise UsageError(_("give the list or --reset, not both"))
    board = _board(args)
    if args.reset:
        shown = board.set_codes(kind, None)
    elif codes:
        shown = board.set_codes(kind, codes)
    else:
        shown = {"survey_dimensions": board.survey_dimensions, "low_score_reasons": board.low_score_reasons,
                 "complaint_causes": board.complaint_causes}[kind.setting]()
    if getattr(args, "json", False):
        _print_json({kind.setting: list(shown)})
        return EXIT_OK
    said = {"survey_dimensions": _("survey dimensions: {codes} (feedback KEY --score DIM=N)"),
            "low_score_reasons": _("reasons for a low score: {codes} (feedback KEY --reason CODE)"),
            "complaint_causes": _("complaint causes: {codes} (edit KEY --cause CODE)")}[kind.setting]
    print(_text(said.format(codes=_codes_said(shown))))
    return EXIT_OK


# ---------------------------------------------------------------------------- response targets
def cmd_target(args: argparse.Namespace) -> int:
    from reqboard.store.domain import State

    sub = args.target_command
    if sub is None:
        raise UsageError(_("give a target command: set, list, remove"))
    state = None
    if sub in ("set", "remove"):
        try:
            state = State.parse(args.state)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    board = _board(args)
    as_json = getattr(args, "json", False)
    if sub == "list":
        found = board.response_targets()
        if as_json:
            _print_json([t.as_json() for t in found])
        elif not found:
            print(_("no response targets (set one with: reqboard target set [--channel CH] [--tier T] STATE DAYS)"))
        for t in found if not as_json else ():
            print(_text(_target_said(t)))
        return EXIT_OK
    assert state is not None
    channel, tier = _target_scope(args)
    if sub == "set":
        target = board.set_response_target(state, args.days, channel=channel, tier=tier)
        said = _("response target set: {target}").format(target=_target_said(target))
    else:
        target = board.remove_response_target(state, channel=channel, tier=tier)
        said = _("response target removed: {target}").format(target=_target_said(target))
    if as_json:
        _print_json(target.as_json())
    else:
        print(_text(said))
    return EXIT_OK


def _target_scope(args: argparse.Namespace) -> tuple[Any, Any]:
    """`target --channel --tier` as a channel and a tier (None: any); one the board does not know is
    refused naming those there are (exit 1, as `add --channel` refuses it)."""
    from reqboard.store.domain import Channel
    from reqboard.store.errors import InvalidValue

    channel = tier = None
    if args.channel:
        try:
            channel = Channel(args.channel)
        except ValueError:
            raise InvalidValue(_("{given!r} is not a channel: give one of {choices}").format(
                given=_quoted_part(args.channel), choices=_choices(Channel))) from None
    if args.tier:
        tier = _tier(args.tier)
    return channel, tier


def _tier(text: str) -> Any:
    """A tier as typed (A, b, A类); InvalidValue (exit 1) for anything else, an empty one too."""
    from reqboard.store.domain import Tier
    from reqboard.store.errors import InvalidValue

    try:
        return Tier(text)
    except ValueError:
        raise InvalidValue(_("{given!r} is not a tier: give A, B or C").format(given=_quoted_part(text))) from None


def _quoted_part(text: str) -> str:
    """What a person typed, as an error quotes it: at most 60 characters (a message is one line)."""
    return text if len(text) <= 60 else text[:59] + "…"


def _target_said(target: Any) -> str:
    """A response target as a person reads it: `analysed within 2 days (complaint, tier A)`."""
    days = ngettext("{n} day", "{n} days", 1 if target.days == 1 else 2).format(n=f"{target.days:g}")
    if target.channel and target.tier:
        said = _("{state} within {days} ({channel}, tier {tier})")
    elif target.channel:
        said = _("{state} within {days} ({channel})")
    elif target.tier:
        said = _("{state} within {days} (tier {tier})")
    else:
        said = _("{state} within {days} (every requirement)")
    return said.format(state=_said(target.state), days=days,
                       channel=_said(target.channel) if target.channel else "",
                       tier=target.tier.label if target.tier else "")


def cmd_reject(args: argparse.Namespace) -> int:
    board = _board(args)
    req = board.reject(args.key, args.reason, expect_version=args.expect_version)
    _emit(args, req, _("{key} rejected").format(key=req.key), board)
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    board = _board(args)
    req = board.review(args.key, args.comment)
    _emit(args, req, _("{key} reviewed; no longer suspect").format(key=req.key), board)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    events = _board(args).history(args.key)
    if getattr(args, "json", False):
        _print_json([e.model_dump(mode="json") for e in events])
        return EXIT_OK
    from reqboard.store import clock
    from reqboard.store.history_words import Voice, event_said

    # Plain ASCII, a state as one types it; values cut to 60 cells, a reason whole.
    voice = Voice(ascii=True, gap=" ", cells=60, reason_cells=None, state_said=_said)
    for e in events:
        print(f"{clock.shown(e.at, seconds=True)}  {_pad(e.by, 12)} {_text(event_said(e, voice))}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    import os

    board = _board(args)
    board.storage.maintenance()  # Unsupported (exit 2) where the board is kept by a server, not in a file
    if not os.path.lexists(board.path):
        print(_("{path} does not exist yet (an empty board)").format(path=_text(board.path)))
        return EXIT_OK
    if args.repair:
        done = board.repair()
        for line in done:
            print(_("repaired: {what}").format(what=_text(line)))
        if not done:
            print(_("nothing to repair in the history journal"))
    errors, warnings = board.check()
    for w in warnings:
        print(f"warning: {_text(w)}")  # (the prefix is for scripts: never translated)
    if errors:
        for e in errors:
            print(f"error: {_text(e)}", file=sys.stderr)
        return EXIT_UNREADABLE
    reqs = board.requirements()
    # (one form for any count: scripts have read this line as it was before it was translated)
    print(_("{path}: ok ({requirements} requirements, generation {generation}, {backups} backups kept)").format(
        path=_text(board.path), requirements=len(reqs), generation=board.generation, backups=len(board.backups())))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from reqboard.store.exchange import export_board, guess_format

    fmt = args.format or (guess_format(args.output) if args.output else None) or "json"
    encoding = _encoding(args, fmt)
    customer = _customer_option(args)
    board = _board(args)

    def payload() -> bytes:
        if customer is None and args.query is None:
            return export_board(board, fmt, encoding=encoding)
        with _query_usage(args.query):
            return export_board(board, fmt, encoding=encoding, customer=customer, query=args.query)

    _write_output(args.output, board, payload, is_json=fmt == "json")
    return EXIT_OK


def _customer_option(args: argparse.Namespace) -> str | None:
    """`--customer NAME` of `report` and `export` (None when not given); an empty name is a usage error
    (a script's unset variable must not turn a report for one customer into one of the whole board)."""
    name: str | None = args.customer
    if name is not None and not name.strip():
        raise UsageError(_("--customer was given an empty name: name the customer, or leave --customer out"))
    return name


@contextmanager
def _query_usage(text: str | None) -> Iterator[None]:
    """A `--query` the board's filter cannot read is a usage error (exit 2) naming why, as in `list`."""
    from reqboard.store.query import QueryError

    try:
        yield
    except QueryError as exc:
        raise UsageError(_("--query {query!r}: {reason}").format(query=text, reason=exc)) from None


def _resolution(text: str) -> tuple[str, str]:
    name, sep, side = text.rpartition("=")
    try:
        said = _side(side)
    except argparse.ArgumentTypeError:
        said = ""
    if not sep or not said or "." not in name.strip("."):
        raise argparse.ArgumentTypeError(
            _("{given!r}: give KEY.FIELD={ours} or KEY.FIELD={theirs}, e.g. REQ-3.title={theirs}").format(
                given=text, ours=_side_said("ours"), theirs=_side_said("theirs")))
    return name, said


def _source_and_dest(args: argparse.Namespace, needs: str, nothing_there: str) -> tuple[Any, Any]:
    """The boards `clone` and `migrate` copy from and into: a usage error (`needs`) when either is not
    named, NotFound (`nothing_there`, with a {where}) when there is no board at SOURCE to copy."""
    from reqboard.store.errors import NotFound

    if args.source == "" or args.dest == "":
        raise UsageError(needs)
    source = _board_at(args.source, args)
    if _holds_no_board(source):
        raise NotFound(nothing_there.format(where=_where(source, args.source)))
    return source, _board_at(args.dest, args)


def cmd_clone(args: argparse.Namespace) -> int:
    from reqboard.store.sync import clone_board

    source, dest = _source_and_dest(args, _("clone needs a SOURCE board and a new DEST file name"),
                                    _("{where}: no board there to clone"))
    count = clone_board(source, dest)
    if getattr(args, "json", False):
        _print_json({"source": source.storage.location, "dest": _path_text(dest.storage.location),
                     "requirements": count})
    else:
        to = _where(dest, args.dest)
        print(ngettext("cloned {n} requirement from {source} into {dest}; `reqboard --store {dest} sync` brings "
                       "the work back",
                       "cloned {n} requirements from {source} into {dest}; `reqboard --store {dest} sync` brings "
                       "the work back", count).format(n=count, source=_where(source, args.source), dest=to))
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from reqboard.store.sync import migrate_board

    source, dest = _source_and_dest(args, _("migrate needs a SOURCE board and a DEST file or database"),
                                    _("{where}: no board there to migrate"))
    requirements, events = migrate_board(source, dest)
    if getattr(args, "json", False):
        _print_json({"source": _path_text(source.storage.location), "dest": _path_text(dest.storage.location),
                     "requirements": requirements, "events": events})
    else:
        print(_("migrated {requirements} and {events} from {source} to {dest}").format(
            requirements=ngettext("{n} requirement", "{n} requirements", requirements).format(n=requirements),
            events=ngettext("{n} history event", "{n} history events", events).format(n=events),
            source=_where(source, args.source), dest=_where(dest, args.dest)))
    return EXIT_OK


def cmd_server(args: argparse.Namespace) -> int:
    from reqboard.store import pgstore
    from reqboard.store.errors import Refused

    if args.server_command is None:
        raise UsageError(_("give a server command: init, grant, revoke"))
    url = pgstore.ServerURL.parse(args.url)
    as_json = getattr(args, "json", False)
    if args.server_command == "init":
        made = pgstore.init_server(args.url)
        found, now = made
        if now > pgstore.SCHEMA_VERSION:
            raise Refused(_("{where} is at schema {found}, newer than this reqboard knows ({known}): nothing was "
                            "changed; upgrade reqboard to set it up").format(
                              where=url.shown, found=now, known=pgstore.SCHEMA_VERSION), "server.newer")
        if as_json:
            _print_json({"location": url.shown, "schema_found": found, "schema": now,
                         "cards_refreshed": made.refreshed})
        elif found is None:
            print(_("made the reqboard tables in {where} (schema {schema})").format(where=_text(url.shown), schema=now))
        elif found == now:
            print(_("{where} is already at schema {schema}").format(where=_text(url.shown), schema=now))
        else:
            print(_("migrated the reqboard tables in {where} from schema {found} to {schema}").format(
                where=_text(url.shown), found=found, schema=now))
        if made.note and made.refreshed != 0 and not as_json:  # "up to date" goes without saying
            print(made.note)
        return EXIT_OK
    login = _text(args.login)
    if args.server_command == "grant":
        access = pgstore.grant(args.url, args.login, read_only=args.read_only)
        done = (_("{login} may now read the board at {where} (read-only)") if args.read_only
                else _("{login} may now change the board at {where}")).format(login=login, where=_text(url.shown))
        still = _("{login} can still change the board: it is a superuser, or a member of a role that may") \
            if args.read_only and access.writes_some else None
    else:
        access = pgstore.revoke(args.url, args.login)
        done = _("{login} no longer has access of its own to the board at {where}").format(
            login=login, where=_text(url.shown))
        still = (_("{login} can still change the board: it is a superuser, or a member of a role that may")
                 if access.writes_some else
                 _("{login} can still read the board: it is a superuser, or a member of a role that may")
                 if access.reads else None)
    if as_json:
        _print_json({"location": url.shown, "login": args.login, "reads": access.reads, "writes": access.writes})
    else:
        print(done)
    if still:
        _note(still.format(login=login))
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from reqboard.store.labels import field_label
    from reqboard.store.sync import SyncConflicts, default_other, resolution_name, resolver, sync_boards

    if args.other == "":  # e.g. `sync "$UNSET"`: never fall back to the remembered board for it
        raise UsageError(_("sync was given an empty path: name the other board, or leave it out"))
    ours = _board(args)
    other = args.other or default_other(ours)
    if not other:
        raise UsageError(_("{path} was never cloned or synced: name the other board, e.g. `reqboard sync "
                           "team.json`").format(path=_path_text(ours.path)))
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
                print(_text(_("{key} {field}: base {base} ours {ours} theirs {theirs}").format(
                    key=c.key, field=field_label(c.field), base=_value_text(c.base), ours=_value_text(c.ours),
                    theirs=_value_text(c.theirs))), file=sys.stderr)
            return EXIT_CONFLICT
    if getattr(args, "json", False):
        _print_json(plan.as_json())
    else:
        print("\n".join(_text(line) for line in _sync_lines(plan, dry_run=args.dry_run)))
    settled = {conflict.name for conflict, _side in plan.settled}
    for name, _side in args.resolve:  # a typo settles nothing: say so, rather than let it pass unseen
        if resolution_name(name) not in settled:
            _note(_("--resolve {name} names no conflict of this sync; it was not needed").format(name=_text(name)))
    if not args.dry_run:  # a sync is never refused by a WIP limit (store.wip): what it left past one is said
        _warn_over_limits(ours)
    return EXIT_OK


def _value_text(value: Any) -> str:
    import orjson

    from reqboard.store.labels import item_text

    if isinstance(value, list):  # an acceptance criterion as `[x] text`, not its stored keys
        value = [item_text(item) if isinstance(item, dict) else item for item in value]
    text = orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:79] + "…"


def _sync_lines(plan: Any, *, dry_run: bool, refused: bool = False) -> list[str]:
    """What `sync` prints of a plan: as done, or as a plan ("would ...") for a dry run or a sync refused
    for its conflicts (which says on stderr that nothing was written)."""
    planned = dry_run or refused
    where = {"ours": _path_text(plan.ours), "theirs": _path_text(plan.theirs)}
    lines = [(_("plan: {ours} (ours) with {theirs} (theirs)") if planned
              else _("{ours} (ours) with {theirs} (theirs)")).format(**where)]
    if plan.base == "none":
        lines.append(_("no common base (never cloned or synced with each other): every difference is a conflict"))
    if plan.changes_nothing:
        lines.append(_("already in sync: nothing to do"))
    if plan.pulled:
        lines.append((_("would pull {n} into ours: {keys}") if planned else _("pull {n} into ours: {keys}")).format(
            n=len(plan.pulled), keys=" ".join(plan.pulled)))
    if plan.pushed:
        lines.append((_("would push {n} to theirs: {keys}") if planned else _("push {n} to theirs: {keys}")).format(
            n=len(plan.pushed), keys=" ".join(plan.pushed)))
    for moved in plan.renumbered:
        created = pgettext("list separator", " and ").join(where[side] for side in moved.created_on) or "?"
        lines.append((_("{old} (created on {where}) would become {new}") if planned
                      else _("{old} (created on {where}) is now {new}")).format(old=moved.old, where=created, new=moved.new))
    from reqboard.store.labels import field_label

    for conflict, side in plan.settled:
        lines.append(_("{key} {field}: kept {side} ({value})").format(
            key=conflict.key, field=field_label(conflict.field), side=_side_said(side), value=_value_text(getattr(conflict, side))))
    if plan.conflicts:
        lines.append(ngettext("{n} conflict (listed below)", "{n} conflicts (listed below)",
                              len(plan.conflicts)).format(n=len(plan.conflicts)))
    from reqboard.store.sync.run import records_and_customers_said

    lines += [_text(line) for line in records_and_customers_said(plan, where, planned=planned)]
    if plan.events_pulled or plan.events_pushed:
        lines.append(_("history: {pulled} in, {pushed} out").format(
            pulled=ngettext("{n} event", "{n} events", plan.events_pulled).format(n=plan.events_pulled),
            pushed=plan.events_pushed))
    if dry_run:
        lines.append(_("nothing was written (dry run)"))
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from reqboard.store.exchange import IMPORT_FORMATS, ImportRefused, apply_import, guess_format, preview_import
    from reqboard.store.i18n import english

    fmt = args.format or guess_format(args.file)
    if fmt not in IMPORT_FORMATS:
        raise UsageError(_("cannot tell the format of {file}: give --format json, csv or reqif").format(file=args.file))
    encoding = _encoding(args, fmt)
    mapping = _import_mapping(args.mapping, fmt)
    from reqboard.store.outputs import read_import_file

    data = read_import_file(args.file)
    board = _board(args)
    as_json = getattr(args, "json", False)
    # What `--json` says never changes with the language: a summary every part of which (ReqIF's places
    # and the board's clashes too) is made in English; the text report below stays the person's.
    speaking = english() if as_json else nullcontext()
    with _interrupts_held_after_commit(board) as held, speaking:
        try:
            if args.dry_run:
                summary = preview_import(board, data, fmt, source=_path_text(args.file), rekey=args.rekey,
                                         encoding=encoding, mapping=mapping)
            else:
                summary = apply_import(board, data, fmt, source=_path_text(args.file), rekey=args.rekey,
                                       encoding=encoding, mapping=mapping)
        except ImportRefused as exc:
            summary = exc.summary
        if as_json:
            _print_json(summary.as_dict())
        elif args.dry_run or not summary.refused:
            lines = summary.report_lines()
            if args.dry_run and summary.unmapped:  # each is listed below, with a sample: not also as a note
                apart = {"note: " + _("ignored {what}").format(what=_("attribute {name!r}").format(name=u.name))
                         for u in summary.unmapped}
                lines = [line for line in lines if line.split(" (", 1)[0] not in apart]
            print("\n".join(_text(line) for line in [summary.headline(), *lines]))
            if args.dry_run:
                print("\n".join(_unmapped_lines(summary.unmapped)))
        sys.stdout.flush()
    if summary.refused:
        # One `error:` line, then the report by row/column or element, all on stderr.
        with english() if as_json else nullcontext():
            said = summary.error_message()
        print(f"error: {_text(said)}", file=sys.stderr)
        for line in summary.refused:
            print(f"  {_text(line)}", file=sys.stderr)
        return EXIT_REFUSED
    if held:
        _note(_("ctrl+c came once the board had changed on disk, so the import was completed rather than cut "
                "short: everything reported above is on the board"))
    if not args.dry_run:  # an import is never refused by a WIP limit (store.wip): what it left past one is said
        _warn_over_limits(board)
    return EXIT_OK


def _import_mapping(items: Sequence[str] | None, fmt: str) -> dict[str, str] | None:
    """`import --map NAME=FIELD`s read into the reader's mapping (None when none is given). A bad item, or
    a mapping for another format than ReqIF, is a usage error that names the fields allowed."""
    if not items:
        return None
    if fmt != "reqif":
        raise UsageError(_("--map is for ReqIF files only, not {format}: a CSV file's columns and a JSON "
                           "file's fields have fixed names").format(format=fmt))
    from reqboard.store.errors import InvalidValue
    from reqboard.store.exchange.mapping import MAPPABLE_FIELDS, parse_mapping

    try:
        return parse_mapping(items)
    except InvalidValue as exc:
        said, fields = str(exc), ", ".join(MAPPABLE_FIELDS)
        if fields not in said:  # a misshapen item: the fields it may name are said too
            said = _("{reason}; FIELD is one of {fields}, or - to ignore the attribute").format(reason=said,
                                                                                                fields=fields)
        raise UsageError(said) from None


def _unmapped_lines(unmapped: Sequence[Any]) -> list[str]:
    """A dry run's list of the file's attributes that no field takes: name, a sample value, how many
    objects carry it, and the `--map` that would read it (blank: nothing left over)."""
    if not unmapped:
        return []
    lines = ["", ngettext("{n} attribute of the file is read into no field; map it with --map \"NAME=FIELD\" "
                          "(or --map \"NAME=-\" to leave it out):",
                          "{n} attributes of the file are read into no field; map them with --map \"NAME=FIELD\" "
                          "(or --map \"NAME=-\" to leave one out):", len(unmapped)).format(n=len(unmapped))]
    # A long name two definitions share would map both: those are named by their identifiers.
    shared = Counter(u.name for u in unmapped if u.name)
    # So is one that cannot be typed back as shown (spaces around it, a control or formatting character).
    names = [u.name if u.name and shared[u.name] == 1 and u.name == " ".join(u.name.split()) and u.name.isprintable()
             else u.identifier for u in unmapped]
    width = min(max(_cell_width(_text(name)) for name in names), 30)
    for u, name in zip(unmapped, names, strict=True):
        lines.append("  " + _pad(name, width) + "  " + _("{sample} (in {objects})  {option}").format(
            sample=_quoted(_text(u.sample)),
            objects=ngettext("{n} object", "{n} objects", u.count).format(n=u.count),
            option="--map " + _shell_quoted(f"{name}=...")))
    return lines


def _cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _quoted(text: str) -> str:
    """A sample value in quotation marks (the same in English and Chinese), so where it ends is plain."""
    return f"\u201c{text}\u201d"


def _shell_quoted(text: str) -> str:
    """`text` as one word for a POSIX shell, in double quotes as people write a --map (\" \\ $ ` escaped)."""
    escaped = "".join("\\" + c if c in '"\\$`' else c for c in _text(text))
    return f'"{escaped}"'


def _encoding(args: argparse.Namespace, fmt: str) -> str | None:
    """The --encoding of an import or export of format `fmt` (None when not given: an import tells it
    from the file, a CSV export writes UTF-8 with a byte order mark). A usage error for any format but CSV."""
    if args.encoding is not None and fmt != "csv":
        raise UsageError(_("--encoding is for CSV files only, not {format}: JSON is always UTF-8, and a ReqIF "
                           "file names its own encoding").format(format=fmt))
    encoding: str | None = args.encoding
    return encoding


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
            print(_("no backups kept yet"))
        for b in backups if not getattr(args, "json", False) else ():
            from datetime import datetime

            from reqboard.store import clock

            when = clock.shown(datetime.fromtimestamp(b.mtime, UTC), seconds=True, zone_abbreviation=True)
            generation = _("generation {generation}").format(generation=b.generation)
            size = _("{size} bytes").format(size=f"{b.size:>10}")
            print(f"{_pad(generation, 19)} {when}  {size}  {_text(b.path)}")
        return EXIT_OK
    chosen = board.restore(args.generation)
    print(_("restored generation {generation} of {path}").format(generation=chosen.generation, path=_text(board.path)))
    return EXIT_OK


def cmd_wip(args: argparse.Namespace) -> int:
    """`wip` lists the limits and whether they are strict; `wip STATE LIMIT` sets one, `wip --strict on|off`
    the strictness (both at once too). --json prints the settings as they are after it."""
    from reqboard.store.domain import BOARD_STATES, State

    if args.state is not None and args.limit is None:
        raise UsageError(_("give a limit (a number, or '{none}')").format(none=_no_limit_said()))
    state = limit = None
    if args.state is not None:
        try:
            state = State.parse(args.state)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        limit = None if args.limit.strip().lower() in NO_LIMIT else _whole(args.limit)
    board = _board(args)
    said = []
    if state is not None:
        board.set_wip_limit(state, limit)
        said.append(_("WIP limit of {state}: {limit}").format(
            state=_text(args.state), limit=limit if limit is not None else _no_limit_said()))
    if args.strict is not None:
        board.set_wip_strict(args.strict == "on")
        said.append(_("WIP limits are strict: a move past one is refused") if args.strict == "on" else
                    _("WIP limits warn: a move past one is made, with a warning"))
    limits, strict = board.wip_limits(), board.wip_strict()
    if getattr(args, "json", False):
        _print_json({"limits": {s.value: limits.get(s) for s in BOARD_STATES}, "strict": strict})
    elif said:
        print("\n".join(said))
    else:
        for column in BOARD_STATES:
            print(f"{_pad(_said(column), 12)} {limits.get(column, '-')}")
        print(_("WIP limits are strict: a move past one is refused") if strict else
              _("WIP limits warn: a move past one is made, with a warning"))
    if said:  # a column already past a limit just set, or made strict: said, as a move past it would be
        for column in BOARD_STATES if args.strict == "on" else (state,) if state is not None else ():
            _warn_over_limit(board, column)
    return EXIT_OK


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise UsageError(_("{given!r} is not a whole number").format(given=text)) from None


def cmd_cr(args: argparse.Namespace) -> int:
    board = _board(args)
    sub = args.cr_command
    if sub is None:
        raise UsageError(_("give a change-request command: add, assess, approve, reject, implement, close, notified, "
                           "list, show"))
    if sub == "add":
        cr = board.add_change_request(args.key, args.summary, reason=args.reason, new_title=args.new_title,
                                      new_description=args.new_description, new_criteria=args.new_criterion,
                                      new_due=args.new_due, new_owner=args.new_owner,
                                      new_importance=args.new_importance, new_urgency=args.new_urgency)
        return _emit_cr(args, cr, cr.key)
    expect = getattr(args, "expect_version", None)
    if sub == "assess":
        cr = board.assess_change_request(args.cr, schedule_days=args.schedule_days, cost=args.cost,
                                         effort_hours=args.effort_hours, risk=args.risk,
                                         resources=args.resources, affects=args.affects, notify=args.notify,
                                         expect_version=expect)
    elif sub in ("approve", "reject"):
        from reqboard.store.labels import DEFAULT_RATIONALE

        rationale = args.rationale if args.rationale is not None else DEFAULT_RATIONALE  # shown translated
        cr = board.decide_change_request(args.cr, approve=sub == "approve", rationale=rationale,
                                         expect_version=expect)
        _warn_entered(board, board.find_change_request(cr.key)[0])  # an approval reopens done work
    elif sub == "implement":
        cr = board.implement_change_request(args.cr, expect_version=expect)
    elif sub == "close":
        cr = board.close_change_request(args.cr, expect_version=expect)
    elif sub == "notified":
        cr = board.record_notified(args.cr, args.name, expect_version=expect)
        told = cr.notified[-1].name
        said = (_("{name} was told of {key}; still to tell: {names}").format(
                    name=told, key=cr.key, names=listed(cr.to_notify)) if cr.to_notify
                else _("{name} was told of {key}; everyone it names has been told").format(name=told, key=cr.key))
        return _emit_cr(args, cr, _text(said))
    elif sub == "show":
        req, cr = board.find_change_request(args.cr)
        return _emit_cr(args, cr, _cr_text(req, cr), req)
    else:
        status = _cr_status(args.status) if args.status else None
        rows = [(r, c) for r, c in board.change_requests() if status is None or c.status is status]
        if getattr(args, "json", False):
            _print_json([_cr_json(c, r) for r, c in rows])
        else:
            for r, c in rows:
                print(f"{_pad(c.key, 8)} {_pad(_said(c.status), 12)} {_pad(r.key, 9)} {_text(c.summary)}")
        return EXIT_OK
    return _emit_cr(args, cr, _("{key} is now {state}").format(key=cr.key, state=_said(cr.status)))



def _cr_status(text: str) -> Any:
    """The status `cr list --status` names (its value or Chinese name). Another word lists nothing,
    with exit 0, as it always did (scripts may rely on it), and a note says which words there are."""
    from reqboard.store.domain import CRStatus

    try:
        return CRStatus(text)
    except ValueError:
        _note(_("unknown status {given!r}: use one of {names}").format(
            given=text, names=listed(_said(s) for s in CRStatus)))
        return _NO_STATUS


_NO_STATUS = object()
"""A status no change request has (what an unknown `--status` selects)."""


def _cr_json(cr: Any, req: Any = None) -> dict[str, Any]:
    """A change request as `--json` prints it: every stored field, who is still to be told, and (where
    known) its requirement's key and version."""
    data = {**cr.model_dump(mode="json"), "to_notify": list(cr.to_notify)}
    if req is not None:
        data.update(requirement=req.key, requirement_version=req.version)
    return data


def _emit_cr(args: argparse.Namespace, cr: Any, text: str, req: Any = None) -> int:
    if getattr(args, "json", False):
        _print_json(_cr_json(cr, req))
    else:
        print(text)  # made safe by whoever wrote it (keys and states, or `_cr_text`)
    return EXIT_OK


def _cr_text(req: Any, cr: Any) -> str:
    from reqboard.store.domain import CRStatus
    from reqboard.store.labels import field_label, stored_note
    from reqboard.store.text import shown

    lines = [f"{cr.key}  {cr.summary}"]

    def row(label: str, value: str) -> None:
        lines.append(f"  {_pad(label, 12)} {value}")

    row(_("requirement"), f"{req.key} {req.title}")
    row(field_label("status"), cr.status.label)
    row(_("submitted"), _("by {user} at {time}").format(user=cr.submitted_by, time=_when(cr.submitted_at)))
    if cr.reason:
        row(field_label("reason"), cr.reason)
    if cr.proposed_title:
        row(_("new title"), cr.proposed_title)
    if cr.proposed_description is not None:
        lines.append("  " + _("new description"))
        lines.extend(f"    {line}" for line in (shown(cr.proposed_description).splitlines() or ["-"]))
    if cr.proposed_criteria is not None:
        lines.append("  " + _("new acceptance criteria"))
        lines.extend(f"    {i}. {c.text}" for i, c in enumerate(cr.proposed_criteria, 1))
    if cr.proposed_due is not None:
        row(_("new due date"), cr.proposed_due.isoformat())
    if cr.proposed_owner is not None:
        row(_("new owner"), cr.proposed_owner)
    if cr.proposed_importance is not None:
        row(_("new importance"), str(cr.proposed_importance))
    if cr.proposed_urgency is not None:
        row(_("new urgency"), str(cr.proposed_urgency))
    if cr.assessment:
        a = cr.assessment
        impact = (_("{days} days, cost {cost}, {hours} hours, risk {risk}, affects {keys}") if a.affects
                  else _("{days} days, cost {cost}, {hours} hours, risk {risk}"))
        row(_("impact"), impact.format(days=f"{a.schedule_days:g}", cost=f"{a.cost:g}", hours=f"{a.effort_hours:g}",
                                       risk=_said(a.risk), keys=listed(a.affects)))
    if cr.status in (CRStatus.SUBMITTED, CRStatus.ASSESSED):
        for name, was, now in _plan_said(req, cr):
            row(_("if approved"), _("{field}: {old} -> {new}").format(field=field_label(name), old=was, new=now))
    if cr.assessment and cr.assessment.notify:
        row(_("to tell"), listed(cr.assessment.notify))
        for notice in cr.notified:
            row(field_label("notified"), _("{name}, by {user} at {time}").format(
                name=notice.name, user=notice.by, time=_when(notice.at)))
        if cr.to_notify:
            row(_("still to tell"), _("{names} (once told: reqboard cr notified {key} NAME)").format(
                names=listed(cr.to_notify), key=cr.key))
    if cr.decision:
        d = cr.decision
        decided = _("approved by {user} at {time}: {rationale}") if d.approved else _("rejected by {user} at {time}: {rationale}")
        row(field_label("decision"), decided.format(user=d.by, time=_when(d.at), rationale=stored_note(d.rationale)))
    return "\n".join(_text(line) for line in lines)


def _plan_said(req: Any, cr: Any) -> list[tuple[str, str, str]]:
    """What approving `cr` would change in its requirement's plan (store.change_requests.plan_changes)
    as (field, was, would be), the text aside (the rows above it say that)."""
    from reqboard.store.change_requests import plan_changes

    said = []
    for name, value in plan_changes(req, cr).items():
        if name in ("title", "description", "acceptance_criteria"):
            continue
        was = getattr(req, name)
        said.append((name, "-" if was in (None, "") else _plan_value(was), _plan_value(value)))
    return said


def _plan_value(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else f"{value:g}" if isinstance(value, float) else str(value)


def cmd_report(args: argparse.Namespace) -> int:
    from reqboard.store.metrics import board_metrics

    fmt = args.format or "md"
    if getattr(args, "json", False):
        if args.format not in (None, "json"):
            raise UsageError(_("--json and --format {format} contradict each other: give one").format(format=args.format))
        fmt = "json"
    customer = _customer_option(args)
    board = _board(args)

    def payload() -> bytes:
        if customer is not None:
            from reqboard.store.reports import customer_report, render_customer_report

            return render_customer_report(customer_report(board, customer, since=args.since), fmt)
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
    "report": cmd_report, "migrate": cmd_migrate, "server": cmd_server, "signoff-roles": cmd_signoff_roles,
    "resolve": cmd_resolve, "score-weights": cmd_score_weights, "note": cmd_note, "customer": cmd_customer,
    "survey-dimensions": cmd_code_list, "low-score-reasons": cmd_code_list, "complaint-causes": cmd_code_list,
    "target": cmd_target,
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
                    _("the {name} given ({raw}) is not valid UTF-8 text; set the terminal or script to UTF-8, or "
                      "convert the text (e.g. with iconv), and try again").format(name=_argument_said(name), raw=repr(raw))
                ) from None


_ARGUMENT_NAMES = {"cr": N_("change request"), "login": N_("database login"), "limit": N_("limit"),
                   "url": N_("database URL"), "comment": N_("comment"), "rationale": N_("rationale"),
                   "resources": N_("resources"), "satisfaction": N_("satisfaction"), "roles": N_("sign-off role"),
                   "role": N_("sign-off role"), "on_behalf_of": N_("name of who signed"), "decision": N_("decision"),
                   "query": N_("query"), "name": N_("person's name"), "notify": N_("person's name"), "new_owner": N_("owner"),
                   "text": N_("note"), "with_": N_("person's name"), "at": N_("time"), "score": N_("survey score"),
                   "codes": N_("code"), "new_name": N_("new name"), "contact": N_("customer contact"),
                   "segment": N_("customer segment")}
"""What the arguments that are no field of a requirement are called in a message."""


def _argument_said(name: str) -> str:
    """An argument's name as a message calls it: a requirement's field by its label; another by its own
    name (or its option, `--new-title`, where it has none)."""
    from reqboard.store.labels import FIELD_LABELS, field_label

    field = _FIELD_MAP.get(name, name)
    if field in FIELD_LABELS:
        return field_label(field)
    if name in _ARGUMENT_NAMES:
        return _(_ARGUMENT_NAMES[name])
    return "--" + name.replace("_", "-")


# Arguments that may name a board on a server (a postgresql:// URL).
_LOCATION_OPTIONS = ("store", "source", "dest", "other", "url")


def _note_password(args: argparse.Namespace) -> None:
    """A password written into a URL works, but anyone on the machine sees it in the process list, and
    the shell keeps it in its history: say where it belongs instead (once; it is never printed)."""
    for name in _LOCATION_OPTIONS:
        value = getattr(args, name, None)
        if isinstance(value, str) and "://" in value and _redacted(value) != value:
            _note(_("a password in a URL shows in the process list and the shell history: keep it in ~/.pgpass "
                    "(or the file $PGPASSFILE names) and leave it out of the URL"))
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
        _error(_("interrupted"))
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        from reqboard.store.errors import os_reason

        _error(f"{exc.filename or ''}: {os_reason(exc)}")
        return EXIT_UNREADABLE
    except Exception as exc:  # the promise is no traceback for a user: say what it was, briefly
        _error(_("unexpected {kind}: {error} (please report this)").format(kind=type(exc).__name__, error=exc))
        return EXIT_REFUSED
    finally:
        _close_opened()


def _note(message: str) -> None:
    """One `note:` line on stderr (the prefix is for scripts and never translated; the text is)."""
    print(f"note: {message}", file=sys.stderr)


def _warn(message: str) -> None:
    """One `warning:` line on stderr (the prefix is for scripts and never translated; the text is); the
    command still succeeds."""
    print("warning: " + _text(" ".join(message.splitlines())), file=sys.stderr)


def _warn_over_limit(board: Any, state: Any) -> None:
    """Warn when column `state` is past its WIP limit now (a change just took a requirement into it)."""
    over = board.over_wip_limit(state)
    if over is not None:
        _warn(over.message)


def _warn_entered(board: Any, req: Any) -> None:
    """Warn when the change that saved `req` took it into a column now past its WIP limit (it entered
    its state in this very change: a move, a new requirement, a sign-off that approved, feedback)."""
    if req.state_since == req.updated_at:
        _warn_over_limit(board, req.state)


def _warn_over_limits(board: Any) -> None:
    """Warn of every column past its WIP limit (after an import or a sync, which limits never refuse)."""
    from reqboard.store.domain import BOARD_STATES

    for state in sorted(board.wip_limits(), key=BOARD_STATES.index):
        _warn_over_limit(board, state)


def _error(message: object) -> None:
    """One `error:` line on stderr, whatever the message echoes back (line breaks, terminal controls,
    bidi overrides, a password a URL carried)."""
    print("error: " + _text(_redacted(" ".join(str(message).splitlines()))), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
