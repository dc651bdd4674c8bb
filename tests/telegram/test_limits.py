"""What the bot will not take, and says so: files over the Bot API's 20 MB, and messages too fast."""

from __future__ import annotations

from tests.running import running
from tests.telegram.helpers import confirmed, drafts, texts

CHAT = 5580001


async def test_too_large_file_gets_a_clear_answer_and_is_not_kept(tg_settings, api):
    settings = tg_settings()
    async with running(settings):
        api.text(CHAT, "/report")
        api.text(CHAT, "县医院院长收受医疗器械回扣，账本扫描件很大。")
        api.document(CHAT, None, "账本.zip", "application/zip", declared_size=25 * 1024 * 1024)
        # Declared size absent: getFile itself refuses it, as Telegram does above 20 MB.
        api.document(CHAT, None, "录像.mp4", "video/mp4", declared_size=None)
        received = await texts(api, CHAT, 4)
    declared, refused = received[2], received[3]
    assert "太大（25.0 MB）" in declared and "20 MB" in declared and "jubao@jiwei.example" in declared
    assert "太大，" in refused and "没有被记录" in refused
    draft, = drafts(settings)
    assert draft.attachments == [] and len(draft.updates) == 1
    assert api.calls["getFile"] == 1  # the declared size was enough to refuse the first


async def test_too_fast_messages_are_refused_once_with_a_warning(tg_settings, api):
    settings = tg_settings(messages_per_minute=3)
    async with running(settings):
        api.text(CHAT, "/report")
        api.text(CHAT, "第一条")
        api.text(CHAT, "第二条")
        api.text(CHAT, "第三条")
        last = api.text(CHAT, "第四条")
        await confirmed(api, last)
        received = api.texts_to(CHAT)
    assert len(received) == 4
    assert "发送得太快" in received[3] and "没有被记录" in received[3]
    draft, = drafts(settings)
    assert [u["message"]["text"] for u in draft.updates] == ["第一条", "第二条"]
