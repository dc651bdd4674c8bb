"""The last Telegram update confirmed, per bot: written after each update's content is committed, so
a restarted bot asks for exactly the updates after it."""

from __future__ import annotations

from store import telegram as telegram_store
from store.store import Store


def next_offset(store: Store, bot_id: int) -> int | None:
    """The offset for getUpdates: one past the last confirmed update (None: take what Telegram has)."""
    with store.transaction() as session:
        last = telegram_store.last_confirmed(session, bot_id)
        return last + 1 if last is not None else None


def confirm(store: Store, bot_id: int, update_id: int) -> None:
    with store.transaction() as session:
        telegram_store.record_confirmed(session, bot_id, update_id)
