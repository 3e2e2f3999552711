"""A progress report for one customer, written for the customer: `reqboard report --customer NAME`.

    customer_report(board, "Acme", since=date(2026, 3, 1)) -> CustomerReport
    render_customer_report(report, "md" | "html" | "json") -> bytes

It holds that customer's requirements and nothing of any other: it is made from the board as
`exchange.scope.ScopedBoard` presents it (no other customer's name, no key of other work, its links to
other work said without a key: "waits on other work"), and every total, chart and satisfaction figure is
counted over that customer's requirements only.

What it says of each requirement, in plain words: where it stands ("being built", "delivered, waiting
for your feedback"), its due date, what changed since the last report (`since`: the events of that day
and after, said as a customer reads them), its change requests and what the approved ones do to the
dates (the due date proposed, the days added to the schedule), what was done with each of the
customer's readings (the change requests filed and the contacts noted after it), and its contacts
(the communication log). Then the totals and the satisfaction of their requirements: by survey
dimension, by month (the trend) and the reasons given for low scores.

What it leaves out, as the team's own: the owner, the analysis (importance, urgency, priority, value,
effort, feasibility, Kano class, need type, category, tags), the customer's tier and the team's record of
the customer (contact, segment, notes), the cost, effort and risk of a change request (its effect on the
schedule is the customer's business, its price is the contract's), the suspect flag and reviews, the
response targets, and every history event of that kind (an owner changed, a score set). Kept: why a
requirement is not going ahead (its rejection reason) and why a change request was approved or declined
(its rationale): the customer should know why.

Text for people is in the current language, times in the local zone; the JSON (`render_customer_report(r,
"json")`) is the same in every language: keys, state and action names as stored, times in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from typing import TYPE_CHECKING, Any

import orjson

from .. import clock
from ..domain import CLOSED_STATES
from ..errors import InvalidValue
from ..i18n import N_, _, listed, ngettext, pgettext
from ..labels import review_event_said, stored_note
from ..metrics import (
    DUE_SOON_DAYS,
    DueItem,
    Durations,
    Satisfaction,
    count_by_state,
    due_soon,
    lead_times,
    overdue_work,
    satisfaction,
    start_of_day,
)
from ..models import ChangeRequest, Event, Feedback, Note, Requirement, State, iso_utc
from ..models import now as _utcnow
from ..surveys import code_label
from . import html as page
from . import markdown as md

if TYPE_CHECKING:
    from ..board import Board

REPORT_VERSION = 1
FORMATS = ("md", "html", "json")
LATEST_CONTACTS = 3
"""How many of a requirement's contacts the Markdown and HTML reports list (the JSON has them all)."""

STATE_SAID: dict[State, str] = {
    State.COLLECTED: N_("received, not yet analysed"),
    State.ANALYSED: N_("analysed, waiting for sign-off"),
    State.APPROVED: N_("approved, not started yet"),
    State.IN_PROGRESS: N_("being built"),
    State.DONE: N_("delivered, waiting for your feedback"),
    State.FED_BACK: N_("delivered, your feedback received"),
    State.REJECTED: N_("not going ahead"),
}
"""Where a requirement stands, as a customer reads it (English, marked for the catalogue)."""

_TEXT_FIELDS = ("title", "description", "acceptance_criteria", "due")
"""The fields whose changes a customer is told of (the rest is the team's analysis)."""
_CR_ACTIONS = ("cr.submitted", "cr.approved", "cr.rejected", "cr.implemented")


def state_said(state: State) -> str:
    """Where a requirement stands, in plain words, in the current language."""
    return _(STATE_SAID[state])


def for_the_customer(event: Event) -> bool:
    """Is this history event something the customer is told of? A state reached, the text or the due date
    changed, a sign-off, their feedback, a contact, a change request filed or decided, a conflict between
    their own requirements settled; not the team's analysis, checks and housekeeping."""
    if event.field == "state":
        return True
    if event.action in ("created", "approved", "feedback", "interim_feedback", "note", *_CR_ACTIONS):
        return True
    if event.action == "resolved" and event.field == "conflicts_with":
        return True
    return event.action in ("edited", "changed", "imported") and event.field in _TEXT_FIELDS


