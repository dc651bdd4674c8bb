"""The outbox sender for email: delivers queued answers through the relay, retrying with backoff."""

from __future__ import annotations

import asyncio
import logging
import os

import aiosmtplib

from config.schema import OutboundSettings
from responders.delivery import OutboxSender
from responders.mail import UnsafeHeader, UnsendableAddress, build
from store.store import Store

log = logging.getLogger(__name__)


class EmailSender(OutboxSender):
    channel = "email"

    def __init__(self, store: Store, settings: OutboundSettings, from_name: str, lease_seconds: float = 120):
        super().__init__(store, max_attempts=settings.max_attempts, retry_base_seconds=settings.retry_base_seconds,
                         lease_seconds=lease_seconds)
        self.settings = settings
        self.from_name = from_name
        self.password = os.environ.get(settings.password_env) if settings.username else None

    async def deliver(self, outbox_id: int, token: str) -> str:
        row = await asyncio.to_thread(self._load, outbox_id, token)
        if row is None:
            return "lost"
        try:
            message = build(row, self.settings.from_address, self.from_name)
        except (UnsendableAddress, UnsafeHeader, ValueError) as exc:
            # Nothing would make this message sendable later: give up at once, and say why.
            log.warning("outbox %s: not sent: %s", outbox_id, exc)
            await asyncio.to_thread(self._record, outbox_id, token, False, f"cannot build: {exc}", permanent=True)
            return "failed"
        try:
            # The bytes checked by build() are what goes out; a retry builds them again from the
            # same row, so a duplicate after a crash carries the same Message-ID.
            await aiosmtplib.send(
                message,
                sender=self.settings.from_address,
                recipients=[row.recipient],
                hostname=self.settings.host,
                port=self.settings.port,
                start_tls=self.settings.starttls,
                use_tls=self.settings.implicit_tls,
                username=self.settings.username or None,
                password=self.password if self.settings.username else None,
                timeout=self.settings.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            permanent = all(code >= 500 for code, _ in _refusals(exc))
            await asyncio.to_thread(self._record, outbox_id, token, False, f"refused: {exc}", permanent=permanent)
            return "failed" if permanent else "retry"
        except aiosmtplib.SMTPResponseException as exc:
            permanent = exc.code >= 500
            await asyncio.to_thread(self._record, outbox_id, token, False, f"{exc.code} {exc.message}", permanent=permanent)
            return "failed" if permanent else "retry"
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            log.warning("outbox %s: relay %s:%s unavailable: %s", outbox_id, self.settings.host, self.settings.port, exc)
            await asyncio.to_thread(self._record, outbox_id, token, False, f"relay unavailable: {exc}")
            return "retry"
        await asyncio.to_thread(self._record, outbox_id, token, True, None)
        return "sent"


def _refusals(exc: aiosmtplib.SMTPRecipientsRefused) -> list[tuple[int, str]]:
    return [(refusal.code, refusal.message) for refusal in exc.recipients]

