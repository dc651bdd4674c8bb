"""The outbox sender delivers a claim's answers side by side: a relay that is slow for one
recipient does not hold up the others' answers, and one recipient's answers still leave in the
order they were queued."""

from __future__ import annotations

import asyncio
import email
import email.policy
import time

from aiosmtpd.smtp import SMTP

from responders.outbox import queue_reply
from responders.sender import EmailSender
from store import claims
from store.models import Outbox, OutboxStatus
from store.store import Store
from tests.conftest import free_port, make_settings

SLOW = "slow@example.net"
SLOW_SECONDS = 1.5


class SlowRelay:
    """Takes every answer, but SLOW_SECONDS for those to SLOW: when each arrived, in order."""

    def __init__(self):
        self.arrivals: list[tuple[float, str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        if SLOW in envelope.rcpt_tos:
            await asyncio.sleep(SLOW_SECONDS)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.arrivals.append((time.monotonic(), envelope.rcpt_tos[0], str(parsed["Subject"])))
        return "250 2.0.0 OK"


def queue(store: Store, recipient: str, number: int) -> int:
    with store.transaction() as session:
        row = queue_reply(session, channel="email", purpose="acknowledgement", recipient=recipient, language="en",
                          context={"case_number": f"JB-2026-{number:06d}", "office_name": "纪委",
                                   "office_name_en": "CDI", "received": "1 March 2026", "real_name": False,
                                   "acceptance_due": ""},
                          domain="jiwei.example", query_code="ABCDE-FGHJK")
        session.flush()
        return row.id


async def test_a_slow_recipient_holds_up_no_one_else_and_keeps_its_order(tmp_path):
    relay = SlowRelay()
    port = free_port()
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(relay), "127.0.0.1", port)
    settings = make_settings(tmp_path, outbound={"port": port})
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        slow = [queue(store, SLOW, 1), queue(store, SLOW, 2)]
        others = [queue(store, f"citizen{n}@example.org", 10 + n) for n in range(4)]
        token = claims.new_token()
        ids = await asyncio.to_thread(claims.claim_outbox, store, token, 60, "email", 8)
        assert sorted(ids) == sorted(slow + others)
        started = time.monotonic()
        results = await EmailSender(store, settings.outbound, "纪委").deliver_all(ids, token)
        assert results == ["sent"] * len(ids)
        with store.reading() as session:
            assert all(session.get(Outbox, i).status == OutboxStatus.SENT for i in ids)
    finally:
        store.close()
        server.close()
        await server.wait_closed()
    fast = [at - started for at, recipient, _ in relay.arrivals if recipient != SLOW]
    assert len(fast) == 4 and max(fast) < SLOW_SECONDS
    # one after the other, first queued first
    to_slow = [(at, subject) for at, recipient, subject in relay.arrivals if recipient == SLOW]
    assert [subject for _, subject in to_slow] == sorted(subject for _, subject in to_slow)
    assert "000001" in to_slow[0][1] and to_slow[1][0] - to_slow[0][0] >= SLOW_SECONDS * 0.9
