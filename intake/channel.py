"""What the pipeline knows of a channel: one `Channel` description each, looked up by the name an
inbound row carries, so the steps after acceptance never ask where a message came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from intake.submission import Submission


@dataclass(frozen=True)
class Channel:
    name: str
    # The declared media type of evidence item zero: the raw record as the channel delivered it.
    raw_type: str
    # Raw bytes -> Submission: (raw, blob store, the office's default language).
    parse: Callable[[bytes, object, str], Submission]
    # The screening rules that apply to this channel's messages, in order.
    rules: tuple
    # Whether the sender is who the message says: (submission, authenticity facts, envelope,
    # trust settings) -> the reason to believe it, or None.
    verify: Callable[[Submission, dict, object, object], str | None]
    # (raw, envelope, DNS lookups or None, timeout, trust settings) -> facts on the sender's
    # authenticity; None: the channel has nothing to check.
    authenticity: Callable[[bytes, object, object, float, object], dict] | None = None
