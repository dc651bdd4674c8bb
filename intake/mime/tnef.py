"""Unpack winmail.dat (application/ms-tnef), Outlook's wrapper for attachments and rich bodies.

Outlook users' reports arrive with their files inside winmail.dat; staff need the files
themselves as evidence, and the report text when Outlook put it only there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import tnefparse
from tnefparse.properties import MAPI_ATTACH_LONG_FILENAME

from intake.mime.charsets import decode_text

MAX_MEMBERS = 200
MAX_DEPTH = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Member:
    filename: str | None
    payload: bytes
    parent: int | None  # index in the member list of the embedded message it came from


@dataclass
class Unpacked:
    members: list[Member] = field(default_factory=list)
    text: str = ""
    html: str = ""
    defects: list[str] = field(default_factory=list)


def is_tnef(content_type: str, filename: str | None) -> bool:
    name = (filename or "").lower()
    return content_type in ("application/ms-tnef", "application/vnd.ms-tnef") or name == "winmail.dat"


def unpack(payload: bytes) -> Unpacked:
    """Members and body of a TNEF blob; never raises, failures become defects."""
    result = Unpacked()
    try:
        tnef = tnefparse.TNEF(payload, do_checksum=False)
    except Exception as exc:  # tnefparse raises anything from ValueError to IndexError on junk
        log.info("winmail.dat not readable: %r", exc)
        result.defects.append(f"tnef-unreadable:{type(exc).__name__}")
        return result
    result.text = _body_text(tnef.body, tnef.codepage, result.defects)
    result.html = _body_text(tnef.htmlbody, tnef.codepage, result.defects)
    _collect(tnef, None, 0, result)
    return result


def _collect(tnef: tnefparse.TNEF, parent: int | None, depth: int, result: Unpacked) -> None:
    for attachment in tnef.attachments:
        if len(result.members) >= MAX_MEMBERS:
            result.defects.append("tnef-too-many-members")
            return
        data = attachment.data if isinstance(attachment.data, bytes) else b""
        result.members.append(Member(_name(attachment, tnef.codepage, result.defects), data, parent))
        embedded = getattr(attachment, "embed", None)
        if embedded is not None:
            if depth + 1 >= MAX_DEPTH:
                result.defects.append("nesting-too-deep")
            else:
                _collect(embedded, len(result.members) - 1, depth + 1, result)


def _name(attachment: object, codepage: str | None, defects: list[str]) -> str | None:
    # The long name is a MAPI string already decoded by tnefparse; the short 8.3 name is raw
    # bytes in the sender's ANSI code page, which tnefparse would decode as UTF-8.
    long_names = [a.data for a in attachment.mapi_attrs
                  if a.name == MAPI_ATTACH_LONG_FILENAME]
    name = long_names[0] if long_names else attachment._name
    if isinstance(name, bytes):
        decoded = decode_text(name, codepage)
        if decoded.defect:
            defects.append(decoded.defect)
        name = decoded.text
    name = str(name or "").replace("\x00", "").strip()
    return name or None


def _body_text(body: object, codepage: str | None, defects: list[str]) -> str:
    if isinstance(body, bytes):
        decoded = decode_text(body, codepage)
        if decoded.defect:
            defects.append(decoded.defect)
        return decoded.text.replace("\x00", "")
    return str(body or "").replace("\x00", "")
