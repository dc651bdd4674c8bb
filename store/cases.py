"""Case look-ups and the changes staff make to a case, each with its audit entry."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, func, select

from store import audit
from store.models import AuditEvent, Case, CaseMessage, CaseStatus, Evidence, utcnow


def by_number(session: Session, number: str, *, lock: bool = False) -> Case | None:
    query = select(Case).where(Case.number == number)
    found = session.exec(query).one_or_none()
    if found is not None and lock:
        hold(session, [found.id])
    return found


def hold(session: Session, case_ids: Collection[int]) -> list[Case]:
    """Lock the rows of CASE_IDS (in id order) for a change, and read them again.

    The lock order on PostgreSQL, everywhere: the inbound or outbox row being worked on, then
    case rows in id order, then the audit chain's head (store.audit), then deadline rows. A
    writer that will append to the audit log and change a case takes the case first. FOR NO KEY
    UPDATE, not FOR UPDATE: a row inserted that only refers to the case (a link, a message, a
    deadline) does not wait for it."""
    if not case_ids:
        return []
    query = (select(Case).where(Case.id.in_(sorted(set(case_ids)))).order_by(Case.id)
             .with_for_update(key_share=True).execution_options(populate_existing=True))
    return list(session.exec(query).all())


def get(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


NUMBER = re.compile(r"^[A-Z]{1,6}-\d{4}-\d{6}$")


@dataclass(frozen=True)
class Filters:
    """Which cases a queue shows: open ones (or those in STATUSES) narrowed by each filter given."""

    statuses: Sequence[str] = ()
    kinds: Sequence[str] = ()
    areas: Sequence[str] = ()
    violations: Sequence[str] = ()
    channels: Sequence[str] = ()
    priority: int | None = None            # at most this priority number
    assignee: str | None = None
    late_at: datetime | None = None        # only cases owing a deadline due before this moment
    unverified: bool = False               # only cases whose sender was not verified
    review: bool = False                   # only cases whose labels the classifier asked a person to check
    number: str | None = None              # case numbers containing this
    case_ids: Collection[int] | None = None  # only these cases (what a search found)


def _where(query, filters: Filters):
    query = query.where(Case.status.in_(filters.statuses or CaseStatus.open_ones()))
    for column, wanted in ((Case.kind, filters.kinds), (Case.area, filters.areas),
                           (Case.violation, filters.violations), (Case.channel, filters.channels)):
        if wanted:
            query = query.where(column.in_(wanted))
    if filters.priority:
        query = query.where(Case.priority <= filters.priority)
    if filters.assignee:
        query = query.where(Case.assignee == filters.assignee)
    if filters.late_at is not None:
        query = query.where(Case.due_at < filters.late_at)
    if filters.unverified:
        query = query.where(Case.sender_verified.is_(False))
    if filters.review:
        query = query.where(Case.review.is_(True))
    if filters.case_ids is not None:
        query = query.where(Case.id.in_(sorted(filters.case_ids)))
    if filters.number and NUMBER.match(filters.number):
        query = query.where(Case.number == filters.number)      # a whole number: the unique index
    elif filters.number:
        escaped = filters.number.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Case.number.like(f"%{escaped}%", escape="\\"))
    return query


def queue(session: Session, *, statuses: Sequence[str] = (), kinds: Sequence[str] = (), areas: Sequence[str] = (),
          violations: Sequence[str] = (), channels: Sequence[str] = (), priority: int | None = None,
          limit: int | None = None) -> list[Case]:
    """The triage queue: open cases (or those in STATUSES), most urgent first; among equals the
    nearest deadline, then the oldest."""
    filters = Filters(statuses=statuses, kinds=kinds, areas=areas, violations=violations, channels=channels,
                      priority=priority)
    return page(session, filters, limit=limit)


def page(session: Session, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[Case]:
    """A page of the queue FILTERS select, most urgent first."""
    query = _where(select(Case.id), filters)
    # The order of ix_case_queue_order, expression and all, so the database can read a page in
    # order; and only the ids are ordered, so a sort (where it still sorts) moves narrow rows.
    query = query.order_by(Case.priority, text("(due_at IS NULL)"), Case.due_at, Case.created_at, Case.id)
    ids = list(session.exec(query.offset(offset).limit(limit)).all())
    found = {case.id: case for case in session.exec(select(Case).where(Case.id.in_(ids)))} if ids else {}
    return [found[case_id] for case_id in ids]


def count(session: Session, filters: Filters) -> int:
    return session.exec(_where(select(func.count(Case.id)), filters)).one()


def counts_by(session: Session, filters: Filters, names: Sequence[str]) -> dict[str, dict[str, int]]:
    """How many cases FILTERS select, per value of each column of NAMES (kind, area, ...)."""
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    if session.get_bind().dialect.name == "sqlite":
        # SQLite counts each column fastest from its own (column, status) index, without the table.
        for name in names:
            column = getattr(Case, name)
            for value, n in session.exec(_where(select(column, func.count(Case.id)), filters).group_by(column)):
                counts[name][str(value) if value is not None else ""] = n
        return counts
    # PostgreSQL counts them all in one pass over the table.
    columns = [getattr(Case, name) for name in names]
    rows = session.exec(_where(select(*columns, func.count(Case.id)), filters).group_by(*columns)).all()
    for row in rows:
        for name, value in zip(names, row[:-1], strict=True):
            key = str(value) if value is not None else ""
            counts[name][key] = counts[name].get(key, 0) + row[-1]
    return counts


def messages(session: Session, case_id: int) -> list[CaseMessage]:
    return list(session.exec(select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)).all())


def evidence(session: Session, case_id: int, items: Sequence[int] = ()) -> list[Evidence]:
    """The case's evidence items in order; only those numbered ITEMS when given."""
    query = select(Evidence).where(Evidence.case_id == case_id)
    if items:
        query = query.where(Evidence.item.in_(items))
    return list(session.exec(query.order_by(Evidence.item)).all())


