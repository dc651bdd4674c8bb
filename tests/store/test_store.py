"""The store: migrations on both databases, blobs, the audit chain, case numbers, query codes, claims."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from sqlmodel import select

from store import audit, claims, codes
from store.models import AuditEvent, Inbound, InboundStatus
from store.sequence import case_number
from store.store import Store


def test_migrations_bring_an_empty_database_to_the_current_schema(store):
    with store.transaction() as session:
        assert session.exec(select(AuditEvent)).all() == []
    # Opening again is a no-op, not an error.
    Store.open(str(store.engine.url.render_as_string(hide_password=False)), store.data_dir).close()


def test_blob_is_written_once_read_only_sealed_and_named_by_its_hash(store):
    sha = store.blobs.put("举报材料".encode())
    assert store.blobs.put("举报材料".encode()) == sha
    path = store.blobs.path(sha)
    assert "举报材料".encode() not in path.read_bytes()
    assert store.blobs.read(sha) == "举报材料".encode()
    assert not os.stat(path).st_mode & stat.S_IWUSR
    assert store.blobs.check(sha) is None
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    assert "hashes to" in store.blobs.check(sha)


def test_audit_chain_detects_an_altered_entry(store):
    with store.transaction() as session:
        for n in range(5):
            audit.append(session, actor="staff:wang", action="case.viewed", subject_type="case",
                         subject_id=n, details={"n": n, "备注": "查看"})
    with store.transaction() as session:
        assert list(audit.check_chain(session)) == []
    with store.transaction() as session:
        session.exec(update(AuditEvent).where(AuditEvent.id == 3).values(actor="staff:li"))
    with store.transaction() as session:
        problems = list(audit.check_chain(session))
    assert problems[0].event_id == 3
    assert "altered" in problems[0].reason


def test_audit_chain_detects_a_deleted_entry(store):
    with store.transaction() as session:
        for n in range(4):
            audit.append(session, actor="system", action="x", subject_type="case", subject_id=n)
    with store.transaction() as session:
        session.delete(session.get(AuditEvent, 2))
    with store.transaction() as session:
        problems = list(audit.check_chain(session))
    assert problems and problems[0].event_id == 3


def test_case_numbers_are_sequential_per_year_and_unique_under_concurrency(store):
    def allocate(_):
        with store.transaction() as session:
            return case_number(session, "JB", 2026)

    with ThreadPoolExecutor(4) as pool:
        numbers = list(pool.map(allocate, range(40)))
    assert sorted(numbers) == [f"JB-2026-{n:06d}" for n in range(1, 41)]
    with store.transaction() as session:
        assert case_number(session, "JB", 2027) == "JB-2027-000001"


def test_query_code_is_stored_only_as_a_hash_and_checks_loosely_typed_input():
    code = codes.new_code()
    stored = codes.hash_code(code)
    assert code not in stored and code.replace("-", "") not in stored
    assert codes.check_code(code.lower().replace("-", " "), stored)
    assert not codes.check_code("AAAAA-AAAAA", stored)
    assert not codes.check_code(code, "garbage")


def _inbound(store, n=1):
    with store.transaction() as session:
        for _ in range(n):
            session.add(Inbound(channel="email", mailbox="smtp", raw_path="x", raw_sha256="0" * 64, raw_size=1))


def test_each_message_is_claimed_by_exactly_one_worker(store):
    _inbound(store, 30)

    def worker(_):
        token = claims.new_token()
        taken = []
        while ids := claims.claim_inbound(store, token, 60, 2):
            taken.extend(ids)
        return taken

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(worker, range(3)))
    everything = [i for taken in results for i in taken]
    assert sorted(everything) == list(range(1, 31))


def test_claims_of_a_dead_process_are_released_at_start(store):
    _inbound(store, 1)
    dead = f"{claims.HOST}:999999999:abc"
    with store.transaction() as session:
        session.exec(update(Inbound).values(status=InboundStatus.PROCESSING, claimed_by=dead))
    assert claims.release_dead_claims(store) == 1
    with store.transaction() as session:
        assert session.get(Inbound, 1).status == InboundStatus.RECEIVED


# SQLite cannot reflect an index on an expression (the queue's order): alembic skips it there
# and compares the rest; PostgreSQL compares it too.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_match_the_models(store):
    from alembic import command

    from store.migrate import alembic_config

    command.check(alembic_config(store.engine))  # raises when the models need a migration
