"""Every state change of an outbox row after it is queued (store.claims takes it for sending):
delivered (settling the deadline a notice answers), retried later, failed for good, each end with
its audit entry; and its look-ups."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from store import audit, deadlines, turns
from store.models import Inbound, Outbox, OutboxStatus, utcnow
from store.reporters import address_key
from store.store import Store

# The audit log is not sealed (its hashes must be recomputable): addresses are kept out of it.
ADDRESS = re.compile(r"[^\s<>@,;:\"']+@[^\s<>,;:\"']+")


def add(session: Session, row: Outbox) -> Outbox:
    """Queue ROW; its recipient is found again by a keyed hash, never by the sealed address."""
    row.recipient_key = address_key(session, row.channel, row.recipient)
    # Answers take turns by where they go: a mail domain (one flooded domain does not hold up the
    # others' answers) or a chat.
    where = row.recipient.rpartition("@")[2].lower() if row.channel == "email" else row.recipient
    row.source = turns.session_source_key(session, f"{row.channel}|{where}")
    if row.inbound_id is not None:
        # in the filing's session the message is at hand: no query
        answered = session.get(Inbound, row.inbound_id)
        row.inbound_source = answered.source if answered is not None else None
    turns.assign(session, Outbox, OutboxStatus.PENDING, [row])
    session.add(row)
    return row


def replies_since(session: Session, since: datetime, channel: str | None = None, recipient: str | None = None) -> int:
    """Answers queued since SINCE: to RECIPIENT (normalised, so +tags are one mailbox) when given."""
    return session.exec(select(_since(session, since, channel, recipient))).one()


def answer_counts(session: Session, now: datetime, channel: str, recipient: str, source: str) -> tuple[int, int, int]:
    """What the answer caps count, in one round trip: answers to RECIPIENT in the last day, all
    answers in the last hour, and those in the last hour to messages from SOURCE."""
    hour = now - timedelta(hours=1)
    return tuple(session.exec(select(_since(session, now - timedelta(days=1), channel, recipient),
                                     _since(session, hour), _to_source(hour, source))).one())


def _since(session: Session, since: datetime, channel: str | None = None, recipient: str | None = None):
    query = select(func.count(Outbox.id)).where(Outbox.created_at >= since)
    if channel is not None:
        query = query.where(Outbox.channel == channel)
    if recipient is not None:
        query = query.where(Outbox.recipient_key == address_key(session, channel, recipient))
    return query.scalar_subquery()


def _to_source(since: datetime, source: str):
    """Answers queued since SINCE to messages that came from SOURCE (an inbound's source)."""
    return (select(func.count(Outbox.id))
            .where(Outbox.inbound_source == source, Outbox.created_at >= since).scalar_subquery())


def case_answered(session: Session, message_ids: Sequence[str]) -> int | None:
    """The case of an answer of ours that one of MESSAGE_IDS names."""
    return session.exec(
        select(Outbox.case_id).where(Outbox.message_id.in_(message_ids), Outbox.case_id.is_not(None))
    ).first()


def held(store: Store, outbox_id: int, token: str) -> Outbox | None:
    """The row, if TOKEN still holds it for sending."""
    with store.reading() as session:
        row = session.get(Outbox, outbox_id)
        if row is None or row.claimed_by != token or row.status != OutboxStatus.SENDING:
            return None
        return row


def record(store: Store, outbox_id: int, token: str, *, sent: bool, error: str | None, permanent: bool,
           max_attempts: int, retry_delay: Callable[[int], timedelta], wait: timedelta | None = None,
           details: dict | None = None) -> None:
    """The result of one delivery attempt. Not sent: failed for good when PERMANENT or after
    MAX_ATTEMPTS, else pending again after WAIT (the other side asked us to come back then; that
    is no failed attempt) or RETRY_DELAY(attempts so far)."""
    with store.transaction(durable=False) as session:
        row = session.exec(select(Outbox).where(Outbox.id == outbox_id).with_for_update()).one_or_none()
        if row is None or row.claimed_by != token:
            return
        row.attempts += 0 if wait is not None and not sent else 1
        row.claimed_by = None
        row.lease_until = None
        if sent:
            case = deadlines.case_of_notice(session, row.case_id, row.purpose)
            row.status = OutboxStatus.SENT
            row.sent_at = utcnow()
            row.secret = None
            row.last_error = None
            event = audit.append(session, actor="system", action="reply.sent", subject_type="case",
                                 subject_id=row.case_id or "-",
                                 details={"outbox_id": row.id, "purpose": row.purpose, "channel": row.channel,
                                          "message_id": row.message_id, **(details or {})})
            # A notice the reporter is owed counts once it is delivered, not when it was queued.
            if case is not None:
                deadlines.settle_by_notice(session, case, row.purpose, event, row.sent_at)
        elif permanent or row.attempts >= max_attempts:
            row.status = OutboxStatus.FAILED
            row.last_error = error
            row.secret = None
            audit.append(session, actor="system", action="reply.failed", subject_type="case",
                         subject_id=row.case_id or "-",
                         details={"outbox_id": row.id, "purpose": row.purpose,
                                  "error": ADDRESS.sub("<address>", error or "")[:500]})
        else:
            row.status = OutboxStatus.PENDING
            row.last_error = error
            row.next_attempt_at = utcnow() + (wait if wait is not None else retry_delay(row.attempts))
        session.add(row)
