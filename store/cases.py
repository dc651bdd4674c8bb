"""Case look-ups and the changes staff make to a case, each with its audit entry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from store import audit
from store.models import Case, CaseMessage, CaseStatus, Evidence, utcnow


def by_number(session: Session, number: str, *, lock: bool = False) -> Case | None:
    query = select(Case).where(Case.number == number)
    if lock:
        query = query.with_for_update()
    return session.exec(query).one_or_none()


def get(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def queue(session: Session, *, statuses: Sequence[str] = (), kinds: Sequence[str] = (), areas: Sequence[str] = (),
          violations: Sequence[str] = (), channels: Sequence[str] = (), priority: int | None = None,
          limit: int | None = None) -> list[Case]:
    """The triage queue: open cases (or those in STATUSES), most urgent first; among equals the
    nearest deadline, then the oldest."""
    query = select(Case).where(Case.status.in_(statuses or CaseStatus.open_ones()))
    for column, wanted in ((Case.kind, kinds), (Case.area, areas), (Case.violation, violations),
                           (Case.channel, channels)):
        if wanted:
            query = query.where(column.in_(wanted))
    if priority:
        query = query.where(Case.priority <= priority)
    query = query.order_by(Case.priority, Case.due_at.is_(None), Case.due_at, Case.created_at, Case.id)
    return list(session.exec(query.limit(limit)).all())


def messages(session: Session, case_id: int) -> list[CaseMessage]:
    return list(session.exec(select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)).all())


def evidence(session: Session, case_id: int, items: Sequence[int] = ()) -> list[Evidence]:
    """The case's evidence items in order; only those numbered ITEMS when given."""
    query = select(Evidence).where(Evidence.case_id == case_id)
    if items:
        query = query.where(Evidence.item.in_(items))
    return list(session.exec(query.order_by(Evidence.item)).all())


def set_status(session: Session, case: Case, status: str, actor: str, outcome: str | None = None) -> str:
    """Change the status (and the outcome for the reporter); returns the status before."""
    before = case.status
    case.status = status
    case.updated_at = utcnow()
    if outcome:
        case.outcome = outcome
    session.add(case)
    audit.append(session, actor=actor, action="case.status", subject_type="case", subject_id=case.id,
                 details={"number": case.number, "from": before, "to": status, "outcome": outcome})
    return before


def touch(session: Session, case: Case) -> None:
    """Something new arrived for the case."""
    case.updated_at = utcnow()
    session.add(case)
