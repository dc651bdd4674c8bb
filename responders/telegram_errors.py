"""What the Bot API's errors mean for a message we send: come back later, or give up on that chat."""

from __future__ import annotations

import os
from datetime import timedelta

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

# Durations as timedelta, python-telegram-bot's coming default: without this opt-in, the library
# warns each time it builds a RetryAfter (a flood wait), deep inside its own request code.
os.environ.setdefault("PTB_TIMEDELTA", "true")


def unreachable(exc: TelegramError) -> bool:
    """The chat cannot take messages from us, now or later: blocked, deleted, not found, refused."""
    # BadRequest derives from NetworkError in python-telegram-bot, so it is tested by name here
    # before anyone treats "a network error" as worth retrying.
    return isinstance(exc, (Forbidden, BadRequest, ChatMigrated))


def retry_after(exc: RetryAfter) -> timedelta:
    """The wait Telegram asked for."""
    value = exc.retry_after
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))
