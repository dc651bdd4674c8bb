"""Every state change of an inbound message after its claim (store.claims takes it): finished,
retried later, quarantined, requeued; and the look-ups of inbound rows.

A change applies only to a row that still carries the caller's claim token, so a message whose
lease ran out and was taken by another worker is never finished twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from store import audit, turns
from store.models import CaseMessage, Inbound, InboundStatus
from store.store import Store

FINAL = (InboundStatus.FILED, InboundStatus.FOLLOW_UP, InboundStatus.DUPLICATE, InboundStatus.SCREENED,
         InboundStatus.QUARANTINED)


def arrival_id(session: Session, channel: str, mailbox: str, external_id: str) -> int:
    """The inbound row of an arrival seen before (the same IMAP UID, the same Telegram update)."""
    return session.exec(
        select(Inbound.id).where(
            Inbound.channel == channel, Inbound.mailbox == mailbox, Inbound.external_id == external_id
        )
    ).one()


def queue(session: Session, rows: Sequence[Inbound]) -> None:
    """Add newly accepted ROWS, each taking its turn among its source's messages."""
    turns.assign(session, Inbound, InboundStatus.RECEIVED, rows)
    session.add_all(rows)


def held(session: Session, inbound_id: int, token: str) -> Inbound | None:
    """The row if TOKEN still holds its claim, else None (held_all takes a batch, and locks it)."""
    row = session.get(Inbound, inbound_id)
    if row is None or row.claimed_by != token:
        return None
    return row


def held_all(session: Session, ids: Sequence[int], token: str, *, lock: bool = False) -> dict[int, Inbound]:
    """Those of IDS that TOKEN still holds, by id, in one query; LOCK takes them FOR UPDATE."""
    query = select(Inbound).where(Inbound.id.in_(ids), Inbound.claimed_by == token,
                                  Inbound.status == InboundStatus.PROCESSING)
    if lock:
        query = query.with_for_update()
    return {row.id: row for row in session.exec(query)}


def finish(session: Session, row: Inbound, status: InboundStatus) -> None:
    """The end of the pipeline for ROW; kept-out and repeated messages leave an audit entry."""
    row.status = status
    row.claimed_by = None
    row.lease_until = None
    row.last_error = None
    session.add(row)
    if status in (InboundStatus.SCREENED, InboundStatus.DUPLICATE):
        audit.append(session, actor="system", action=f"inbound.{status}", subject_type="inbound",
                     subject_id=row.id, details={"rule_hits": list(row.rule_hits), "duplicate_of": row.duplicate_of})


def retry_later(session: Session, row: Inbound, error: str, at: datetime) -> None:
    row.last_error = error
    row.claimed_by = None
    # Still "processing" with a lease in the future: the claim query takes it up again at AT.
    row.lease_until = at
    session.add(row)


def quarantine(session: Session, row: Inbound, error: str) -> None:
    row.status = InboundStatus.QUARANTINED
    row.last_error = error
    row.claimed_by = None
    row.lease_until = None
    session.add(row)
    audit.append(session, actor="system", action="inbound.quarantined", subject_type="inbound",
                 subject_id=row.id, details={"error": error[:500], "attempts": row.attempts})


def release_now(store: Store, inbound_id: int) -> None:
    """Back to the queue at once: a person running a command is waiting for it, not a worker."""
    with store.transaction() as session:
        row = session.get(Inbound, inbound_id)
        row.lease_until = None
        row.status = InboundStatus.RECEIVED
        session.add(row)


def requeue(session: Session, rows: Sequence[Inbound], actor: str) -> None:
    """Quarantined messages run again from the start, on a staff member's word."""
    for row in rows:
        row.status = InboundStatus.RECEIVED
        row.attempts = 0
        row.lease_until = None
        session.add(row)
        audit.append(session, actor=actor, action="inbound.reprocess", subject_type="inbound",
                     subject_id=row.id, details={"last_error": (row.last_error or "")[:500]})


def unfiled(store: Store) -> int:
    """Messages accepted and not yet at an end: waiting, being processed, or to be retried."""
    with store.reading() as session:
        return session.exec(select(func.count(Inbound.id)).where(
            Inbound.status.in_((InboundStatus.RECEIVED, InboundStatus.PROCESSING)))).one()


def status(store: Store, inbound_id: int) -> str:
    with store.reading() as session:
        return session.get(Inbound, inbound_id).status


def by_ids(session: Session, ids: Sequence[int]) -> list[Inbound]:
    return list(session.exec(select(Inbound).where(Inbound.id.in_(ids)).order_by(Inbound.id)).all())


def in_status(session: Session, wanted: InboundStatus, limit: int | None = None, newest_first: bool = False) -> list[Inbound]:
    order = Inbound.id.desc() if newest_first else Inbound.id
    return list(session.exec(select(Inbound).where(Inbound.status == wanted).order_by(order).limit(limit)).all())


def of_case(session: Session, case_id: int) -> list[Inbound]:
    """Every arrival of a case, duplicates included."""
    return list(session.exec(select(Inbound).where(Inbound.case_id == case_id).order_by(Inbound.id)).all())


def earlier_arrival(session: Session, row: Inbound, fingerprint: str) -> Inbound | None:
    """The first arrival, already filed or threaded, of the same content (subject, text,
    attachments) from ROW's sender: the same message delivered again. The same Message-ID alone
    is no proof of that: two different reports may carry one."""
    if not row.sender_key:
        return None
    done = (InboundStatus.FILED, InboundStatus.FOLLOW_UP)
    return session.exec(
        select(Inbound).where(Inbound.id != row.id, Inbound.sender_key == row.sender_key, Inbound.status.in_(done),
                              Inbound.body_sha256 == fingerprint).order_by(Inbound.id)
    ).first()


def case_of_own_message(session: Session, message_ids: Sequence[str], sender_key: str) -> int | None:
    """The case of an earlier message from the sender of SENDER_KEY that one of MESSAGE_IDS names."""
    return session.exec(
        select(Inbound.case_id).where(
            Inbound.message_id.in_(message_ids), Inbound.sender_key == sender_key, Inbound.case_id.is_not(None)
        )
    ).first()


def first_of_case(session: Session, case_id: int) -> Inbound | None:
    """The message that opened the case, which an answer about it replies to."""
    return session.exec(
        select(Inbound).join(CaseMessage, CaseMessage.inbound_id == Inbound.id)
        .where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
    ).first()
