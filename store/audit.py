"""The append-only audit log: each entry carries the hash of the one before, so any change shows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from store.models import AuditEvent, Counter, utcnow

GENESIS = "0" * 64
HEAD = "audit_head"


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str | int,
    details: dict | None = None,
) -> AuditEvent:
    """Add one entry; the caller's transaction commits it together with the change it records."""
    head = _lock_head(session)
    event = AuditEvent(
        # Numbered here rather than by the database, so the hash (which covers the number, so
        # that a deleted entry breaks the chain) is known before the row is written.
        id=head.value + 1,
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details or {},
        prev_hash=head.text or GENESIS,
        hash="",
    )
    event.hash = entry_hash(event)
    session.add(event)
    head.text = event.hash
    head.value = event.id
    return event


def _lock_head(session: Session) -> Counter:
    # One row holds the chain's head; locking it serialises appends across processes on
    # PostgreSQL (SQLite transactions already hold the write lock from their start). Within one
    # transaction the locked row is kept, not read again for every entry.
    head = session.info.get(HEAD)
    if head is not None:
        return head
    head = session.exec(select(Counter).where(Counter.name == HEAD).with_for_update()).one_or_none()
    if head is None:
        head = Counter(name=HEAD, value=0, text=GENESIS)
        session.add(head)
    session.info[HEAD] = head
    return head


def entry_hash(event: AuditEvent) -> str:
    canonical = json.dumps(
        {
            "id": event.id,
            "at": _instant(event.at),
            "actor": event.actor,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "details": event.details,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _instant(moment: datetime) -> str:
    # Hashed as naive UTC, the form the chain has always used, whatever zone the value carries.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    reason: str


def check_chain(session: Session, batch: int = 1000) -> Iterator[ChainProblem]:
    """Every break in the chain, in order: altered, inserted, deleted or truncated entries."""
    previous, last_id = GENESIS, 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            if event.prev_hash != previous:
                yield ChainProblem(event.id, "does not follow the entry before it (deleted or inserted entry)")
            if entry_hash(event) != event.hash:
                yield ChainProblem(event.id, "its content does not match its hash (altered entry)")
            previous, last_id = event.hash, event.id
    head = session.exec(select(Counter).where(Counter.name == HEAD)).one_or_none()
    if head is not None and head.text != previous:
        yield ChainProblem(head.value or None, "the chain's head names an entry that is missing (truncated log)")
