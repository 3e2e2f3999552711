"""Cards: what the board shows and filters on, read straight from the stored records.

Opening a board must not build a full pydantic model of every requirement: at 10,000 records that
was most of the time to first paint (23 µs a record) and a third of the memory (6 KB a record).
A `Card` takes the few fields a column draws, sorts and filters on from the stored record, cleaned
the way the models clean them, and keeps a reference to the record; the full, validated
`Requirement` is built when someone opens, moves or edits the card (`Card.requirement`).

A record too broken to make a card from is validated on the spot, so the error names the field; the
board validates every other record in the background once it is drawn (`validated`), and reports any
that the models refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .domain import (
    Channel,
    CRStatus,
    Feasibility,
    Kano,
    NeedType,
    State,
    Tier,
    is_overdue,
    key_number,
    reapproval_pending,
    search_text,
    strip_control,
    text_hash,
)
from .errors import StoreUnreadable
from .i18n import _
from .targets import Target, TargetCheck, checks

if TYPE_CHECKING:  # the models (and pydantic) are imported when a card is opened, not to draw one
    from .models import Requirement

# Value -> member, without the enum's call (a dict lookup per card); typed as what they hold.
_STATES = cast("dict[str, State]", State._value2member_map_)
_TIERS = cast("dict[str, Tier]", Tier._value2member_map_)
_CHANNELS = cast("dict[str, Channel]", Channel._value2member_map_)
_KANO = cast("dict[str, Kano]", Kano._value2member_map_)
_NEEDS = cast("dict[str, NeedType]", NeedType._value2member_map_)
_FEASIBILITY = cast("dict[str, Feasibility]", Feasibility._value2member_map_)
_CLOSED_CR = (CRStatus.CLOSED.value, CRStatus.REJECTED.value)


def _text(value: Any) -> str:
    """A stored text field as the models would clean it: control characters never reach a screen."""
    if not isinstance(value, str):
        raise TypeError("not text")
    return value if value.isprintable() else strip_control(value)


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.utcoffset() is None:
        raise ValueError("a time without a time zone")  # i18n: not shown (the reader validates the record instead)
    return moment


class Card:
    """One requirement as a board column sees it. Read-only by convention; made by `Card.of`."""

    __slots__ = (
        "key", "number", "uid", "version", "title", "description", "state", "customer", "tier",
        "channel", "owner", "tags", "kano", "importance", "urgency", "since", "due",
        "priority", "open_change_requests", "_approval_stale", "suspect", "record", "path", "_requirement",
        "_search_text", "loader", "depends_on", "conflicts_with", "resolved_uids", "business_value",
        "effort_estimate", "feasibility", "need_type", "category", "section", "_signoffs", "_contact",
    )

    key: str
    number: int
    uid: str
    version: int
    title: str
    description: str
    state: State
    customer: str
    tier: Tier | None
    channel: Channel
    owner: str
    tags: tuple[str, ...]
    kano: Kano | None
    importance: int | None
    urgency: int | None
    priority: int | None
    """Importance x urgency (1-25), or None until both are set."""
    since: datetime
    """When it entered its current state (or was last changed, for records without that time)."""
    due: date | None
    open_change_requests: int
    suspect: str
    depends_on: tuple[str, ...]
    conflicts_with: tuple[str, ...]
    resolved_uids: frozenset[str]
    """The uids of the requirements a conflict with which was settled (see store.links)."""
    business_value: int | None
    effort_estimate: float | None
    feasibility: Feasibility | None
    need_type: NeedType | None
    category: str
    section: str
    """The requirement's heading path in its source document ("" when it has none)."""
    record: dict[str, Any]
    """The stored record the card was read from (never changed in place by the store)."""
    path: Path | None
    """The board file, for the message about an invalid record."""
    loader: Callable[[int], Mapping[str, Any] | None] | None
    """None: `record` is the whole stored record. Else `record` holds only what a card shows (see
    `card_fields`; a server sends no more to draw the board) and this reads the whole one."""
    _approval_stale: bool | None
    _signoffs: tuple[tuple[str, str, tuple[str, ...]], ...] | None
    _requirement: Requirement | None
    _search_text: str | None
    _contact: object
    """The last contact (a datetime or None) once worked out, else _UNKNOWN."""

    @classmethod
    def of(cls, record: dict[str, Any], path: Path | None = None) -> Card:
        """A card from a stored record. Raises KeyError, TypeError or ValueError if it is malformed."""
        get = record.get
        card = cls.__new__(cls)
        card.key = key = record["key"]
        card.number = key_number(key)
        card.uid = record["uid"]
        card.version = record["version"]
        # Stored text is clean unless edited by hand: `isprintable` lets clean text skip the regex.
        title = record["title"]
        card.title = title if title.__class__ is str and title.isprintable() else _text(title)
        description = get("description", "")  # never drawn on a card, only searched: not cleaned
        card.description = description if description.__class__ is str else _text(description)
        card.state = _STATES[record["state"]]
        customer = get("customer", "")
        card.customer = customer if customer.__class__ is str and customer.isprintable() else _text(customer)
        tier = get("tier")
        card.tier = None if tier is None else _TIERS[tier]
        card.channel = _CHANNELS[get("channel", "other")]
        owner = get("owner", "")
        card.owner = owner if owner.__class__ is str and owner.isprintable() else _text(owner)
        tags = get("tags")
        card.tags = tuple(map(_text, tags)) if tags else ()
        kano = get("kano")
        card.kano = None if kano is None else _KANO[kano]
        importance, urgency = get("importance"), get("urgency")
        if (importance is not None and importance.__class__ is not int) or (
                urgency is not None and urgency.__class__ is not int):
            raise TypeError("a score is a whole number")  # out of range is shown, and checked later
        card.importance, card.urgency = importance, urgency
        card.priority = None if importance is None or urgency is None else importance * urgency
        card.since = _moment(get("state_since") or record["updated_at"])
        due = get("due")
        card.due = None if due is None else date.fromisoformat(due)
        crs = get("change_requests")
        card.open_change_requests = sum(1 for cr in crs if cr["status"] not in _CLOSED_CR) if crs else 0
        card._approval_stale = None if get("approvals") else False
        suspect = get("suspect", "")
        card.suspect = suspect if suspect.__class__ is str and suspect.isprintable() else _text(suspect)
        depends, conflicts, resolutions = get("depends_on"), get("conflicts_with"), get("resolutions")
        card.depends_on = tuple(map(_text, depends)) if depends else ()
        card.conflicts_with = tuple(map(_text, conflicts)) if conflicts else ()
        card.resolved_uids = frozenset(r["other_uid"] for r in resolutions) if resolutions else _NONE
        value, effort = get("business_value"), get("effort_estimate")
        if (value is not None and value.__class__ is not int) or (
                effort is not None and effort.__class__ not in (int, float)):
            raise TypeError("a score or an effort is a number")
        card.business_value, card.effort_estimate = value, effort
        feasibility, need = get("feasibility"), get("need_type")
        card.feasibility = None if feasibility is None else _FEASIBILITY[feasibility]
        card.need_type = None if need is None else _NEEDS[need]
        category = get("category", "")
        card.category = category if category.__class__ is str and category.isprintable() else _text(category)
        section = get("section", "")
        card.section = section if section.__class__ is str and section.isprintable() else _text(section)
        card._signoffs = None
        card._contact = _UNKNOWN
        card.record = record
        card.path = path
        card._requirement = None
        card._search_text = None
        card.loader = None
        return card

    @property
    def partial(self) -> bool:
        """Was the card made from the fields a card shows (`card_fields`), not the whole record?"""
        return self.loader is not None

    def whole_record(self) -> Mapping[str, Any]:
        """The whole stored record: the one the card was read from, or (a partial card) the stored
        one read now; raises StoreUnreadable when it is gone (a sync renumbered it meanwhile)."""
        if self.loader is None:
            return self.record
        record = self.loader(self.number)
        if record is None or record.get("uid") != self.uid:
            raise StoreUnreadable(_("{key} was changed meanwhile; read the board again").format(key=self.key))
        return record

    @property
    def search_text(self) -> str:
        """What a filter's words are looked for in, worked out on the first filter and kept."""
        if self._search_text is None:
            self._search_text = search_text(self.key, self.title, self.description, self.customer, self.tags)
        return self._search_text

    @property
    def approval_stale(self) -> bool:
        """Approved once, and the text differs from the text of every approval."""
        if self._approval_stale is None:  # a hash: worked out only for the cards that are drawn
            try:
                current = self.text_hash
                self._approval_stale = all(a["text_hash"] != current for a in self.record["approvals"])
            except (KeyError, IndexError, TypeError, AttributeError):
                self._approval_stale = True  # a malformed approval: the background check reports it
        return self._approval_stale

    @property
    def signoffs(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """Each approval's (text hash, role, roles the board asked then), oldest first (a malformed one
        is left out: the background check reports it)."""
        if self._signoffs is None:
            approvals = self.record.get("approvals") or ()
            self._signoffs = tuple((a.get("text_hash", ""), a.get("role", "") or "", tuple(a.get("roles_asked") or ()))
                                   for a in approvals if isinstance(a, Mapping))
        return self._signoffs

    def needs_reapproval(self, roles: tuple[str, ...]) -> bool:
        """Signed off, changed since, and not yet signed again by every role the board requires (the
        CHG badge; see `domain.reapproval_pending`)."""
        if not self.record.get("approvals"):
            return False
        if self.approval_stale:
            return True
        return reapproval_pending(self.signoffs, self.text_hash, roles)

    @property
    def text_hash(self) -> str:
        """The hash of the text an approval covers, as it reads now."""
        record = self.record
        return text_hash(record["title"], record.get("description", ""),
                         (c["text"] for c in record.get("acceptance_criteria", ())))

    @property
    def last_contact(self) -> datetime | None:
        """When the customer was last in touch about it (the latest note or feedback), or None; worked
        out for the cards that are drawn (a malformed time is left out: the background check reports it)."""
        if self._contact is _UNKNOWN:
            moments = []
            for name in ("notes", "feedback"):
                for item in self.record.get(name) or ():
                    try:
                        moments.append(_moment(item["at"]))
                    except (KeyError, TypeError, ValueError):
                        continue
            self._contact = max(moments) if moments else None
        return cast("datetime | None", self._contact)

    def target_checks(self, targets: tuple[Target, ...], now: datetime) -> tuple[TargetCheck, ...]:
        """How it stands against the board's response targets (store.targets); none for a record whose
        times cannot be read (the background check reports it)."""
        if not targets:
            return ()
        record = self.record
        try:
            entered = {_STATES[s]: _moment(at) for s, at in (record.get("entered_at") or {}).items()}
            started = entered.get(State.COLLECTED) or _moment(record["created_at"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return ()
        return checks(targets, channel=self.channel, tier=self.tier, state=self.state, started=started,
                      entered_at=entered, now=now)

    def overdue(self, today: date) -> bool:
        """Past its due date and still open (see `domain.is_overdue`, which the model asks too)."""
        return is_overdue(self.due, self.state, today)

    @property
    def requirement(self) -> Requirement:
        """The full requirement, validated on first use. Raises StoreUnreadable if the record is invalid."""
        if self._requirement is None:
            self._requirement = validated(self.whole_record(), self.path)
        return self._requirement

    def __repr__(self) -> str:
        return f"Card({self.key} v{self.version} {self.state.value})"


_NONE: frozenset[str] = frozenset()
_UNKNOWN = object()

CARD_FIELDS = (
    "key", "uid", "version", "title", "description", "state", "customer", "tier", "channel", "owner",
    "tags", "kano", "importance", "urgency", "state_since", "updated_at", "due", "suspect",
    "depends_on", "conflicts_with", "business_value", "effort_estimate", "feasibility", "need_type", "category",
    "section", "created_at", "entered_at",
)
"""The fields of a stored record that `Card.of` reads as they are (see `card_fields`)."""


def card_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """What of a stored record a card needs (`Card.of`, `approval_stale` and `needs_reapproval` read
    nothing else): the fields it shows, sorts and filters on (links and the scored fields among them),
    each change request's status, each approval's text hash and role, the uid each resolution names,
    the acceptance criteria's text. A server keeps this beside the whole record, so a board
    of 100,000 is drawn from a fraction of the bytes."""
    fields = {name: record[name] for name in CARD_FIELDS if name in record}
    crs = record.get("change_requests")
    if isinstance(crs, (list, tuple)) and crs:
        fields["change_requests"] = [{"status": cr.get("status")} if isinstance(cr, Mapping) else cr for cr in crs]
    approvals = record.get("approvals")
    if isinstance(approvals, (list, tuple)) and approvals:
        fields["approvals"] = [{"text_hash": a.get("text_hash"), "role": a.get("role", ""),
                                "roles_asked": a.get("roles_asked", [])}
                               if isinstance(a, Mapping) else a for a in approvals]
    resolutions = record.get("resolutions")
    if isinstance(resolutions, (list, tuple)) and resolutions:
        fields["resolutions"] = [{"other_uid": r.get("other_uid")} if isinstance(r, Mapping) else r
                                 for r in resolutions]
    for name in ("notes", "feedback"):  # when: the card's days since the last contact
        items = record.get(name)
        if isinstance(items, (list, tuple)) and items:
            fields[name] = [{"at": i.get("at")} if isinstance(i, Mapping) else i for i in items]
    criteria = record.get("acceptance_criteria")
    if isinstance(criteria, (list, tuple)) and criteria:
        fields["acceptance_criteria"] = [{"text": c.get("text")} if isinstance(c, Mapping) else c for c in criteria]
    return fields


def validated(record: Any, path: Path | None = None) -> Requirement:
    """The stored record as a validated Requirement; raises StoreUnreadable naming the bad field."""
    from pydantic import ValidationError

    from .errors import validation_message
    from .models import Requirement

    try:
        return Requirement.model_validate(record)
    except ValidationError as exc:
        key = record.get("key", "?") if isinstance(record, dict) else "?"
        problem = validation_message(exc)
        if path:
            message = _("{board}: record {key} is invalid ({problem}); the file was left untouched")
        else:
            message = _("record {key} is invalid ({problem}); the file was left untouched")
        raise StoreUnreadable(message.format(board=path, key=key, problem=problem)) from None

