"""Answers queued for Telegram reach the chat: staff outcomes, and retries when Telegram says wait."""

from __future__ import annotations

import asyncio
from argparse import Namespace
from datetime import timedelta

import pytest
from telegram import Bot

from commands import case as case_command
from responders.outbox import queue_reply
from responders.telegram_sender import TelegramSender, split
from store import claims
from store.models import AuditEvent, Outbox, OutboxStatus, utcnow
from store.store import Store
from tests.running import running
from tests.telegram.helpers import REPORT, file_report, rows, texts

CHAT = 5570001
OUTCOME = "经查，反映的问题属实，刘某某已被给予党内严重警告处分，违纪所得已收缴。"


async def test_outcome_set_by_staff_reaches_the_chat(tg_settings, api, capsys):
    settings = tg_settings()
    async with running(settings):
        # Notices go to a real-name reporter only; accepting tells him too.
        number, _ = await file_report(api, CHAT, REPORT + "举报人陈国强，电话13907311234。")
        for status, outcome in (("accepted", None), ("investigating", None), ("concluded", OUTCOME)):
            args = Namespace(case_command="set-status", case_number=number, status=status, outcome=outcome,
                             reason="属实" if outcome else None, to=None, actor="staff:wang")
            assert await asyncio.to_thread(case_command.main, settings, args) == 0
        notice = next(text for text in await texts(api, CHAT, 6) if OUTCOME in text)
    assert number in notice and "关于您来信的回复" in notice and OUTCOME in notice
    assert "/add" in notice and "回复本邮件" not in notice
    row = next(r for r in rows(settings, Outbox) if r.purpose == "outcome")
    assert row.channel == "telegram" and row.recipient == str(CHAT) and row.status == OutboxStatus.SENT


@pytest.fixture
async def sender_setup(tmp_path, api):
    store = Store.open(f"sqlite:///{tmp_path / 'intake.db'}", tmp_path / "data")
    bot = Bot(api.token, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot")
    async with bot:
        yield store, TelegramSender(store, bot, max_attempts=3, retry_base_seconds=0.2)
    store.close()


def queue(store: Store, chat_id: int, purpose: str = "outcome", **context) -> int:
    with store.transaction() as session:
        row = queue_reply(session, channel="telegram", purpose=purpose, recipient=str(chat_id), language="en",
                          context={"case_number": "JB-2026-000007", "office_name": "纪委", "office_name_en": "CDI",
                                   "outcome": OUTCOME, **context}, domain="jiwei.example")
        session.flush()
        return row.id


async def deliver_once(store: Store, sender: TelegramSender) -> str:
    token = claims.new_token()
    ids = await asyncio.to_thread(claims.claim_outbox, store, token, 60, "telegram", 1)
    assert ids, "nothing was due"
    return await sender.deliver(ids[0], token)


def outbox_row(store: Store, row_id: int) -> Outbox:
    with store.transaction() as session:
        return session.get(Outbox, row_id)


async def test_flood_wait_is_honoured_without_counting_as_a_failed_attempt(sender_setup, api):
    store, sender = sender_setup
    api.chats.add(CHAT)
    api.flood = 1
    row_id = queue(store, CHAT)
    assert await deliver_once(store, sender) == "retry"
    row = outbox_row(store, row_id)
    wait = row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert row.status == OutboxStatus.PENDING and row.attempts == 0 and timedelta(0) < wait <= timedelta(seconds=1)
    await asyncio.sleep(wait.total_seconds() + 0.05)
    assert await deliver_once(store, sender) == "sent"
    assert api.texts_to(CHAT)[0].startswith("[JB-2026-000007] A reply to your message")


async def test_blocked_or_unknown_chat_fails_at_once_and_is_audited(sender_setup, api):
    store, sender = sender_setup
    api.chats.add(CHAT)
    api.blocked.add(CHAT)
    blocked, unknown = queue(store, CHAT), queue(store, 999)
    assert await deliver_once(store, sender) == "failed"
    assert await deliver_once(store, sender) == "failed"
    for row_id, reason in ((blocked, "blocked"), (unknown, "chat not found")):
        row = outbox_row(store, row_id)
        assert row.status == OutboxStatus.FAILED and reason in row.last_error.lower() and row.attempts == 1
    with store.transaction() as session:
        actions = [event.action for event in session.exec(AuditEvent.__table__.select()).all()]
    assert actions.count("reply.failed") == 2


async def test_telegram_away_is_retried_with_backoff(sender_setup, api):
    store, sender = sender_setup
    api.chats.add(CHAT)
    row_id = queue(store, CHAT)
    api.unavailable = True
    assert await deliver_once(store, sender) == "retry"
    row = outbox_row(store, row_id)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error.startswith("NetworkError")
    assert row.next_attempt_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    api.unavailable = False
    await asyncio.sleep(0.3)
    assert await deliver_once(store, sender) == "sent"


async def test_query_code_is_put_in_at_sending_and_erased_after(sender_setup, api):
    store, sender = sender_setup
    api.chats.add(CHAT)
    with store.transaction() as session:
        row = queue_reply(session, channel="telegram", purpose="acknowledgement", recipient=str(CHAT),
                          language="zh", context={"case_number": "JB-2026-000008", "office_name": "纪委",
                                                  "office_name_en": "CDI", "received": "2026年3月1日",
                                                  "real_name": False, "acceptance_due": ""},
                          domain="jiwei.example", query_code="ABCDE-FGHJK")
        session.flush()
        row_id = row.id
    assert await deliver_once(store, sender) == "sent"
    text, = api.texts_to(CHAT)
    assert "查询码：ABCDE-FGHJK" in text and "/status JB-2026-000008 查询码" in text
    row = outbox_row(store, row_id)
    assert row.secret is None and "ABCDE-FGHJK" not in row.body


def test_long_answers_are_split_between_lines_within_telegrams_limit():
    text = "\n".join(f"第{n}行：" + "查" * 100 for n in range(100))
    parts = split(text)
    assert len(parts) > 1 and all(len(part.encode("utf-16-le")) // 2 <= 4096 for part in parts)
    assert "\n".join(parts) == text
    assert split("x" * 5000) == ["x" * 4096, "x" * 904]
