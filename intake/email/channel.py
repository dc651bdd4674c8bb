"""The email channel as the pipeline sees it: RFC 5322 bytes, the mail rules, DKIM."""

from __future__ import annotations

from intake.channel import Channel
from intake.email.authenticity import examine
from intake.email.parse import parse_message
from intake.pipeline.screen import RULES

EMAIL = Channel(
    name="email",
    raw_type="message/rfc822",
    parse=lambda raw, blobs, language: parse_message(raw, default_language=language),
    rules=RULES,
    authenticity=examine,
)