@dataclass(frozen=True)
class Reading:
    """One of the customer's satisfaction readings, and what was done after it (until the next one)."""

    feedback: Feedback
    change_requests: tuple[ChangeRequest, ...]
    """Filed on the requirement after the reading."""
    notes: tuple[Note, ...]
    """Contacts noted on the requirement after the reading."""


@dataclass(frozen=True)
class CustomerItem:
    """One of the customer's requirements as the report tells it."""

    requirement: Requirement
    """As the scope writes it out: nothing of other work in it."""
    waits_on: tuple[Requirement, ...]
    """Their own unfinished requirements it depends on."""
    waits_on_other_work: bool
    """It depends on unfinished work of which the report names nothing."""
    conflicts: tuple[Requirement, ...]
    """Their own requirements it conflicts with, not yet decided."""
    conflict_with_other_work: bool
    """It conflicts with other work, not yet decided."""
    changes: tuple[Event, ...]
    """What the customer is told of since the report's `since` (none without it)."""
    readings: tuple[Reading, ...]

    @property
    def key(self) -> str:
        return self.requirement.key


@dataclass(frozen=True)
class CustomerReport:
    """A customer's progress report, ready to render (see the module docstring)."""

    customer: str
    now: datetime
    since: date | None
    items: tuple[CustomerItem, ...]
    satisfaction: Satisfaction
    count_by_state: dict[State, int]
    overdue: tuple[DueItem, ...]
    due_soon: tuple[DueItem, ...]
    lead_time: Durations

    @property
    def today(self) -> date:
        return clock.local_day(self.now)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def open(self) -> int:
        return sum(n for s, n in self.count_by_state.items() if s not in CLOSED_STATES)

    @property
    def delivered(self) -> int:
        return self.count_by_state[State.DONE] + self.count_by_state[State.FED_BACK]

    @property
    def rejected(self) -> int:
        return self.count_by_state[State.REJECTED]

    @property
    def contacts(self) -> tuple[tuple[str, Note], ...]:
        """Every contact noted on their requirements, (key, note), the latest first."""
        every = [(i.key, n) for i in self.items for n in i.requirement.notes]
        return tuple(sorted(every, key=lambda kn: kn[1].at, reverse=True))


def _readings(req: Requirement, now: datetime) -> tuple[Reading, ...]:
    feedback = sorted(req.feedback, key=lambda f: f.at)
    readings = []
    for i, f in enumerate(feedback):
        until = feedback[i + 1].at if i + 1 < len(feedback) else now
        readings.append(Reading(f, tuple(cr for cr in req.change_requests if f.at <= cr.submitted_at <= until),
                                tuple(n for n in req.notes if f.at < n.at <= until)))
    return tuple(readings)


def customer_report(board: Board, name: str, *, since: date | None = None, now: datetime | None = None) -> CustomerReport:
    """The progress report of the customer `name` (any case) at `now` (default: the current time); with
    `since` (a local day), what changed on that day and after. Raises NotFound for a customer the board
    does not know, StoreUnreadable when the board cannot be read."""
    from ..exchange.scope import ScopedBoard, scope_of

    moment = now or _utcnow()
    today = clock.local_day(moment)
    view = ScopedBoard(board, scope_of(board, customer=name))
    reqs = view.requirements()
    by_key = {r.key: r for r in reqs}
    lower = start_of_day(since) if since is not None else None
    items = []
    for r in reqs:
        blockers = view.links.blockers(r.key) if view.links.blocked(r.key) else ()
        conflicts = view.links.open_conflicts(r.key)
        changes = tuple(e for e in view.history(r.key) if lower is not None and e.at >= lower and for_the_customer(e))
        items.append(CustomerItem(
            requirement=r,
            waits_on=tuple(by_key[k] for k in blockers if k in by_key),
            waits_on_other_work=any(k not in by_key for k in blockers),
            conflicts=tuple(by_key[k] for k in conflicts if k in by_key),
            conflict_with_other_work=any(k not in by_key for k in conflicts),
            changes=changes,
            readings=_readings(r, moment)))
    return CustomerReport(
        customer=view.scope.customer or name,
        now=moment,
        since=since,
        items=tuple(items),
        satisfaction=satisfaction(reqs, dimensions=board.survey_dimensions(), today=today),
        count_by_state=count_by_state(reqs),
        overdue=overdue_work(reqs, today=today),
        due_soon=due_soon(reqs, today=today),
        lead_time=lead_times(reqs),
    )


