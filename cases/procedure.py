"""The case procedure as one table: which status may follow which, what staff must say for the
move, which notice the reporter is sent, which deadlines it opens and which it meets.

check() says in one line why a move is refused (the command makes that exit 2); change() makes an
allowed move in the caller's transaction: the status and its audit entry (store.cases), the
deadlines (cases.deadlines), and the notice, queued now and counted when it is sent.

A case filed as an inquiry (answered) or as outside the remit (referred) is settled at filing; it
is reopened as new when staff find it was a report after all. not_accepted, forwarded, merged and
closed are final.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cases import deadlines
from cases.calendar import WorkCalendar
from config.schema import Settings
from responders.notices import NOT_ACCEPTED_CATEGORIES, notice_text, queue_notice
from store import cases, models
from store import deadlines as deadline_rows
from store.models import Case, CaseStatus, Deadline, Outbox

S = CaseStatus
REASON, UNIT, OUTCOME, INTO = "reason", "to", "outcome", "into"


@dataclass(frozen=True)
class Move:
    needs: frozenset[str] = frozenset()   # what staff must give: REASON, UNIT (--to), OUTCOME, INTO
    notice: str | None = None             # the reporter's notice (a case that notifies its reporter)
    opens: tuple[str, ...] = ()           # deadline kinds (cases.deadlines.KINDS) started by the move
    meets: tuple[str, ...] = ()           # deadline kinds the move itself settles (after opening)


def move(*needs: str, notice: str | None = None, opens: tuple[str, ...] = (), meets: tuple[str, ...] = ()) -> Move:
    return Move(frozenset(needs), notice, opens, meets)


TRANSITIONS: dict[str, dict[str, Move]] = {
    S.NEW: {
        S.ACCEPTED: move(notice="acceptance", opens=("investigation",)),
        S.NOT_ACCEPTED: move(REASON, notice="not_accepted"),
        # Routing counts from receipt and is met by the move: the row records whether it was in time.
        S.TRANSFERRED: move(UNIT, notice="transferred", opens=("routing", "transfer_reply"), meets=("routing",)),
        S.FORWARDED: move(UNIT, notice="transferred", opens=("routing",), meets=("routing",)),
        # Its reporter's matter is decided with the case it joins.
        S.MERGED: move(INTO, meets=("acceptance_notice",)),
    },
    S.ACCEPTED: {S.INVESTIGATING: move()},
    S.INVESTIGATING: {
        S.CONCLUDED: move(REASON, OUTCOME, notice="outcome", opens=("result_notice",), meets=("investigation",)),
    },
    S.TRANSFERRED: {
        # The unit reported back: with a result for the reporter, or just closed.
        S.CONCLUDED: move(REASON, OUTCOME, notice="outcome", opens=("result_notice",), meets=("transfer_reply",)),
        S.CLOSED: move(REASON, meets=("transfer_reply",)),
    },
    S.CONCLUDED: {S.CLOSED: move()},
    S.ANSWERED: {S.NEW: move(REASON, opens=("acceptance_notice",))},
    S.REFERRED: {S.NEW: move(REASON, opens=("acceptance_notice",))},
}

OPTION = {REASON: "--reason", UNIT: "--to", OUTCOME: "--outcome", INTO: "INTO"}
# "CATEGORY" or "CATEGORY: the office's own note"; the reporter is told the category only.
_CATEGORY = re.compile(r"\s*([a-z_]+)\s*(?:[:：]|$)")


def allowed(status: str) -> list[str]:
    """The statuses a case in STATUS may move to (what a page offers)."""
    return list(TRANSITIONS.get(status, {}))


def unknown_status(status: str) -> str | None:
    if status in tuple(CaseStatus):
        return None
    return f"unknown status {status!r}; one of: {', '.join(CaseStatus)}"


def category(reason: str | None) -> str | None:
    found = _CATEGORY.match(reason or "")
    return found.group(1) if found and found.group(1) in NOT_ACCEPTED_CATEGORIES else None


def check(case: Case, status: str, *, reason: str | None = None, to: str | None = None,
          outcome: str | None = None, into: Case | None = None) -> str | None:
    """Why CASE may not move to STATUS with what was given, in one line naming what is allowed;
    None when it may."""
    problem = unknown_status(status)
    if problem:
        return problem
    moves = TRANSITIONS.get(case.status, {})
    if status not in moves:
        if not moves:
            return f"{case.number} is {case.status}, which is final: no status may follow it"
        return (f"{case.number} cannot go from {case.status} to {status}; "
                f"from {case.status} it may go to: {', '.join(moves)}")
    needs = moves[status].needs
    given = {REASON: reason, UNIT: to, OUTCOME: outcome, INTO: into}
    if INTO in needs and into is None:
        return f"{status} needs the case it joins: bot.py case merge {case.number} INTO"
    missing = [OPTION[need] for need in sorted(needs - {INTO}) if not (given[need] or "").strip()]
    if missing:
        return f"{case.number} -> {status} needs {' and '.join(missing)}"
    for name in (UNIT, OUTCOME):
        if given[name] is not None and name not in needs:
            return f"{OPTION[name]} does not go with {status}; it is for: {', '.join(_needing(name))}"
    if status == S.NOT_ACCEPTED and category(reason) is None:
        return (f"not_accepted needs --reason CATEGORY[: note], the category one of: "
                f"{', '.join(NOT_ACCEPTED_CATEGORIES)}")
    if to is not None and len(to.strip()) > 255:
        return "--to: a unit's name of at most 255 characters"
    if into is not None:
        if into.id == case.id:
            return f"{case.number} cannot be merged into itself"
        if into.status == S.MERGED:
            return f"{into.number} was itself merged into another case: merge into that one"
    return None


def _needing(need: str) -> list[str]:
    """The statuses whose moves need NEED."""
    return sorted({status for moves in TRANSITIONS.values() for status, step in moves.items() if need in step.needs})


@dataclass(frozen=True)
class Changed:
    before: str
    opened: list[Deadline]
    met: list[Deadline]
    notice: Outbox | None


def change(session: Session, settings: Settings, case: Case, status: str, actor: str, *, reason: str | None = None,
           to: str | None = None, outcome: str | None = None, into: Case | None = None,
           calendar: WorkCalendar | None = None, now: datetime | None = None) -> Changed:
    """Move CASE to STATUS, which check() allowed, with everything the move brings."""
    step = TRANSITIONS[case.status][status]
    now = now or models.utcnow()
    calendar = deadlines.calendar_for(session, settings, calendar)
    event = cases.set_status(session, case, status, actor, reason=reason, outcome=outcome,
                             routed_to=to.strip() if to else None, merged_into=into, at=now)
    before = event.details["from"]
    opened = [row for kind in step.opens
              if (row := deadlines.open_kind(session, settings, calendar, case, kind, event, now)) is not None]
    met = deadline_rows.settle(session, case, step.meets, event, now)
    notice = None
    if step.notice and case.notify_reporter:
        notice = queue_notice(session, settings, case, step.notice, category=category(reason))
    return Changed(before=before, opened=opened, met=met, notice=notice)


def merge(session: Session, settings: Settings, case: Case, into: Case, actor: str, *, reason: str | None = None,
          now: datetime | None = None) -> Changed:
    return change(session, settings, case, S.MERGED, actor, reason=reason, into=into, now=now)


def preview(settings: Settings, case: Case, status: str, *, reason: str | None = None, to: str | None = None,
            outcome: str | None = None) -> str | None:
    """The notice CASE's reporter would read if it moved to STATUS with what staff typed, before
    anything changes; None when the move sends none."""
    step = TRANSITIONS.get(case.status, {}).get(status)
    if step is None or step.notice is None:
        return None
    future = case.model_copy(update={"status": status, "outcome": outcome or case.outcome,
                                     "routed_to": to.strip() if to else case.routed_to})
    return notice_text(settings, future, step.notice, category(reason))
