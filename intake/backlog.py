"""The bound on what waits to be filed: past `[pipeline] max_backlog` unfiled messages, the
listeners stop taking more (SMTP answers 451, IMAP leaves mail on the server, Telegram fetches no
updates) until the pipeline catches up. Senders keep their mail meanwhile, so nothing is lost,
and the store's disk and the pipeline's work stay bounded whatever a flood sends.

The count is asked of the store at most every REFRESH_SECONDS, by `watch` off the event loop in
`bot.py run` (else by the first caller after that time): a listener under a flood checks it for
every message, and a count a moment old is as good a bound.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from store import inbound
from store.store import Store

log = logging.getLogger(__name__)
REFRESH_SECONDS = 1.0


class Backlog:
    """Whether unfiled messages have reached LIMIT (0: no limit). Thread-safe (IMAP readers)."""

    def __init__(self, store: Store | None, limit: int):
        self.store = store
        self.limit = limit
        self._lock = threading.Lock()
        self._count = 0
        self._checked = float("-inf")
        self._full = False
        self._watched = False

    def full(self) -> bool:
        if not self.limit or self.store is None:
            return False
        if not self._watched:
            self.refresh(stale_only=True)
        return self._full

    async def watch(self, stop: asyncio.Event) -> None:
        """Keep the count fresh from a thread until STOP, so that no listener waits for it."""
        if not self.limit or self.store is None:
            return
        self._watched = True
        try:
            while not stop.is_set():
                await asyncio.to_thread(self.refresh)
                try:
                    await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
                except TimeoutError:
                    pass
        finally:
            self._watched = False

    def refresh(self, stale_only: bool = False) -> None:
        with self._lock:
            if not stale_only or time.monotonic() - self._checked >= REFRESH_SECONDS:
                try:
                    self._count = inbound.unfiled(self.store)
                except Exception:
                    # The store is away: the listener's own storing fails and says so; the count
                    # keeps its last value.
                    log.exception("cannot count the backlog")
                self._checked = time.monotonic()
                full = self._count >= self.limit
                if full != self._full:
                    log.warning("backlog %s: %d messages wait to be filed (limit %d)",
                                "full, refusing new mail for now" if full else "below its limit again",
                                self._count, self.limit)
                self._full = full

    @property
    def count(self) -> int:
        return self._count


UNLIMITED = Backlog(None, 0)