def render_customer_report(report: CustomerReport, fmt: str) -> bytes:
    """The report as the bytes of a file: `md`, `html` (one self-contained page) or `json`. Raises
    InvalidValue for another format."""
    if fmt == "json":
        return orjson.dumps(customer_report_json(report), option=orjson.OPT_INDENT_2) + b"\n"
    if fmt == "md":
        return render_customer_markdown(report).encode("utf-8")
    if fmt == "html":
        return render_customer_html(report).encode("utf-8")
    raise InvalidValue(_("unknown report format {format!r}: use one of {formats}").format(
        format=fmt, formats=", ".join(FORMATS)))


# ============================================================================ JSON


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else iso_utc(moment)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _change_request_json(cr: ChangeRequest) -> dict[str, Any]:
    d = cr.decision
    return {
        "key": cr.key, "summary": cr.summary, "reason": cr.reason, "status": cr.status.value,
        "submitted_at": _utc(cr.submitted_at), "decided_at": _utc(d.at) if d else None,
        "approved": d.approved if d else None, "rationale": d.rationale if d else "",
        "proposed_due": cr.proposed_due.isoformat() if cr.proposed_due else None,
        "schedule_days": cr.assessment.schedule_days if cr.assessment else None,
    }


def _item_json(item: CustomerItem, today: date) -> dict[str, Any]:
    r = item.requirement
    late = r.due is not None and r.overdue(today)
    return {
        "key": r.key,
        "title": r.title,
        "state": r.state.value,
        "due": r.due.isoformat() if r.due else None,
        "overdue": late,
        "days_late": (today - r.due).days if r.due is not None and late else None,
        "days_left": (r.due - today).days if r.due is not None and not late and r.state not in CLOSED_STATES
        else None,
        "collected_at": _utc(r.entered_at.get(State.COLLECTED, r.created_at)),
        "delivered_at": _utc(r.entered_at.get(State.DONE)),
        "waits_on": [w.key for w in item.waits_on],
        "waits_on_other_work": item.waits_on_other_work,
        "conflicts_with": [c.key for c in item.conflicts],
        "conflict_with_other_work": item.conflict_with_other_work,
        "acceptance_criteria": {"met": sum(c.done for c in r.acceptance_criteria),
                                "total": len(r.acceptance_criteria)},
        "rejection_reason": r.rejection_reason,
        "change_requests": [_change_request_json(cr) for cr in r.change_requests],
        "feedback": [{
            "at": _utc(x.feedback.at), "satisfaction": x.feedback.satisfaction, "interim": x.feedback.interim,
            "comment": x.feedback.comment, "scores": dict(x.feedback.scores), "reasons": list(x.feedback.reasons),
            "followed_by": {"change_requests": [cr.key for cr in x.change_requests],
                            "notes": [_utc(n.at) for n in x.notes]},
        } for x in item.readings],
        "notes": [{"at": _utc(n.at), "channel": n.channel.value, "with": n.with_, "text": n.text} for n in r.notes],
        "changes": [{"at": _utc(e.at), "action": e.action, "field": e.field, "old": e.old, "new": e.new,
                     "cr": e.cr} for e in item.changes],
    }


def customer_report_json(report: CustomerReport) -> dict[str, Any]:
    """The report as a dict of JSON types: the same in every language."""
    sat = report.satisfaction
    contacts = report.contacts
    return {
        "report_version": REPORT_VERSION,
        "kind": "customer",
        "customer": report.customer,
        "generated_at": clock.local(report.now).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "since": report.since.isoformat() if report.since else None,
        "today": report.today.isoformat(),
        "totals": {
            "requirements": report.total, "open": report.open, "delivered": report.delivered,
            "rejected": report.rejected, "overdue": len(report.overdue), "due_soon": len(report.due_soon),
            "count_by_state": {s.value: n for s, n in report.count_by_state.items()},
            "lead_time_days": {"median": _round(report.lead_time.median), "mean": _round(report.lead_time.mean),
                               "count": report.lead_time.count},
        },
        "satisfaction": {
            "mean": _round(sat.mean), "count": sat.count,
            "distribution": {str(k): v for k, v in sat.distribution.items()},
            "by_dimension": {d: {"mean": _round(r.mean), "count": r.count} for d, r in sat.by_dimension.items()},
            "by_month": [{"month": m.month, "mean": _round(m.mean), "count": m.count} for m in sat.by_month],
            "low_reasons": dict(sat.low_reasons),
            "low_count": sat.low_count,
        },
        "contacts": {"count": len(contacts), "last": _utc(contacts[0][1].at) if contacts else None},
        "requirements": [_item_json(i, report.today) for i in report.items],
    }


