"""Big realistic boards for the benchmarks, written straight in the store's on-disk format.

Going through `Board` would rewrite the whole file once per operation; at 50,000 requirements that
takes hours. This writes the tables and the history journal once, exactly as `store.storage` lays
them out (a meta record with the counters, generation and committed journal size; `requirements`
keyed by the key number; `board.json.history.jsonl` with one event a line, each tagged with the
generation of its transaction). Every requirement goes through `Requirement.model_validate` and is
stored as the model dumps it, so the file is what the store itself would have written.

Each requirement lives a plausible life over the board's span (collected, analysed, approved, in
progress, done, fed back; some rejected, some stalled), with the events the real operations record,
change requests, links and suspect flags. Deterministic for a given `seed` and `now`.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

from reqboard.store.domain import approved_text, text_hash
from reqboard.store.models import Event, Requirement
from reqboard.store.storage import FORMAT, META_ID, SCHEMA_VERSION, atomic_write

GENERATOR_VERSION = 2
"""Bump when the generated content changes, so cached boards are rebuilt."""

_WORK_DAY = 12 * 3600  # activity happens between 07:00 and 19:00 UTC
_DAY = 86400
Work = list[tuple[float, str, list[dict[str, Any]]]]
"""Units of work in time order: (when, who, the history events it writes)."""
_PLACEHOLDER = b"\x00"  # stands for the generation number; JSON text never holds a raw NUL byte

_USERS = ("Anna Schmidt", "李伟", "Tom Baker", "Sara Jones", "Jürgen Groß", "Max Weber", "张敏",
          "Priya Nair", "Lena Vogel", "王芳", "Oliver Brown", "Fatima Khan")
_COLLECTORS = _USERS[:5] + ("Lena Vogel", "Oliver Brown")
_ANALYSTS = ("李伟", "Lena Vogel", "Oliver Brown")
_APPROVERS = ("Anna Schmidt", "Fatima Khan")
_OWNERS = ("Max Weber", "张敏", "Priya Nair", "Tom Baker", "王芳", "Oliver Brown")

_TITLES = {
    "en": (
        ("Export", "Import", "Show", "Filter", "Sync", "Notify about", "Schedule", "Approve", "Archive",
         "Print", "Search", "Audit", "Bulk edit", "Track"),
        ("invoices", "orders", "shipments", "delivery notes", "customer records", "appointments",
         "stock levels", "price lists", "support tickets", "contracts", "payments", "reports",
         "user accounts", "spare parts", "returns", "subscriptions"),
        ("as PDF", "by e-mail", "in bulk", "on the dashboard", "from the mobile app", "per customer",
         "every night", "with an audit trail", "for auditors", "in real time", "via the API",
         "in under a second", "per region", "for [bold]key[/bold] accounts"),
    ),
    "zh": (
        ("导出", "导入", "显示", "筛选", "同步", "通知", "批量打印", "审批", "归档", "搜索", "跟踪"),
        ("发票", "订单", "运单", "客户资料", "库存", "价格表", "工单", "合同", "付款记录", "报表", "退货"),
        ("（支持Excel）", "（移动端）", "（实时）", "（按客户）", "（每日自动）", "（按区域）", ""),
    ),
    "de": (
        ("exportieren", "importieren", "anzeigen", "filtern", "synchronisieren", "drucken",
         "archivieren", "freigeben", "durchsuchen", "nachverfolgen"),
        ("Rechnungen", "Aufträge", "Lieferscheine", "Kundendaten", "Termine", "Lagerbestände",
         "Preislisten", "Verträge", "Zahlungen", "Berichte", "Ersatzteile", "Retouren"),
        ("als PDF", "per E-Mail", "in großen Mengen", "im Dashboard", "in der App", "pro Kunde",
         "jede Nacht", "mit Prüfprotokoll", "in Echtzeit", "über die API", "pro Werk"),
    ),
}
_SENTENCES = {
    "en": ("The team does this by hand today and it takes hours every week.",
           "Several users asked for it in the last customer survey.",
           "Without it the customer keeps a separate spreadsheet.",
           "Their auditors asked for it at the last review.",
           "Mistakes here lead to calls to the hotline.",
           "It must work for accounts with thousands of records.",
           "Support links like [@click=app.quit]x must show as typed."),
    "zh": ("目前需要人工处理，每周耗费数小时。", "多位用户在调查中提出了这个需求。",
           "没有这个功能，客户只能另外维护表格。", "审计时被要求提供这项功能。",
           "这里出错会导致大量客服电话。"),
    "de": ("Das Team erledigt das heute von Hand, jede Woche mehrere Stunden.",
           "Mehrere Anwender haben das in der Umfrage gewünscht.",
           "Ohne diese Funktion führt der Kunde eine eigene Excel-Liste.",
           "Die Wirtschaftsprüfer haben danach gefragt.",
           "Fehler an dieser Stelle führen zu Anrufen im Kundenservice."),
}
_CRITERIA = {
    "en": ("Works for 10,000 records", "Errors are reported per row", "Available to all roles",
           "Documented in the help centre", "Response within 1 second"),
    "zh": ("支持一万条数据", "错误按行提示", "所有角色可用", "1秒内响应"),
    "de": ("Funktioniert mit 10.000 Datensätzen", "Fehler werden pro Zeile gemeldet",
           "Für alle Rollen verfügbar", "Antwort innerhalb einer Sekunde"),
}
_TAGS = ("billing", "mobile", "api", "reporting", "security", "performance", "ux", "integration",
         "compliance", "warehouse", "crm", "notifications", "export", "import", "报表", "移动端",
         "Datenschutz", "Schnittstelle")
_CUSTOMER_PARTS = {
    "en": (("North", "Blue", "Atlas", "Harbor", "Pine", "Silver", "Red", "Corner", "Summit", "Bright"),
           ("wind", "bird", "stone", "field", "gate", "wood", "bridge", "light"),
           ("Logistics", "Retail", "Insurance", "Health", "Foods", "Studio", "Energy", "Bank")),
    "zh": (("上海", "深圳", "杭州", "北京", "成都", "广州", "南京", "武汉"),
           ("明达", "星河", "小雨", "华信", "远航", "金桥", "天成", "博雅"),
           ("物流", "电子", "茶馆", "科技", "贸易", "医疗", "能源", "餐饮")),
    "de": (("Müller", "Schönfeld", "Groß", "Weber", "Becker", "Hoffmann", "Schäfer", "Krüger"),
           ("", ""),
           ("Maschinenbau GmbH", "Stadtwerke", "Bäckerei", "Logistik AG", "Elektrotechnik KG",
            "Versicherung AG", "Handels GmbH")),
}
_CHANNELS = ("email", "hotline", "interview", "survey", "after_sales", "social_media", "market_research",
             "complaint", "other")
_CHANNEL_WEIGHTS = (20, 15, 12, 8, 10, 6, 4, 6, 3)
_FLOW = ("collected", "analysed", "approved", "in_progress", "done", "fed_back")
# Working days each step takes, whether a requirement stays put in a state, and where it may be rejected.
_STEP_DAYS = {"analysed": (0.5, 10), "approved": (1, 15), "in_progress": (1, 25), "done": (3, 40),
              "fed_back": (1, 15)}
_STALL = {"collected": 0.18, "analysed": 0.12, "approved": 0.08, "in_progress": 0.05, "done": 0.3}
_REJECT = {"collected": 0.05, "analysed": 0.05, "approved": 0.02}


@dataclass(frozen=True)
class GeneratedBoard:
    path: Path
    requirements: int
    events: int
    change_requests: int
    generation: int
    seconds: float


class _Clock:
    """Working time (seconds of 07:00-19:00 days) to epoch seconds, and epoch seconds to ISO 8601."""

    def __init__(self, now: datetime, span_days: int) -> None:
        today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), UTC)
        self.first_day = int(today.timestamp()) - span_days * _DAY
        self.span = span_days * _WORK_DAY
        self._days: dict[int, str] = {}

    def epoch(self, work: float) -> int:
        day, within = divmod(int(work), _WORK_DAY)
        return self.first_day + day * _DAY + 7 * 3600 + within

    def iso(self, ts: int) -> str:
        day, sec = divmod(ts, _DAY)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = datetime.fromtimestamp(day * _DAY, UTC).strftime("%Y-%m-%d")
        return f"{text}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}Z"

    def event_iso(self, ts: int) -> str:
        return self.iso(ts)[:-1] + ".000000Z"  # as Board._event writes it

    @staticmethod
    def day(ts: int) -> date:
        return datetime.fromtimestamp(ts, UTC).date()


class _Writer:
    """Collects transactions (one per operation), then writes the journal in commit order."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.transactions: list[tuple[int, int, int, bytes]] = []
        self.events = 0

    def commit(self, ts: int, number: int, seq: int, events: list[dict[str, Any]]) -> None:
        lines = []
        for event in events:
            lines.append(orjson.dumps(event)[:-1] + b',"generation":' + _PLACEHOLDER + b"}\n")
        self.events += len(events)
        self.transactions.append((ts, number, seq, b"".join(lines)))

    def write_journal(self, fh: Any, sample_every: int) -> tuple[int, int]:
        """Write the journal in commit order; returns (bytes written, last generation).

        Every `sample_every`-th transaction's events are validated with the Event model on the way.
        """
        self.transactions.sort(key=lambda t: t[:3])
        size = 0
        for generation, (_, _, _, blob) in enumerate(self.transactions, start=1):
            data = blob.replace(_PLACEHOLDER, str(generation).encode())
            if generation % sample_every == 0:
                for line in data.splitlines():
                    Event.model_validate_json(line)
            fh.write(data)
            size += len(data)
        return size, len(self.transactions)


