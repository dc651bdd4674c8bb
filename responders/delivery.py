"""What every outbox sender shares: claim due answers of one channel, deliver each, record the result
(sent, retry later with backoff, or failed for good), with an audit entry for the end states."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from sqlmodel import select

from store import audit, claims
from store.models import Outbox, OutboxStatus, utcnow
from store.store import Store

log = logging.getLogger(__name__)
MAX_DELAY = timedelta(hours=6)


class OutboxSender:
    """Subclasses set `channel` and implement deliver(), calling _load() first and _record() last."""

    channel: str

    def __init__(self, store: Store, *, max_attempts: int, retry_base_seconds: float, lease_seconds: float = 120):
        self.store = store
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds
        self.lease_seconds = lease_seconds

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None, idle_seconds: float = 1.0) -> None:
        token = claims.new_token()
        while not stop.is_set():
            try:
                ids = await asyncio.to_thread(
                    claims.claim_outbox, self.store, token, self.lease_seconds, self.channel, 1
                )
            except Exception:
                log.exception("cannot claim %s answers to send; retrying in 5 seconds", self.channel)
                await claims.wait_for_work(stop, None, 5)
                continue
            if not ids:
                await claims.wait_for_work(stop, wake, idle_seconds)
                continue
            for outbox_id in ids:
                await self.deliver(outbox_id, token)

    async def deliver(self, outbox_id: int, token: str) -> str:
        raise NotImplementedError

    def _load(self, outbox_id: int, token: str) -> Outbox | None:
        with self.store.reading() as session:
            row = session.get(Outbox, outbox_id)
            if row is None or row.claimed_by != token or row.status != OutboxStatus.SENDING:
                return None
            return row

    def _record(self, outbox_id: int, token: str, sent: bool, error: str | None, permanent: bool = False,
                wait: timedelta | None = None, details: dict | None = None) -> None:
        """WAIT: the receiving side asked us to come back after it; that is no failed attempt."""
        with self.store.transaction(durable=False) as session:
            row = session.exec(select(Outbox).where(Outbox.id == outbox_id).with_for_update()).one_or_none()
            if row is None or row.claimed_by != token:
                return
            row.attempts += 0 if wait is not None and not sent else 1
            row.claimed_by = None
            row.lease_until = None
            if sent:
                row.status = OutboxStatus.SENT
                row.sent_at = utcnow()
                row.secret = None
                row.last_error = None
                audit.append(session, actor="system", action="reply.sent", subject_type="case",
                             subject_id=row.case_id or "-",
                             details={"outbox_id": row.id, "purpose": row.purpose, "channel": row.channel,
                                      "message_id": row.message_id, **(details or {})})
            elif permanent or row.attempts >= self.max_attempts:
                row.status = OutboxStatus.FAILED
                row.last_error = error
                row.secret = None
                audit.append(session, actor="system", action="reply.failed", subject_type="case",
                             subject_id=row.case_id or "-",
                             details={"outbox_id": row.id, "purpose": row.purpose, "error": (error or "")[:500]})
            else:
                row.status = OutboxStatus.PENDING
                row.last_error = error
                row.next_attempt_at = utcnow() + (wait if wait is not None else
                                                  backoff(self.retry_base_seconds, row.attempts))
            session.add(row)


def backoff(base_seconds: float, attempts: int) -> timedelta:
    """Doubling delays with some jitter, so many failed answers do not all retry at one instant."""
    delay = min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_DELAY)
    return delay * random.uniform(0.8, 1.2)