# ============================================================================ sentences for people


def _day(moment: datetime) -> str:
    return clock.local_day(moment).isoformat()


def report_heading(report: CustomerReport) -> str:
    return _("Progress report for {customer}").format(customer=report.customer)


def report_meta(report: CustomerReport) -> str:
    """When it was made, and the period of its changes."""
    made = clock.shown(report.now, zone_abbreviation=True)
    if report.since is None:
        return _("Prepared {time}").format(time=made)
    return _("Prepared {time} · changes since {date}").format(time=made, date=report.since.isoformat())


def summary_lines(report: CustomerReport) -> list[str]:
    """The headline figures, one sentence each."""
    sat = report.satisfaction
    contacts = report.contacts
    lines = [
        ngettext("{total} requirement: {open} open, {delivered} delivered, {rejected} not going ahead",
                 "{total} requirements: {open} open, {delivered} delivered, {rejected} not going ahead",
                 report.total).format(total=report.total, open=report.open, delivered=report.delivered,
                                      rejected=report.rejected),
        ngettext("Overdue: {overdue}; due within {days} day: {soon}",
                 "Overdue: {overdue}; due within {days} days: {soon}", DUE_SOON_DAYS).format(
            overdue=len(report.overdue), days=DUE_SOON_DAYS, soon=len(report.due_soon)),
        ngettext("Your satisfaction: {mean} / 5 from {count} reading",
                 "Your satisfaction: {mean} / 5 from {count} readings", sat.count).format(
            mean=md.number(sat.mean, 2), count=sat.count) if sat.count else _("Your satisfaction: no reading yet"),
    ]
    if report.lead_time.count:
        lines.append(ngettext("Delivery time: {median} days (median) from {count} delivered requirement",
                              "Delivery time: {median} days (median) from {count} delivered requirements",
                              report.lead_time.count).format(median=md.days(report.lead_time.median),
                                                            count=report.lead_time.count))
    if contacts:
        lines.append(ngettext("Contacts noted: {n}, the latest on {date}", "Contacts noted: {n}, the latest on {date}",
                              len(contacts)).format(n=len(contacts), date=_day(contacts[0][1].at)))
    else:
        lines.append(_("Contacts noted: none yet"))
    return lines


def state_rows(report: CustomerReport) -> list[tuple[str, int]]:
    """(where it stands, how many) for each state that holds any of their requirements."""
    return [(state_said(s), n) for s, n in report.count_by_state.items() if n]


def due_said(req: Requirement, today: date) -> str | None:
    """The due date and how it stands: overdue, due today, or the days left; None without one."""
    if req.due is None:
        return None
    due = req.due.isoformat()
    if req.state in CLOSED_STATES:
        return due
    left = (req.due - today).days
    if left < 0:
        return ngettext("{date}, {n} day overdue", "{date}, {n} days overdue", -left).format(date=due, n=-left)
    if left == 0:
        return _("{date}, due today").format(date=due)
    return ngettext("{date}, in {n} day", "{date}, in {n} days", left).format(date=due, n=left)


