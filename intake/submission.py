"""The normalized result of parsing one inbound message: a `Submission` and its `Attachment`s.

Conventions: message ids are stored without angle brackets; addresses are lower-cased; names,
subjects and filenames are decoded; `content_id` is stored without angle brackets (as `cid:`
URLs in HTML write it); sequences are tuples, so both classes are hashable as well as frozen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    """One file of a message: attached, inline, a nested message, or unpacked from one of those."""

    filename: str | None
    content_type: str
    payload: bytes = field(repr=False)
    disposition: str  # "attachment" or "inline"
    content_id: str | None
    origin: str  # "attachment", "inline", "nested-message", "tnef-member", "nested-attachment"
    parent: int | None  # index in Submission.attachments of the item this was unpacked from


@dataclass(frozen=True)
class Submission:
    """Everything the pipeline needs from one inbound message, decoded."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str | None
    sender_name: str | None
    reply_to: str | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: bool
    language: str
    date: dt.datetime | None
    headers: tuple[tuple[str, str], ...]
    content_type: str
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]
