"""The clocks of the case procedure: which deadlines there are, what each is counted from and for
how many working days ([procedure] settings), and the scheduler that marks the late ones and sends
the office its daily digest. The rows themselves are store/deadlines.py's.

A deadline owed to the reporter (a notice) is opened only for a case that notifies its reporter
(Case.notify_reporter: a real-name report from a sender we can answer); an anonymous report owes
none. A notice's deadline is met when the notice is sent (store.outbox.record), not when queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from cases.calendar import WorkCalendar
from config.schema import Settings
from responders.digest import queue_digest
from store import deadlines as rows
from store import models
from store.models import AuditEvent, Case, Deadline
from store.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Kind:
    period: str          # the [procedure] setting holding its length in working days
    from_receipt: bool   # counted from the case's receipt; else from the event that opens it
    notice: bool         # owed to the reporter: only a case that notifies its reporter has it


KINDS = {
    "acceptance_notice": Kind("acceptance_notice_days", from_receipt=True, notice=True),
    "routing": Kind("routing_days", from_receipt=True, notice=False),
    "result_notice": Kind("result_notice_days", from_receipt=False, notice=True),
    "transfer_reply": Kind("transfer_reply_days", from_receipt=False, notice=False),
    "investigation": Kind("investigation_days", from_receipt=False, notice=False),
}


def calendar_for(session: Session, settings: Settings, calendar: WorkCalendar | None = None) -> WorkCalendar:
    """The office's calendar with the years imported into the store (`bot.py calendar import`)."""
    calendar = calendar or WorkCalendar(settings.office.timezone, settings.office.holidays, settings.office.workdays)
    return calendar.loaded(session)


def open_kind(session: Session, settings: Settings, calendar: WorkCalendar, case: Case, kind: str,
              event: AuditEvent | None, at: datetime) -> Deadline | None:
    """Open deadline KIND for CASE as of AT (the moment of EVENT), if the case owes it."""
    spec = KINDS[kind]
    days = getattr(settings.procedure, spec.period)
    if days <= 0 or (spec.notice and not case.notify_reporter):
        return None
    start = case.created_at if spec.from_receipt else at
    due = calendar.due(start, days)
    return rows.open_one(session, case, kind=kind, started_at=start, working_days=days, due_at=due.at,
                         calendar_confirmed=due.calendar_confirmed, event=event)


def for_new_case(session: Session, settings: Settings, calendar: WorkCalendar, case: Case,
                 event: AuditEvent) -> list[Deadline]:
    """What a newly filed report owes from its receipt: the acceptance notice, if it notifies.
    (Routing is opened, and met, when the case is transferred or forwarded.)"""
    opened = open_kind(session, settings, calendar, case, "acceptance_notice", event, case.created_at)
    return [opened] if opened else []


def recount(store: Store, calendar: WorkCalendar, now: datetime) -> int:
    """Deadlines counted on an unconfirmed calendar, counted again on CALENDAR (a year may have
    been imported since); how many changed."""
    with store.reading() as session:
        pending = [row.id for row in rows.unconfirmed(session)]
    changed = 0
    for row_id in pending:
        # A transaction each: a writer takes case rows before the audit head (store.cases.hold),
        # so one may not hold the head from the last row while it locks the next row's case.
        with store.transaction() as session:
            row = session.get(Deadline, row_id)
            due = calendar.due(row.started_at, row.working_days)
            changed += rows.reschedule(session, row, due.at, due.calendar_confirmed, now)
    return changed


@dataclass(frozen=True)
class Tick:
    overdue: int
    recounted: int
    digest: bool


def tick(store: Store, settings: Settings, now: datetime | None = None, calendar: WorkCalendar | None = None) -> Tick:
    """One round of the scheduler: count unconfirmed deadlines again, mark late ones, and queue
    the day's digest if this is the first round on a working day past [procedure] digest_hour."""
    # Read through the module, so that a test (or libfaketime) moving the clock is seen here.
    now = now or models.utcnow()
    with store.reading() as session:
        calendar = calendar_for(session, settings, calendar)
    recounted = recount(store, calendar, now)
    with store.transaction() as session:
        late = rows.mark_overdue(session, now)
    with store.transaction() as session:
        digest = _digest(session, settings, calendar, now)
    return Tick(overdue=len(late), recounted=recounted, digest=digest)


def _digest(session: Session, settings: Settings, calendar: WorkCalendar, now: datetime) -> bool:
    address = settings.office.staff_address
    local = now.astimezone(calendar.zone)
    if not address or not calendar.is_workday(local.date()) or local.hour < settings.procedure.digest_hour:
        return False
    if not rows.claim_digest_day(session, local.date()):
        return False
    within = settings.procedure.digest_within_days
    horizon = calendar.due(now, within).at
    due = rows.owed(session, due_by=horizon)
    late = [(d, c) for d, c in due if rows.state_at(d, now) == models.DeadlineState.OVERDUE]
    soon = [(d, c) for d, c in due if rows.state_at(d, now) != models.DeadlineState.OVERDUE]
    queue_digest(session, settings, day=local.date(), within=within, soon=soon, late=late)
    return True


async def every(seconds: float, stop: asyncio.Event, work: Callable[[], T], then: Callable[[T], None],
                what: str) -> None:
    """WORK in a thread every SECONDS until STOP, THEN(its result) on the loop. A failed round is
    logged and the next one tries again: a clock must keep running (a locked database, say)."""
    while not stop.is_set():
        try:
            then(await asyncio.to_thread(work))
        except Exception:
            log.exception("%s failed", what)
        try:
            await asyncio.wait_for(stop.wait(), seconds)
        except TimeoutError:
            pass


async def run(store: Store, settings: Settings, stop: asyncio.Event, on_queued: Callable[[], None]) -> None:
    """The scheduler of `bot.py run`: a tick every [procedure] check_seconds until STOP."""
    def said(result: Tick) -> None:
        if result.digest:
            on_queued()
        if result.overdue:
            log.info("%d deadlines are now overdue", result.overdue)

    await every(settings.procedure.check_seconds, stop, lambda: tick(store, settings), said, "deadline check")
