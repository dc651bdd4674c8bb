"""The Telegram channel as the pipeline sees it: a JSON draft record, the chat rules."""

from __future__ import annotations

from intake.channel import Channel
from intake.pipeline.screen import CHAT_RULES
from intake.telegram.parse import parse

TELEGRAM = Channel(
    name="telegram",
    raw_type="application/json",
    parse=lambda raw, blobs, language: parse(raw, blobs),
    rules=CHAT_RULES,
    # Telegram itself vouches for the chat a message comes from, and answers go back to that chat.
    verify=lambda sub, facts, envelope, trust: "telegram",
)
