"""Case look-ups and the changes staff make to a case, each with its audit entry."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlmodel import Session, select

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


def assign(session: Session, case: Case, assignee: str, actor: str) -> str | None:
    """Give CASE to ASSIGNEE; returns who had it before."""
    before = case.assignee
    case.assignee = assignee
    case.updated_at = utcnow()
    session.add(case)
    audit.append(session, actor=actor, action="case.assigned", subject_type="case", subject_id=case.id,
                 details={"number": case.number, "from": before, "to": assignee})
    return before


def touch(session: Session, case: Case) -> None:
    """Something new arrived for the case: its row is held (see hold) before anything is audited."""
    hold(session, [case.id])
    case.updated_at = utcnow()
    session.add(case)
