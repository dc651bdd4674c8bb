"""The pipeline worker: claim a few inbound messages, then parse, screen and classify each and file it
in a transaction (on SQLite one for the batch, a savepoint each).

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
    """Worker processes that run `Pipeline.run_batch` (intake.pipeline.pool.WorkerPool)."""

    async def process(self, loop: asyncio.AbstractEventLoop, ids: list[int], token: str) -> list[Disposition]: ...


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

    # -- messages -----------------------------------------------------------------------------

    def process(self, inbound_id: int, token: str) -> Disposition:
        """Take one claimed message to its end state, here; never raises for a bad message."""
        return self._done(self.run_batch([inbound_id], token)[0])

    def run_batch(self, ids: list[int], token: str) -> list[Disposition]:
        """Take claimed messages to their end states, one disposition each in order; never raises
        for a bad message. On SQLite their filings share one transaction (writers take turns there
        anyway), each in a savepoint, so one that fails is rolled back alone and retried. On
        PostgreSQL each filing has its own transaction: a batch would hold its locks (case numbers,
        the audit chain) while other processes wait."""
        results: dict[int, Disposition] = {}
        try:
            jobs = self._begin(ids, token)
        except Exception as exc:  # the store is away: every message counts a failed attempt
            log.exception("inbound %s failed", ids)
            return [self._failed(inbound_id, token, exc) for inbound_id in ids]
        prepared: dict[int, Prepared] = {}
        for inbound_id in ids:
            job = jobs[inbound_id]
            if isinstance(job, Disposition):
                results[inbound_id] = job
                continue
            try:
                prepared[inbound_id] = self.preparer.prepare(job)
            except Exception as exc:  # a bad message must not stop the worker; it is recorded
                log.exception("inbound %s failed", inbound_id)
                results[inbound_id] = self._failed(inbound_id, token, exc)
        groups = [[inbound_id] for inbound_id in prepared] if self.store.is_postgres else [list(prepared)]
        for group in filter(None, groups):
            results.update(self._complete(group, token, prepared))
        return [results[inbound_id] for inbound_id in ids]

    async def process_async(self, ids: list[int], token: str) -> list[Disposition]:
        """The same for claimed IDS, in a worker process when there is a pool."""
        return [self._done(disposition) for disposition in await self._dispositions(ids, token)]

    async def _dispositions(self, ids: list[int], token: str) -> list[Disposition]:
        if self.pool is None:
            return await asyncio.to_thread(self.run_batch, ids, token)
        try:
            return await self.pool.process(asyncio.get_running_loop(), ids, token)
        except Exception as exc:  # the worker died on them
            log.exception("inbound %s failed", ids)
            if len(ids) == 1:   # recorded, retried, then quarantined
                return [await asyncio.to_thread(self._failed, ids[0], token, exc)]
        # One of them may be what killed it: each goes again alone, so that the others do not
        # count its failures and end quarantined with it. Those filed before it died are LOST now.
        return [disposition for inbound_id in ids for disposition in await self._dispositions([inbound_id], token)]

    def _done(self, disposition: Disposition) -> Disposition:
        if disposition in (Disposition.FILED, Disposition.FOLLOW_UP, Disposition.MONITORED):
            self.on_filed()
        return disposition

    def _begin(self, ids: list[int], token: str) -> dict[int, Job | Disposition]:
        jobs: dict[int, Job | Disposition] = {}
        worn_out = []
        with self.store.reading() as session:
            rows = inbound.held_all(session, ids, token)
            for inbound_id in ids:
                row = rows.get(inbound_id)
                if row is None:
                    jobs[inbound_id] = Disposition.LOST
                elif row.attempts > self.settings.pipeline.max_attempts:
                    worn_out.append(inbound_id)
                else:
                    jobs[inbound_id] = self._job(row)
        for inbound_id in worn_out:
            # The claim count ran past the limit without a recorded failure: the process died
            # on this message each time. Stop feeding it to workers.
            with self.store.transaction() as session:
                row = inbound.held(session, inbound_id, token)
                if row is None:
                    jobs[inbound_id] = Disposition.LOST
                    continue
                inbound.quarantine(session, row, "the worker stopped while processing it, repeatedly")
                jobs[inbound_id] = Disposition.QUARANTINED
        return jobs

    def _job(self, row: Inbound) -> Job:
        # Only a listener that speaks SMTP knows an envelope sender; the others leave it None.
        # The peer is the client that sent the message only when the message came that way.
        direct = row.envelope_from is not None
        envelope = Envelope(sender=row.envelope_from, own_addresses=self.own, client=row.peer if direct else None)
        return Job(raw_sha256=row.raw_sha256, channel=row.channel, envelope=envelope,
                   for_desk=any(desk.takes(row) for desk in self.desks))

    def _complete(self, ids: list[int], token: str, prepared: dict[int, Prepared]) -> dict[int, Disposition]:
        # Not durable by itself: the raw message is, and the outbox sender's durable claim comes
        # before any answer leaves, so a power cut can cost a filing but never contradict an answer.
        results: dict[int, Disposition] = {}
        failures: dict[int, Exception] = {}
        try:
            with self.store.transaction(durable=False) as session:
                rows = inbound.held_all(session, ids, token, lock=True)
                for inbound_id in ids:
                    row = rows.get(inbound_id)
                    if row is None:
                        results[inbound_id] = Disposition.LOST
                        continue
                    try:
                        with session.begin_nested():
                            results[inbound_id] = self._decide(session, row, prepared[inbound_id])
                    except Exception as exc:  # rolled back to its savepoint; recorded below
                        log.exception("inbound %s failed", inbound_id)
                        failures[inbound_id] = exc
        except Exception as exc:  # nothing of the group was written
            log.exception("inbound %s failed", ids)
            return {inbound_id: self._failed(inbound_id, token, exc) for inbound_id in ids}
        for inbound_id, exc in failures.items():
            results[inbound_id] = self._failed(inbound_id, token, exc)
        return results

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
        settings = self.settings.pipeline
        lease, batch = settings.lease_seconds, settings.claim_batch
        # Several messages per claim, handed to a worker together: one claim, and on SQLite one
        # filing transaction, for the batch. Turns still hold: a report from a quiet source waits
        # at most for the batches in hand. A message arriving when all is quiet is taken at once;
        # under a stream, a short pause after a short claim lets the next fill up.
        await claims.work(lambda token: claims.claim_inbound(self.store, token, lease, batch), self.process_async,
                          "messages to process", stop, wake, settings.idle_poll_seconds, whole=True,
                          fill=batch, fill_seconds=settings.batch_pause_seconds)
