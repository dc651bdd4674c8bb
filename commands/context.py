"""What every command needs: the store, who is acting, and how a failure is said."""

from __future__ import annotations

import getpass
import os
import sys

from config.schema import Settings
from store.store import Store


def open_store(settings: Settings) -> Store:
    return Store.open(settings.store.url, settings.store.data_dir)


def actor(args) -> str:
    return getattr(args, "actor", None) or os.environ.get("INTAKE_ACTOR") or getpass.getuser()


def fail(message: str, code: int = 1) -> int:
    print(f"bot.py: {message}", file=sys.stderr)
    return code