def set_status(session: Session, case: Case, status: str, actor: str, *, reason: str | None = None,
               outcome: str | None = None, routed_to: str | None = None, merged_into: Case | None = None,
               at: datetime | None = None) -> AuditEvent:
    """Move CASE to STATUS (cases/procedure.py decides whether it may) and record what goes with
    it: the reason, the unit it went to, the case it joined, the outcome for the reporter (and, on
    conclusion, the reason as the internal conclusion). Returns the audit entry, whose details say
    the status before ("from")."""
    at = at or utcnow()
    before = case.status
    case.status = status
    case.updated_at = at
    if outcome:
        case.outcome = outcome
    if routed_to:
        case.routed_to = routed_to
    if merged_into is not None:
        case.merged_into = merged_into.id
    if status == CaseStatus.ACCEPTED:
        case.accepted_at = at
    if status == CaseStatus.CONCLUDED:
        case.concluded_at = at
        case.conclusion = reason
    session.add(case)
    details = {"number": case.number, "from": before, "to": status, "reason": reason, "outcome": outcome}
    if routed_to:
        details["unit"] = routed_to
    if merged_into is not None:
        details["merged_into"] = merged_into.number
    return audit.append(session, actor=actor, action="case.status", subject_type="case", subject_id=case.id,
                        details=details)


def assign(session: Session, case: Case, assignee: str | None, actor: str) -> str | None:
    """Give CASE to ASSIGNEE (None: to nobody); returns who had it before."""
    before = case.assignee
    case.assignee = assignee
    case.updated_at = utcnow()
    session.add(case)
    audit.append(session, actor=actor, action="case.assigned", subject_type="case", subject_id=case.id,
                 details={"number": case.number, "from": before, "to": assignee})
    return before


def relabel(session: Session, case: Case, actor: str, **labels) -> dict:
    """Staff correct CASE's labels (kind, area, violation, priority; None: left as it is), which
    also ends its call for review. The
    audit entry keeps what the classifier said and what staff made of it: `bot.py corrections
    export` reads them back as training data. Returns the changes."""
    changes = {name: {"from": getattr(case, name), "to": value} for name, value in labels.items()
               if value is not None and value != getattr(case, name)}
    if not changes:
        return changes
    for name, change in changes.items():
        setattr(case, name, change["to"])
    # a person has now looked at the labels
    case.review = False
    case.updated_at = utcnow()
    session.add(case)
    audit.append(session, actor=actor, action="case.labelled", subject_type="case", subject_id=case.id,
                 details={"number": case.number, "changes": changes})
    return changes


def touch(session: Session, case: Case) -> None:
    """Something new arrived for the case: its row is held (see hold) before anything is audited."""
    hold(session, [case.id])
    case.updated_at = utcnow()
    session.add(case)