def change_said(event: Event, req: Requirement) -> str:
    """A history event as the customer reads it (one `for_the_customer` keeps)."""
    if event.field == "state" and isinstance(event.new, str) and event.new in State._value2member_map_:
        return _("now {state}").format(state=state_said(State(event.new)))
    if event.action == "created":
        return _("recorded as a new requirement")
    if event.action == "approved":
        return _("signed off")
    if event.action in ("feedback", "interim_feedback"):
        said = _("your feedback recorded: {score}/5") if event.action == "feedback" else _(
            "your interim reading recorded: {score}/5")
        return said.format(score=event.new)
    if event.action in _CR_ACTIONS:
        cr = next((c for c in req.change_requests if c.key == event.cr), None)
        summary = cr.summary if cr is not None else ""
        said = {"cr.submitted": _("change request {cr} filed: {summary}"),
                "cr.approved": _("change request {cr} approved: {summary}"),
                "cr.rejected": _("change request {cr} declined: {summary}"),
                "cr.implemented": _("change request {cr} carried out: {summary}")}[event.action]
        return said.format(cr=event.cr or "", summary=summary)
    if event.field == "due":
        old, new = event.old, event.new
        if old and new:
            return _("due date moved from {old} to {new}").format(old=old, new=new)
        if new:
            return _("due date set: {date}").format(date=new)
        return _("due date removed (it was {date})").format(date=old)
    if event.field == "title":
        return _("title changed to: {title}").format(title=event.new)
    if event.field == "description":
        return _("description changed")
    if event.field == "acceptance_criteria":
        return _("acceptance criteria changed")
    return review_event_said(event.action, event.field, event.old, event.new, event.cr) or _("changed")


def change_line(event: Event, req: Requirement) -> str:
    return _("{date}: {change}").format(date=_day(event.at), change=change_said(event, req))


def change_request_said(cr: ChangeRequest) -> str:
    """A change request, where it stands, and what it does to the dates once approved."""
    d = cr.decision
    if d is None:
        return _("{cr} {summary}: waiting for a decision").format(cr=cr.key, summary=cr.summary)
    rationale = stored_note(d.rationale)
    if not d.approved:
        return _("{cr} {summary}: declined on {date}: {rationale}").format(
            cr=cr.key, summary=cr.summary, date=_day(d.at), rationale=rationale)
    said = _("{cr} {summary}: approved on {date}: {rationale}").format(
        cr=cr.key, summary=cr.summary, date=_day(d.at), rationale=rationale)
    effects = []
    if cr.proposed_due is not None:
        effects.append(_("the due date becomes {date}").format(date=cr.proposed_due.isoformat()))
    if cr.assessment is not None and cr.assessment.schedule_days:
        effects.append(_("it adds {days} days to the schedule").format(days=md.amount(cr.assessment.schedule_days)))
    if not effects:
        return said
    return _("{change_request}. Effect on the dates: {effects}").format(change_request=said, effects=listed(effects))


def reading_said(f: Feedback) -> str:
    """A reading: when, the score, the comment, the dimensions scored and the reasons given."""
    parts = [(_("{date}: {score}/5 (interim)") if f.interim else _("{date}: {score}/5")).format(
        date=_day(f.at), score=f.satisfaction)]
    if f.scores:
        parts.append(listed(_("{dimension} {score}").format(dimension=code_label(d), score=n)
                            for d, n in f.scores.items()))
    if f.reasons:
        parts.append(_("reasons: {reasons}").format(reasons=listed(code_label(r) for r in f.reasons)))
    if f.comment:
        parts.append(_("“{comment}”").format(comment=f.comment))
    return pgettext("list separator", "; ").join(parts)


def followed_said(reading: Reading) -> list[str]:
    """What was done after a reading, one line each; one line saying so when nothing was."""
    lines = [_("change request {cr} filed on {date}: {summary}").format(
        cr=cr.key, date=_day(cr.submitted_at), summary=cr.summary) for cr in reading.change_requests]
    lines += [note_said(n) for n in reading.notes]
    return lines or [_("nothing recorded after it yet")]


def note_said(n: Note) -> str:
    """A contact: when, through what, with whom, and the first line of what was said."""
    text = n.text.strip().splitlines()[0] if n.text.strip() else ""
    if n.with_:
        return _("contact on {date} by {channel} with {name}: {text}").format(
            date=_day(n.at), channel=n.channel.label.lower(), name=n.with_, text=text)
    return _("contact on {date} by {channel}: {text}").format(date=_day(n.at), channel=n.channel.label.lower(),
                                                             text=text)


