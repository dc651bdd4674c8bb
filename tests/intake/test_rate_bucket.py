"""The per-client rate bucket: a minute's worth at once, refilled over time, and bounded memory
whatever the number of clients a flood comes from."""

from __future__ import annotations

from net.bucket import TokenBucket


def test_a_minutes_worth_then_refusal_then_refill():
    now = [0.0]
    bucket = TokenBucket(3, clock=lambda: now[0])
    assert [bucket.take("a") for _ in range(4)] == [True, True, True, False]
    now[0] += 20.0
    assert bucket.take("a") and not bucket.take("a")


def test_memory_stays_bounded_under_a_flood_from_many_drained_networks():
    now = [0.0]
    bucket = TokenBucket(1, clock=lambda: now[0], max_keys=100)
    for network in range(10_000):
        bucket.take(network)
        bucket.take(network)   # drained: not forgotten as a full bucket would be
        now[0] += 0.001
    assert len(bucket.buckets) <= 100
    assert not bucket.take(9_999), "the most recent networks are still held to their limit"
