"""Evidence items: a blob plus its sniffed type, safe and original names, source and custody entry."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass

import puremagic
from sqlmodel import Session, func, select

from store import audit
from store.models import Evidence, utcnow

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Item:
    """One piece of evidence before filing: its blob is already durable."""

    sha256: str
    size: int
    origin: str
    declared_type: str | None
    sniffed_type: str | None
    original_name: str | None
    parent: int | None = None   # index of the item it was unpacked from, in the same list


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves show, whatever the sender declared."""
    if not data:
        return "application/x-empty"
    try:
        found = puremagic.from_string(data, mime=True)
    except puremagic.PureError:
        found = ""
    except ValueError:
        found = ""
    if found:
        return found
    head = data[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multibyte character cut by the 4 KiB window is still text.
        if exc.start < len(head) - 4:
            return "application/octet-stream"
    return "text/plain" if b"\x00" not in head else "application/octet-stream"


def safe_name(item: int, original: str | None, sha256: str) -> str:
    """A name that is safe on any file system and in a zip: item number, then ASCII letters."""
    stem, extension = os.path.splitext(_ascii(original or ""))
    stem = _UNSAFE.sub("_", stem).strip("._")[:80]
    extension = _UNSAFE.sub("", extension)[:12]
    if not any(ch.isalnum() for ch in stem):
        stem = sha256[:12]
    return f"{item:03d}-{stem}{'.' + extension.lstrip('.') if extension.strip('.') else ''}"


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def next_item_number(session: Session, case_id: int) -> int:
    highest = session.exec(select(func.max(Evidence.item)).where(Evidence.case_id == case_id)).one()
    return 0 if highest is None else highest + 1


def add_items(
    session: Session,
    *,
    case_id: int,
    inbound_id: int | None,
    items: list[Item],
    source: str,
    actor: str = "system",
    new_case: bool = False,
) -> list[Evidence]:
    """File ITEMS under the case, numbered after its existing ones (from 0 for a NEW_CASE, which
    has none), each with a custody entry."""
    first = 0 if new_case else next_item_number(session, case_id)
    rows: list[Evidence] = []
    for offset, item in enumerate(items):
        number = first + offset
        row = Evidence(
            case_id=case_id,
            item=number,
            inbound_id=inbound_id,
            parent_id=rows[item.parent].id if item.parent is not None and item.parent < len(rows) else None,
            origin=item.origin,
            sha256=item.sha256,
            size=item.size,
            declared_type=item.declared_type,
            sniffed_type=item.sniffed_type,
            original_name=item.original_name,
            stored_name=safe_name(number, item.original_name, item.sha256),
            source=source,
            acquired_at=utcnow(),
        )
        session.add(row)
        session.flush()
        rows.append(row)
        audit.append(
            session,
            actor=actor,
            action="evidence.acquired",
            subject_type="evidence",
            subject_id=row.id,
            details={
                "case_id": case_id,
                "item": number,
                "sha256": item.sha256,
                "size": item.size,
                "origin": item.origin,
                "source": source,
                "inbound_id": inbound_id,
            },
        )
    return rows
