"""Every outbox sender the settings switch on, made in one place for `bot.py run`."""

from __future__ import annotations

from telegram import Bot

from config.schema import Settings
from responders.delivery import OutboxSender
from responders.sender import EmailSender
from responders.telegram_sender import TelegramSender
from store.store import Store


def outbox_senders(settings: Settings, store: Store, telegram_bot: Bot | None = None) -> list[OutboxSender]:
    """The email sender when outbound mail is on; the Telegram one when the channel runs a bot."""
    senders: list[OutboxSender] = []
    if settings.outbound.enabled:
        senders.append(EmailSender(store, settings.outbound, settings.office.name))
    if telegram_bot is not None:
        senders.append(TelegramSender(store, telegram_bot, max_attempts=settings.outbound.max_attempts,
                                      retry_base_seconds=settings.outbound.retry_base_seconds))
    return senders
