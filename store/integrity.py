"""Integrity check of the whole store: the audit chain and its signatures (and, when given, a head
recorded earlier), each evidence row against the entry that recorded its acquisition, and every
stored file against its hash."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, select

from store.audit import Head, check_chain, check_head
from store.blobs import BlobStore
from store.models import AuditEvent, Evidence, Inbound

# What the acquisition entry vouches for; an evidence row that disagrees with it was changed.
_VOUCHED = ("case_id", "item", "sha256", "size")


def problems(session: Session, blobs: BlobStore, head: Head | None = None) -> Iterator[str]:
    for problem in check_chain(session):
        yield f"audit entry {problem.event_id}: {problem.reason}"
    for problem in check_head(session, head) if head is not None else ():
        yield f"audit entry {problem.event_id}: {problem.reason}"
    acquired = {
        event.subject_id: event
        for event in session.exec(
            select(AuditEvent).where(AuditEvent.action == "evidence.acquired", AuditEvent.subject_type == "evidence")
        )
    }
    checked: set[str] = set()
    for row in session.exec(select(Evidence).order_by(Evidence.id)):
        label = f"evidence {row.id} (case {row.case_id} item {row.item})"
        entry = acquired.get(str(row.id))
        if entry is None:
            yield f"{label}: no audit entry records its acquisition"
        else:
            for field in _VOUCHED:
                if entry.details.get(field) != getattr(row, field):
                    yield f"{label}: {field} is {getattr(row, field)!r} but audit entry {entry.id} recorded {entry.details.get(field)!r}"
        if row.sha256 not in checked:
            checked.add(row.sha256)
            reason = blobs.check(row.sha256)
            if reason:
                yield f"{label}: {reason}"
    for inbound_id, sha256 in session.exec(select(Inbound.id, Inbound.raw_sha256).order_by(Inbound.id)):
        if sha256 not in checked:
            checked.add(sha256)
            reason = blobs.check(sha256)
            if reason:
                yield f"inbound {inbound_id} raw message: {reason}"
