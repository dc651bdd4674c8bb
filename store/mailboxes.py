"""IMAP mailbox positions: the UIDVALIDITY each mailbox is read under and the last UID made durable.
Every function works inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from store.models import MailboxState, utcnow


def find(session: Session, name: str) -> MailboxState | None:
    return session.get(MailboxState, name)


def lock(session: Session, name: str, uidvalidity: int) -> MailboxState:
    """The mailbox's position, locked until the transaction ends; a mailbox seen for the first time
    starts at UID 0 under UIDVALIDITY."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.exec(
        insert(MailboxState)
        .values(name=name, uidvalidity=uidvalidity, last_uid=0, updated_at=utcnow())
        .on_conflict_do_nothing()
    )
    return session.exec(select(MailboxState).where(MailboxState.name == name).with_for_update()).one()


def restart(session: Session, state: MailboxState, uidvalidity: int) -> None:
    """Read the mailbox again from UID 0 under UIDVALIDITY (STATE as lock() returned it)."""
    state.uidvalidity, state.last_uid, state.updated_at = uidvalidity, 0, utcnow()
    session.add(state)


def advance(session: Session, name: str, uidvalidity: int, last_uid: int) -> None:
    """Move the position up to LAST_UID, if it is still read under UIDVALIDITY and not beyond."""
    # Guarded by uidvalidity and order, so a second bot process reading the same mailbox, or
    # a renumbering seen meanwhile, cannot set the position back.
    session.exec(
        update(MailboxState)
        .where(
            MailboxState.name == name,
            MailboxState.uidvalidity == uidvalidity,
            MailboxState.last_uid < last_uid,
        )
        .values(last_uid=last_uid, updated_at=utcnow())
    )
