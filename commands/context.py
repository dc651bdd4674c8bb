"""What every command needs: the store, who is acting, and how a failure is said."""

from __future__ import annotations

import os
import pwd
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


def login_name() -> str:
    """The OS account running the command (its effective user, not what the environment claims)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def actor(args=None) -> str:
    """Who acts on the command line: the OS account that runs it. Whoever administers the server
    can read the store anyway; the log records that it was done there, and by which account,
    not a name typed on the command line."""
    return f"os:{login_name()}"


def fail(message: str, code: int = 1) -> int:
    print(f"bot.py: {message}", file=sys.stderr)
    return code


def desks(settings: Settings, store: Store) -> list:
    """The desks besides case filing the pipeline hands messages to: the monitoring of key areas."""
    from monitoring.desk import MonitoringDesk

    return [MonitoringDesk(settings, store.blobs)]
