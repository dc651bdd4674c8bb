"""A citizen reports through the Telegram bot: text over two messages, a photo and a document, /done;
the report becomes one case whose evidence holds both files exactly as Telegram served them."""

from __future__ import annotations

import asyncio
import json
import subprocess
import zipfile
from argparse import Namespace

from commands import audit as audit_command, evidence as evidence_command
from store.models import InboundStatus
from tests.running import running
from tests.telegram.helpers import (acknowledgement, blob_bytes, cases, drafts, evidence, inbound, sha256, texts,
                                    wait_until)

CHAT = 5550001
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n" + "转账记录：2026年3月5日 50000元".encode() + b"\n%%EOF\n"
FIRST = "外出考察期间，县交通局局长张某某用公款带家属旅游，"
SECOND = "并在道路招标中收受施工方好处费五十万元。照片和转账记录附后。"


async def test_whole_conversation_files_one_case_with_both_files_as_evidence(tg_settings, api, tmp_path):
    settings = tg_settings()
    async with running(settings):
        api.text(CHAT, "/start")
        api.text(CHAT, "/report")
        api.text(CHAT, FIRST)
        api.text(CHAT, SECOND)
        api.photo(CHAT, PHOTO)
        api.document(CHAT, PDF, "转账记录.pdf", "application/pdf")
        api.text(CHAT, "/done")
        received = await texts(api, CHAT, 8)
    assert len(received) == 8, received
    start, started, noted1, noted2, photo, document, filed, ack = received
    assert "举报" in start and "保密" in start
    assert "文件已收到（共 1 个）" in photo and "共 2 个" in document
    case_number, code = acknowledgement([ack])
    case, = cases(settings)
    assert case.number == case_number and case.channel == "telegram" and case.kind == "report"
    # The answer never repeats the report, and the plain code is not kept once sent.
    assert "张某某" not in ack and "五十万" not in ack
    row, = inbound(settings)
    assert row.status == InboundStatus.FILED and row.sender == str(CHAT)
    assert row.rule_hits == [], "a report opening with 外出 is no out-of-office reply"
    items = evidence(settings, case.id)
    assert [item.origin for item in items] == ["raw-message", "telegram-photo", "telegram-document"]
    assert items[1].sha256 == sha256(PHOTO) and items[1].size == len(PHOTO)
    assert items[2].sha256 == sha256(PDF) and items[2].original_name == "转账记录.pdf"
    assert items[2].declared_type == "application/pdf"
    stored = blob_bytes(settings, items[0].sha256)
    raw = json.loads(stored)
    assert [u["message"].get("text") for u in raw["updates"][:2]] == [FIRST, SECOND]
    assert {a["sha256"] for a in raw["attachments"]} == {sha256(PHOTO), sha256(PDF)}
    assert code.encode() not in stored
    await custody_verifies(settings, case_number, tmp_path)


async def custody_verifies(settings, case_number: str, tmp_path) -> None:
    """The case's bundle checks out with sha256sum, and the audit chain holds, as for email."""
    out = tmp_path / "bundle.zip"
    args = Namespace(evidence_command="export", case_number=case_number, out=str(out), actor="staff:wang")
    assert await asyncio.to_thread(evidence_command.main, settings, args) == 0
    with zipfile.ZipFile(out) as bundle:
        bundle.extractall(tmp_path / "bundle")
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "bundle", capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == 3, check.stdout + check.stderr
    assert await asyncio.to_thread(audit_command.main, settings, Namespace(audit_command="verify", head=None)) == 0


async def test_unknown_input_gets_help_not_silence(tg_settings, api):
    chat = 5550002
    async with running(tg_settings()):
        api.text(chat, "你好，请问怎么举报？")
        api.text(chat, "/frobnicate")
        api.photo(chat, PHOTO)
        api.text(chat, "/done")
        received = await texts(api, chat, 4)
    assert all("/report" in text for text in received)
    assert received[0].startswith("没有理解") and received[1].startswith("没有理解")
    assert "没有正在填写" in received[3]


async def test_english_speaker_is_answered_in_english_and_can_switch(tg_settings, api):
    chat = 5550003
    async with running(tg_settings()):
        api.text(chat, "/help", language_code="en")
        api.text(chat, "中文")
        api.text(chat, "/help")
        received = await texts(api, chat, 3)
    assert received[0].startswith("Commands:")
    assert "中文" in received[1] and received[2].startswith("可用指令")
    keyboard = api.sent[1].params.get("reply_markup")
    assert keyboard == {"remove_keyboard": True}
    assert all("parse_mode" not in sent.params for sent in api.sent)


async def test_report_needs_text_and_stickers_are_not_taken(tg_settings, api):
    chat = 5550004
    async with running(tg_settings()):
        api.text(chat, "/report")
        api.sticker(chat)
        api.text(chat, "/done")
        api.text(chat, "/report")
        received = await texts(api, chat, 4)
    assert "无法作为举报材料" in received[1]
    assert "请先用文字写明" in received[2]
    assert "正在填写" in received[3]
    assert cases(tg_settings()) == []


async def test_cancel_discards_the_draft_and_files_nothing(tg_settings, api):
    chat = 5550005
    settings = tg_settings()
    async with running(settings):
        api.text(chat, "/report")
        api.text(chat, FIRST)
        api.photo(chat, PHOTO)
        api.text(chat, "/cancel")
        received = await texts(api, chat, 4)
    assert "已放弃" in received[3]
    draft, = drafts(settings)
    assert draft.status == "cancelled" and draft.updates == [] and draft.attachments == []
    assert inbound(settings) == [] and cases(settings) == []


async def test_group_chats_are_told_to_write_privately(tg_settings, api):
    chat = -100200300
    settings = tg_settings()
    async with running(settings):
        api.group_text(chat, "/report")
        received = await texts(api, chat, 1)
    assert "私聊" in received[0]
    assert drafts(settings) == []


async def test_spam_is_kept_but_screened_and_not_answered(tg_settings, api):
    chat = 5550006
    settings = tg_settings()
    gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
    async with running(settings):
        api.text(chat, "/report")
        api.text(chat, f"Cheap watches {gtube}")
        api.text(chat, "/done")
        await texts(api, chat, 3)
        row = await wait_until(lambda: next((r for r in inbound(settings) if r.processed_at), None))
        await asyncio.sleep(1.5)   # the sender's idle pause: an answer would have gone out by now
    assert row.status == InboundStatus.SCREENED and "spam-flag" in row.rule_hits
    assert cases(settings) == [] and len(api.texts_to(chat)) == 3
