"""End to end over SMTP on loopback: a real-name report is acknowledged, then told of its acceptance
and its result, each notice meeting its deadline once the relay has it; an anonymous report is told
nothing and owes nothing; the running bot's scheduler marks late deadlines and mails one digest per
working day to the office."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

import aiosmtplib

import bot
from cases.calendar import WorkCalendar
from commands import case as case_command
from store import models
from store.models import AuditEvent, Case, Deadline, Outbox
from tests.intake.test_smtp_intake import EN_REPORT, ZH_REPORT, report, rows, wait_until
from tests.running import running

EN_REAL_NAME = ("I am reporting under my real name: my name is Wang Jian, phone 13812345678. The director of the "
                "county transport bureau, Mr. Zhang, took 500,000 yuan from a contractor in the road tender.")
OUTCOME = "经核查，反映的问题属实，相关人员已被立案审查。"


def staff(settings, *argv: str) -> int:
    args = bot.build_parser().parse_args(list(argv))
    with patch("commands.context.login_name", return_value="zhang"):
        return case_command.main(settings, args)


def deadlines_of(settings) -> dict[str, Deadline]:
    return {row.kind: row for row in rows(settings, Deadline)}


async def file_one(settings, relay, message) -> tuple[Case, object]:
    await aiosmtplib.send(message, hostname="127.0.0.1", port=settings.smtp.port)
    (_, acknowledgement), = await relay.wait_for(1)
    case, = rows(settings, Case)
    return case, acknowledgement


async def test_a_real_name_report_is_told_of_acceptance_and_result_each_meeting_its_deadline(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        message = report("举报镇党委书记收受好处费", ZH_REPORT)
        case, acknowledgement = await file_one(settings, relay, message)
        assert case.real_name and case.notify_reporter
        owed = deadlines_of(settings)["acceptance_notice"]
        assert owed.state == "open" and case.due_at == owed.due_at
        due = owed.due_at.astimezone(ZoneInfo(settings.office.timezone))
        assert f"{due.year}年{due.month}月{due.day}日前（15个工作日内）" in acknowledgement.get_content()

        assert await asyncio.to_thread(staff, settings, "case", "set-status", case.number, "accepted") == 0
        (rcpt, notice), = (await relay.wait_for(2))[1:]
        assert rcpt == ["citizen@example.org"] and notice["Subject"] == f"[{case.number}] 关于您来信的回复"
        assert notice["In-Reply-To"] == message["Message-ID"]
        body = notice.get_content()
        assert "已予受理" in body and "刘某某" not in body and "30万元" not in body
        met = await wait_until(lambda: deadlines_of(settings)["acceptance_notice"].state == "done"
                               and deadlines_of(settings)["acceptance_notice"])
        sent = next(e for e in rows(settings, AuditEvent) if e.id == met.closed_event)
        assert sent.action == "reply.sent" and sent.details["purpose"] == "acceptance"

        assert await asyncio.to_thread(staff, settings, "case", "set-status", case.number, "investigating") == 0
        assert await asyncio.to_thread(staff, settings, "case", "set-status", case.number, "concluded",
                                       "--reason", "属实，移送审查调查", "--outcome", OUTCOME) == 0
        (_, result), = (await relay.wait_for(3))[2:]
        assert result["Subject"] == f"[{case.number}] 关于您来信的回复" and OUTCOME in result.get_content()
        assert "移送审查调查" not in result.get_content()   # the internal conclusion stays inside
        await wait_until(lambda: deadlines_of(settings)["result_notice"].state == "done")
    assert {kind: row.state for kind, row in deadlines_of(settings).items()} == {
        "acceptance_notice": "done", "investigation": "done", "result_notice": "done"}
    case, = rows(settings, Case)
    assert case.status == "concluded" and case.due_at is None


async def test_an_english_reporter_is_told_in_english(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        case, _ = await file_one(settings, relay, report("Bribery at the county transport bureau", EN_REAL_NAME))
        assert case.language == "en" and case.notify_reporter
        assert await asyncio.to_thread(staff, settings, "case", "set-status", case.number, "not_accepted",
                                       "--reason", "already_handled: see JB-2025-000123") == 0
        (_, notice), = (await relay.wait_for(2))[1:]
        assert notice["Subject"] == f"[{case.number}] A reply to your message"
        body = notice.get_content()
        assert "is not accepted" in body and "already been dealt with" in body and "JB-2025-000123" not in body
        await wait_until(lambda: deadlines_of(settings)["acceptance_notice"].state == "done")


async def test_an_anonymous_report_gets_no_notices_and_owes_none(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        case, _ = await file_one(settings, relay, report("Bribe for a pre-sale permit", EN_REPORT))
        assert not case.real_name and not case.notify_reporter
        assert deadlines_of(settings) == {} and case.due_at is None
        for argv in (["accepted"], ["investigating"], ["concluded", "--reason", "true", "--outcome", "dealt with"]):
            assert await asyncio.to_thread(staff, settings, "case", "set-status", case.number, *argv) == 0
        await asyncio.sleep(1.0)
    assert len(relay.messages) == 1 and [r.purpose for r in rows(settings, Outbox)] == ["acknowledgement"]
    assert set(deadlines_of(settings)) == {"investigation"}


def working_day_after(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The first working day at least DAYS after START's day, at 00:00 local time."""
    calendar = WorkCalendar(str(zone))
    day = start.astimezone(zone).date() + timedelta(days=days)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(0), zone)


async def test_the_running_bot_marks_late_deadlines_and_mails_one_digest_per_working_day(bot_settings, relay,
                                                                                          monkeypatch):
    settings = bot_settings(office={"staff_address": "xinfang@jiwei.example"},
                            procedure={"check_seconds": 0.1, "digest_hour": 8})
    zone = ZoneInfo(settings.office.timezone)
    # The scheduler reads the one clock; it is moved here as libfaketime would move it.
    clock = {"now": working_day_after(models.utcnow(), 40, zone).replace(hour=7)}
    monkeypatch.setattr(models, "utcnow", lambda: clock["now"])
    async with running(settings):
        case, _ = await file_one(settings, relay, report("举报镇党委书记收受好处费", ZH_REPORT))
        # 07:00 on a working day 40 days on: the acceptance notice is late, the digest not yet due.
        await wait_until(lambda: deadlines_of(settings)["acceptance_notice"].state == "overdue")
        await asyncio.sleep(0.5)
        assert len(relay.messages) == 1
        clock["now"] = clock["now"].replace(hour=9)
        (rcpt, digest), = (await relay.wait_for(2))[1:]
        assert rcpt == ["xinfang@jiwei.example"] and digest["Auto-Submitted"] == "auto-generated"
        assert "已逾期 1 项" in digest["Subject"] and case.number in digest.get_content()
        assert "刘某某" not in digest.get_content()
        await asyncio.sleep(0.5)   # several more rounds of the scheduler the same day
        assert len(relay.messages) == 2
        clock["now"] = working_day_after(clock["now"], 1, zone).replace(hour=9)
        await relay.wait_for(3)
    assert [r.purpose for r in rows(settings, Outbox)] == ["acknowledgement", "digest", "digest"]
    overdue = [e for e in rows(settings, AuditEvent) if e.action == "deadline.overdue"]
    assert len(overdue) == 1 and overdue[0].details["number"] == case.number
