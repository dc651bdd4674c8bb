"""The claim loop (store.claims.work): a short claim makes the next wait, so that a stream of
messages is taken a batch at a time; a full claim does not, and stopping cuts the wait short."""

import asyncio
import time

from store import claims


def run_loop(claimed: list[list[int]], fill: int, fill_seconds: float, stop_after: float = 5.0):
    """Run work() over the claims in CLAIMED (then nothing); when each claim was made, and what
    was handed over."""
    times: list[float] = []
    handled: list[list[int]] = []

    async def main():
        stop = asyncio.Event()
        pending = list(claimed)

        def claim(token):
            times.append(time.monotonic())
            if not pending:
                stop.set()
                return []
            return pending.pop(0)

        async def handle(ids, token):
            handled.append(ids)

        asyncio.get_running_loop().call_later(stop_after, stop.set)
        await claims.work(claim, handle, "test", stop, None, idle_seconds=0.01, whole=True,
                          fill=fill, fill_seconds=fill_seconds)

    asyncio.run(main())
    return times, handled


def test_a_short_claim_makes_the_next_wait():
    times, handled = run_loop([[1], [2, 3, 4, 5]], fill=4, fill_seconds=0.3)
    assert handled == [[1], [2, 3, 4, 5]]
    assert times[1] - times[0] >= 0.3


def test_a_full_claim_is_followed_at_once():
    times, handled = run_loop([[1, 2], [3, 4], [5]], fill=2, fill_seconds=2.0)
    assert handled == [[1, 2], [3, 4], [5]]
    # the two full claims are each followed at once; only the short one's successor waits
    assert times[1] - times[0] < 1.0
    assert times[2] - times[1] < 1.0
    assert times[3] - times[2] >= 2.0


def test_no_pause_without_fill():
    times, handled = run_loop([[1], [2], [3]], fill=0, fill_seconds=2.0)
    assert handled == [[1], [2], [3]]
    assert times[-1] - times[0] < 1.0


def test_stopping_cuts_the_pause_short():
    started = time.monotonic()
    _, handled = run_loop([[1]] * 3, fill=8, fill_seconds=30.0, stop_after=0.2)
    assert handled == [[1]]
    assert time.monotonic() - started < 5.0
