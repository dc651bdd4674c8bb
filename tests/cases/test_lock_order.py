"""Writers that meet on one case never deadlock on PostgreSQL: each takes the case's row before
the audit chain's head (store.cases.hold). A staff change holds the case while the outbox sender
records a delivered notice, or the scheduler marks the case's deadline late; the other side is
made to wait on its lock first, then the staff change appends to the audit log and commits. In
the wrong lock order PostgreSQL breaks that cycle by failing one side with a deadlock error."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy
from sqlmodel import select

from cases import procedure
from store import audit, cases, claims, outbox
from store import deadlines as rows
from store.models import Case
from tests.cases.test_procedure import store  # noqa: F401 (a fixture)
from tests.cases.test_procedure_deadlines import at, clocks, file, move
from tests.conftest import make_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(tmp_path, postgres_url):
    return make_settings(tmp_path, postgres_url)


class Beside(threading.Thread):
    """WORK run in a thread; what it raised is kept for the test to see."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.error = work, None

    def run(self):
        try:
            self.work()
        except BaseException as exc:  # handed to the test, which re-raises it
            self.error = exc


def wait_until_blocked(url: str, thread: Beside, timeout: float = 20.0) -> None:
    """Until some session of this database waits on a row lock (THREAD's, as nothing else runs)."""
    engine = sqlalchemy.create_engine(url.split("?")[0])
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                waiting = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'").scalar()
            if waiting or not thread.is_alive():
                return
            time.sleep(0.02)
        raise AssertionError("the other writer never reached its lock")
    finally:
        engine.dispose()


def staff_change_while(store, number: str, url: str, other: Beside) -> None:
    """Hold NUMBER's row as a staff change does, let OTHER run into it, then audit and commit."""
    with store.transaction() as session:
        case = cases.by_number(session, number, lock=True)
        other.start()
        wait_until_blocked(url, other)
        cases.assign(session, case, "staff:li", "staff:zhang")   # appends to the audit log
    other.join(30)
    assert not other.is_alive()
    if other.error is not None:
        raise other.error


def test_a_notice_delivered_while_staff_change_its_case_settles_its_deadline(settings, store):
    number = file(store, settings, notify=True)
    move(store, settings, number, "accepted", at("2026-10-09"))
    token = claims.new_token()
    notice, = claims.claim_outbox(store, token, 60, "email", 10)

    def deliver():
        outbox.record(store, notice, token, sent=True, error=None, permanent=False, max_attempts=3,
                      retry_delay=lambda n: timedelta(seconds=1))

    staff_change_while(store, number, settings.store.url, Beside(deliver))
    assert clocks(store, number)["acceptance_notice"].closed_by == "reply.sent"
    with store.reading() as session:
        assert session.exec(select(Case).where(Case.number == number)).one().assignee == "staff:li"


def test_the_scheduler_marking_deadlines_late_waits_for_a_staff_change_that_meets_one(settings, store):
    number = file(store, settings, notify=True)
    late = at("2026-10-27")

    def scheduler():
        with store.transaction() as session:
            rows.mark_overdue(session, late)

    other = Beside(scheduler)
    with store.transaction() as session:
        case = cases.by_number(session, number, lock=True)
        event = audit.append(session, actor="staff:zhang", action="case.note", subject_type="case",
                             subject_id=case.id)
        other.start()
        wait_until_blocked(settings.store.url, other)
        rows.settle(session, case, ["acceptance_notice"], event, late)
    other.join(30)
    assert other.error is None and not other.is_alive()
    assert clocks(store, number)["acceptance_notice"].state == "done"


def test_a_staff_decision_while_the_notice_of_another_is_delivered(settings, store):
    """Two cases, two writers, each holding its own case: neither waits on the other's."""
    first, second = file(store, settings, notify=True), file(store, settings, notify=True)
    move(store, settings, first, "accepted", at("2026-10-09"))
    token = claims.new_token()
    notice, = claims.claim_outbox(store, token, 60, "email", 10)
    with store.transaction() as session:
        case = cases.by_number(session, second, lock=True)
        audit.append(session, actor="staff:zhang", action="case.viewed", subject_type="case", subject_id=case.id)
        done = Beside(lambda: outbox.record(store, notice, token, sent=True, error=None, permanent=False,
                                            max_attempts=3, retry_delay=lambda n: timedelta(seconds=1)))
        done.start()
        wait_until_blocked(settings.store.url, done)   # on the audit head this transaction holds
        procedure.change(session, settings, case, "accepted", "staff:zhang", now=at("2026-10-09"))
    done.join(30)
    assert done.error is None and not done.is_alive()
    assert clocks(store, first)["acceptance_notice"].state == "done"
    with store.reading() as session:
        assert cases.by_number(session, second).status == "accepted"
