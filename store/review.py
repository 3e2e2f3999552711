"""Review and control: sign-off by role, the links that hold a move back, conflicts settled by a decision.

The practice this board serves asks that a requirement be signed off by the customer and by each
department concerned, that dependencies and conflicts between requirements act on the work, and that
every decision be recorded. The board's sign-off roles are a shared setting (`signoff_roles`); the rules
a move is checked against (`workflow.Rules`) are worked out here, inside the move's transaction, from
the setting and the links of the whole board (`store.links`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from . import workflow
from .board_core import BoardCore
from .domain import ANY_SIGNOFF, MAX_ROLE_LENGTH, SIGNOFF_ROLES, State, normalise_key, stored_roles
from .errors import InvalidValue, NotFound, Refused, validation_message
from .i18n import _, listed
from .links import FINISHED, LinkIndex
from .models import Approval, Requirement, Resolution, approval_text, text_hash
from .revisions import record_diff
from .transaction import Transaction

MAX_ROLES = 12


def clean_roles(roles: Iterable[str]) -> tuple[str, ...]:
    """Roles as given on the command line or in a form, each once (any case), spaces trimmed.
    Raises InvalidValue for a blank or too long one, or too many."""
    cleaned: dict[str, str] = {}
    for given in roles:
        role = " ".join(str(given).split())
        if not role:
            raise InvalidValue(_("a sign-off role needs a name, like customer or product"))
        if not role.isprintable():
            raise _unshowable(role)
        if len(role) > MAX_ROLE_LENGTH:
            raise InvalidValue(_("a sign-off role is at most {n} characters: {role!r}").format(
                n=MAX_ROLE_LENGTH, role=role[:MAX_ROLE_LENGTH] + "…"))
        cleaned.setdefault(role.casefold(), role)
    if len(cleaned) > MAX_ROLES:
        raise InvalidValue(_("a board names at most {n} sign-off roles").format(n=MAX_ROLES))
    return tuple(cleaned.values())


def _unshowable(role: str) -> InvalidValue:
    message = _("the sign-off role {role} holds a character that cannot be shown (a control or formatting "
                "character): type the role's name plainly").format(role=ascii(role)[:MAX_ROLE_LENGTH * 2])
    return InvalidValue(message, {"role": message})


def role_of(given: str, roles: tuple[str, ...], key: str) -> str:
    """The board's role that `given` names (any case), "" for none on a board without roles.
    Raises InvalidValue when the board names roles and `given` is none of them (or is missing)."""
    wanted = " ".join(given.split())
    if not wanted.isprintable():
        raise _unshowable(wanted)
    if not roles:
        if len(wanted) > MAX_ROLE_LENGTH:
            raise InvalidValue(_("a sign-off role is at most {n} characters: {role!r}").format(
                n=MAX_ROLE_LENGTH, role=wanted[:MAX_ROLE_LENGTH] + "…"), {"role": _("too long")})
        return wanted
    for role in roles:
        if role.casefold() == wanted.casefold():
            return role
    if not wanted:
        message = _("{key}: this board signs off by role: add --role {roles}").format(key=key, roles="|".join(roles))
    else:
        message = _("{role!r} is not a sign-off role of this board ({roles}); `reqboard signoff-roles` sets "
                    "them").format(role=wanted[:MAX_ROLE_LENGTH], roles=listed(roles))
    raise InvalidValue(message, {"role": message})


def signed_note(version: int, role: str, on_behalf_of: str) -> str:
    """What an approval's history event stores (in English, as every note the store writes;
    `labels.stored_note` says it in the language shown): "version 4 as customer for Li Wei"."""
    note = f"version {version}"
    if role:
        note += f" as {role}"
    if on_behalf_of:
        note += f" for {on_behalf_of}"
    return note


def board_rules(tx: Transaction, req: Requirement, *, conflicts: bool = False) -> workflow.Rules:
    """The rules `req` moves under on this board: its sign-off roles, what it waits on, and (when
    `conflicts`: a scan of the board, for approving) its open conflicts."""
    blockers, rejected = [], []
    for other in req.depends_on:
        try:
            state = tx.requirement(other).state
        except NotFound:
            continue  # a link to a requirement no longer on the board blocks nothing
        if state not in FINISHED:
            blockers.append(other)
            if state is State.REJECTED:
                rejected.append(other)
    open_conflicts: tuple[str, ...] = ()
    if conflicts:
        open_conflicts = links_of(tx).open_conflicts(req.key)
    return workflow.Rules(signoff_roles=stored_roles(tx.setting(SIGNOFF_ROLES)), blockers=tuple(blockers),
                          open_conflicts=open_conflicts, rejected_blockers=tuple(rejected))


def links_of(tx: Transaction) -> LinkIndex:
    """Every link on the board as the transaction sees it."""
    return LinkIndex.of_records(tx.snapshot().requirements.values())


def check_links(tx: Transaction, key: str, changes: Mapping[str, Any], links: LinkIndex | None = None) -> None:
    """Refuse links that cannot be: to itself (InvalidValue), to a requirement not on the board
    (NotFound), a dependency that closes a cycle (Refused "dependency.cycle", naming the chain)."""
    from .errors import field_shown

    for field in ("depends_on", "conflicts_with"):
        for other in changes.get(field, ()):
            other = normalise_key(other)
            if other == key:
                raise InvalidValue(_("{key} cannot list itself in {field}").format(key=key, field=field_shown(field)))
            tx.requirement(other)
    added = changes.get("depends_on")
    if added:
        index = links if links is not None else links_of(tx)
        for other in added:
            chain = index.cycle_path(normalise_key(other), key)
            if chain is not None:
                raise Refused(
                    _("{key} cannot depend on {other}: {other} already depends on {key} ({chain}), and "
                      "work that waits on itself never starts").format(key=key, other=chain[0],
                                                                       chain=" → ".join(chain)),
                    "dependency.cycle")


def mirror_conflicts(tx: Transaction, before: Requirement, after: Requirement) -> None:
    """Make a conflict symmetric in what is stored: a requirement added to (or taken out of) `after`'s
    conflicts lists `after` too (or no longer); its history says why. A conflict taken out takes its
    resolution on the other side with it (see `conflict_resolutions`)."""
    old, new = set(before.conflicts_with), set(after.conflicts_with)
    for other_key, adding in [*((k, True) for k in sorted(new - old)), *((k, False) for k in sorted(old - new))]:
        try:
            other = tx.requirement(other_key)
        except NotFound:
            continue
        note = f"{after.key} conflicts_with"  # stored (labels.stored_note shows it in the language)
        changes: dict[str, Any] = {}
        listed_there = after.key in other.conflicts_with
        if adding != listed_there:
            links = (*other.conflicts_with, after.key) if adding else tuple(
                k for k in other.conflicts_with if k != after.key)
            tx.record_event(other.key, "edited", field="conflicts_with", old=list(other.conflicts_with),
                            new=list(links), reason=note)
            changes["conflicts_with"] = links
        if not adding:
            changes.update(conflict_resolutions(tx, other, {after.uid}, note))
        if changes:
            tx.put_requirement(tx.revise(other, **changes), new=False)


def conflict_resolutions(tx: Transaction, req: Requirement, uids: set[str], reason: str) -> dict[str, Any]:
    """The change to `req`'s resolutions when its conflicts with the requirements of `uids` are taken
    out: their decisions go (the history keeps them), so that a conflict declared again later is open
    until decided again. Records the event; {} when there is nothing to drop."""
    kept = tuple(r for r in req.resolutions if r.other_uid not in uids)
    if kept == req.resolutions:
        return {}
    dropped = [r.decision for r in req.resolutions if r.other_uid in uids]
    tx.record_event(req.key, "edited", field="resolutions", old=dropped, new=None, reason=reason)
    return {"resolutions": kept}


def unresolve_partners(tx: Transaction, req: Requirement, kept: Iterable[Resolution]) -> None:
    """Undoing a resolution on `req` (it keeps only `kept`) takes it off the other requirement too, where
    the same decision is recorded: a conflict settled on either side counts as settled (see
    `LinkIndex.is_resolved`), so the undo would otherwise reopen nothing."""
    kept = tuple(kept)
    keys = {uid: key for key, uid in links_of(tx).uids.items()}
    for dropped in req.resolutions:
        if dropped in kept:
            continue
        other_key = keys.get(dropped.other_uid)
        if other_key is None:
            continue
        other = tx.requirement(other_key)
        remaining = tuple(r for r in other.resolutions if not (
            r.other_uid == req.uid and r.at == dropped.at and r.decision == dropped.decision))
        if remaining == other.resolutions:
            continue
        tx.record_event(other.key, "undone", field="resolutions", old=dropped.decision, new=None,
                        reason=f"{req.key} undone")
        tx.put_requirement(tx.revise(other, resolutions=remaining), new=False)


class ReviewOperations(BoardCore):
    """Sign-off, the board's sign-off roles and conflict resolution: a part of `Board`."""

    def set_signoff_roles(self, roles: Iterable[str]) -> tuple[str, ...]:
        """Set the board's sign-off roles (none: one sign-off, of any role); returns them as stored.
        Raises InvalidValue for a blank, too long or too many."""
        cleaned = clean_roles(roles)
        with self.transaction() as tx:
            old = list(stored_roles(tx.setting(SIGNOFF_ROLES)))
            if old == list(cleaned):
                return cleaned
            tx.set_setting(SIGNOFF_ROLES, list(cleaned) or None)
            tx.record_event("board", "settings", field=SIGNOFF_ROLES, old=old, new=list(cleaned))
        return cleaned

    def approve(self, key: str, comment: str = "", *, role: str = "", on_behalf_of: str = "",
                expect_version: int | None = None) -> Requirement:
        """Record one sign-off of the requirement's current text, in `role` (one of the board's roles,
        required when it names any) and for `on_behalf_of` when someone else signed. An analysed
        requirement moves to approved once every role has signed its text (or, without roles, at once).
        A requirement approved or beyond whose text changed is re-approved so.

        Raises Refused (not analysed yet; this role or signer already signed this text; an open conflict),
        InvalidValue (a role the board does not name, a text too long), NotFound, Conflict.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            return signoff_changes(tx, req, comment, role=role, on_behalf_of=on_behalf_of)

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def signoff_status(self, req: Requirement) -> tuple[tuple[Approval, ...], tuple[str, ...]]:
        """Who signed `req`'s current text, and the roles still missing (`ANY_SIGNOFF` alone: the board
        names no roles and nobody signed it)."""
        rules = workflow.Rules(signoff_roles=self.signoff_roles())
        return req.current_approvals, workflow.signoffs_missing(req, rules)

    def links(self) -> LinkIndex:
        """Every link on the board, both ways (see store.links)."""
        return LinkIndex.of(self.cards())

    def resolve_conflict(self, key: str, other: str, decision: str, *, reject: str | None = None,
                         expect_version: int | None = None) -> tuple[Requirement, Requirement]:
        """Settle the conflict between `key` and `other` with a decision, recorded on both (and in their
        histories) by this user; `reject` (one of the two) is rejected with the decision as its reason.
        Returns both requirements as saved.

        Raises Refused (not in conflict, already settled, the one to reject cannot be), InvalidValue (no
        decision; `reject` names neither), NotFound, Conflict (`key` is not at `expect_version`).
        """
        key, other = normalise_key(key), normalise_key(other)
        text = decision.strip()
        if not text:
            raise InvalidValue(_("a conflict is resolved by a decision: add --decision TEXT"),
                               {"decision": _("required")})
        rejected = normalise_key(reject) if reject else None
        if rejected is not None and rejected not in (key, other):
            raise InvalidValue(_("--reject names one of the two requirements in conflict ({key} or {other}), not "
                                 "{given}").format(key=key, other=other, given=rejected))
        with self.transaction() as tx:
            first, second = tx.requirement(key), tx.requirement(other)
            tx.check_version(first, expect_version)
            index = links_of(tx)
            if other not in index.conflicts_of(key):
                raise Refused(_("{key} and {other} are not in conflict: nothing to resolve").format(
                    key=key, other=other), "conflict.none")
            if index.is_resolved(key, other):
                raise Refused(_("the conflict between {key} and {other} is already resolved").format(
                    key=key, other=other), "conflict.resolved")
            saved = []
            for req, partner in ((first, second), (second, first)):
                try:
                    resolution = Resolution(other=partner.key, other_uid=partner.uid, by=tx.user, at=tx.now,
                                            decision=text, rejected=rejected)
                except ValidationError as exc:
                    raise validation_message(exc, _("decision")) from None
                changes: dict[str, Any] = {"resolutions": (*req.resolutions, resolution)}
                tx.record_event(req.key, "resolved", field="conflicts_with", new=partner.key, reason=text)
                if req.key == rejected:
                    refusal = workflow.check_move(req, State.REJECTED, text)
                    if refusal:
                        raise Refused(refusal.message, refusal.rule)
                    changes.update(tx.enter(req, State.REJECTED))
                    changes["rejection_reason"] = text
                updated = tx.revise(req, **changes)
                record_diff(tx, req, updated, "resolved", text)
                tx.put_requirement(updated, new=False)
                saved.append(updated)
            return saved[0], saved[1]


def signoff_changes(tx: Transaction, req: Requirement, comment: str = "", *, role: str = "",
                    on_behalf_of: str = "") -> dict[str, Any]:
    """The changes of one sign-off of `req`'s current text inside `tx` (what `Board.approve` makes, and a
    move of an analysed requirement to approved with only sign-off inputs): the approval, and the move to
    approved once every role has signed; its history event is recorded. Every rule is checked here,
    against the board as the transaction sees it. Raises Refused, InvalidValue (see `Board.approve`)."""
    if req.state is State.REJECTED:
        raise Refused(_("{key} is rejected: reopen it with reqboard move {key} collected --reason TEXT, and analyse "
                        "it, before it can be approved").format(key=req.key), "approved.no_skip")
    if req.state is State.COLLECTED:
        missing = workflow.needs_for(req, State.ANALYSED)
        if missing:
            message = _("{key} is {state}: it must be analysed before it can be approved: it needs "
                        "{missing} first")
        else:
            message = _("{key} is {state}: it must be analysed before it can be approved")
        raise Refused(message.format(key=req.key, state=req.state.label.lower(),
                                     missing=listed(missing)), "approved.no_skip")
    rules = board_rules(tx, req, conflicts=True)
    if rules.open_conflicts:
        raise Refused(workflow.conflict_message(req.key, rules.open_conflicts), "approved.conflict")
    signed_as = role_of(role, rules.signoff_roles, req.key)
    on_behalf_of = " ".join(on_behalf_of.split())
    already = _already_signed(req, rules, signed_as, on_behalf_of or tx.user)
    if already is not None:
        if req.state is State.ANALYSED and not workflow.signoffs_missing(req, rules):
            # Signed off before it was moved back: approving moves it on, without a second signature.
            refusal = workflow.check_move(req, State.APPROVED, rules=rules)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
            return tx.enter(req, State.APPROVED)
        raise already
    try:
        approval = Approval(by=tx.user, at=tx.now, comment=comment, text_hash=text_hash(req),
                            text=approval_text(req), role=signed_as, on_behalf_of=on_behalf_of,
                            roles_asked=rules.signoff_roles)
    except ValidationError as exc:
        raise validation_message(exc, _("approval")) from None
    changes: dict[str, Any] = {"approvals": (*req.approvals, approval)}
    if req.state is State.ANALYSED:
        candidate = req.model_copy(update=changes)
        if not workflow.signoffs_missing(candidate, rules):
            refusal = workflow.check_move(candidate, State.APPROVED, rules=rules)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
            changes.update(tx.enter(req, State.APPROVED))
    # Reads "approved version 4 as customer (comment)": which text, in which role; the comment is the reason.
    tx.record_event(req.key, "approved", new=signed_note(req.version, signed_as, approval.on_behalf_of),
                    reason=comment)
    return changes


def _already_signed(req: Requirement, rules: workflow.Rules, role: str, signer: str) -> Refused | None:
    """The refusal of a second sign-off of the same text in the same role (by the same signer, on a
    board without roles), or None."""
    for earlier in req.current_approvals:
        if rules.signoff_roles and earlier.role.casefold() == role.casefold():
            return Refused(_("{key} is already signed off by {role} ({signer}) and unchanged since").format(
                key=req.key, role=role, signer=earlier.signer), "approved.same")
        if not rules.signoff_roles and earlier.signer == signer and earlier.role == role:
            return Refused(_("{key} is already approved and unchanged since").format(key=req.key), "approved.same")
    return None


def missing_shown(missing: tuple[str, ...]) -> str:
    """The sign-offs still missing as a person reads them: the roles, or "an approval"."""
    if missing == (ANY_SIGNOFF,):
        return _("an approval")
    return listed(missing)


