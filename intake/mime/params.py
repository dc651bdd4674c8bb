"""Read a MIME part's own labels: decoded filename, disposition, Content-ID and charset.

Filenames arrive as RFC 2231 parameters (in any charset, split in pieces), as RFC 2047 encoded
words inside quotes, or as raw GBK bytes; each is decoded with the charset repair of
`intake.mime.charsets`, and problems are appended to the caller's defect list.
"""

from __future__ import annotations

import email.message
import logging
import re

from intake.mime.charsets import decode_text
from intake.mime.headers import clean_text, header_text, undo_8bit

log = logging.getLogger(__name__)
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def part_labels(part: email.message.Message, hint: str | None,
                defects: list[str]) -> tuple[str | None, str | None, str | None]:
    """Decoded filename, declared disposition ("attachment", "inline" or None), content id."""
    filename = (_param(part, "content-disposition", "filename", hint, defects)
                or _param(part, "content-type", "name", hint, defects))
    disposition = None
    raw = raw_header(part, "content-disposition")
    if raw is not None:
        kind = clean_text(str(raw)).split(";", 1)[0].strip().lower()
        disposition = "inline" if kind == "inline" else "attachment" if kind else None
    content_id = None
    raw = raw_header(part, "content-id")
    if raw is not None:
        content_id = header_text(raw, hint=hint, defects=defects).strip().strip("<>").strip() or None
    return filename, disposition, content_id


def _param(part: email.message.Message, header: str, name: str, hint: str | None,
           defects: list[str]) -> str | None:
    raw = raw_header(part, header)
    if raw is None:
        return None
    # Parameters are parsed from the value with its 8-bit bytes already decoded: the stdlib
    # would turn a raw GBK filename into U+FFFD before we could see it.
    view = email.message.Message()
    view[header] = undo_8bit(_FOLD.sub("", str(raw)), hint, defects)
    value = view.get_param(name, header=header)
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded bytes as latin-1)
        charset, _, text = value
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "surrogateescape")
        decoded = decode_text(data, charset or None, hint=hint)
        if decoded.defect:
            defects.append(decoded.defect)
        value = decoded.text
    if not value:
        return None
    return header_text(str(value), hint=hint, defects=defects).strip() or None


def charset_of(part: email.message.Message, defects: list[str]) -> str | None:
    try:
        return part.get_content_charset()
    except Exception as exc:  # a malformed RFC 2231 charset parameter
        log.info("unreadable charset parameter: %r", exc)
        defects.append("bad-charset-parameter")
        return None


def raw_header(part: email.message.Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.strip().lower() == name:
            return value
    return None


def content_type_of(part: email.message.Message) -> str:
    return clean_text(part.get_content_type()).lower()
