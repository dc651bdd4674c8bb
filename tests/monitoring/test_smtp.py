"""Monitoring end to end through SMTP on loopback: a registered unit's award with one bidder and a
bid over budget draws an early warning naming both findings and the deadline; a clean file a
receipt; a file with a bad ID number and a missing column a reply naming them; a stranger's file
is not taken as a unit's; the unit's reply to the warning rectifies it; a deadline passed (time
injected) makes a case in the queue with the evidence."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib
from sqlmodel import select

from monitoring import escalate
from store import monitoring as store_monitoring
from store.models import Case, EarlyWarning, Evidence, Notification
from store.store import Store
from tests.conftest import verified_by_border
from tests.intake.test_smtp_intake import rows, wait_until
from tests.monitoring.test_rules import AWARD, PAYOUT, award
from tests.running import running

UNIT = "zhaobiao@jiaotong.xian.example"
MONITOR = "jiance@jiwei.example"


def notification(subject: str, table: str, sender: str = UNIT, name: str = "notice.csv",
                 in_reply_to: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = MONITOR
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{abs(hash((subject, table, sender)))}@jiaotong.xian.example>"
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    mail.set_content("附件为本单位通报，请查收。")
    if table:
        mail.add_attachment(table.encode("utf-8"), maintype="text", subtype="csv", filename=name)
    return mail


async def send(settings, mail: EmailMessage, sender: str = UNIT) -> None:
    raw = verified_by_border(bytes(mail), sender)
    await aiosmtplib.send(raw, sender=sender, recipients=[MONITOR], hostname="127.0.0.1", port=settings.smtp.port)


async def test_a_unit_is_warned_receipted_told_its_errors_and_escalated(bot_settings, relay):
    settings = bot_settings()
    store = Store.open(settings.store.url, settings.store.data_dir)
    with store.transaction() as session:
        store_monitoring.add_unit(session, "县交通运输局", UNIT, "engineering_construction", "os:root")
    store.close()
    async with running(settings):
        await send(settings, notification("工程招标结果通报", "\n".join(
            [AWARD, award("A1", bidders=1), award("A2", budget=1_000_000, bid=1_200_000)])))
        (rcpt, warning_mail), = await relay.wait_for(1)
        body = warning_mail.get_content()
        warning, = rows(settings, EarlyWarning)
        assert rcpt == [UNIT] and warning.number in warning_mail["Subject"]
        assert "E01" in body and "E03" in body and "第 2 行" in body and "第 3 行" in body
        due = warning.due_at.astimezone(__import__("zoneinfo").ZoneInfo(settings.office.timezone))
        assert f"{due.year}年{due.month}月{due.day}日" in body

        await send(settings, notification("工程招标结果通报", "\n".join([AWARD, award("A3", winner="丁公司")])))
        (_, receipt), = (await relay.wait_for(2))[1:]
        assert "通报已收到" in receipt["Subject"] and "1 行" in receipt["Subject"]

        await send(settings, notification("民生资金发放", "\n".join(
            ["program,recipient_name,amount_yuan,village,payout_date", "低保,王某,680,东关村,2026-11-10"])))
        (_, missing), = (await relay.wait_for(3))[2:]
        assert "recipient_id_number" in missing.get_content() and "missing column" in missing.get_content()
        await send(settings, notification("民生资金发放", "\n".join(
            [PAYOUT, "低保,王某,110101199003074478,680,东关村,2026-11-10"])))
        (_, bad_id), = (await relay.wait_for(4))[3:]
        assert "第 2 行  recipient_id_number" in bad_id.get_content()

        await send(settings, notification("工程招标结果通报", "\n".join([AWARD, award("X1", bidders=1)]),
                                          sender="someone@elsewhere.example"), sender="someone@elsewhere.example")
        (rcpt, stranger), = (await relay.wait_for(5))[4:]
        assert rcpt == ["someone@elsewhere.example"] and "登记单位" in stranger["Subject"]

        await send(settings, notification(f"Re: {warning_mail['Subject']}", "", in_reply_to=warning_mail["Message-ID"]))
        (_, rectified), = (await relay.wait_for(6))[5:]
        assert warning.number in rectified["Subject"]
        await wait_until(lambda: rows(settings, EarlyWarning)[0].status == "rectified")
    statuses = sorted(n.status for n in rows(settings, Notification))
    assert statuses == ["checked", "checked", "refused", "rejected", "rejected"]
    assert len(rows(settings, EarlyWarning)) == 1          # the stranger's single bidder warned nobody

    # A second warning, left unanswered past its deadline, becomes a case for staff.
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.transaction() as session:
            first = session.exec(select(EarlyWarning)).one()
            second = EarlyWarning(number="YJ-2026-009999", unit_id=first.unit_id, notification_id=first.notification_id,
                                  findings=first.findings, due_at=first.due_at)
            store_monitoring.add_warning(session, second)
        assert escalate.escalate(store, settings, now=first.due_at - timedelta(hours=1)) == []
        made, = escalate.escalate(store, settings, now=first.due_at + timedelta(hours=1))
        with store.reading() as session:
            case = session.exec(select(Case).where(Case.number == made)).one()
            items = session.exec(select(Evidence).where(Evidence.case_id == case.id)).all()
            escalated = store_monitoring.warning(session, "YJ-2026-009999")
    finally:
        store.close()
    assert case.priority == 2 and case.status == "new" and "YJ-2026-009999" in case.subject
    assert [i.origin for i in items] == ["raw-message", "warning-findings"]
    assert escalated.status == "escalated" and escalated.case_id == case.id
    await asyncio.sleep(0)
