"""What every outbox sender shares: claim due answers of one channel, deliver each, record the result
(sent, retry later with backoff, or failed for good), with an audit entry for the end states."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from net.backoff import delay
from store import claims, outbox
from store.models import Outbox
from store.store import Store

MAX_DELAY = timedelta(hours=6)
CLAIM_BATCH = 8


class OutboxSender:
    """Subclasses set `channel` and implement deliver(), calling _load() first and _record() last."""

    channel: str

    def __init__(self, store: Store, *, max_attempts: int, retry_base_seconds: float, lease_seconds: float = 120):
        self.store = store
        self.max_attempts = max_attempts
        self.retry_base_seconds = retry_base_seconds
        self.lease_seconds = lease_seconds

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None, idle_seconds: float = 1.0) -> None:
        # A few answers per claim: the claim is a durable commit (an answer may leave right after
        # it), and one fsync then serves the batch.
        await claims.work(lambda token: claims.claim_outbox(self.store, token, self.lease_seconds, self.channel,
                                                            CLAIM_BATCH),
                          self.deliver, f"{self.channel} answers to send", stop, wake, idle_seconds,
                          unclaim=lambda ids, token: claims.unclaim_outbox(self.store, ids, token))

    async def deliver(self, outbox_id: int, token: str) -> str:
        raise NotImplementedError

    def _load(self, outbox_id: int, token: str) -> Outbox | None:
        return outbox.held(self.store, outbox_id, token)

    def _record(self, outbox_id: int, token: str, sent: bool, error: str | None, permanent: bool = False,
                wait: timedelta | None = None, details: dict | None = None) -> None:
        """WAIT: the receiving side asked us to come back after it; that is no failed attempt."""
        outbox.record(self.store, outbox_id, token, sent=sent, error=error, permanent=permanent,
                      max_attempts=self.max_attempts, retry_delay=self._retry_delay, wait=wait, details=details)

    def _retry_delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=delay(attempts - 1, self.retry_base_seconds, MAX_DELAY.total_seconds()))
