"""Work claiming under a lease: rows are taken with FOR UPDATE SKIP LOCKED on PostgreSQL.

A claim is a token written into the row; the work commits only if the row still carries it, so
a row whose lease ran out and was taken by another worker is never finished twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import select

from store.models import Inbound, InboundStatus, Outbox, OutboxStatus, utcnow
from store.store import Store

HOST = socket.gethostname()
log = logging.getLogger(__name__)


def new_token() -> str:
    """host:pid:random, so a restarted process can tell its dead predecessor's claims."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claim_inbound(store: Store, token: str, lease_seconds: float, limit: int = 1) -> list[int]:
    """Up to LIMIT messages: those whose lease ran out first (they waited longest), then the
    waiting ones in turn order across their sources (store.turns)."""
    now = utcnow()
    with store.transaction(durable=False) as session:
        stale = (select(Inbound.id)
                 .where(Inbound.status == InboundStatus.PROCESSING, Inbound.lease_until < now)
                 .order_by(Inbound.id).limit(limit))
        ids = _take(store, session, stale)
        if len(ids) < limit:
            waiting = (select(Inbound.id).where(Inbound.status == InboundStatus.RECEIVED)
                       .order_by(Inbound.turn, Inbound.id).limit(limit - len(ids)))
            ids += _take(store, session, waiting)
        if ids:
            session.exec(update(Inbound).where(Inbound.id.in_(ids)).values(**_claim(token, now, lease_seconds)))
    return ids


def _take(store: Store, session, query) -> list[int]:
    # On PostgreSQL the rows another worker is taking are passed over, not waited for.
    if store.is_postgres:
        query = query.with_for_update(skip_locked=True)
    return list(session.exec(query).all())


def claim_one(store: Store, inbound_id: int, token: str, lease_seconds: float) -> bool:
    """Claim one given message (for ingest and reprocess), unless a live worker holds it."""
    now = utcnow()
    with store.transaction(durable=False) as session:
        claimed = session.exec(
            update(Inbound).where(Inbound.id == inbound_id, _claimable(now)).values(**_claim(token, now, lease_seconds))
        )
        return claimed.rowcount == 1


def _claimable(now):
    """Waiting messages, and those whose claim ran out (their worker died or stalled)."""
    return or_(
        Inbound.status == InboundStatus.RECEIVED,
        (Inbound.status == InboundStatus.PROCESSING) & (Inbound.lease_until < now),
    )


def _claim(token: str, now, lease_seconds: float) -> dict:
    # Counting attempts at the claim (not at a failure) catches a message that kills its worker.
    return {
        "status": InboundStatus.PROCESSING,
        "claimed_by": token,
        "lease_until": now + timedelta(seconds=lease_seconds),
        "attempts": Inbound.attempts + 1,
    }


def claim_outbox(store: Store, token: str, lease_seconds: float, channel: str, limit: int = 10) -> list[int]:
    """Up to LIMIT answers of CHANNEL: those whose sender's lease ran out, then the due ones in
    turn order across their recipients' sources (store.turns)."""
    now = utcnow()
    with store.transaction() as session:
        stale = (select(Outbox.id)
                 .where(Outbox.channel == channel, Outbox.status == OutboxStatus.SENDING, Outbox.lease_until < now)
                 .order_by(Outbox.id).limit(limit))
        ids = _take(store, session, stale)
        if len(ids) < limit:
            due = (select(Outbox.id)
                   .where(Outbox.status == OutboxStatus.PENDING, Outbox.channel == channel,
                          Outbox.next_attempt_at <= now)
                   .order_by(Outbox.turn, Outbox.id).limit(limit - len(ids)))
            ids += _take(store, session, due)
        if ids:
            session.exec(
                update(Outbox)
                .where(Outbox.id.in_(ids))
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_by=token,
                    lease_until=now + timedelta(seconds=lease_seconds),
                )
            )
    return ids


def unclaim_outbox(store: Store, ids: list[int], token: str) -> None:
    """Give back claimed answers not yet tried: due again at once, no attempt counted."""
    with store.transaction(durable=False) as session:
        session.exec(update(Outbox).where(Outbox.id.in_(ids), Outbox.claimed_by == token,
                                          Outbox.status == OutboxStatus.SENDING)
                     .values(status=OutboxStatus.PENDING, claimed_by=None, lease_until=None))


def release_dead_claims(store: Store) -> int:
    """Put back the rows that a crashed process of this host held, without waiting out the lease."""
    released = 0
    with store.transaction() as session:
        for table, busy, idle in (
            (Inbound, InboundStatus.PROCESSING, InboundStatus.RECEIVED),
            (Outbox, OutboxStatus.SENDING, OutboxStatus.PENDING),
        ):
            rows = session.exec(
                select(table.id, table.claimed_by).where(table.status == busy, table.claimed_by.like(f"{HOST}:%"))
            ).all()
            dead = [row_id for row_id, token in rows if not _alive(token)]
            if dead:
                session.exec(update(table).where(table.id.in_(dead)).values(status=idle, lease_until=None))
                released += len(dead)
    return released


def _alive(token: str) -> bool:
    try:
        pid = int(token.split(":")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def wait_for_work(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    """Sleep up to SECONDS, less when STOP is set or WAKE says new work was queued."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    _, pending = await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    if wake is not None:
        wake.clear()


async def work(claim: Callable[[str], list[int]], handle: Callable, what: str,
               stop: asyncio.Event, wake: asyncio.Event | None, idle_seconds: float,
               unclaim: Callable[[list[int], str], object] | None = None, whole: bool = False,
               fill: int = 0, fill_seconds: float = 0.0) -> None:
    """Claim rows with CLAIM(token) and HANDLE(id, token) each, until STOP; sleep IDLE_SECONDS
    (less when WAKE is set) when there is nothing to do. A claim may take several rows (one
    transaction for many); those not begun when STOP comes are given back with UNCLAIM(ids, token).
    WHOLE hands each claim's rows over at once, as HANDLE(ids, token). After a claim of fewer than
    FILL rows the next waits FILL_SECONDS, so that under a steady stream claims grow fuller."""
    token = new_token()
    while not stop.is_set():
        try:
            ids = await asyncio.to_thread(claim, token)
        except Exception:
            # The database is away (restart, network): nothing was taken, so wait and retry.
            log.exception("cannot claim %s; retrying in 5 seconds", what)
            await wait_for_work(stop, None, 5)
            continue
        if not ids:
            await wait_for_work(stop, wake, idle_seconds)
            continue
        if whole:
            await handle(ids, token)
        else:
            for index, row_id in enumerate(ids):
                if stop.is_set() and unclaim is not None:
                    await asyncio.to_thread(unclaim, ids[index:], token)
                    break
                await handle(row_id, token)
        if len(ids) < fill:
            await wait_for_work(stop, None, fill_seconds)
