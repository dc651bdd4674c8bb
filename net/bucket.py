"""A token bucket per key (a client address, a chat): PER_MINUTE takes a minute, refilled
continuously, bursts up to the same number; memory bounded whatever the number of keys."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable


class TokenBucket:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self.buckets: dict[Hashable, tuple[float, float]] = {}   # key -> (tokens, when)

    def take(self, key: Hashable) -> bool:
        now = self.clock()
        tokens, when = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - when) * self.rate)
        allowed = tokens >= 1.0
        self.buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self.buckets) > self.max_keys:
            self._forget_full(now)
        return allowed

    def _forget_full(self, now: float) -> None:
        # A full bucket is what a new key gets anyway: forgetting it changes nothing but memory.
        for key in [k for k, (tokens, when) in self.buckets.items() if tokens + (now - when) * self.rate >= self.capacity]:
            del self.buckets[key]
        if len(self.buckets) > self.max_keys:
            # Still too many (a flood from very many networks): the longest idle go, which at
            # worst gives them a fresh allowance; memory stays bounded whatever comes.
            keep = sorted(self.buckets.items(), key=lambda item: item[1][1])[len(self.buckets) - self.max_keys // 2:]
            self.buckets = dict(keep)
