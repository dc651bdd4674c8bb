"""One decoded file of a message: attached, inline, a nested message, or unpacked from one of those."""

from __future__ import annotations

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
