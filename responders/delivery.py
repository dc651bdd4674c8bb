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
                          self.deliver_all, f"{self.channel} answers to send", stop, wake, idle_seconds)

    async def deliver_all(self, ids: list[int], token: str) -> list[str]:
        """Deliver claimed answers side by side, so that one slow delivery (a relay that takes its
        time, a busy store) does not hold up the others; those to one recipient one after the
        other, in the order they were queued, so that a chat or mailbox never gets a later answer
        before an earlier one. What deliver() returned for each, in the order of IDS."""
        keys = await asyncio.to_thread(outbox.recipient_keys, self.store, ids)
        lines: dict[object, list[int]] = {}
        for outbox_id in ids:
            lines.setdefault(keys.get(outbox_id) or outbox_id, []).append(outbox_id)

        async def in_turn(line: list[int]) -> dict[int, str]:
            return {outbox_id: await self.deliver(outbox_id, token) for outbox_id in line}

        done = await asyncio.gather(*(in_turn(line) for line in lines.values()), return_exceptions=True)
        failures = [result for result in done if isinstance(result, BaseException)]
        if failures:
            # Every other delivery has ended; the first failure goes up as it would have alone.
            raise failures[0]
        results = {outbox_id: result for line in done for outbox_id, result in line.items()}
        return [results[outbox_id] for outbox_id in ids]

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
