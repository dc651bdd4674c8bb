"""The pipeline worker: claim an inbound message, parse, screen, classify, file, in one transaction.

A message that fails is retried after a pause; after max_attempts it is quarantined with its error,
kept, and listed by `bot.py queue --failed` until `bot.py reprocess` runs it again.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session

from cases.calendar import WorkCalendar
from config.schema import Settings
from intake.pipeline.filing import Filer, Prepared
from intake.pipeline.prepare import Job, Preparer, default_dnsfunc, default_spf_lookup, sure_spam
from intake.pipeline.screen import Envelope
from intake.pipeline.threads import thread_case
from net.backoff import delay
from store import claims, inbound, reporters
from store.db import serialise
from store.models import Inbound, InboundStatus, utcnow
from store.store import Store

log = logging.getLogger(__name__)
# A message that failed waits before its next try: long enough for a passing fault to pass.
RETRY_BASE_SECONDS = 5.0
RETRY_CAP_SECONDS = 300.0


class Disposition(StrEnum):
    FILED = "filed"
    FOLLOW_UP = "follow_up"
    DUPLICATE = "duplicate"
    SCREENED = "screened"
    MONITORED = "monitored"
    RETRY = "retry"
    QUARANTINED = "quarantined"
    LOST = "lost"  # the claim ran out and another worker took the message


class Desk(Protocol):
    """Another desk than case filing, for messages it takes (monitoring.desk.MonitoringDesk):
    the command that runs the pipeline hands it over, so intake imports none of them."""

    def takes(self, row: Inbound) -> bool:
        """Whether the message is this desk's, by where it was delivered."""

    def handle(self, session: Session, row: Inbound, prep: Prepared) -> str:
        """Deal with the message in the pipeline's transaction; the inbound status it ends in."""


class Pool(Protocol):
    """Worker processes that run `Pipeline.process` (intake.pipeline.pool.WorkerPool)."""

    async def process(self, loop: asyncio.AbstractEventLoop, inbound_id: int, token: str) -> Disposition: ...


