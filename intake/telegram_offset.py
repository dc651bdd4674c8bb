"""The last Telegram update confirmed, per bot: written after each update's content is committed, so
a restarted bot asks for exactly the updates after it."""

from __future__ import annotations

from store.models import TelegramOffset, utcnow
from store.store import Store


def next_offset(store: Store, bot_id: int) -> int | None:
    """The offset for getUpdates: one past the last confirmed update (None: take what Telegram has)."""
    with store.transaction() as session:
        row = session.get(TelegramOffset, bot_id)
        return row.update_id + 1 if row is not None else None


def confirm(store: Store, bot_id: int, update_id: int) -> None:
    with store.transaction() as session:
        row = session.get(TelegramOffset, bot_id)
        if row is None:
            session.add(TelegramOffset(bot_id=bot_id, update_id=update_id))
        elif update_id > row.update_id:
            row.update_id = update_id
            row.updated_at = utcnow()
            session.add(row)
