"""The normalized result of parsing one inbound message: a `Submission` and its `Attachment`s.

Conventions: message ids are stored without angle brackets; addresses are lower-cased; names,
subjects and filenames are decoded; `content_id` is stored without angle brackets (as `cid:`
URLs in HTML write it); sequences are tuples, so both classes are hashable as well as frozen.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.mime.parse import Decoded
from intake.mime.parts import Attachment

__all__ = ["Attachment", "Submission"]


@dataclass(frozen=True)
class Submission(Decoded):
    """Everything the pipeline needs from one inbound message, decoded: what the bytes say (the
    fields of `Decoded`), and what the channel adds."""

    language: str
    # The case this message belongs to, as its channel proved it (Telegram: /add after the case
    # number and query code were checked). Threading trusts it as it trusts a reply to our answer.
    proven_case: str | None = None