@dataclass
class Pipeline:
    store: Store
    settings: Settings
    # The classifier, for processing in this process; None when a WorkerPool does the work.
    classify: Callable[[str, str], dict] | None
    calendar: WorkCalendar = field(init=False)
    filer: Filer = field(init=False)
    on_filed: Callable[[], None] = lambda: None
    # DKIM's key lookup; "default" means the system resolver (with a cache) when [authenticity]
    # dkim is on. Tests pass their own.
    dnsfunc: Callable | None | str = "default"
    # SPF's lookup (intake.email.trust.SpfLookup), likewise.
    spf_lookup: Callable | None | str = "default"
    pool: Pool | None = None
    desks: list[Desk] = field(default_factory=list)

    def __post_init__(self):
        office = self.settings.office
        self.calendar = WorkCalendar(office.timezone, office.holidays, office.workdays)
        self.filer = Filer(self.settings, self.calendar)
        self.own = frozenset(self.settings.own_addresses())
        if self.dnsfunc == "default":
            self.dnsfunc = default_dnsfunc(self.settings)
        if self.spf_lookup == "default":
            self.spf_lookup = default_spf_lookup(self.settings)
        self.preparer = None
        if self.classify is not None:
            self.preparer = Preparer(self.settings, self.store.blobs, self.classify, self.dnsfunc, self.spf_lookup)

    # -- one message ---------------------------------------------------------------------------

    def process(self, inbound_id: int, token: str) -> Disposition:
        """Take one claimed message to its end state, here; never raises for a bad message."""
        try:
            job = self._begin(inbound_id, token)
            if isinstance(job, Disposition):
                return job
            disposition = self._complete(inbound_id, token, self.preparer.prepare(job))
        except Exception as exc:  # a bad message must not stop the worker; it is recorded below
            log.exception("inbound %s failed", inbound_id)
            return self._failed(inbound_id, token, exc)
        return self._done(disposition)

    async def process_async(self, inbound_id: int, token: str) -> Disposition:
        """The same, in a worker process when there is a pool."""
        if self.pool is None:
            return await asyncio.to_thread(self.process, inbound_id, token)
        try:
            disposition = await self.pool.process(asyncio.get_running_loop(), inbound_id, token)
        except Exception as exc:  # the worker died on it: recorded, retried, then quarantined
            log.exception("inbound %s failed", inbound_id)
            return await asyncio.to_thread(self._failed, inbound_id, token, exc)
        return self._done(disposition)

    def _done(self, disposition: Disposition) -> Disposition:
        if disposition in (Disposition.FILED, Disposition.FOLLOW_UP, Disposition.MONITORED):
            self.on_filed()
        return disposition

    def _begin(self, inbound_id: int, token: str) -> Job | Disposition:
        with self.store.reading() as session:
            row = inbound.held(session, inbound_id, token)
            if row is None:
                return Disposition.LOST
            attempts = row.attempts
            # Only a listener that speaks SMTP knows an envelope sender; the others leave it None.
            # The peer is the client that sent the message only when the message came that way.
            direct = row.envelope_from is not None
            envelope = Envelope(sender=row.envelope_from, own_addresses=self.own, client=row.peer if direct else None)
            job = Job(raw_sha256=row.raw_sha256, channel=row.channel, envelope=envelope,
                      for_desk=any(desk.takes(row) for desk in self.desks))
        if attempts > self.settings.pipeline.max_attempts:
            # The claim count ran past the limit without a recorded failure: the process died
            # on this message each time. Stop feeding it to workers.
            with self.store.transaction() as session:
                row = inbound.held(session, inbound_id, token)
                if row is None:
                    return Disposition.LOST
                inbound.quarantine(session, row, "the worker stopped while processing it, repeatedly")
                return Disposition.QUARANTINED
        return job

    def _complete(self, inbound_id: int, token: str, prepared: Prepared) -> Disposition:
        # Not durable by itself: the raw message is, and the outbox sender's durable claim comes
        # before any answer leaves, so a power cut can cost a filing but never contradict an answer.
        with self.store.transaction(durable=False) as session:
            row = inbound.held(session, inbound_id, token, lock=True)
            if row is None:
                return Disposition.LOST
            return self._decide(session, row, prepared)

    def _decide(self, session: Session, row: Inbound, prep: Prepared) -> Disposition:
        sub = prep.sub
        row.message_id = sub.message_id
        row.sender = sub.sender
        row.sender_key = reporters.address_key(session, row.channel, sub.sender) if sub.sender else None
        row.subject = sub.subject[:1000]
        row.body_sha256 = prep.fingerprint
        row.defects = list(sub.defects)[:100]
        row.authenticity = prep.authenticity
        row.rule_hits = list(prep.verdict.hits)
        row.processed_at = utcnow()
        if prep.classification is not None and prep.classification["kind"] == "spam":
            # below the calibrated confidence it is filed as kind spam, marked for checking
            sure = sure_spam(prep.classification, sub)
            row.rule_hits = [*row.rule_hits, "classified-spam" if sure else "spam-check"]
        if prep.classification is None:
            return self._finish(session, row, InboundStatus.SCREENED, Disposition.SCREENED)
        desk = next((d for d in self.desks if d.takes(row)), None)
        if desk is not None:
            # A table from a unit reads like nothing the classifier knows: the desk decides.
            self._serialise_sender(session, row.sender_key)
            return self._finish(session, row, InboundStatus(desk.handle(session, row, prep)), Disposition.MONITORED)
        if sure_spam(prep.classification, sub):
            return self._finish(session, row, InboundStatus.SCREENED, Disposition.SCREENED)
        self._serialise_sender(session, row.sender_key)
        first = inbound.earlier_arrival(session, row, prep.fingerprint)
        if first is not None:
            row.duplicate_of = first.id
            row.case_id = first.case_id
            return self._finish(session, row, InboundStatus.DUPLICATE, Disposition.DUPLICATE)
        case = thread_case(session, sub, row.channel, self.settings.office.case_prefix, row.sender_key,
                           verified=prep.verified_by is not None)
        if case is not None:
            self.filer.follow_up(session, row, prep, case)
            return self._finish(session, row, InboundStatus.FOLLOW_UP, Disposition.FOLLOW_UP)
        self.filer.new_case(session, row, prep)
        return self._finish(session, row, InboundStatus.FILED, Disposition.FILED)

    def _serialise_sender(self, session: Session, sender: str | None) -> None:
        # Two arrivals of one message processed at once by two workers must not both be filed:
        # filings from one sender take turns.
        if sender:
            serialise(session, f"sender:{sender}")

    def _finish(self, session: Session, row: Inbound, status: InboundStatus, disposition: Disposition) -> Disposition:
        inbound.finish(session, row, status)
        return disposition

    # -- failures -----------------------------------------------------------------------------

    def _failed(self, inbound_id: int, token: str, exc: Exception) -> Disposition:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        with self.store.transaction() as session:
            row = inbound.held(session, inbound_id, token)
            if row is None:
                return Disposition.LOST
            if row.attempts >= self.settings.pipeline.max_attempts:
                inbound.quarantine(session, row, error)
                return Disposition.QUARANTINED
            wait = delay(row.attempts - 1, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS)
            inbound.retry_later(session, row, error, utcnow() + timedelta(seconds=wait))
        return Disposition.RETRY

    # -- the loop ------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Work until STOP is set; WAKE cuts the idle pause short when a listener accepted mail."""
        lease, batch = self.settings.pipeline.lease_seconds, self.settings.pipeline.claim_batch
        # Several messages per claim: one transaction (and on SQLite one write lock) for the batch.
        # Turns still hold: a report from a quiet source waits at most for the batches in hand.
        await claims.work(lambda token: claims.claim_inbound(self.store, token, lease, batch), self.process_async,
                          "messages to process", stop, wake, self.settings.pipeline.idle_poll_seconds,
                          unclaim=lambda ids, token: claims.unclaim_inbound(self.store, ids, token))
