"""Messages are processed in batches (one claim, and on SQLite one filing transaction, for several):
a message whose filing fails costs the others nothing. Its savepoint is rolled back alone, it is
retried later and filed once, and the audit chain holds. A message that kills its worker process
takes nobody down with it: the batch goes again one by one."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta

from sqlmodel import select

from intake.accept import Arrival, accept
from intake.pipeline.worker import Disposition
from store import audit, claims
from store.models import Case, CaseMessage, Evidence, Inbound, InboundStatus, Outbox, utcnow
from tests.intake.test_commands import mail

REPORT = "县国土局局长收受开发商贿赂300万元，把集体土地低价出让给开发商。"


def queue(pipeline, count: int) -> list[int]:
    arrivals = ((mail(f"citizen{n}@example.org", f"举报{n}", f"第{n}件：{REPORT}", n),
                 Arrival(channel="email", mailbox="ingest", external_id=f"batch-{n}")) for n in range(count))
    return [accept(pipeline.store, raw, arrival)[0] for raw, arrival in arrivals]


def test_a_failing_filing_in_a_batch_costs_the_others_nothing(pipeline, monkeypatch):
    ids = queue(pipeline, 4)
    token = claims.new_token()
    assert claims.claim_inbound(pipeline.store, token, 60, 4) == ids
    new_case = pipeline.filer.new_case

    def poisoned(session, row, prep):
        case = new_case(session, row, prep)   # written, then undone with the savepoint
        if prep.sub.subject == "举报1":
            raise RuntimeError("the store refused this one")
        return case

    monkeypatch.setattr(pipeline.filer, "new_case", poisoned)
    dispositions = pipeline.run_batch(ids, token)
    assert dispositions == [Disposition.FILED, Disposition.RETRY, Disposition.FILED, Disposition.FILED]
    with pipeline.store.reading() as session:
        failed = session.get(Inbound, ids[1])
        # Waiting for its next try: the claim takes it up again when its pause is over.
        assert failed.claimed_by is None and "the store refused this one" in failed.last_error
        assert failed.case_id is None
        assert len(session.exec(select(Case)).all()) == 3
        assert {m.inbound_id for m in session.exec(select(CaseMessage))} == {ids[0], ids[2], ids[3]}
        assert {e.inbound_id for e in session.exec(select(Evidence))} == {ids[0], ids[2], ids[3]}
        assert {o.inbound_id for o in session.exec(select(Outbox))} == {ids[0], ids[2], ids[3]}

    monkeypatch.setattr(pipeline.filer, "new_case", new_case)
    with pipeline.store.transaction() as session:
        session.get(Inbound, ids[1]).lease_until = utcnow() - timedelta(seconds=1)   # its pause is over
    again = claims.new_token()
    assert claims.claim_inbound(pipeline.store, again, 60, 4) == [ids[1]]
    assert pipeline.run_batch([ids[1]], again) == [Disposition.FILED]
    with pipeline.store.reading() as session:
        cases = session.exec(select(Case)).all()
        assert len(cases) == 4 and len({case.number for case in cases}) == 4
        assert all(row.status == InboundStatus.FILED for row in session.exec(select(Inbound)))
        assert len(session.exec(select(Outbox)).all()) == 4
        assert list(audit.check_chain(session)) == []


def test_a_message_whose_claim_was_taken_over_is_left_alone_and_the_rest_are_filed(pipeline):
    ids = queue(pipeline, 3)
    token = claims.new_token()
    assert claims.claim_inbound(pipeline.store, token, 60, 3) == ids
    with pipeline.store.transaction() as session:
        # Its lease ran out and another worker took it.
        session.get(Inbound, ids[0]).claimed_by = "elsewhere:1:taken"
    assert pipeline.run_batch(ids, token) == [Disposition.LOST, Disposition.FILED, Disposition.FILED]
    with pipeline.store.reading() as session:
        assert session.get(Inbound, ids[0]).status == InboundStatus.PROCESSING
        assert len(session.exec(select(Case)).all()) == 2


class PoisonedPool:
    """Worker processes, one message of which kills the process it runs in (as a hostile message
    that exhausts memory would): the batch it is in never returns."""

    def __init__(self, pipeline, poison: int):
        self.pipeline, self.poison, self.calls = pipeline, poison, []

    async def process(self, loop, ids, token):
        self.calls.append(list(ids))
        if self.poison in ids:
            raise BrokenProcessPool("a process in the process pool was terminated abruptly")
        return self.pipeline.run_batch(ids, token)


async def test_a_message_that_kills_its_worker_is_failed_alone_and_its_batch_is_filed(pipeline):
    ids = queue(pipeline, 4)
    pipeline.pool = PoisonedPool(pipeline, poison=ids[2])
    token = claims.new_token()
    assert claims.claim_inbound(pipeline.store, token, 60, 4) == ids
    dispositions = await pipeline.process_async(ids, token)
    assert dispositions == [Disposition.FILED, Disposition.FILED, Disposition.RETRY, Disposition.FILED]
    assert pipeline.pool.calls == [ids, [ids[0]], [ids[1]], [ids[2]], [ids[3]]]
    with pipeline.store.reading() as session:
        rows = {row.id: row for row in session.exec(select(Inbound))}
        assert [rows[i].status for i in ids] == [InboundStatus.FILED, InboundStatus.FILED,
                                                 InboundStatus.PROCESSING, InboundStatus.FILED]
        # One failure on record for the one that killed its worker; the others' single attempt.
        assert "terminated abruptly" in rows[ids[2]].last_error
        assert [rows[i].attempts for i in ids] == [1, 1, 1, 1]
        assert len(session.exec(select(Case)).all()) == 3
