"""Per-chat limits of the Telegram channel, kept in memory: a token bucket on incoming messages, and a
cap on wrong case-number/query-code pairs. They start afresh when the bot restarts, which at most
lets a chat send a little more; only one process polls a bot's updates, so one memory suffices."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from net.bucket import TokenBucket

PRUNE_AT = 10_000   # chats remembered before the idle ones are forgotten


class MessageBucket:
    """Up to PER_MINUTE messages a minute per chat, refilled continuously; bursts up to the same number."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.tokens = TokenBucket(per_minute, clock, max_keys=PRUNE_AT)
        self.warned: dict[int, float] = {}

    def take(self, chat_id: int) -> bool:
        return self.tokens.take(chat_id)

    def should_warn(self, chat_id: int) -> bool:
        """Once a minute at most: the warning itself must not become a flood."""
        now = self.clock()
        if now - self.warned.get(chat_id, float("-inf")) < 60:
            return False
        if len(self.warned) >= PRUNE_AT:
            self.warned = {chat: when for chat, when in self.warned.items() if now - when < 60}
        self.warned[chat_id] = now
        return True


class WrongCodes:
    """After TRIES wrong pairs within WINDOW seconds, a chat is refused until the oldest has aged out."""

    def __init__(self, tries: int = 5, window: float = 3600.0, clock: Callable[[], float] = time.monotonic):
        self.tries = tries
        self.window = window
        self.clock = clock
        self.failures: dict[int, deque[float]] = {}

    def blocked(self, chat_id: int) -> bool:
        recent = self._recent(chat_id)
        return recent is not None and len(recent) >= self.tries

    def failed(self, chat_id: int) -> int:
        """Count one wrong pair; returns how many this chat has within the window."""
        recent = self._recent(chat_id)
        if recent is None:
            recent = self.failures[chat_id] = deque()
        recent.append(self.clock())
        if len(self.failures) > PRUNE_AT:
            for chat in [c for c in self.failures if c != chat_id]:
                self._recent(chat)
        return len(recent)

    def _recent(self, chat_id: int) -> deque[float] | None:
        recent = self.failures.get(chat_id)
        if recent is None:
            return None
        horizon = self.clock() - self.window
        while recent and recent[0] < horizon:
            recent.popleft()
        if not recent:
            del self.failures[chat_id]
            return None
        return recent
