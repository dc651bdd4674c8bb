"""The append-only audit log: each entry carries the hash of the one before, so any change shows,
and is signed with the audit key (store/signing.py), so a chain rebuilt by whoever can write the
database, hashes and all, shows too. The head (entry number, hash, signature), recorded outside,
proves later that the chain still extends it: that also catches a chain rebuilt with the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from store import signing
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
    signer = signing.of(session)
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
    # The hash covers the previous hash, so signing it signs the whole chain up to here.
    event.signature = signer.sign(event.hash.encode("ascii")).hex()
    event.key_id = signer.key_id
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
    """Every break in the chain, in order: altered, inserted, deleted or truncated entries, and
    entries whose signature was not made by a trusted audit key."""
    signer = signing.of(session)
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
            problem = signer.problem(event.hash.encode("ascii"), event.signature, event.key_id)
            if problem:
                yield ChainProblem(event.id, problem)
            previous, last_id = event.hash, event.id
    head = session.exec(select(Counter).where(Counter.name == HEAD)).one_or_none()
    if head is not None and head.text != previous:
        yield ChainProblem(head.value or None, "the chain's head names an entry that is missing (truncated log)")


@dataclass(frozen=True)
class Head:
    """The newest entry, as a person records it: "N:HASH:SIGNATURE" (entry 0 is the empty log)."""

    entry: int
    hash: str
    signature: str | None = None
    key_id: str | None = None
    at: datetime | None = None

    def __str__(self) -> str:
        return f"{self.entry}:{self.hash}:{self.signature or ''}"

    @classmethod
    def parse(cls, value: str) -> Head:
        """Read "N:HASH" or "N:HASH:SIGNATURE", as `audit head` prints it."""
        parts = value.strip().split(":")
        if len(parts) not in (2, 3) or not parts[0].isdigit() or len(parts[1]) != 64:
            raise ValueError(f"not an audit head (N:HASH or N:HASH:SIGNATURE): {value!r}")
        try:
            int(parts[1], 16)
            if len(parts) == 3 and parts[2]:
                bytes.fromhex(parts[2])
        except ValueError:
            raise ValueError(f"not an audit head (hash and signature are hex): {value!r}") from None
        return cls(int(parts[0]), parts[1].lower(), (parts[2].lower() or None) if len(parts) == 3 else None)


def head(session: Session) -> Head:
    newest = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one_or_none()
    if newest is None:
        return Head(0, GENESIS)
    return Head(newest.id, newest.hash, newest.signature, newest.key_id, newest.at)


def check_head(session: Session, recorded: Head) -> Iterator[ChainProblem]:
    """Whether the chain still extends RECORDED: its entry still has that hash (so nothing before
    it changed, even re-signed), and the recorded signature, if given, is ours. The chain from
    there to now is checked by check_chain."""
    signer = signing.of(session)
    if recorded.signature and not signer.made_by_trusted_key(recorded.hash.encode("ascii"), recorded.signature):
        yield ChainProblem(recorded.entry, "the recorded head's signature was not made by a trusted audit key")
    if recorded.entry == 0:
        if recorded.hash != GENESIS:
            yield ChainProblem(None, "the recorded head names entry 0 with a hash other than the empty log's")
        return
    event = session.get(AuditEvent, recorded.entry)
    if event is None:
        yield ChainProblem(recorded.entry, "the recorded head's entry is missing (log truncated or rebuilt)")
    elif event.hash != recorded.hash:
        yield ChainProblem(recorded.entry, f"its hash is {event.hash} but the recorded head says {recorded.hash} "
                                           "(the chain up to the recorded head was rebuilt)")


def of_subject(session: Session, subject_type: str, subject_id: str | int, limit: int = 500) -> list[AuditEvent]:
    """The entries about one subject (a case's trail), oldest first."""
    query = (select(AuditEvent).where(AuditEvent.subject_type == subject_type,
                                      AuditEvent.subject_id == str(subject_id))
             .order_by(AuditEvent.id.desc()).limit(limit))
    return list(reversed(session.exec(query).all()))


def recent(session: Session, limit: int = 200, before: int | None = None) -> list[AuditEvent]:
    """The newest entries (older than entry BEFORE when given), newest first."""
    query = select(AuditEvent)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(session.exec(query.order_by(AuditEvent.id.desc()).limit(limit)))


def with_action(session: Session, action: str) -> list[AuditEvent]:
    """Every entry of ACTION, oldest first."""
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
