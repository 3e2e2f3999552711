"""The demo board for a Chinese team: the same stories as the English demo, every text a person reads
on it Chinese, and its people at work 08:00-18:00 in the zone asked for."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reqboard.store import demo as demo_module
from reqboard.store.board import Board
from reqboard.store.collation import has_han
from reqboard.store.demo import IN_CHINESE, build_demo_board
from reqboard.store.models import Requirement
from tests.zh_support import english_words

ANCHOR = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Names of products, standards and formats a Chinese team writes as they are, and the two titles that
# carry Rich markup on purpose.
LATIN = {"pdf", "word", "excel", "sap", "erp", "api", "totp", "wcag", "nvda", "html", "csv", "scim", "crm",
         "bold", "click", "app", "quit"}


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> Board:
    return build_demo_board(tmp_path_factory.mktemp("zh") / "demo.json", now=ANCHOR, chinese=True, zone=SHANGHAI)


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Board:
    return build_demo_board(tmp_path_factory.mktemp("en") / "demo.json", now=ANCHOR, zone=SHANGHAI)


def _story(req: Requirement) -> tuple[Any, ...]:
    return (req.key, req.state, req.version, req.tier, req.channel, req.kano, req.priority, req.due,
            req.depends_on, req.conflicts_with, bool(req.suspect), len(req.approvals), len(req.feedback),
            tuple((cr.key, cr.status) for cr in req.change_requests), req.cause,
            tuple((n.at, n.channel) for n in req.notes),
            tuple((f.at, f.satisfaction, f.interim, f.scores, f.reasons) for f in req.feedback))


def test_the_chinese_demo_tells_the_same_stories(chinese: Board, english: Board) -> None:
    assert [_story(r) for r in chinese.requirements()] == [_story(r) for r in english.requirements()]
    assert [(e.at, e.action, e.key) for e in chinese.history()] == [(e.at, e.action, e.key) for e in english.history()]
    assert chinese.check() == ([], [])
    assert sorted(c.tier for c in chinese.customers()) == sorted(c.tier for c in english.customers())
    assert chinese.response_targets() == english.response_targets()


def _texts(req: Requirement) -> list[str]:
    texts = [req.title, req.description, req.customer, req.owner, req.category, req.rejection_reason, *req.tags,
             *(c.text for c in req.acceptance_criteria), *(a.comment for a in req.approvals),
             *(f.comment for f in req.feedback), *(r.comment for r in req.reviews),
             *(a.role for a in req.approvals), *(a.on_behalf_of for a in req.approvals),
             *(r.decision for r in req.resolutions), *(n.text for n in req.notes), *(n.with_ for n in req.notes)]
    for cr in req.change_requests:
        texts += [cr.summary, cr.reason, cr.proposed_title or "", cr.proposed_description or "",
                  cr.proposed_owner or "", *(c.text for c in cr.proposed_criteria or ()), *(n.name for n in cr.notified)]
        if cr.assessment:
            texts += [cr.assessment.resources, *cr.assessment.notify]
        if cr.decision:
            texts.append(cr.decision.rationale)
    return [text for text in texts if text]


def test_every_text_on_the_chinese_demo_is_chinese(chinese: Board) -> None:
    reqs = chinese.requirements()
    texts = [text for req in reqs for text in _texts(req)]
    assert len(texts) > 400
    assert {word for text in texts for word in english_words(text, LATIN)} == set()
    assert all(has_han(req.title) and has_han(req.customer) for req in reqs)
    assert all(has_han(customer.name) for customer in chinese.customers())
    records = [text for c in chinese.customers() for text in (c.contact, c.segment, c.notes)]
    assert all(has_han(text) for text in records)
    assert {word for text in records for word in english_words(text, LATIN)} == set()
    assert sum(len(req.notes) for req in reqs) >= 70 and all(has_han(n.text) for req in reqs for n in req.notes)
    renamed = [e for e in chinese.history() if e.key == "board" and e.action == "customer.renamed"]
    assert [(e.old, e.new) for e in renamed] == [("青鸟百货", "青鸟零售")]
    people = {event.by for event in chinese.history()} | {req.owner for req in reqs if req.owner}
    assert len(people) >= 5 and all(has_han(name) for name in people)
    # The reasons the demo's people gave (the store writes its own, "CR-3 approved", "REQ-5 conflicts_with"
    # on the other side of a conflict, as it stores them).
    reasons = {e.reason for e in chinese.history()
               if e.reason and not re.fullmatch(r"CR-\d+ \w+|REQ-\d+ conflicts_with", e.reason)}
    assert len(reasons) >= 5 and all(has_han(reason) for reason in reasons)
    decided = {e.reason for e in chinese.history() if e.action in ("resolved", "dependency_overridden")}
    assert len(decided) == 3 and decided <= reasons
    assert chinese.signoff_roles() == ("客户", "产品")


def test_every_english_and_german_text_the_demo_may_pick_has_its_chinese() -> None:
    """Another anchor picks other comments and reasons: every text the demo might write is translated."""
    sources = [*demo_module.CUSTOMERS, *demo_module.OWNERS, demo_module.PRODUCT_MANAGER, demo_module.CUSTOMER_SUCCESS,
               demo_module.KEY_ACCOUNTS, demo_module.ANALYST, *demo_module._APPROVAL_COMMENTS, "general",
               *demo_module.SIGNOFF_ROLES, *demo_module._CUSTOMER_SIGNOFFS, *demo_module._STARTED_ANYWAY.values()]
    sources += [text for texts in demo_module._REJECTION_REASONS.values() for text in texts]
    sources += [text for levels in demo_module._FEEDBACK.values() for texts in levels.values() for text in texts]
    for account in demo_module.ACCOUNTS.values():
        sources += [*account.people, account.contact, account.segment, account.notes]
    sources += [demo_module.FORMER_NAME, demo_module.RENAMED_NOTES, *demo_module._LOW_REASONS]
    sources += [text for pools in demo_module._NOTES.values() for pool in pools.values() for _channel, text in pool]
    sources += [call.text for call in demo_module._CALLS] + [reading.comment for reading in demo_module._READINGS]
    for ask in demo_module.ASKS:
        sources += [ask.customer, ask.title, ask.description, *ask.criteria, *ask.tags]
    missing = [text for text in sources if not has_han(text) and text not in IN_CHINESE]
    assert missing == []
    assert all(has_han(text) or text.isupper() for text in IN_CHINESE.values())  # Chinese, or API / CRM


def test_the_demo_works_office_hours_in_the_zone_it_is_asked_for(chinese: Board, english: Board) -> None:
    for board in (chinese, english):
        local = [event.at.astimezone(SHANGHAI) for event in board.history()]
        assert all(moment.weekday() < 5 and 8 <= moment.hour <= 18 for moment in local)
        assert max(local) < ANCHOR


def test_the_english_demo_is_english_and_in_utc_unless_asked(tmp_path: Path) -> None:
    board = build_demo_board(tmp_path / "demo.json", now=ANCHOR)
    titles = {req.title for req in board.requirements()}
    assert "Export invoices as PDF" in titles and "发票导出为PDF" not in titles
    assert all(8 <= event.at.astimezone(UTC).hour <= 18 for event in board.history())


def test_the_demo_refuses_an_existing_file_in_the_language_spoken(tmp_path: Path) -> None:
    from reqboard.store import i18n

    path = tmp_path / "board.json"
    path.write_bytes(b"my data")
    i18n.set_language("zh_CN")
    with pytest.raises(FileExistsError) as caught:
        build_demo_board(path, chinese=True)
    assert has_han(str(caught.value)) and path.read_bytes() == b"my data"


def test_every_low_comment_has_its_reasons_from_the_board_list() -> None:
    """A reading of 2 or less needs a reason: every comment the demo may give with one has its reasons,
    and the notes' pools say the same in each language (one for one, on the same channel)."""
    from reqboard.store.surveys import LOW_SCORE_REASONS

    low = [text for levels in demo_module._FEEDBACK.values() for text in levels["low"]]
    assert all(demo_module._LOW_REASONS.get(text) for text in low)
    assert {r for reasons in demo_module._LOW_REASONS.values() for r in reasons} == set(LOW_SCORE_REASONS.default)
    pools = demo_module._NOTES
    for language in ("en", "de"):
        assert {state: [channel for channel, _text in pool] for state, pool in pools[language].items()} == \
            {state: [channel for channel, _text in pool] for state, pool in pools["zh"].items()}
