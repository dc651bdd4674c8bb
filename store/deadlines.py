"""Deadlines of cases (the rows; what each kind means and how long it runs is cases/deadlines.py):
opened, settled by an event, marked late, counted again on a newer calendar, listed. Case.due_at
is kept as the nearest deadline still owed, so the queue sorts by it. Every function works in the
caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from store import audit, cases
from store.models import AuditEvent, Case, Counter, Deadline, DeadlineState

OWED = (DeadlineState.OPEN, DeadlineState.OVERDUE)
# The notice (an outbox purpose) whose delivery settles a deadline: the reporter has been told
# when it is sent, not when it is queued (store.outbox.record settles it).
SETTLED_BY_NOTICE = {
    "acceptance": "acceptance_notice",
    "not_accepted": "acceptance_notice",
    "transferred": "acceptance_notice",
    "outcome": "result_notice",
}
DIGEST = "deadline_digest"


def state_at(row: Deadline, now: datetime) -> str:
    """ROW's state as of NOW: an open deadline past its moment is late even before the scheduler
    has marked it."""
    if row.state == DeadlineState.OPEN and row.due_at < now:
        return DeadlineState.OVERDUE
    return row.state


def of_case(session: Session, case_id: int) -> list[Deadline]:
    return list(session.exec(select(Deadline).where(Deadline.case_id == case_id)
                             .order_by(Deadline.due_at, Deadline.id)))


def open_one(session: Session, case: Case, *, kind: str, started_at: datetime, working_days: int,
             due_at: datetime, calendar_confirmed: bool, event: AuditEvent | None) -> Deadline:
    """Open KIND for CASE (one of each kind per case: an existing one is kept as it is)."""
    existing = session.exec(select(Deadline).where(Deadline.case_id == case.id, Deadline.kind == kind)).one_or_none()
    if existing is not None:
        return existing
    row = Deadline(case_id=case.id, kind=kind, started_at=started_at, working_days=working_days, due_at=due_at,
                   calendar_confirmed=calendar_confirmed, opened_event=event.id if event else None)
    session.add(row)
    session.flush()
    sync_due(session, case)
    return row


def settle(session: Session, case: Case, kinds: Iterable[str], event: AuditEvent, at: datetime) -> list[Deadline]:
    """The deadlines of KINDS still owed by CASE are met (or made moot) by EVENT."""
    kinds = set(kinds)
    settled = [row for row in of_case(session, case.id) if row.kind in kinds and row.state in OWED]
    for row in settled:
        _close(session, row, event, at)
    if settled:
        sync_due(session, case)
    return settled


def case_of_notice(session: Session, case_id: int | None, purpose: str) -> Case | None:
    """The case whose deadline a notice of PURPOSE meets, its row locked; None when it meets none.

    Taken before the audit entry of the sending, in the lock order of store.cases.hold."""
    if case_id is None or purpose not in SETTLED_BY_NOTICE:
        return None
    held = cases.hold(session, [case_id])
    return held[0] if held else None


def settle_by_notice(session: Session, case: Case, purpose: str, event: AuditEvent, at: datetime) -> list[Deadline]:
    """A notice of PURPOSE about CASE (from case_of_notice) was sent: the deadline it answers is met."""
    return settle(session, case, [SETTLED_BY_NOTICE[purpose]], event, at)


def _close(session: Session, row: Deadline, event: AuditEvent, at: datetime) -> None:
    row.state = DeadlineState.DONE
    row.closed_at = at
    row.closed_event = event.id
    row.closed_by = event.action
    session.add(row)


def sync_due(session: Session, case: Case) -> None:
    """Case.due_at := the nearest deadline CASE still owes (None when it owes none)."""
    owed = [row.due_at for row in of_case(session, case.id) if row.state in OWED]
    case.due_at = min(owed) if owed else None
    session.add(case)


def mark_overdue(session: Session, now: datetime) -> list[Deadline]:
    """Open deadlines whose moment has passed become overdue, each with an audit entry."""
    late_query = select(Deadline).where(Deadline.state == DeadlineState.OPEN, Deadline.due_at < now)
    # Their cases first (store.cases.hold), then the deadlines, read again under the locks.
    cases.hold(session, set(session.exec(late_query.with_only_columns(Deadline.case_id)).all()))
    late = list(session.exec(late_query.order_by(Deadline.due_at, Deadline.id).with_for_update()
                             .execution_options(populate_existing=True)))
    numbers = _numbers(session, {row.case_id for row in late})
    for row in late:
        row.state = DeadlineState.OVERDUE
        session.add(row)
        audit.append(session, actor="system", action="deadline.overdue", subject_type="case", subject_id=row.case_id,
                     details={"number": numbers.get(row.case_id), "kind": row.kind, "due_at": row.due_at.isoformat()})
    return late


def unconfirmed(session: Session) -> list[Deadline]:
    """Deadlines still owed that were counted on a calendar nobody had confirmed."""
    return list(session.exec(select(Deadline).where(Deadline.state.in_(OWED), Deadline.calendar_confirmed.is_(False))
                             .order_by(Deadline.id)))


def reschedule(session: Session, row: Deadline, due_at: datetime, calendar_confirmed: bool, now: datetime) -> bool:
    """ROW counted again (a calendar year was loaded since); an audit entry when its day moved."""
    # The case first, then its deadline: the order of store.cases.hold.
    case = cases.hold(session, [row.case_id])[0]
    session.refresh(row, with_for_update=True)
    if row.state not in OWED or (row.due_at == due_at and row.calendar_confirmed == calendar_confirmed):
        return False
    before = row.due_at
    row.due_at, row.calendar_confirmed = due_at, calendar_confirmed
    if row.state == DeadlineState.OVERDUE and due_at >= now:
        row.state = DeadlineState.OPEN
    session.add(row)
    if before != due_at:
        audit.append(session, actor="system", action="deadline.rescheduled", subject_type="case",
                     subject_id=row.case_id,
                     details={"number": case.number, "kind": row.kind, "from": before.isoformat(),
                              "to": due_at.isoformat(), "calendar_confirmed": calendar_confirmed})
    sync_due(session, case)
    return True


def owed(session: Session, *, due_by: datetime | None = None, late_at: datetime | None = None,
         limit: int | None = None) -> list[tuple[Deadline, Case]]:
    """Deadlines still owed with their cases, nearest first: those due by DUE_BY, and late at
    LATE_AT (marked or not), when given."""
    query = select(Deadline, Case).join(Case, Case.id == Deadline.case_id).where(Deadline.state.in_(OWED))
    if due_by is not None:
        query = query.where(Deadline.due_at <= due_by)
    if late_at is not None:
        query = query.where((Deadline.state == DeadlineState.OVERDUE) | (Deadline.due_at < late_at))
    query = query.order_by(Deadline.due_at, Deadline.id)
    return [tuple(pair) for pair in session.exec(query.limit(limit))]


def nearest(session: Session, case_ids: Sequence[int]) -> dict[int, Deadline]:
    """The nearest deadline still owed by each of CASE_IDS that owes one."""
    found: dict[int, Deadline] = {}
    if not case_ids:
        return found
    query = (select(Deadline).where(Deadline.case_id.in_(case_ids), Deadline.state.in_(OWED))
             .order_by(Deadline.due_at, Deadline.id))
    for row in session.exec(query):
        found.setdefault(row.case_id, row)
    return found


def claim_digest_day(session: Session, day: date) -> bool:
    """True once per DAY across every process sharing the store: that one sends the digest."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.exec(insert(Counter).values(name=DIGEST, value=0, text="").on_conflict_do_nothing())
    counter = session.exec(select(Counter).where(Counter.name == DIGEST).with_for_update()).one()
    if counter.text == day.isoformat():
        return False
    counter.text = day.isoformat()
    counter.value += 1
    session.add(counter)
    return True


def _numbers(session: Session, case_ids: set[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    return dict(session.exec(select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())
