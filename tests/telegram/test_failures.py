"""An update that fails is tried again, and processing it twice is harmless; one that keeps failing
for a reason other than the network is filed on its own, as received, and the chat goes on."""

from __future__ import annotations

import json

from intake.telegram import conversation as telegram_conversation
from store.models import InboundStatus
from tests.running import running
from tests.telegram.helpers import blob_bytes, confirmed, drafts, evidence, inbound, texts

CHAT = 5600001
TEXT = "乡财政所长挪用扶贫资金二十万元给儿子买车。"


async def test_a_reply_lost_to_an_outage_is_sent_again_and_the_text_kept_once(tg_settings, api):
    settings = tg_settings()
    async with running(settings):
        api.text(CHAT, "/report")
        await texts(api, CHAT, 1)
        api.send_outages = 2              # the answer to the next message fails twice
        update = api.text(CHAT, TEXT)
        await confirmed(api, update)
        received = api.texts_to(CHAT)
    assert len(received) == 2 and "已记录" in received[1]
    draft, = drafts(settings)
    assert [u["message"]["text"] for u in draft.updates] == [TEXT]


async def test_an_update_that_keeps_failing_is_filed_on_its_own_and_the_chat_goes_on(tg_settings, api, monkeypatch,
                                                                                     caplog):
    async def broken(turn, desk):
        raise RuntimeError("a bug in a step")

    monkeypatch.setitem(telegram_conversation.DRAFTING, "text", broken)
    settings = tg_settings()
    async with running(settings):
        api.text(CHAT, "/report")
        stuck = api.text(CHAT, TEXT)
        api.text(CHAT, "/cancel")
        await confirmed(api, stuck, timeout=30)
        # started, cancelled, and the acknowledgement of the text; the outbox sends the last one
        # on its own schedule, so it may come before the answer to /cancel
        received = await texts(api, CHAT, 3)
    assert sum("已放弃" in text for text in received) == 1
    assert sum("查询码" in text for text in received) == 1
    row, = inbound(settings)
    assert row.status == InboundStatus.FILED
    raw = json.loads(blob_bytes(settings, evidence(settings, row.case_id)[0].sha256))
    assert raw["kind"] == "update" and raw["updates"][0]["message"]["text"] == TEXT
    failures = [r for r in caplog.records if r.name == "intake.telegram.listener" and r.levelname == "ERROR"]
    assert any(r.exc_info and "a bug in a step" in str(r.exc_info[1]) for r in failures), "logged with traceback"
    assert any("filed on its own" in r.getMessage() for r in failures)
