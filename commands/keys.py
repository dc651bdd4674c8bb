"""`bot.py keys rotate`: a new key seals the store; everything sealed before is re-wrapped under it."""

from __future__ import annotations

from commands.context import actor, fail, open_store
from config.schema import Settings
from store.keys import KeyProblem
from store.rewrap import rotate


def main(settings: Settings, args) -> int:
    store = open_store(settings)
    try:
        rotate(store, actor(args))
    except KeyProblem as exc:
        return fail(str(exc), 2)
    finally:
        store.close()
    return 0
