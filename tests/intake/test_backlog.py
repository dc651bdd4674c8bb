"""The bounded backlog: past [pipeline] max_backlog unfiled messages the SMTP listener answers 451
with its reason (before the message is sent), and Telegram fetches no updates, until the pipeline
has caught up."""

from __future__ import annotations

import asyncio
import types

import aiosmtplib
import pytest
from sqlalchemy import update

from config.schema import SmtpSettings
from intake import backlog as backlog_module
from intake.backlog import Backlog
from intake.email import smtp
from intake.telegram.listener import TelegramChannel
from store import inbound
from store.models import Inbound, InboundStatus
from tests.conftest import free_port


@pytest.fixture
def fresh_counts(monkeypatch):
    monkeypatch.setattr(backlog_module, "REFRESH_SECONDS", 0.0)


def report(n: int) -> bytes:
    return (f"From: citizen{n}@example.org\r\nTo: jubao@jiwei.example\r\nSubject: report {n}\r\n"
            f"Message-ID: <backlog-{n}@example.org>\r\n\r\nThe director took a bribe, number {n}.\r\n").encode()


async def send(port: int, n: int) -> None:
    await aiosmtplib.send(report(n), sender=f"citizen{n}@example.org", recipients=["jubao@jiwei.example"],
                          hostname="127.0.0.1", port=port, timeout=10)


async def test_smtp_answers_451_with_its_reason_once_the_backlog_is_full_and_takes_mail_again_after(
        store, fresh_counts):
    port = free_port()
    limit = Backlog(store, 3)
    server = await smtp.start(store, SmtpSettings(port=port), backlog=limit)
    try:
        for n in range(3):
            await send(port, n)
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await send(port, 3)
        assert refused.value.code == 451 and "waiting to be filed" in refused.value.message
        assert await asyncio.to_thread(inbound.unfiled, store) == 3
        # The pipeline files them: the listener takes mail again.
        with store.transaction() as session:
            session.exec(update(Inbound).values(status=InboundStatus.FILED))
        await send(port, 3)
    finally:
        server.close()
        await server.wait_closed()
    assert await asyncio.to_thread(inbound.unfiled, store) == 1


def test_no_limit_means_never_full(store, fresh_counts):
    assert not Backlog(store, 0).full()
    assert not Backlog(None, 5).full()


async def test_the_watcher_keeps_the_count_off_the_loop(store, fresh_counts):
    limit = Backlog(store, 1)
    stop = asyncio.Event()
    watcher = asyncio.create_task(limit.watch(stop))
    with store.transaction() as session:
        inbound.queue(session, [Inbound(channel="email", mailbox="smtp", raw_path="x", raw_sha256="0" * 64,
                                        raw_size=1)])
    await asyncio.sleep(0.1)
    limit.refresh()
    assert limit.full() and limit.count == 1
    stop.set()
    await watcher


async def test_telegram_fetches_no_updates_while_the_backlog_is_full():
    fetched, stop = [], asyncio.Event()
    gauge = types.SimpleNamespace(full=lambda: True)

    async def offset(stop):
        return None

    async def fetch(offset, stop, trouble):
        fetched.append(offset)
        stop.set()
        return []

    channel = types.SimpleNamespace(backlog=gauge, _stored_offset=offset, _fetch=fetch)
    polling = asyncio.create_task(TelegramChannel.poll(channel, stop))
    await asyncio.sleep(0.3)
    assert fetched == [] and not polling.done()
    gauge.full = lambda: False
    await asyncio.wait_for(polling, 10)
    assert fetched == [None]
