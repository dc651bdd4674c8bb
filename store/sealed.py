"""Column types whose values are sealed (AES-GCM) before they reach the database: reporters'
identities, what they wrote, and anything else a reader of the database files must not see.

A sealed value is stored as text, `s1:KEYID:BASE64`; the key id lets `bot.py keys rotate` re-wrap
values sealed under an older key. The keyring is the one the engine was opened with
(`attach`), so the code that reads and writes rows sees plain values and never a key.
A value written before sealing began (no `s1:` prefix) is read as it is, and re-sealed by rotation.
"""

from __future__ import annotations

import base64
import json

from sqlalchemy import Engine, Text, TypeDecorator

from store.keys import KeyProblem, Keyring

PREFIX = "s1:"


def attach(engine: Engine, keyring: Keyring) -> None:
    engine.dialect.intake_keyring = keyring


def keyring_of(dialect) -> Keyring:
    keyring = getattr(dialect, "intake_keyring", None)
    if keyring is None:
        raise KeyProblem("this engine was opened without the store's keys (Store.open attaches them)")
    return keyring


def seal_text(keyring: Keyring, text: str, context: str) -> str:
    key_id, sealed = keyring.seal(text.encode("utf-8"), context.encode())
    return f"{PREFIX}{key_id}:{base64.b64encode(sealed).decode('ascii')}"


def open_text(keyring: Keyring, stored: str, context: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    key_id, _, data = stored[len(PREFIX):].partition(":")
    return keyring.open(key_id, base64.b64decode(data), context.encode()).decode("utf-8")


def key_id_of(stored: str | None) -> str | None:
    if not stored or not stored.startswith(PREFIX):
        return None
    return stored[len(PREFIX):].partition(":")[0]


class Sealed(TypeDecorator):
    """A text value, sealed; CONTEXT (the column's name) is bound into the seal."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str):
        super().__init__()
        self.context = context

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return seal_text(keyring_of(dialect), str(value), self.context)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return open_text(keyring_of(dialect), value, self.context)


class SealedJSON(Sealed):
    """A JSON value (dict, list, number), sealed."""

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return seal_text(keyring_of(dialect), json.dumps(value, ensure_ascii=False), self.context)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(open_text(keyring_of(dialect), value, self.context))