class _Generator:
    def __init__(self, n: int, seed: int, history_per_req: float, now: datetime) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.span_days = max(180, min(3 * 365, n // 20))
        self.clock = _Clock(now, self.span_days)
        self.now_work = self.clock.span - 600  # the last activity ends ten minutes before today
        self.writer = _Writer(self.clock)
        self.history_per_req = history_per_req
        self.customers = self._customers(max(12, min(600, n // 80)))
        # A few big customers ask for most things.
        self.customer_cum_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(self.customers))))
        # Keys follow creation time; intake grows over the span (later days see more requests).
        self.created_times = sorted(self.clock.span * 0.98 * self.rng.random() ** 0.8 for _ in range(n))
        self.lifecycle_events = 0
        self.next_cr = 1
        self.approved_crs: dict[str, list[tuple[float, str]]] = {}  # requirement key -> (time, CR key)
        self.used_customers: dict[str, str] = {}
        self.recently_changed: list[str] = []

    def uid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def _customers(self, count: int) -> list[tuple[str, str, str]]:
        rng, seen = self.rng, set()
        out: list[tuple[str, str, str]] = []
        while len(out) < count:
            lang = rng.choices(("en", "zh", "de"), (6, 2, 2))[0]
            first, middle, last = (rng.choice(p) for p in _CUSTOMER_PARTS[lang])
            name = f"{first}{middle} {last}" if lang == "en" else (
                f"{first}{middle}{last}" if lang == "zh" else f"{last} {first}")
            if name in seen:
                name = f"{name} {len(out)}"
            seen.add(name)
            out.append((name, rng.choices("ABC", (15, 35, 50))[0], lang))
        return out

    # ------------------------------------------------------------------ one requirement
    def requirement(self, number: int) -> dict[str, Any]:
        rng, clock = self.rng, self.clock
        key = f"REQ-{number}"
        customer, tier, lang = rng.choices(self.customers, cum_weights=self.customer_cum_weights)[0]
        if rng.random() < 0.15:  # people write in their own language, whoever the customer is
            lang = rng.choice(("en", "zh", "de"))
        verbs, objects, qualifiers = _TITLES[lang]
        verb, obj, qual = rng.choice(verbs), rng.choice(objects), rng.choice(qualifiers)
        title = {"en": f"{verb} {obj} {qual}", "zh": f"{verb}{obj}{qual}", "de": f"{obj} {qual} {verb}"}[lang]
        description = " ".join(rng.sample(_SENTENCES[lang], rng.randint(1, 3)))
        criteria = [{"text": t, "done": False} for t in rng.sample(_CRITERIA[lang], rng.randint(0, 3))]
        tags = rng.sample(_TAGS, rng.randint(1, 3))
        created = self.created_times[number - 1]
        creator = rng.choice(_COLLECTORS)
        tx: Work = []  # (work time, user, events)
        req: dict[str, Any] = {
            "key": key, "uid": self.uid(), "title": title, "description": description, "state": "collected",
            "customer": customer, "tier": tier,
            "channel": rng.choices(_CHANNELS, _CHANNEL_WEIGHTS)[0],
            "need_type": rng.choices(("explicit", "implicit", "latent"), (7, 2, 1))[0],
            "tags": tags, "acceptance_criteria": [], "entered_at": {}, "approvals": [], "feedback": [],
            "change_requests": [], "reviews": [], "depends_on": [], "conflicts_with": [],
            "created_by": creator,
        }
        self.used_customers.setdefault(customer, tier)

        def ev(action: str, field: str | None = None, old: Any = None, new: Any = None,
               reason: str = "", cr: str | None = None) -> dict[str, Any]:
            event = {"at": "", "by": "", "key": key, "action": action, "field": field, "old": old,
                     "new": new, "reason": reason}
            if cr:
                event["cr"] = cr
            return event

        def enter(state: str, at: float) -> dict[str, Any]:
            old = req["state"]
            req["state"] = state
            req["entered_at"].setdefault(state, clock.iso(clock.epoch(at)))
            req["state_since"] = clock.iso(clock.epoch(at))
            return ev("moved", "state", old, state)

        tx.append((created, creator, [ev("created", "title", None, title)]))
        enter("collected", created)
        at = created
        times: dict[str, float] = {"collected": created}
        for state in _FLOW[1:]:
            previous = _FLOW[_FLOW.index(state) - 1]
            if rng.random() < _REJECT.get(previous, 0):
                at += rng.uniform(1, 20) * _WORK_DAY
                if at >= self.now_work:
                    break
                reason = rng.choice(("Customer withdrew the request.", "Duplicate of an existing request.",
                                     "Out of scope for this product.", "Cost outweighs the value."))
                tx.append((at, rng.choice(_APPROVERS), [enter("rejected", at),
                                                        ev("edited", "rejection_reason", "", reason, reason)]))
                req["rejection_reason"] = reason
                times["rejected"] = at
                break
            if rng.random() < _STALL.get(previous, 0):
                break
            at += rng.uniform(*_STEP_DAYS[state]) * _WORK_DAY
            if at >= self.now_work:
                break
            times[state] = at
            tx.extend(self.step_into(state, at, req, ev, enter, criteria, lang))
        self.change_requests(req, times, tx, ev, lang)
        self.links(number, req, times, tx, ev)
        self.lifecycle_events += sum(len(events) for _, _, events in tx)
        self.extra_edits(number, req, created, tx, ev)
        return self.finish(number, req, tx)

    def step_into(self, state: str, at: float, req: dict[str, Any], ev: Any, enter: Any,
                  criteria: list[dict[str, Any]], lang: str) -> list[tuple[float, str, list[dict[str, Any]]]]:
        rng, out = self.rng, []
        if state == "analysed":
            analyst = rng.choice(_ANALYSTS)
            fields: dict[str, Any] = {
                "importance": rng.choices(range(1, 6), (1, 2, 4, 3, 2))[0],
                "urgency": rng.choices(range(1, 6), (2, 3, 4, 2, 1))[0],
                "business_value": rng.choices(range(1, 6), (1, 2, 3, 3, 2))[0],
                "kano": rng.choices(("must_be", "performance", "attractive", "indifferent", "reverse"),
                                    (3, 4, 3, 1, 0.2))[0],
                "effort_estimate": float(rng.choice((4, 8, 16, 24, 40, 80, 120, 200))),
                "feasibility": rng.choices(("high", "medium", "low", "unknown"), (5, 3, 1, 1))[0],
            }
            if criteria:
                fields["acceptance_criteria"] = criteria
            req.update(fields)
            edit_at = at - rng.uniform(0.01, 0.4) * _WORK_DAY
            out.append((edit_at, analyst, [ev("edited", f, None, v) for f, v in fields.items()]))
            out.append((at, analyst, [enter("analysed", at)]))
        elif state == "approved":
            approver = rng.choice(_APPROVERS)
            comment = rng.choice(("Fits the roadmap.", "Approved.", "OK, keep the scope tight.", ""))
            req["approvals"].append(self.approval(req, approver, at, comment))
            out.append((at, approver, [ev("approved", None, None, "version ?", comment), enter("approved", at)]))
            if rng.random() < 0.6:
                due = self.clock.day(self.clock.epoch(at)) + timedelta(days=rng.randint(7, 120))
                req["due"] = due.isoformat()
                out.append((at + 60, approver, [ev("edited", "due", None, req["due"])]))
        elif state == "in_progress":
            owner = rng.choice(_OWNERS)
            req["owner"] = owner
            out.append((at, "Tom Baker", [enter("in_progress", at), ev("edited", "owner", "", owner)]))
        elif state == "done":
            owner = req["owner"]
            if req["acceptance_criteria"]:
                checked = [{**c, "done": True} for c in req["acceptance_criteria"]]
                out.append((at - 0.1 * _WORK_DAY, owner,
                             [ev("edited", "acceptance_criteria", req["acceptance_criteria"], checked)]))
                req["acceptance_criteria"] = checked
            out.append((at, owner, [enter("done", at)]))
        elif state == "fed_back":
            satisfaction = rng.choices(range(1, 6), (1, 1, 3, 5, 4))[0]
            comment = rng.choice(_SENTENCES[lang][:3]) if rng.random() < 0.5 else ""
            req["feedback"].append({"by": "Sara Jones", "at": self.clock.iso(self.clock.epoch(at)),
                                    "channel": rng.choice(("email", "hotline", "interview", "after_sales")),
                                    "satisfaction": satisfaction, "comment": comment})
            out.append((at, "Sara Jones", [ev("feedback", "feedback", None, satisfaction, comment),
                                            enter("fed_back", at)]))
        return out

    def approval(self, req: dict[str, Any], by: str, at: float, comment: str) -> dict[str, Any]:
        criteria = [c["text"] for c in req["acceptance_criteria"]]
        return {"by": by, "at": self.clock.iso(self.clock.epoch(at)), "comment": comment,
                "text_hash": text_hash(req["title"], req["description"], criteria),
                "text": approved_text(req["title"], req["description"], criteria)}

    def change_requests(self, req: dict[str, Any], times: dict[str, float], tx: Work, ev: Any, lang: str) -> None:
        """About one in ten approved requirements gets a change request while it is worked on."""
        rng, clock = self.rng, self.clock
        if "approved" not in times or rng.random() > 0.12:
            return
        start = times["approved"]
        end = times.get("done", times.get("rejected", self.now_work))
        if end - start < _WORK_DAY:
            return
        key = req["key"]
        cr_key = f"CR-{self.next_cr}"
        self.next_cr += 1
        steps = sorted(rng.uniform(start, end) for _ in range(3))
        submitter = rng.choice(_COLLECTORS)
        summary = {"en": "Extend the scope as the customer asked", "zh": "按客户要求扩展范围",
                   "de": "Umfang nach Kundenwunsch erweitern"}[lang]
        new_description = req["description"] + " " + rng.choice(_SENTENCES[lang])
        cr: dict[str, Any] = {"key": cr_key, "uid": self.uid(), "summary": summary,
                              "reason": rng.choice(_SENTENCES[lang]), "status": "submitted",
                              "proposed_description": new_description, "submitted_by": submitter,
                              "submitted_at": clock.iso(clock.epoch(steps[0]))}
        req["change_requests"].append(cr)
        tx.append((steps[0], submitter, [ev("cr.submitted", "status", None, "submitted", summary, cr_key)]))
        outcome = rng.choices(("submitted", "assessed", "approved", "rejected"), (2, 2, 5, 2))[0]
        if outcome == "submitted":
            return
        lead = "Tom Baker"
        cr["assessment"] = {"by": lead, "at": clock.iso(clock.epoch(steps[1])),
                            "schedule_days": float(rng.randint(1, 20)), "cost": float(rng.randint(5, 200) * 100),
                            "effort_hours": float(rng.randint(4, 160)), "resources": "",
                            "risk": rng.choice(("low", "medium", "high")), "affects": []}
        cr["status"] = "assessed"
        tx.append((steps[1], lead, [ev("cr.assessed", "status", "submitted", "assessed", "", cr_key)]))
        if outcome == "assessed":
            return
        approver = rng.choice(_APPROVERS)
        approve = outcome == "approved"
        rationale = "Worth it for this customer." if approve else "Not worth the cost now."
        cr["decision"] = {"by": approver, "at": clock.iso(clock.epoch(steps[2])), "approved": approve,
                          "rationale": rationale}
        cr["status"] = outcome
        events = [ev(f"cr.{outcome}", "status", "assessed", outcome, rationale, cr_key)]
        if approve:
            events.append(ev("changed", "description", req["description"], new_description,
                             f"{cr_key} approved"))
            req["description"] = new_description
            self.approved_crs.setdefault(key, []).append((steps[2], cr_key))
            self.recently_changed.append(key)
        tx.append((steps[2], approver, events))
        if approve:
            if rng.random() < 0.7:  # usually the new text is approved again at once
                at = steps[2] + 600
                req["approvals"].append(self.approval(req, approver, at, "Re-approved with the change."))
                tx.append((at, approver, [ev("approved", None, None, "version ?", "Re-approved with the change.")]))
            later = sorted(rng.uniform(steps[2], self.now_work) for _ in range(2))
            owner = req.get("owner") or "Tom Baker"
            if rng.random() < 0.7:
                cr["implemented"] = {"by": owner, "at": clock.iso(clock.epoch(later[0]))}
                cr["status"] = "implemented"
                tx.append((later[0], owner, [ev("cr.implemented", "status", "approved", "implemented", "", cr_key)]))
                if rng.random() < 0.7:
                    cr["closed"] = {"by": lead, "at": clock.iso(clock.epoch(later[1]))}
                    cr["status"] = "closed"
                    tx.append((later[1], lead, [ev("cr.closed", "status", "implemented", "closed", "", cr_key)]))

    def links(self, number: int, req: dict[str, Any], times: dict[str, float], tx: Work, ev: Any) -> None:
        """A few requirements depend on or conflict with earlier ones; changes to those flag them."""
        rng = self.rng
        if number < 10 or rng.random() > 0.06:
            return
        at = times.get("analysed", times["collected"] + 0.2 * _WORK_DAY)
        if at >= self.now_work:
            return
        changed = self.recently_changed
        if changed and rng.random() < 0.3:  # dependencies gather around the requirements that change
            other = rng.choice(changed[-50:])
        else:
            other = f"REQ-{rng.randint(max(1, number - 500), number - 1)}"
        field = "depends_on" if rng.random() < 0.8 else "conflicts_with"
        req[field] = [other]
        tx.append((at, rng.choice(_ANALYSTS), [ev("edited", field, [], [other])]))
        if field != "depends_on":
            return
        for cr_at, cr_key in self.approved_crs.get(other, ()):
            rejected_at = times.get("rejected")
            if cr_at <= at or (rejected_at is not None and rejected_at <= cr_at):
                continue
            note = f"{cr_key} changed {other}"
            tx.append((cr_at, "Anna Schmidt", [ev("suspect", "suspect", req.get("suspect", ""), note, cr=cr_key)]))
            req["suspect"] = note
            if rng.random() < 0.5:
                review_at = rng.uniform(cr_at, self.now_work)
                reviewer = rng.choice(_ANALYSTS)
                req["reviews"].append({"by": reviewer, "at": self.clock.iso(self.clock.epoch(review_at)),
                                       "comment": "Checked against the change."})
                tx.append((review_at, reviewer, [ev("reviewed", "suspect", note, "",
                                                    "Checked against the change.")]))
                req["suspect"] = ""

    def extra_edits(self, number: int, req: dict[str, Any], created: float, tx: Work, ev: Any) -> None:
        """Tag edits over the requirement's life, so the history reaches `history_per_req` on average."""
        rng = self.rng
        extra_mean = self.history_per_req - self.lifecycle_events / number
        if extra_mean <= 0:
            return
        count = int(rng.uniform(0, 2 * extra_mean) + 0.5)
        moments = sorted(rng.uniform(created + 60, self.now_work) for _ in range(count))
        values = [rng.sample(_TAGS, rng.randint(1, 3)) for _ in range(count)] + [list(req["tags"])]
        for i, at in enumerate(moments):
            tx.append((at, rng.choice(_USERS), [ev("edited", "tags", values[i], values[i + 1])]))

    def finish(self, number: int, req: dict[str, Any], tx: list[tuple[float, str, list[dict[str, Any]]]]) -> dict[str, Any]:
        """Order the transactions, stamp versions and times, hand them to the journal writer."""
        clock = self.clock
        tx.sort(key=lambda t: t[0])
        version = 0  # each transaction makes a new version; the creation makes version 1
        for seq, (at, by, events) in enumerate(tx):
            ts = clock.epoch(at)
            stamp = clock.event_iso(ts)
            for event in events:
                event["at"], event["by"] = stamp, by
                if event["action"] == "approved":
                    event["new"] = f"version {version}"  # the version that was approved, as Board writes it
            version += 1
            self.writer.commit(ts, number, seq, events)
        first, last = tx[0], tx[-1]
        req["created_at"] = clock.iso(clock.epoch(first[0]))
        req["updated_by"], req["updated_at"] = last[1], clock.iso(clock.epoch(last[0]))
        req["version"] = version
        return req


def generate_board(path: str | Path, n: int, *, seed: int = 0, history_per_req: float = 8,
                   now: datetime | None = None) -> GeneratedBoard:
    """Write a board of `n` requirements (and its history journal) at `path`, a new file.

    About `history_per_req` history events per requirement on average, but never fewer than each
    requirement's life records through the real operations (about 11 on average: analysing alone
    records one event per field set); extra events are tag edits spread over the span.
    Raises FileExistsError when the board or its journal exists, and pydantic's ValidationError
    if a generated record or (a sample of) the history does not fit the models.
    """
    started = time.perf_counter()
    path = Path(path)
    journal_path = path.with_name(path.name + ".history.jsonl")
    for existing in (path, journal_path):
        if existing.exists():
            raise FileExistsError(f"{existing} exists: boards are generated into new files only")
    now = now or datetime.now(UTC)
    gen = _Generator(n, seed, history_per_req, now)
    # Each record is serialised as soon as it is validated: 50,000 live dicts would cost ~700 MB.
    records = [b'"%d":%s' % (number, orjson.dumps(Requirement.model_validate(gen.requirement(number))
                                                  .model_dump(mode="json")))
               for number in range(1, n + 1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(journal_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        sample_every = max(1, len(gen.writer.transactions) // 10_000)
        journal_size, generation = gen.writer.write_journal(fh, sample_every)
        fh.flush()
        os.fsync(fh.fileno())
    customers = {str(i): {"name": name, "tier": tier}
                 for i, (name, tier) in enumerate(sorted(gen.used_customers.items()), start=1)}
    meta = {
        "format": FORMAT, "schema": SCHEMA_VERSION, "generation": generation,
        "next_requirement": n + 1, "next_change_request": gen.next_cr,
        "journal_size": journal_size, "settings": {},
    }
    # The tables as reqboard writes them (storage.board_lines): the other tables on the first line,
    # then one requirement a line.
    payload = b"".join((b'{"meta":', orjson.dumps({META_ID: meta}), b',"customers":', orjson.dumps(customers),
                        b',"requirements":{\n', b",\n".join(records), b"\n" if records else b"", b"}}\n"))
    atomic_write(path, payload, 0o600)
    return GeneratedBoard(path, n, gen.writer.events, gen.next_cr - 1, generation,
                          time.perf_counter() - started)
