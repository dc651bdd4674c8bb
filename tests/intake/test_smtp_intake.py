"""A citizen's email over real SMTP becomes a case, and the acknowledgement goes out through the relay."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlmodel import select

from store.models import Case, Inbound, InboundStatus, Outbox
from store.store import Store
from tests.conftest import IN_CI
from tests.running import running

ZH_REPORT = (
    "尊敬的领导：\n我实名举报城关镇党委书记刘某某在2026年的道路硬化工程招标中收受施工老板好处费30万元，"
    "并把工程指定给其亲戚的公司。举报人：陈国强，电话13907311234。"
)
EN_REPORT = (
    "Dear Sir or Madam,\nI want to report the deputy director of the county housing bureau, Mr. Zhou, who "
    "demanded 80,000 yuan from our company before he would sign the pre-sale permit for our project.\n"
    "Regards, a worried developer"
)


def report(subject: str, body: str, sender: str = "citizen@example.org", to: str = "jubao@jiwei.example",
           **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((subject, body, sender)))}@example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def wait_until(predicate, timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await asyncio.to_thread(predicate)
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


def rows(settings, table) -> list:
    store = Store.open(settings.store.url, settings.store.data_dir, upgrade=False)
    try:
        with store.reading() as session:
            return list(session.exec(select(table).order_by(table.id)).all())
    finally:
        store.close()


def cases(settings) -> list[Case]:
    return rows(settings, Case)


def inbound_rows(settings) -> list[Inbound]:
    return rows(settings, Inbound)


async def test_chinese_report_is_filed_and_acknowledged_in_chinese_threaded_to_it(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        message = report("举报镇党委书记收受好处费", ZH_REPORT)
        await aiosmtplib.send(message, hostname="127.0.0.1", port=settings.smtp.port)
        (rcpt, answer), = await relay.wait_for(1)
    filed = cases(settings)
    assert len(filed) == 1
    case = filed[0]
    assert case.kind == "report" and case.language == "zh" and case.real_name
    assert rcpt == ["citizen@example.org"]
    assert answer["Subject"] == f"[{case.number}] 来信已收到"
    assert answer["In-Reply-To"] == message["Message-ID"]
    assert message["Message-ID"] in answer["References"]
    assert answer["Auto-Submitted"] == "auto-replied"
    body = answer.get_content()
    assert case.number in body and "查询码" in body
    assert "30万元" not in body and "刘某某" not in body  # answers never quote the report


async def test_parsing_and_classifying_in_a_worker_process_files_the_same_case(bot_settings, relay):
    settings = bot_settings(pipeline={"processes": 1})
    async with running(settings):
        await aiosmtplib.send(report("举报镇党委书记收受好处费", ZH_REPORT), hostname="127.0.0.1",
                              port=settings.smtp.port)
        (_, answer), = await relay.wait_for(1)
    case, = cases(settings)
    assert case.kind == "report" and case.real_name and case.number in answer["Subject"]


async def test_english_report_is_acknowledged_in_english(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        await aiosmtplib.send(report("Bribe for a pre-sale permit", EN_REPORT), hostname="127.0.0.1",
                              port=settings.smtp.port)
        (_, answer), = await relay.wait_for(1)
    case, = cases(settings)
    assert case.language == "en"
    assert answer["Subject"] == f"[{case.number}] Your message was received"
    assert "Query code" in answer.get_content()


async def test_query_code_is_sent_once_and_not_kept_in_plain_text(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        await aiosmtplib.send(report("举报", ZH_REPORT), hostname="127.0.0.1", port=settings.smtp.port)
        (_, answer), = await relay.wait_for(1)
        await asyncio.sleep(0.3)
    code = next(line.split("：", 1)[1].strip() for line in answer.get_content().splitlines() if "查询码" in line
                and "：" in line)
    answers = rows(settings, Outbox)
    assert answers and all(row.secret is None and code not in row.body for row in answers)


@pytest.mark.skipif(not shutil.which("swaks") and not IN_CI, reason="swaks is not installed")
async def test_mail_sent_with_swaks_is_filed(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        result = await asyncio.to_thread(
            subprocess.run,
            ["swaks", "--server", f"127.0.0.1:{settings.smtp.port}", "--from", "villager@example.net",
             "--to", "lianzheng@jiwei.example", "--header", "Subject: 举报村主任侵占低保金",
             "--body", "村主任王某把全村五保户的补助款每月扣下一半，已经两年了，涉及二十多户。",
             "--header", "Content-Type: text/plain; charset=UTF-8"],
            capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "250 2.0.0 Accepted" in result.stdout
        await relay.wait_for(1)
    case, = cases(settings)
    assert case.kind == "report" and case.area == "livelihood"


async def test_unknown_recipient_is_refused_with_550_and_nothing_is_relayed(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
            await aiosmtplib.send(report("hi", "hello", to="someone@elsewhere.example"), hostname="127.0.0.1",
                                  port=settings.smtp.port)
        assert refused.value.recipients[0].code == 550
    assert inbound_rows(settings) == []


async def test_oversized_message_is_refused_with_552(bot_settings, relay):
    settings = bot_settings(smtp={"max_message_bytes": 20_000})
    async with running(settings):
        big = report("材料", "证据" * 20_000)
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await aiosmtplib.send(big, hostname="127.0.0.1", port=settings.smtp.port)
        assert refused.value.code == 552
    assert inbound_rows(settings) == []


async def test_auto_replies_and_bounces_are_kept_but_never_answered(bot_settings, relay):
    settings = bot_settings()
    vacation = report("自动回复: 举报受理回执", "我正在休假，将于下周回复。", Auto_Submitted="auto-replied")
    out_of_office = report("Out of Office: Your report has been received", "I am away until Monday.",
                           X_Autoreply="yes")
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@mx.example.org"
    bounce["To"] = "jubao@jiwei.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("This is the mail system at host mx.example.org. I'm sorry to have to inform you...")
    async with running(settings):
        for message in (vacation, out_of_office):
            await aiosmtplib.send(message, hostname="127.0.0.1", port=settings.smtp.port)
        await aiosmtplib.send(bounce, sender="", recipients=["jubao@jiwei.example"], hostname="127.0.0.1",
                              port=settings.smtp.port)
        await wait_until(lambda: all(r.status == InboundStatus.SCREENED for r in inbound_rows(settings))
                         and len(inbound_rows(settings)) == 3)
        await asyncio.sleep(0.5)
    assert relay.messages == []
    assert cases(settings) == []
    hits = [set(r.rule_hits) for r in inbound_rows(settings)]
    assert "auto-submitted" in hits[0] and "auto-reply-headers" in hits[1] and "mailer-daemon" in hits[2]


@pytest.mark.parametrize("failing", ["store.blobs.BlobStore.put", "intake.accept.GroupAcceptor._insert"])
async def test_storage_failure_answers_451_so_the_sender_keeps_the_message(bot_settings, relay, monkeypatch, failing):
    settings = bot_settings()
    async with running(settings):
        def broken(*args, **kwargs):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(failing, broken)
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await aiosmtplib.send(report("举报", ZH_REPORT), hostname="127.0.0.1", port=settings.smtp.port)
        assert refused.value.code == 451
        monkeypatch.undo()
        # The sender's retry, once the disk has room again, is accepted and filed.
        await aiosmtplib.send(report("举报", ZH_REPORT), hostname="127.0.0.1", port=settings.smtp.port)
        await relay.wait_for(1)
    assert len(cases(settings)) == 1
