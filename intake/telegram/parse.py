"""The Telegram channel's raw record (a filed draft: the updates as received and the files fetched
for them) turned into the same Submission the email parser gives."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from intake.submission import Attachment, Submission
from store.blobs import BlobStore

FORMAT = "telegram-draft/1"
SUBJECT_CHARS = 80


def parse(raw: bytes, blobs: BlobStore) -> Submission:
    doc = json.loads(raw)
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a Telegram draft record: format {doc.get('format')!r}")
    messages = [update.get("message") or {} for update in doc["updates"]]
    text = "\n\n".join(part for part in (m.get("text") or m.get("caption") or "" for m in messages) if part.strip())
    chat = str(doc["chat_id"])
    headers = [("x-telegram-chat-type", str((messages[0].get("chat") or {}).get("type", "")) if messages else "")]
    return Submission(
        message_id=_message_id(doc),
        in_reply_to=None,
        references=(),
        sender=chat,
        sender_name=_name(messages),
        reply_to=chat,
        recipients=(),
        subject=_subject(doc, text),
        text=text,
        html=False,
        language=doc.get("language") or "zh",
        date=datetime.fromtimestamp(messages[0]["date"], UTC) if messages and "date" in messages[0] else None,
        headers=tuple(headers),
        content_type="text/plain",
        attachments=tuple(_attachment(entry, blobs) for entry in doc["attachments"]),
        defects=(),
        # The bot checked the query code before it took /add material, and only the bot writes
        # records of this channel, so the case it names is proven.
        proven_case=doc["case_number"] if doc["kind"] == "add" else None,
    )


def _message_id(doc: dict) -> str:
    if doc["kind"] == "update":
        return f"telegram-update-{doc['update_id']}@telegram"
    return f"telegram-draft-{doc['draft_id']}@telegram"


def _subject(doc: dict, text: str) -> str:
    if doc["kind"] == "add":
        return f"[{doc['case_number']}] " + ("Additional material" if doc.get("language") == "en" else "补充材料")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:SUBJECT_CHARS] or "Telegram"


def _name(messages: list[dict]) -> str | None:
    sender = next((m["from"] for m in messages if m.get("from")), None)
    if not sender:
        return None
    name = " ".join(part for part in (sender.get("first_name"), sender.get("last_name")) if part)
    return name or (f"@{sender['username']}" if sender.get("username") else None)


def _attachment(entry: dict, blobs: BlobStore) -> Attachment:
    payload = blobs.read(entry["sha256"])
    if hashlib.sha256(payload).hexdigest() != entry["sha256"]:
        # Evidence must be exactly what Telegram served; a damaged blob is an error, not a defect.
        raise ValueError(f"blob {entry['sha256']} does not hash to its name")
    return Attachment(
        filename=entry.get("file_name"),
        content_type=entry.get("mime_type") or "application/octet-stream",
        payload=payload,
        disposition="attachment",
        content_id=None,
        origin=f"telegram-{entry['kind']}",
        parent=None,
    )
