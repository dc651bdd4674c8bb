"""Exponential backoff, capped, with jitter: how long to wait before trying again after failures.

Used by the listeners (a server away), the pipeline (a message that failed) and the outbox senders
(an answer that could not be delivered)."""

from __future__ import annotations

import random
from dataclasses import dataclass


def delay(failures: int, base: float, cap: float) -> float:
    """Seconds to wait after FAILURES failures in a row (0 for the first): BASE doubled each time,
    at most CAP."""
    ceiling = min(cap, base * 2 ** min(max(failures, 0), 32))
    # Between half and all of the ceiling: many things failed together do not retry in step, and
    # no retry comes at once after a failure.
    return random.uniform(ceiling / 2, ceiling)


@dataclass
class Backoff:
    """The same, counting the failures itself: for a loop that keeps one connection."""

    base: float = 1.0
    cap: float = 60.0
    failures: int = 0

    def next(self) -> float:
        wait = delay(self.failures, self.base, self.cap)
        self.failures += 1
        return wait

    def reset(self) -> None:
        self.failures = 0