def facts(item: CustomerItem, today: date, name: Callable[[Requirement], str],
          esc: Callable[[str], str]) -> list[tuple[str, str]]:
    """(label, value) for each fact of a requirement worth telling, in the output's markup: `esc` escapes
    text for it, `name` writes one of their own requirements in it."""
    r = item.requirement
    rows = [(_("Where it stands"), esc(state_said(r.state)))]
    due = due_said(r, today)
    if due is not None:
        rows.append((_("Due"), esc(due)))
    if State.DONE in r.entered_at:
        rows.append((_("Delivered"), esc(_day(r.entered_at[State.DONE]))))
    other = [esc(_("other work"))]
    waits = [name(w) for w in item.waits_on] + (other if item.waits_on_other_work else [])
    if waits:
        rows.append((_("Waits on"), listed(waits)))
    conflicts = [name(c) for c in item.conflicts] + (other if item.conflict_with_other_work else [])
    if conflicts:
        rows.append((_("Waits for a decision"), esc(_("it conflicts with {items}")).format(items=listed(conflicts))))
    if r.acceptance_criteria:
        met = sum(c.done for c in r.acceptance_criteria)
        rows.append((_("Acceptance criteria"), esc(_("{met} of {total} met").format(
            met=met, total=len(r.acceptance_criteria)))))
    if r.state is State.REJECTED and r.rejection_reason:
        rows.append((_("Why it is not going ahead"), esc(stored_note(r.rejection_reason))))
    return rows


def _since_heading(report: CustomerReport) -> str:
    return _("What changed since {date}").format(date=report.since.isoformat() if report.since else "")


# ============================================================================ Markdown


def _md_bold(text: str) -> str:
    """A line of text in bold (escaped here)."""
    return f"**{md.escape_inline(text)}**"


def _md_name(r: Requirement) -> str:
    return f"{r.key} {md.escape_inline(r.title)}"


def _md_list(lines: Iterable[str], indent: str = "") -> list[str]:
    return [f"{indent}- {line}" for line in lines]


def _md_item(item: CustomerItem, report: CustomerReport) -> list[str]:
    r = item.requirement
    out = [md.heading(3, _md_name(r)), ""]
    for label, value in facts(item, report.today, _md_name, md.escape_inline):
        # i18n: a label and its colon, in bold in the Markdown export (`Owner:`)
        said = _("{label}:").format(label=label)
        out.append(f"- {_md_bold(said)} {value}")
    out.append("")
    if report.since is not None:
        out += [_md_bold(_since_heading(report)), ""]
        out += _md_list(md.escape_inline(change_line(e, r)) for e in item.changes) if item.changes else [
            md.emphasis(_("nothing changed"))]
        out.append("")
    if r.change_requests:
        out += [_md_bold(_("Change requests")), ""]
        out += _md_list(md.escape_inline(change_request_said(cr)) for cr in r.change_requests)
        out.append("")
    if item.readings:
        out += [_md_bold(_("Your feedback and what followed")), ""]
        for reading in item.readings:
            out.append(f"- {md.escape_inline(reading_said(reading.feedback))}")
            out += _md_list((md.escape_inline(line) for line in followed_said(reading)), "  ")
        out.append("")
    if r.notes:
        heading = ngettext("Contacts ({n}), the latest first", "Contacts ({n}), the latest first",
                           len(r.notes)).format(n=len(r.notes))
        out += [_md_bold(heading), ""]
        latest = sorted(r.notes, key=lambda n: n.at, reverse=True)
        out += _md_list(md.escape_inline(note_said(n)) for n in latest[:LATEST_CONTACTS])
        if len(latest) > LATEST_CONTACTS:
            out.append("- " + _("… and {n} more").format(n=len(latest) - LATEST_CONTACTS))
        out.append("")
    return out


