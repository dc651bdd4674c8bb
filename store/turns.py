"""Fair work-taking: rows of a work queue (inbound messages, outbox answers) take turns across
their sources, oldest first within a source.

Each row gets a turn when it is queued: its source's previous turn plus one, but never less than
the turn now being served (the lowest turn still waiting). Work is then taken in (turn, id) order.
A source that queued 20,000 rows holds turns far ahead; a row from any other source is queued at
the turn being served, so it waits behind at most one row of every busy source, whatever their
backlogs. This is start-time fair queueing.

Why turns stored with the row rather than ROW_NUMBER() OVER (PARTITION BY source ...) at claim
time: the window ranks the whole backlog on every claim (27 ms for 20,000 waiting rows on SQLite,
measured), while a turn is found through an index in (turn, id) order, on SQLite and on
PostgreSQL alike, and FOR UPDATE SKIP LOCKED applies to that one ordered select.

A source is a keyed hash of its description (a client network, a mailbox, a chat): where a
message came from stays as sealed as the message itself. Two writers that queue rows of one
source at once may give them the same turn; only the order among equals (id) is then looser.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, select

from store.keys import Keyring
from store.sealed import keyring_of

SOURCE_CHARS = 32


def source_key(keyring: Keyring, description: str) -> str:
    """The keyed hash that stands for a source described as DESCRIPTION."""
    return keyring.lookup(f"source:{description}")[:SOURCE_CHARS]


def session_source_key(session: Session, description: str) -> str:
    return source_key(keyring_of(session.get_bind().dialect), description)


def assign(session: Session, table, waiting_status: str, rows: Sequence) -> None:
    """Give each of ROWS (of TABLE, each with its `source` set) its turn, in the order given."""
    if not rows:
        return
    # One round trip for the usual case of rows from one source: the turn being served (the
    # lowest waiting; when nothing waits, the newest row's), and that source's latest turn.
    waiting = select(func.min(table.turn)).where(table.status == waiting_status).scalar_subquery()
    newest = select(table.turn).order_by(table.id.desc()).limit(1).scalar_subquery()
    first = rows[0].source
    serving, newest_turn, first_last = session.exec(
        select(waiting, newest, _latest(table, first))).one()
    if serving is None:
        # Nothing waits: the turn of the newest row is the one being served now.
        serving = newest_turn or 0
    last: dict[str, int | None] = {first: first_last}
    for row in rows:
        if row.source not in last:
            last[row.source] = session.exec(select(_latest(table, row.source))).one()
        previous = last[row.source]
        row.turn = serving if previous is None else max(serving, previous + 1)
        last[row.source] = row.turn


def _latest(table, source: str):
    """The latest turn of SOURCE's rows in TABLE, as a scalar subquery."""
    return select(func.max(table.turn)).where(table.source == source).scalar_subquery()
