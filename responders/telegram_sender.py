"""The outbox sender for Telegram: answers go to the chat as plain text (no parse mode, so nothing
in them is read as markup), with the query code put in only at the moment of sending."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, LinkPreviewOptions
from telegram.error import RetryAfter, TelegramError

from responders.delivery import OutboxSender
from responders.mail import body_text
from responders.telegram_errors import retry_after, unreachable
from store.models import Outbox
from store.store import Store

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096   # characters of one message, counted in UTF-16 code units
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramSender(OutboxSender):
    channel = "telegram"

    def __init__(self, store: Store, bot: Bot, *, max_attempts: int, retry_base_seconds: float,
                 lease_seconds: float = 120):
        super().__init__(store, max_attempts=max_attempts, retry_base_seconds=retry_base_seconds,
                         lease_seconds=lease_seconds)
        self.bot = bot

    async def deliver(self, outbox_id: int, token: str) -> str:
        row = await asyncio.to_thread(self._load, outbox_id, token)
        if row is None:
            return "lost"
        try:
            chat_id, parts = chat_id_of(row.recipient), split(message_text(row))
        except ValueError as exc:
            await asyncio.to_thread(self._record, outbox_id, token, False, f"cannot build: {exc}", permanent=True)
            return "failed"
        sent: list[int] = []
        try:
            for part in parts:
                message = await self.bot.send_message(chat_id, part, link_preview_options=NO_PREVIEW)
                sent.append(message.message_id)
        except RetryAfter as exc:
            await asyncio.to_thread(self._record, outbox_id, token, False, str(exc), wait=retry_after(exc))
            return "retry"
        except TelegramError as exc:
            permanent = unreachable(exc)
            if not permanent:
                log.warning("outbox %s: Telegram unavailable: %s", outbox_id, exc)
            await asyncio.to_thread(self._record, outbox_id, token, False, f"{type(exc).__name__}: {exc}",
                                    permanent=permanent)
            return "failed" if permanent else "retry"
        await asyncio.to_thread(self._record, outbox_id, token, True, None, details={"telegram_messages": sent})
        return "sent"


def message_text(row: Outbox) -> str:
    # The subject carries the case number, so it leads, as a title line would.
    return f"{row.subject}\n\n{body_text(row)}".strip()


def chat_id_of(recipient: str) -> int:
    try:
        return int(recipient)
    except ValueError:
        raise ValueError(f"not a Telegram chat id: {recipient!r}") from None


def split(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Messages of at most LIMIT units, cut between lines where a line allows it."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while _units(line) > limit:
            cut = _fit(line, limit)
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        if _units(current + line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return [part.strip("\n") for part in parts if part.strip()]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> int:
    cut = min(len(text), limit)
    while _units(text[:cut]) > limit:
        cut -= 1
    return cut
