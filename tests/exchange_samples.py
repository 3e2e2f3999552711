"""Sample boards and helpers shared by the exchange-format tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reqboard.store.board import Board
from reqboard.store.models import Requirement

# Texts that break naive exporters: formulas, quotes, commas, line breaks, markup, non-Latin scripts.
TRICKY_TITLES = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+49 hotline number must be shown",
    "-5 % discount for tier A",
    "@mention the owner on change",
    "'quoted' title that starts with an apostrophe",
    "''two apostrophes",
    "支持中文界面",
    "Größenänderung der Fenster, \"schnell\"",
    "# not a heading [link](http://x) <b>bold</b> *em* | cell | `code`",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def snapshot(path: Path) -> tuple[str, str]:
    """The board file and its history journal, as hashes: an import that writes nothing keeps both."""
    return sha256(path), sha256(path.with_name(path.name + ".history.jsonl"))


def sample_board(path: Path) -> Board:
    """A board whose requirements are in states a CSV or ReqIF file can carry to a new board."""
    board = Board(path, "alice")
    first = board.add_requirement(
        TRICKY_TITLES[0],
        description="Line one, with a comma\nLine \"two\" with quotes\n\n  indented line\n\tand a tab\n=SUM(A1)",
        customer="ACME Corp", tier="A", channel="email", tags=("ui", "export"),
        acceptance_criteria=({"text": "exports open in Excel", "done": True}, {"text": "no formulas run"}),
        due="2026-12-31", effort_estimate=12.5, owner="Bob",
    )
    second = board.add_requirement(
        TRICKY_TITLES[6], description="用户希望界面支持简体中文。\n第二行。", customer="北京客户",
        channel="survey", importance=4, urgency=3, kano="performance", need_type="explicit",
        business_value=5, feasibility="high", category="UI", depends_on=(first.key,),
    )
    board.move_requirement(second.key, "analysed")
    third = board.add_requirement(
        TRICKY_TITLES[7], description="Die Fenstergröße soll sich ändern lassen – „sofort“.",
        customer="Müller GmbH", channel="after-sales", conflicts_with=(second.key,),
    )
    board.reject(third.key, "Duplicate of REQ-1;\nsee the meeting notes")
    for title in TRICKY_TITLES[1:6] + TRICKY_TITLES[8:]:
        board.add_requirement(title, customer="Zed", channel="hotline")
    return board


def content(req: Requirement) -> dict:
    """What an exchange format carries of a requirement (not its bookkeeping: uid, version, times)."""
    return req.model_dump(
        mode="json",
        include={
            "key", "title", "description", "state", "customer", "tier", "channel", "need_type", "kano",
            "category", "importance", "urgency", "business_value", "effort_estimate", "feasibility",
            "tags", "owner", "due", "acceptance_criteria", "depends_on", "conflicts_with",
            "rejection_reason",
        },
    )
