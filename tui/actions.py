"""What a user can do to a requirement, shared by the board and the detail screen.

Each action asks for what the workflow needs (through a FormScreen), performs the store operation in
a thread worker, and reports back through `ReqboardApp.saved` / `ReqboardApp.failed`. Every change
made here can be undone with `u`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue
from reqboard.store.models import Requirement, State
from reqboard.store.query import parse_query

from .screens.fields import FieldSpec
from .screens.prompts import guard_fields, reason_fields, requirement_fields, to_changes

if TYPE_CHECKING:
    from .app import ReqboardApp
    from .screens.form import FormScreen


@dataclass(frozen=True)
class UndoEntry:
    """A change this session made: `before` is None when the change created the requirement."""

    before: Requirement | None
    after: Requirement
    what: str


class RequirementActions:
    def __init__(self, app: ReqboardApp) -> None:
        self.app = app

    @property
    def user(self) -> str:
        return self.app.board.user

    def _form(self, title: str, fields: list[FieldSpec], save: Callable[[dict[str, Any]], Any], *,
              what: str, before: Requirement | None, intro: str = "", submit: str = "Save",
              reload: Callable[[], list[FieldSpec]] | None = None) -> None:
        def done(result: Any) -> None:
            if isinstance(result, Requirement):
                self.app.saved(UndoEntry(before, result, what))

        self.app.push_screen(form_screen(title, fields, save=lambda values: self.app.store_call(
            lambda board: save(values)), reload=reload, intro=intro, submit_label=submit), done)

    # ------------------------------------------------------------------ moves
    def move_next(self, req: Requirement) -> None:
        target = workflow.next_state(req.state)
        if target is None:
            self.app.notify(f"{req.key} is {req.state.label.lower()}: there is no next state",
                            severity="warning", markup=False)
            return
        self.move_to(req, target)

    def move_back(self, req: Requirement) -> None:
        target = workflow.previous_state(req.state)
        if req.state is State.REJECTED:
            target = State.COLLECTED
        if target is None:
            self.app.notify(f"{req.key} is {req.state.label.lower()}: there is no earlier state",
                            severity="warning", markup=False)
            return
        self.move_to(req, target)

    def move_to(self, req: Requirement, target: State) -> None:
        what = f"{req.key} moved to {target.label.lower()}"
        if workflow.is_backward(req.state, target):
            verb = "Reopen" if req.state is State.REJECTED else "Move back"
            self._form(f"{verb} {req.key} to {target.label.lower()}", reason_fields("Why?"),
                       lambda v: self.app.board.move_requirement(req.key, target, reason=v["reason"],
                                                                 expect_version=req.version),
                       what=what, before=req, submit="Move")
            return
        refusal = workflow.check_move(req, target) if target is not workflow.next_state(req.state) else None
        if refusal:
            self.app.notify(refusal.message, severity="error", markup=False)
            return
        fields = guard_fields(req, target, self.user)
        if fields is None:
            self.app.run_store(lambda board: board.move_requirement(req.key, target, expect_version=req.version),
                               UndoEntry(req, req, what))
            return
        intro = f"{req.key} needs " + ", ".join(workflow.needs_for(req, target)) + f" to be {target.label.lower()}."
        self._form(f"Move {req.key} to {target.label.lower()}", fields,
                   lambda v: self._guarded_move(self.app.board, req, target, v),
                   what=what, before=req, intro=intro, submit="Move")

    def _guarded_move(self, board: Board, req: Requirement, target: State, values: dict[str, Any]) -> Requirement:
        if target is State.APPROVED:
            return board.approve(req.key, values.get("comment", ""), expect_version=req.version)
        if target is State.FED_BACK:
            return board.record_feedback(req.key, values["satisfaction"], values.get("comment", ""),
                                         channel=values["channel"], expect_version=req.version)
        if target is State.DONE:
            checked = set(values["criteria"])
            criteria = tuple({"text": c.text, "done": n in checked} for n, c in enumerate(req.acceptance_criteria))
            return board.move_requirement(req.key, target, expect_version=req.version,
                                          updates={"acceptance_criteria": criteria})
        updates = {k: v for k, v in values.items() if v not in (None, "")}
        return board.move_requirement(req.key, target, expect_version=req.version, updates=updates)

    def reject(self, req: Requirement) -> None:
        self._form(f"Reject {req.key}", reason_fields("Why is it rejected?"),
                   lambda v: self.app.board.reject(req.key, v["reason"], expect_version=req.version),
                   what=f"{req.key} rejected", before=req, submit="Reject")

    def review(self, req: Requirement) -> None:
        if not req.suspect:
            self.app.notify(f"{req.key} is not flagged suspect", severity="warning", markup=False)
            return
        self._form(f"Review {req.key}", [FieldSpec("comment", "Review note", value="")],
                   lambda v: self.app.board.review(req.key, v["comment"], expect_version=req.version),
                   what=f"{req.key} reviewed", before=req, intro=f"Flagged: {req.suspect}", submit="Reviewed")

    # ------------------------------------------------------------------ create and edit
    def new(self) -> None:
        def save(values: dict[str, Any]) -> Requirement:
            changes = to_changes(values)
            title = changes.pop("title")
            return self.app.board.add_requirement(title, **changes)

        self._form("New requirement", requirement_fields(None), save, what="created", before=None)

    def edit(self, req: Requirement) -> None:
        expected = {"version": req.version}

        def save(values: dict[str, Any]) -> Requirement:
            return self.app.board.edit_requirement(req.key, to_changes(values), expect_version=expected["version"])

        def reload() -> list[FieldSpec]:
            fresh = self.app.store_call(lambda board: board.get(req.key))
            expected["version"] = fresh.version
            return requirement_fields(fresh)

        self._form(f"Edit {req.key}", requirement_fields(req), save, what=f"{req.key} edited",
                   before=req, reload=reload)

    def new_change_request(self, req: Requirement) -> None:
        fields = [
            FieldSpec("summary", "What should change?", required=True),
            FieldSpec("reason", "Why (the customer's reason)", "textarea"),
            FieldSpec("new_title", "Proposed new title (blank: unchanged)", value=""),
            FieldSpec("new_description", "Proposed new description (blank: unchanged)", "textarea", value=""),
        ]

        def save(values: dict[str, Any]) -> Requirement:
            board = self.app.board
            cr = board.add_change_request(req.key, values["summary"], reason=values["reason"],
                                          new_title=values["new_title"] or None,
                                          new_description=values["new_description"] or None)
            self.app.call_from_thread(self.app.notify, f"{cr.key} filed against {req.key}", markup=False)
            return board.get(req.key)

        self._form(f"New change request for {req.key}", fields, save, what=f"change request on {req.key}",
                   before=req, submit="File")

    # ------------------------------------------------------------------ exchange
    def export(self) -> None:
        from reqboard.store.exchange import EXPORT_FORMATS, export_board, guess_format
        from reqboard.store.outputs import BoardFiles, check_output, write_output

        fields = [FieldSpec("path", "Export to file", value=str(Path.cwd() / "reqboard-export.json"), required=True),
                  FieldSpec("format", "Format", "select", value=None, options=[(f, f) for f in EXPORT_FORMATS],
                            help="blank: from the file name (.json .csv .md .reqif)")]

        def save(values: dict[str, Any]) -> str:
            path = Path(values["path"]).expanduser()
            fmt = values["format"] or guess_format(path)
            if fmt not in EXPORT_FORMATS:
                raise InvalidValue("choose a format, or end the file name in .json, .csv, .md or .reqif",
                                   {"format": "which format?"})
            # Never onto the board, its journal, lock or backups, nor onto a device or a link: the
            # same refusal as `reqboard export -o`.
            board_files = BoardFiles.of(self.app.reader.path)
            try:
                check_output(path, board_files)  # before the work of making the export
                payload = self.app.store_call(lambda board: export_board(board, fmt))
                write_output(path, payload, board_files)
            except InvalidValue as exc:
                raise InvalidValue(str(exc), {"path": str(exc)}) from None
            return f"Exported {fmt} to {path}"

        def done(message: Any) -> None:
            if message:
                self.app.notify(message, markup=False)

        self.app.push_screen(form_screen("Export the board", fields, save=save, submit_label="Export"), done)

    def import_file(self) -> None:
        from reqboard.store.exchange import IMPORT_FORMATS, guess_format, preview_import
        from reqboard.store.outputs import read_import_file

        fields = [FieldSpec("path", "Import from file", value="", required=True, placeholder="path/to/file.csv"),
                  FieldSpec("format", "Format", "select", value=None, options=[(f, f) for f in IMPORT_FORMATS],
                            help="blank: from the file name. Nothing is written before you confirm."),
                  FieldSpec("rekey", "A requirement whose key is a different one on this board", "select",
                            value="refuse", required=True, options=[("refuse it", "refuse"), ("add it under a new key", "rekey")],
                            help="as --rekey on the command line")]

        def preview(values: dict[str, Any]) -> Any:
            path = Path(values["path"]).expanduser()
            fmt = values["format"] or guess_format(path)
            if fmt not in IMPORT_FORMATS:
                raise InvalidValue("choose a format, or end the file name in .json, .csv or .reqif",
                                   {"format": "which format?"})
            data = read_import_file(path)
            rekey = values["rekey"] == "rekey"
            summary = self.app.store_call(lambda board: preview_import(board, data, fmt, source=str(path), rekey=rekey))
            return (path, fmt, data, rekey, summary)

        self.app.push_screen(form_screen("Import", fields, save=preview, submit_label="Preview"), self._confirm_import)

    def _confirm_import(self, previewed: Any) -> None:
        from reqboard.store.exchange import apply_import

        if not previewed:
            return
        path, fmt, data, rekey, summary = previewed
        if not summary.ok:
            self.app.push_screen(form_screen(f"Cannot import {path.name}", [], intro=summary.text(),
                                            submit_label="Close"))
            return

        def apply(values: dict[str, Any]) -> str:
            self.app.store_call(lambda board: apply_import(board, data, fmt, source=str(path), rekey=rekey))
            return f"Imported {path.name}"

        def done(message: Any) -> None:
            if message:
                self.app.notify(message, markup=False)
                self.app.post_message(self.app.Changed())

        self.app.push_screen(form_screen(f"Import {path.name}?", [], save=apply, intro=summary.text(),
                                        submit_label="Import"), done)

    def filter(self, current: str, apply: Callable[[Any], None]) -> None:
        fields = [FieldSpec("query", "Filter", value=current,
                            help="words to find, and customer:  tier:A  channel:email  tag:  owner:  "
                                 "priority:>=12  state:  (empty clears)")]

        def check(values: dict[str, Any]) -> Any:
            try:
                return parse_query(values["query"])
            except ValueError as exc:
                raise InvalidValue(str(exc), {"query": str(exc)}) from None

        self.app.push_screen(form_screen("Filter the board", fields, save=check, submit_label="Apply"), apply)



def form_screen(*args: Any, **kwargs: Any) -> FormScreen:
    """A FormScreen. Its module is imported on first use: its widgets (inputs, selects, text areas)
    cost 20 ms at start-up, before the board is drawn; the board preloads it once it is on screen."""
    from .screens.form import FormScreen

    return FormScreen(*args, **kwargs)
