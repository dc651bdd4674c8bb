"""Reading the store the way staff would, and waiting for the bot, in the Telegram tests."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from pathlib import Path

from sqlmodel import select

from store.models import Case, Evidence, Inbound, Outbox, TelegramDraft
from store.store import Store

CODE = re.compile(r"(?:查询码|Query code)[:：]\s*([A-Z0-9]{5}-[A-Z0-9]{5})")
CASE = re.compile(r"[A-Z]{1,6}-\d{4}-\d{6}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rows(settings, model, *where, order=None) -> list:
    store = Store.open(settings.store.url, settings.store.data_dir, upgrade=False)
    try:
        with store.transaction() as session:
            query = select(model).where(*where) if where else select(model)
            return list(session.exec(query.order_by(order if order is not None else model.id)).all())
    finally:
        store.close()


def cases(settings) -> list[Case]:
    return rows(settings, Case)


def evidence(settings, case_id: int) -> list[Evidence]:
    return rows(settings, Evidence, Evidence.case_id == case_id, order=Evidence.item)


def inbound(settings) -> list[Inbound]:
    return rows(settings, Inbound)


def outbox(settings) -> list[Outbox]:
    return rows(settings, Outbox)


def drafts(settings) -> list[TelegramDraft]:
    return rows(settings, TelegramDraft)


async def texts(api, chat_id: int, count: int, timeout: float = 60.0) -> list[str]:
    return await asyncio.to_thread(api.wait_for_texts, chat_id, count, timeout)


async def until_text(api, chat_id: int, needle: str, timeout: float = 60.0) -> list[str]:
    """Every text sent to CHAT_ID, once one of them contains NEEDLE (answers sent by the outbox
    come on its own schedule, so their place among the direct answers is not fixed)."""
    deadline = time.monotonic() + timeout
    while not any(needle in text for text in api.texts_to(chat_id)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no text with {needle!r} in {api.texts_to(chat_id)}")
        await asyncio.sleep(0.05)
    return api.texts_to(chat_id)


async def confirmed(api, update_id: int, timeout: float = 60.0) -> None:
    await asyncio.to_thread(api.wait_confirmed, update_id, timeout)


def acknowledgement(messages: list[str]) -> tuple[str, str]:
    """(case number, query code) from the acknowledgement among MESSAGES."""
    for text in messages:
        code = CODE.search(text)
        if code:
            return CASE.search(text).group(0), code.group(1)
    raise AssertionError(f"no acknowledgement with a query code in {messages}")


def blob_bytes(settings, sha: str) -> bytes:
    """A stored file's content (files are sealed on disk: read through the store)."""
    store = Store.open(settings.store.url, settings.store.data_dir, upgrade=False)
    try:
        return store.blobs.read(sha)
    finally:
        store.close()


REPORT = "实名举报：城关镇党委书记刘某某在2026年道路硬化工程招标中收受施工老板好处费30万元，并把工程指定给其亲戚的公司。"


async def file_report(api, chat_id: int, text: str = REPORT) -> tuple[str, str]:
    """Report through the bot as a citizen would; returns the (case number, query code) received."""
    before = len(api.texts_to(chat_id))
    api.text(chat_id, "/report")
    api.text(chat_id, text)
    api.text(chat_id, "/done")
    received = await texts(api, chat_id, before + 4)
    return acknowledgement(received[before:])


def code_at_rest(settings, code: str) -> list[str]:
    """Where the plain query CODE is stored: blobs, answers, drafts, chats (it should be nowhere)."""
    from store.models import TelegramChat

    found = [str(path) for path in Path(settings.store.data_dir, "blobs").rglob("*")
             if path.is_file() and code.encode() in path.read_bytes()]
    found += [f"outbox {row.id}" for row in outbox(settings) if code in f"{row.secret} {row.body}"]
    found += [f"draft {row.id}" for row in drafts(settings) if code in repr(row.updates)]
    found += [f"chat {row.chat_key}" for row in rows(settings, TelegramChat, order=TelegramChat.chat_key)
              if code in repr(row.last_replies)]
    return found


async def wait_until(predicate, timeout: float = 30.0):
    """The first true result of PREDICATE (a blocking store read, run off the loop)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := await asyncio.to_thread(predicate)):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)
    return result
