"""Durable acceptance: the raw bytes on disk (fsync) and the inbound row committed, or an error.

Every channel hands a message over through accept(); only after it returns may the channel tell
the sender "accepted" (SMTP 250, IMAP flag, Telegram offset).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from store import inbound, turns
from store.models import Inbound
from store.store import Store


@dataclass(frozen=True)
class Arrival:
    """Where a message came from: the same record for every channel."""

    channel: str
    mailbox: str
    external_id: str | None = None
    envelope_from: str | None = None
    envelope_to: list[str] = field(default_factory=list)
    peer: str | None = None
    # Whose turn it is when work is taken (store.turns): a client network, a chat; None: the
    # channel and mailbox (an IMAP mailbox, an ingest run).
    source: str | None = None

    def source_description(self) -> str:
        return self.source or f"{self.channel}|{self.mailbox}"


def _row(store: Store, raw: bytes, arrival: Arrival) -> Inbound:
    """The inbound row of RAW, whose blob is made durable first."""
    sha256 = store.blobs.put(raw)
    return Inbound(
        channel=arrival.channel,
        mailbox=arrival.mailbox,
        external_id=arrival.external_id,
        envelope_from=arrival.envelope_from,
        envelope_to=list(arrival.envelope_to),
        peer=arrival.peer,
        source=turns.source_key(store.keyring, arrival.source_description()),
        raw_path=f"blobs/{store.blobs.relative(sha256)}",
        raw_sha256=sha256,
        raw_size=len(raw),
    )


def accept(store: Store, raw: bytes, arrival: Arrival) -> tuple[int, bool]:
    """Keep RAW durably; returns (inbound id, True) or, for an arrival seen before, (its id, False)."""
    row = _row(store, raw, arrival)
    try:
        with store.transaction() as session:
            inbound.queue(session, [row])
        return row.id, True
    except IntegrityError:
        if arrival.external_id is None:
            raise
    # The same IMAP UID or Telegram update again: already durable, nothing more to do.
    with store.transaction() as session:
        existing = inbound.arrival_id(session, arrival.channel, arrival.mailbox, arrival.external_id)
    return existing, False


class GroupAcceptor:
    """Acceptance for a listener with many concurrent senders: the blobs are written side by side,
    and the rows that arrive while one commit is on its way share the next commit.

    Every caller still gets its answer only after its own row is durable; one fsync simply
    serves several messages. Only for arrivals without an external id (they cannot collide).
    """

    def __init__(self, store: Store, max_batch: int = 64):
        self.store = store
        self.max_batch = max_batch
        self._waiting: list[tuple[Inbound, asyncio.Future]] = []
        self._committing = False

    async def accept(self, raw: bytes, arrival: Arrival) -> int:
        if arrival.external_id is not None:
            raise ValueError("arrivals with an external id go through accept(), which handles repeats")
        row = await asyncio.to_thread(_row, self.store, raw, arrival)
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append((row, waiter))
        if not self._committing:
            self._committing = True
            asyncio.get_running_loop().create_task(self._commit_all())
        return await waiter

    async def _commit_all(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch:]
                try:
                    await asyncio.to_thread(self._insert, [row for row, _ in batch])
                except Exception as exc:  # every caller of the batch answers "try again later"
                    for _, waiter in batch:
                        if not waiter.done():
                            waiter.set_exception(exc)
                else:
                    for row, waiter in batch:
                        if not waiter.done():
                            waiter.set_result(row.id)
        finally:
            self._committing = False

    def _insert(self, rows: list[Inbound]) -> None:
        with self.store.transaction() as session:
            inbound.queue(session, rows)