def render_customer_markdown(report: CustomerReport) -> str:
    """The report as Markdown text, in the current language."""
    out = [md.heading(1, md.escape_inline(report_heading(report))), "", md.escape_inline(report_meta(report)), ""]
    out += [md.heading(2, _("Summary")), ""]
    out += _md_list(md.escape_inline(line) for line in summary_lines(report))
    out.append("")
    if report.total:
        out += md.table([_("Where it stands"), pgettext("report", "requirements")],
                        [[md.escape_inline(said), str(n)] for said, n in state_rows(report)])
        out.append("")
    out += [md.heading(2, _("Your requirements")), ""]
    if not report.items:
        out += [md.emphasis(_("no requirements recorded yet")), ""]
    for item in report.items:
        out += _md_item(item, report)
    sat = report.satisfaction
    out += [md.heading(2, _("Your satisfaction")), ""]
    if sat.count:
        out += [ngettext("Mean {mean} / 5 from {count} reading (the latest on each requirement).",
                         "Mean {mean} / 5 from {count} readings (the latest on each requirement).",
                         sat.count).format(mean=f"**{sat.mean:.2f}**", count=sat.count), ""]
        out += md.satisfaction_breakdowns(sat, by_customer=False)
    else:
        out.append(md.emphasis(_("no reading yet")))
    return "\n".join(out).rstrip() + "\n"


# ============================================================================ HTML


def _h4(text: str) -> str:
    return f"<h4>{escape(text)}</h4>"


def _html_name(r: Requirement) -> str:
    return f'<span class="key">{escape(r.key)}</span> {escape(r.title)}'


def _html_list(lines: Sequence[str]) -> str:
    """A list of lines already escaped."""
    return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"


def _html_item(item: CustomerItem, report: CustomerReport) -> str:
    r = item.requirement
    parts = [f'<article id="{escape(r.key)}"><h3>{_html_name(r)}</h3>']
    parts.append('<dl class="facts">' + "".join(
        f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in facts(item, report.today, _html_name, escape))
        + "</dl>")
    if report.since is not None:
        parts.append(_h4(_since_heading(report)))
        parts.append(_html_list([escape(change_line(e, r)) for e in item.changes]) if item.changes
                     else page.note(_("Nothing changed.")))
    if r.change_requests:
        parts.append(_h4(_("Change requests")))
        parts.append(_html_list([escape(change_request_said(cr)) for cr in r.change_requests]))
    if item.readings:
        parts.append(_h4(_("Your feedback and what followed")))
        parts.append(_html_list([escape(reading_said(x.feedback)) + _html_list([escape(line) for line in followed_said(x)])
                                 for x in item.readings]))
    if r.notes:
        latest = sorted(r.notes, key=lambda n: n.at, reverse=True)
        heading = ngettext("Contacts ({n}), the latest first", "Contacts ({n}), the latest first",
                           len(r.notes)).format(n=len(r.notes))
        lines = [escape(note_said(n)) for n in latest[:LATEST_CONTACTS]]
        if len(latest) > LATEST_CONTACTS:
            lines.append(escape(_("… and {n} more").format(n=len(latest) - LATEST_CONTACTS)))
        parts.append(_h4(heading) + _html_list(lines))
    parts.append("</article>")
    return "\n".join(parts)


def render_customer_html(report: CustomerReport) -> str:
    """The report as one self-contained HTML page (charts inline as SVG), in the current language."""
    parts = page.page_start(report_heading(report), report_meta(report))
    parts.append(page.section("summary", _("Summary")))
    parts.append(_html_list([escape(line) for line in summary_lines(report)]))
    if report.total:
        parts.append(page.table([escape(_("Where it stands")), escape(pgettext("report", "requirements"))],
                                [[escape(said), str(n)] for said, n in state_rows(report)]))
    parts.append("</section>")
    parts.append(page.section("requirements", _("Your requirements")))
    if not report.items:
        parts.append(page.note(_("No requirements recorded yet.")))
    parts += [_html_item(item, report) for item in report.items]
    parts.append("</section>")
    sat = report.satisfaction
    parts.append(page.section("satisfaction", _("Your satisfaction")))
    if sat.count:
        parts.append("<p>" + escape(ngettext(
            "Mean {mean} / 5 from {count} reading (the latest on each requirement).",
            "Mean {mean} / 5 from {count} readings (the latest on each requirement).", sat.count)).format(
            mean=f"<strong>{sat.mean:.2f}</strong>", count=sat.count) + "</p>")
        parts.append(page.satisfaction_breakdowns(sat, by_customer=False))
    else:
        parts.append(page.note(_("No reading yet.")))
    parts.append("</section>")
    footer = _("Made by reqboard. Days in {zone}.").format(zone=clock.zone_name())
    parts.append(f'<footer class="note"><p>{escape(footer)}</p></footer>')
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)
