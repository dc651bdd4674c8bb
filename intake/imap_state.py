"""Where each IMAP mailbox has been read up to: (UIDVALIDITY, last UID) kept in the store.

Every UID up to last_uid under that UIDVALIDITY is durable in the store; a new UIDVALIDITY means
the server renumbered the folder, so reading starts again from the first message.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select

from store.models import MailboxState, utcnow
from store.store import Store

log = logging.getLogger(__name__)


class Cursor(NamedTuple):
    uidvalidity: int
    last_uid: int


def begin(store: Store, mailbox: str, uidvalidity: int) -> Cursor:
    """The position to read on from under UIDVALIDITY: the stored one, or 0 if the server renumbered."""
    with store.transaction() as session:
        insert = postgresql.insert if store.is_postgres else sqlite.insert
        session.exec(
            insert(MailboxState)
            .values(name=mailbox, uidvalidity=uidvalidity, last_uid=0, updated_at=utcnow())
            .on_conflict_do_nothing()
        )
        state = session.exec(select(MailboxState).where(MailboxState.name == mailbox).with_for_update()).one()
        if state.uidvalidity != uidvalidity:
            log.warning(
                "mailbox %s: UIDVALIDITY changed from %s to %s (folder recreated or renumbered); "
                "reading it again from the start, mail filed before is recognised and not filed twice",
                mailbox, state.uidvalidity, uidvalidity,
            )
            state.uidvalidity, state.last_uid, state.updated_at = uidvalidity, 0, utcnow()
            session.add(state)
        return Cursor(state.uidvalidity, state.last_uid)


def advance(store: Store, mailbox: str, cursor: Cursor, last_uid: int) -> Cursor:
    """Record that every UID up to LAST_UID is durable; never moves backwards."""
    with store.transaction() as session:
        # Guarded by uidvalidity and order, so a second bot process reading the same mailbox, or
        # a renumbering seen meanwhile, cannot set the position back.
        session.exec(
            update(MailboxState)
            .where(
                MailboxState.name == mailbox,
                MailboxState.uidvalidity == cursor.uidvalidity,
                MailboxState.last_uid < last_uid,
            )
            .values(last_uid=last_uid, updated_at=utcnow())
        )
    return Cursor(cursor.uidvalidity, max(cursor.last_uid, last_uid))


def load(store: Store, mailbox: str) -> Cursor | None:
    with store.transaction() as session:
        state = session.get(MailboxState, mailbox)
        return Cursor(state.uidvalidity, state.last_uid) if state else None
