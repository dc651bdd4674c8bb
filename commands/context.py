"""What every command needs: the store, who is acting, and how a failure is said."""

from __future__ import annotations

import getpass
import os
import sys

from config.schema import Settings
from store.keys import KeyProblem
from store.signing import AuditKeyError
from store.store import Store, UnsafeFolder


def open_store(settings: Settings) -> Store:
    """The store, signing with the audit key of [store] audit_key_file (or $INTAKE_AUDIT_KEY)."""
    try:
        return Store.open(settings.store.url, settings.store.data_dir, audit_key=settings.store.audit_key_file,
                          key_file=settings.store.key_file)
    except (AuditKeyError, KeyProblem, UnsafeFolder) as exc:
        # A key that cannot be read or made is bad configuration: one line, exit 2.
        raise SystemExit(fail(str(exc), 2)) from None


def actor(args) -> str:
    return getattr(args, "actor", None) or os.environ.get("INTAKE_ACTOR") or getpass.getuser()


def fail(message: str, code: int = 1) -> int:
    print(f"bot.py: {message}", file=sys.stderr)
    return code
