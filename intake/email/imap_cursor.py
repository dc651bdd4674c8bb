"""Where each IMAP mailbox has been read up to: (UIDVALIDITY, last UID) kept in the store.

Every UID up to last_uid under that UIDVALIDITY is durable in the store; a new UIDVALIDITY means
the server renumbered the folder, so reading starts again from the first message.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from store import mailboxes
from store.store import Store

log = logging.getLogger(__name__)


class Cursor(NamedTuple):
    uidvalidity: int
    last_uid: int


def begin(store: Store, mailbox: str, uidvalidity: int) -> Cursor:
    """The position to read on from under UIDVALIDITY: the stored one, or 0 if the server renumbered."""
    with store.transaction() as session:
        state = mailboxes.lock(session, mailbox, uidvalidity)
        if state.uidvalidity != uidvalidity:
            log.warning(
                "mailbox %s: UIDVALIDITY changed from %s to %s (folder recreated or renumbered); "
                "reading it again from the start, mail filed before is recognised and not filed twice",
                mailbox, state.uidvalidity, uidvalidity,
            )
            mailboxes.restart(session, state, uidvalidity)
        return Cursor(state.uidvalidity, state.last_uid)


def advance(store: Store, mailbox: str, cursor: Cursor, last_uid: int) -> Cursor:
    """Record that every UID up to LAST_UID is durable; never moves backwards."""
    with store.transaction() as session:
        mailboxes.advance(session, mailbox, cursor.uidvalidity, last_uid)
    return Cursor(cursor.uidvalidity, max(cursor.last_uid, last_uid))


def load(store: Store, mailbox: str) -> Cursor | None:
    with store.transaction() as session:
        state = mailboxes.find(session, mailbox)
        return Cursor(state.uidvalidity, state.last_uid) if state else None
