"""Under a flood, real reports still come first: a report from another client network is filed and
answered while one network's backlog of thousands still waits (store.turns).

The backlog is accepted before the bot starts, through the listener's own accept() and under the
source the listener gives that network: a pipeline that files as fast as a flood arrives would
otherwise leave no backlog to wait behind."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlmodel import func, select

from intake.accept import Arrival, accept
from intake.email.smtp import client_network
from store.models import Inbound, InboundStatus
from store.store import Store
from tests.running import running

FLOOD = 2000
FLOOD_HOST, GENUINE_HOST = "127.0.1.1", "127.0.2.1"   # two /24 networks on loopback


def mail(n: int, sender: str, tag: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = f"举报{tag}{n}"
    message["Message-ID"] = f"<{tag}-{n}@example.org>"
    message.set_content(f"{tag}第{n}号：镇民政办主任把低保名额给了自己的亲戚，村里困难户没有评上。")
    return message.as_bytes()


def backlog(settings) -> None:
    """FLOOD messages accepted from one network, varied senders of one domain, as a spam run or a
    misbehaving relay sends them."""
    store = Store.open(settings.store.url, settings.store.data_dir, audit_key=settings.store.audit_key_file,
                       key_file=settings.store.key_file)
    source = f"smtp|{client_network(FLOOD_HOST)}|flood.example"
    try:
        for n in range(FLOOD):
            sender = f"flood{n}@flood.example"
            accept(store, mail(n, sender, "flood"), Arrival(channel="email", mailbox="smtp", envelope_from=sender,
                   envelope_to=["jubao@jiwei.example"], peer=FLOOD_HOST, source=source))
    finally:
        store.close()


def waiting(settings) -> int:
    store = Store.open(settings.store.url, settings.store.data_dir, upgrade=False)
    try:
        with store.reading() as session:
            return session.exec(select(func.count(Inbound.id)).where(Inbound.status == InboundStatus.RECEIVED)).one()
    finally:
        store.close()


# SQLite only: turns on PostgreSQL, SKIP LOCKED included, are tests/store/test_turns.py's
@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_a_report_from_another_network_is_answered_before_a_flood_backlog_drains(bot_settings, relay):
    settings = bot_settings(
        pipeline={"replies_per_hour": 100000, "replies_per_source_per_hour": 100000},
        authenticity={"dkim": False, "spf": False},
    )
    await asyncio.to_thread(backlog, settings)
    async with running(settings):
        before = await asyncio.to_thread(waiting, settings)
        assert before > 1000, "the backlog should still be waiting"
        started = asyncio.get_running_loop().time()
        raw = mail(1, "citizen@example.org", "genuine")
        await aiosmtplib.send(raw, sender="citizen@example.org", recipients=["jubao@jiwei.example"],
                              hostname="127.0.0.1", port=settings.smtp.port, source_address=(GENUINE_HOST, 0))

        async def answered():
            while not any(rcpt == ["citizen@example.org"] for rcpt, _ in relay.messages):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(answered(), 60)
        latency = asyncio.get_running_loop().time() - started
        left = await asyncio.to_thread(waiting, settings)
    # Filed and answered while most of the flood still waits: it waited a few turns, not the backlog.
    assert left > before / 2, (before, left, latency)
