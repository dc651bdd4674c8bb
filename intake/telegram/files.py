"""Files sent to the bot: which one a message carries, and fetching it (getFile, then the download)
into the blob store, before the update that brought it is confirmed."""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass

from telegram import Bot, Message
from telegram.error import BadRequest, NetworkError

from store.blobs import BlobStore

DOWNLOAD_LIMIT = 20 * 1024 * 1024   # getFile serves files up to 20 MB, no more
DOWNLOAD_SECONDS = 300.0
DEFAULT_TYPES = {"photo": "image/jpeg", "voice": "audio/ogg", "video": "video/mp4", "audio": "audio/mpeg"}


@dataclass(frozen=True)
class Incoming:
    """The file a message carries, as the message describes it."""

    kind: str                 # photo, document, voice, video, audio
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    size: int | None          # as declared by Telegram; may be absent


@dataclass(frozen=True)
class Fetched:
    """Either the attachment record the draft keeps, or what to tell the reporter instead."""

    attachment: dict | None
    refusal: str | None = None      # "too_large" or "file_failed"
    size: int | None = None


def carried(message: Message) -> Incoming | None:
    if message.photo:
        best = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        return Incoming("photo", best.file_id, best.file_unique_id, None, "image/jpeg", best.file_size)
    for kind, item in (("document", message.document), ("video", message.video), ("video", message.video_note),
                       ("voice", message.voice), ("audio", message.audio)):
        if item is not None:
            return Incoming(kind, item.file_id, item.file_unique_id, getattr(item, "file_name", None),
                            getattr(item, "mime_type", None), item.file_size)
    return None


async def fetch(bot: Bot, blobs: BlobStore, incoming: Incoming, update_id: int) -> Fetched:
    """Download INCOMING into BLOBS; network trouble raises (the update is then tried again)."""
    if incoming.size is not None and incoming.size > DOWNLOAD_LIMIT:
        return Fetched(None, "too_large", incoming.size)
    try:
        remote = await bot.get_file(incoming.file_id)
    except BadRequest as exc:
        if "too big" in str(exc).lower():
            return Fetched(None, "too_large", incoming.size)
        return Fetched(None, "file_failed")
    data = bytes(await remote.download_as_bytearray(read_timeout=DOWNLOAD_SECONDS))
    if remote.file_size is not None and len(data) != remote.file_size:
        raise NetworkError(f"download cut short: {len(data)} of {remote.file_size} bytes")
    sha256 = await asyncio.to_thread(blobs.put, data)
    mime_type = incoming.mime_type or DEFAULT_TYPES.get(incoming.kind)
    return Fetched({
        "kind": incoming.kind,
        "sha256": sha256,
        "size": len(data),
        "file_name": incoming.file_name or _name(incoming, mime_type),
        "mime_type": mime_type,
        "file_id": incoming.file_id,
        "file_unique_id": incoming.file_unique_id,
        "update_id": update_id,
    }, size=len(data))


def _name(incoming: Incoming, mime_type: str | None) -> str:
    extension = {"image/jpeg": ".jpg", "audio/ogg": ".ogg", "audio/mpeg": ".mp3"}.get(mime_type or "")
    extension = extension or mimetypes.guess_extension(mime_type or "") or ""
    return f"{incoming.kind}-{incoming.file_unique_id}{extension}"
