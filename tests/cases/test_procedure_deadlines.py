"""Each deadline kind: when it opens, what it counts from, when it is due on the PRC calendar
(across the 2026 National Day and into 2027 with and without its calendar), what meets it; the
scheduler marks late ones and sends one digest per working day; queue, case show and deadlines
show them. Time is injected (a `now`, or store.models.utcnow patched), never slept."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

import bot
from cases import deadlines, procedure
from commands import deadlines as deadlines_command
from commands import queue as queue_command
from store import audit, calendars, claims, models, outbox
from store import deadlines as rows
from store.models import AuditEvent, Case, Deadline, Outbox
from tests.cases.test_procedure import RECEIVED, add_case, cli, store  # noqa: F401 (a fixture)
from tests.conftest import make_settings

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def settings(tmp_path, store_url):
    """On SQLite and on PostgreSQL: the scheduler and the sender lock rows there."""
    return make_settings(tmp_path, store_url)


def changed(settings, section: str, **values):
    """SETTINGS with VALUES in SECTION."""
    part = getattr(settings, section).model_copy(update=values)
    return settings.model_copy(update={section: part})


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=BEIJING)


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=23, minute=59, second=59, tzinfo=BEIJING)


def file(store, settings, **case) -> str:
    """A case filed as the pipeline files it: the row, its case.filed entry, its deadlines."""
    number = add_case(store, **case)
    with store.transaction() as session:
        row = session.exec(select(Case).where(Case.number == number)).one()
        filed = audit.append(session, actor="system", action="case.filed", subject_type="case", subject_id=row.id)
        deadlines.for_new_case(session, settings, deadlines.calendar_for(session, settings), row, filed)
    return number


def move(store, settings, number: str, status: str, now: datetime, **given) -> procedure.Changed:
    with store.transaction() as session:
        case = session.exec(select(Case).where(Case.number == number)).one()
        assert procedure.check(case, status, **given) is None
        return procedure.change(session, settings, case, status, "staff:zhang", now=now, **given)


def clocks(store, number: str) -> dict[str, Deadline]:
    with store.reading() as session:
        case = session.exec(select(Case).where(Case.number == number)).one()
        return {row.kind: row for row in rows.of_case(session, case.id)}


def due_at(store, number: str) -> datetime | None:
    with store.reading() as session:
        return session.exec(select(Case).where(Case.number == number)).one().due_at


def send_all(store) -> list[Outbox]:
    """What the outbox sender does on success, for every queued row."""
    sent = []
    token = claims.new_token()
    for row_id in claims.claim_outbox(store, token, 60, "email", 100):
        outbox.record(store, row_id, token, sent=True, error=None, permanent=False, max_attempts=3,
                      retry_delay=lambda n: timedelta(seconds=1))
        sent.append(row_id)
    with store.reading() as session:
        return [session.get(Outbox, row_id) for row_id in sent]


def test_acceptance_notice_is_due_15_working_days_after_receipt_across_national_day(settings, store):
    number = file(store, settings, notify=True)
    notice = clocks(store, number)["acceptance_notice"]
    # Received Tuesday 2026-09-29; 1-8 October are the holiday, Saturday 10 October is worked.
    assert notice.due_at == end_of("2026-10-26") and notice.calendar_confirmed and notice.state == "open"
    assert notice.working_days == 15 and notice.started_at == RECEIVED
    assert due_at(store, number) == end_of("2026-10-26")


def test_acceptance_notice_is_met_when_the_notice_is_sent_not_when_it_is_queued(settings, store):
    number = file(store, settings, notify=True)
    changed = move(store, settings, number, "accepted", at("2026-10-09"))
    assert changed.notice.purpose == "acceptance"
    assert clocks(store, number)["acceptance_notice"].state == "open"
    sent, = send_all(store)
    notice = clocks(store, number)["acceptance_notice"]
    with store.reading() as session:
        event = session.get(AuditEvent, notice.closed_event)
    assert notice.state == "done" and notice.closed_by == "reply.sent"
    assert event.action == "reply.sent" and event.details["outbox_id"] == sent.id


@pytest.mark.parametrize("status", ["not_accepted", "transferred", "forwarded"])
def test_every_decision_on_a_new_report_tells_the_reporter_and_that_meets_the_acceptance_notice(settings, store,
                                                                                                 status):
    number = file(store, settings, notify=True)
    given = {"reason": "outside_remit"} if status == "not_accepted" else {"to": "城关镇纪委"}
    changed = move(store, settings, number, status, at("2026-10-09"), **given)
    assert changed.notice.purpose == {"not_accepted": "not_accepted"}.get(status, "transferred")
    send_all(store)
    assert clocks(store, number)["acceptance_notice"].state == "done"


def test_an_anonymous_report_owes_no_notice_and_gets_none(settings, store):
    number = file(store, settings, notify=False)
    assert clocks(store, number) == {} and due_at(store, number) is None
    assert move(store, settings, number, "accepted", at("2026-10-09")).notice is None
    move(store, settings, number, "investigating", at("2026-10-12"))
    assert move(store, settings, number, "concluded", at("2026-11-02"), reason="属实", outcome="已处理").notice is None
    assert set(clocks(store, number)) == {"investigation"}
    with store.reading() as session:
        assert session.exec(select(Outbox)).all() == []


def test_routing_counts_5_working_days_from_receipt_and_is_met_by_the_transfer(settings, store):
    number = file(store, settings, notify=False)
    move(store, settings, number, "transferred", at("2026-10-12", 9), to="城关镇纪委")
    routing = clocks(store, number)["routing"]
    assert routing.started_at == RECEIVED and routing.due_at == end_of("2026-10-12")
    assert routing.state == "done" and routing.closed_at <= routing.due_at
    late = file(store, settings, notify=False)
    move(store, settings, late, "forwarded", at("2026-10-13"), to="省纪委监委")
    routing = clocks(store, late)["routing"]
    assert routing.state == "done" and routing.closed_at > routing.due_at   # recorded as late
    assert "transfer_reply" not in clocks(store, late)   # a forwarded report is not tracked


def test_transfer_reply_is_configurable_and_met_when_the_unit_reports_back(settings, store):
    settings = changed(settings, "procedure", transfer_reply_days=10)
    number = file(store, settings)
    move(store, settings, number, "transferred", at("2026-10-09"), to="城关镇纪委")
    reply = clocks(store, number)["transfer_reply"]
    # Friday 9 October: ten working days on (Saturday 10 October is worked) end on Thursday 22 October.
    assert reply.started_at == at("2026-10-09") and reply.due_at == end_of("2026-10-22")
    assert due_at(store, number) == end_of("2026-10-22")
    move(store, settings, number, "closed", at("2026-10-20"), reason="县纪委已反馈：已立案")
    assert clocks(store, number)["transfer_reply"].state == "done" and due_at(store, number) is None


def test_default_transfer_reply_is_30_working_days(settings, store):
    number = file(store, settings)
    move(store, settings, number, "transferred", at("2026-09-29"), to="城关镇纪委")
    assert clocks(store, number)["transfer_reply"].due_at == end_of("2026-11-16")


def test_result_notice_is_due_15_working_days_after_conclusion_and_met_when_sent(settings, store):
    number = file(store, settings, notify=True)
    move(store, settings, number, "accepted", at("2026-10-09"))
    move(store, settings, number, "investigating", at("2026-10-12"))
    send_all(store)
    changed = move(store, settings, number, "concluded", at("2026-11-02"), reason="属实，已立案", outcome="已立案审查")
    assert changed.notice.purpose == "outcome" and "已立案审查" in changed.notice.body
    result = clocks(store, number)["result_notice"]
    assert result.started_at == at("2026-11-02") and result.due_at == end_of("2026-11-23")
    assert result.state == "open"
    send_all(store)
    assert clocks(store, number)["result_notice"].state == "done"


def test_investigation_target_is_configurable_and_met_by_the_conclusion(settings, store):
    settings = changed(settings, "procedure", investigation_days=20)
    number = file(store, settings)
    move(store, settings, number, "accepted", at("2026-09-29"))
    target = clocks(store, number)["investigation"]
    assert target.due_at == end_of("2026-11-02") and target.working_days == 20
    move(store, settings, number, "investigating", at("2026-09-30"))
    move(store, settings, number, "concluded", at("2026-10-30"), reason="不属实", outcome="经核查，反映问题不属实")
    assert clocks(store, number)["investigation"].state == "done"
    none = changed(settings, "procedure", investigation_days=0)
    other = file(store, none)
    move(store, none, other, "accepted", at("2026-09-29"))
    assert "investigation" not in clocks(store, other)


NEW_YEAR_2027 = {"holidays": [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)], "workdays": []}


def test_a_clock_into_2027_is_unconfirmed_until_its_calendar_is_imported_then_counted_again(settings, store):
    number = file(store, settings, notify=True)
    move(store, settings, number, "accepted", at("2026-12-01"))
    send_all(store)
    move(store, settings, number, "investigating", at("2026-12-02"))
    move(store, settings, number, "concluded", at("2026-12-20"), reason="属实", outcome="已处理")
    result = clocks(store, number)["result_notice"]
    # Weekends only: 1 January counted as a working day, so the date is early, never late.
    assert result.due_at == end_of("2027-01-08") and not result.calendar_confirmed
    with store.transaction() as session:
        calendars.replace(session, year=2027, source="test", file_name="2027.json", sha256="0" * 64,
                          actor="staff:zhang", **NEW_YEAR_2027)
    assert deadlines.tick(store, settings, now=at("2026-12-21")).recounted == 1
    result = clocks(store, number)["result_notice"]
    assert result.due_at == end_of("2027-01-11") and result.calendar_confirmed
    assert due_at(store, number) == end_of("2027-01-11")
    moved, = [e for e in _audit(store) if e.action == "deadline.rescheduled"]
    assert moved.details["kind"] == "result_notice"


def test_a_clock_into_2027_counts_its_imported_calendar_from_the_start(settings, store):
    with store.transaction() as session:
        calendars.replace(session, year=2027, source="test", file_name="2027.json", sha256="0" * 64,
                          actor="staff:zhang", **NEW_YEAR_2027)
    number = file(store, settings, notify=True, received=at("2026-12-20"))
    notice = clocks(store, number)["acceptance_notice"]
    assert notice.due_at == end_of("2027-01-11") and notice.calendar_confirmed


def _audit(store) -> list[AuditEvent]:
    with store.reading() as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_the_scheduler_marks_late_deadlines_overdue_once_with_an_audit_entry(settings, store):
    number = file(store, settings, notify=True)
    assert deadlines.tick(store, settings, now=end_of("2026-10-26")).overdue == 0
    assert deadlines.tick(store, settings, now=at("2026-10-27", 0)).overdue == 1
    assert deadlines.tick(store, settings, now=at("2026-10-28")).overdue == 0
    assert clocks(store, number)["acceptance_notice"].state == "overdue"
    late, = [e for e in _audit(store) if e.action == "deadline.overdue"]
    assert late.actor == "system" and late.details == {"number": number, "kind": "acceptance_notice",
                                                        "due_at": end_of("2026-10-26").astimezone(UTC).isoformat()}
    # Still owed: a late notice sent at last meets it.
    move(store, settings, number, "accepted", at("2026-10-28"))
    send_all(store)
    notice = clocks(store, number)["acceptance_notice"]
    assert notice.state == "done" and notice.closed_at > notice.due_at


def digests(store) -> list[Outbox]:
    with store.reading() as session:
        return list(session.exec(select(Outbox).where(Outbox.purpose == "digest").order_by(Outbox.id)))


def test_one_digest_per_working_day_goes_to_the_staff_address(settings, store):
    settings = changed(settings, "office", staff_address="xinfang@jiwei.example")
    late = file(store, settings, notify=True)                                 # due 26 October
    soon = file(store, settings, notify=True, received=at("2026-10-16"))      # due 6 November
    later = file(store, settings, notify=True, received=at("2026-10-30"))     # due 20 November
    assert not deadlines.tick(store, settings, now=at("2026-11-03", 7)).digest      # before 08:00
    assert deadlines.tick(store, settings, now=at("2026-11-03", 8)).digest
    assert not deadlines.tick(store, settings, now=at("2026-11-03", 17)).digest     # once a day
    digest, = digests(store)
    assert digest.recipient == "xinfang@jiwei.example" and digest.case_id is None and digest.language == "zh"
    assert digest.subject == "期限提醒 2026-11-03：已逾期 1 项，3 个工作日内到期 1 项"
    assert late in digest.body and soon in digest.body and later not in digest.body
    assert digest.body.index(late) < digest.body.index("个工作日内到期") < digest.body.index(soon)
    assert not deadlines.tick(store, settings, now=at("2026-11-07", 9)).digest      # a Saturday
    assert deadlines.tick(store, settings, now=at("2026-11-04", 9)).digest
    assert len(digests(store)) == 2
    sent = send_all(store)
    from responders.mail import build

    assert b"Auto-Submitted: auto-generated" in build(sent[0], "jubao@jiwei.example", "纪委")


def test_no_staff_address_means_no_digest(settings, store):
    file(store, settings, notify=True)
    assert not deadlines.tick(store, settings, now=at("2026-11-03", 9)).digest
    assert digests(store) == []


def test_queue_case_show_and_deadlines_show_the_nearest_deadline_and_mark_late_ones(settings, store, capsys,
                                                                                    monkeypatch):
    late = file(store, settings, notify=True)
    on_time = file(store, settings, notify=True, received=at("2026-10-20"))
    anonymous = file(store, settings)
    monkeypatch.setattr(models, "utcnow", lambda: at("2026-10-28"))
    queue = _json(settings, capsys, queue_command, "queue", "--json")
    by_number = {entry["number"]: entry for entry in queue}
    assert by_number[late]["late"] and not by_number[on_time]["late"] and not by_number[anonymous]["late"]
    assert by_number[late]["deadline"] == {"kind": "acceptance_notice", "due": end_of("2026-10-26").astimezone(UTC)
                                           .isoformat(), "state": "overdue", "calendar_confirmed": True}
    assert by_number[anonymous]["deadline"] is None and by_number[late]["due_at"] == by_number[late]["deadline"]["due"]
    table = _text(settings, capsys, queue_command, "queue")
    assert next(line for line in table.splitlines() if late in line).count("LATE") == 1
    assert "LATE" not in next(line for line in table.splitlines() if on_time in line)
    shown = json.loads(cli(settings, capsys, "case", "show", late, "--json")[1])
    assert {k: shown["deadlines"][0][k] for k in ("kind", "state", "calendar_confirmed")} == {
        "kind": "acceptance_notice", "state": "overdue", "calendar_confirmed": True}
    assert _json(settings, capsys, deadlines_command, "deadlines", "--overdue", "--json")[0]["number"] == late
    def within(days: str) -> list[str]:
        return [d["number"] for d in _json(settings, capsys, deadlines_command, "deadlines", "--due-within", days,
                                           "--json")]

    # On 28 October: the late one, then (due 10 November) the one received on 20 October.
    assert within("3") == [late] and within("15") == [late, on_time]
    assert late in _text(settings, capsys, deadlines_command, "deadlines")
    assert "LATE" in _text(settings, capsys, deadlines_command, "deadlines", "--overdue")


def _text(settings, capsys, command, *argv) -> str:
    assert command.main(settings, bot.build_parser().parse_args(list(argv))) == 0
    return capsys.readouterr().out


def _json(settings, capsys, command, *argv):
    return json.loads(_text(settings, capsys, command, *argv))
