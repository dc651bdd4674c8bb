"""Exponential backoff, capped, with jitter: how long a listener waits before trying a server again."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class Backoff:
    base: float = 1.0
    cap: float = 60.0
    failures: int = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 32))
        self.failures += 1
        # Between half and all of the ceiling: bots restarted together do not reconnect in step,
        # and no retry comes at once after a failure.
        return random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0
