"""Building an answer as an email: threading headers, Auto-Submitted, and no way to inject a header.

The message is written here byte by byte rather than by the email package: its header folding
decodes encoded words, and a Python without the fix for CVE-2024-6923 writes a line break found
that way into the output, so a Message-ID like <=?utf-8?q?a=0D=0AX-Evil:_1?=> became a header of
ours. Every value is checked before it is written (no control character, no line separator, no
encoded word; message ids in the strict RFC 5322 form), and every header line is checked again as
it is serialised: whatever Python runs this, a header we send carries no CR or LF of its own.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from email.utils import format_datetime

from responders.outbox import QUERY_CODE_MARK, valid_message_id
from store.models import Outbox, utcnow

_ADDRESS = re.compile(r"[^\s@<>,;:\"()\[\]\\]+@[^\s@<>,;:\"()\[\]\\]+")
_PRINTABLE = re.compile(rb"[\x20-\x7e]*")
_FOLD = "\r\n "
MAX_LINE = 78            # RFC 5322 2.1.1: lines SHOULD stay within 78 characters
AUTO_GENERATED = frozenset({"digest"})
WORD_BYTES = 45          # UTF-8 bytes per encoded word: "=?utf-8?b?" + 60 base64 + "?=" = 72 < 75


class UnsendableAddress(ValueError):
    """The recipient is not one plain address, so nothing is sent to it."""


class UnsafeHeader(ValueError):
    """A header of the answer would carry a line break, a control character or an encoded word,
    or a message id that is not of the strict form: the answer is not sent at all."""


def build(row: Outbox, from_address: str, from_name: str) -> bytes:
    """The answer of ROW as the exact bytes to send (CRLF line ends, 7-bit)."""
    subject = _plain("Subject", row.subject)
    name = _plain("From", from_name)
    recipient = _plain("To", row.recipient)
    sender = _plain("From", from_address)
    for field, address in (("To", recipient), ("From", sender)):
        if not address.isascii() or not _ADDRESS.fullmatch(address):
            raise UnsendableAddress(f"{field}: not a single plain address: {address!r}")
    references = [_message_id("References", ref) for ref in (row.references or [])]
    headers = [
        ("From", f"{_phrase(name)} <{sender}>" if name else sender),
        ("To", recipient),
        ("Subject", _unstructured(subject)),
        ("Date", format_datetime(utcnow())),
        ("Message-ID", f"<{_message_id('Message-ID', row.message_id)}>"),
    ]
    if row.in_reply_to:
        headers.append(("In-Reply-To", f"<{_message_id('In-Reply-To', row.in_reply_to)}>"))
    if references:
        headers.append(("References", _FOLD.join(f"<{ref}>" for ref in references)))
    headers += [
        # A reporter's answer replies to him; the staff digest is a periodic report (RFC 3834).
        ("Auto-Submitted", "auto-generated" if row.purpose in AUTO_GENERATED else "auto-replied"),
        # Asks Exchange and similar servers not to send their own automatic replies back to us.
        ("X-Auto-Response-Suppress", "All"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "base64"),
    ]
    head = b"".join(_serialise(field, value) for field, value in headers)
    body = base64.encodebytes(body_text(row).encode("utf-8")).replace(b"\n", b"\r\n")
    return head + b"\r\n" + body


def body_text(row: Outbox) -> str:
    if QUERY_CODE_MARK in row.body:
        if not row.secret:
            raise ValueError(f"outbox {row.id}: the query code was erased before delivery")
        return row.body.replace(QUERY_CODE_MARK, row.secret)
    return row.body


def _plain(field: str, value: str | None) -> str:
    """VALUE, refused if it holds anything that could end a header line or be decoded into one."""
    value = value or ""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise UnsafeHeader(f"{field}: control character or line break {char!r} in {value[:60]!r}")
    if "=?" in value:
        raise UnsafeHeader(f"{field}: an encoded word in {value[:60]!r}")
    return value


def _message_id(field: str, value: str | None) -> str:
    if not valid_message_id(value):
        raise UnsafeHeader(f"{field}: not a message id of the strict form: {str(value)[:60]!r}")
    return value


def _phrase(name: str) -> str:
    """A display name: a quoted string when ASCII, else encoded words."""
    if name.isascii():
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _encoded_words(name)


def _unstructured(text: str) -> str:
    if text.isascii() and len(text) < MAX_LINE - len("Subject: "):
        return text
    return _encoded_words(text)


def _encoded_words(text: str) -> str:
    """RFC 2047 base64 words of at most WORD_BYTES each, never splitting a character."""
    words, chunk = [], b""
    for char in text:
        encoded = char.encode("utf-8")
        if len(chunk) + len(encoded) > WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return _FOLD.join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words if word)


def _serialise(field: str, value: str) -> bytes:
    """One header as bytes; the last check, whatever built VALUE: printable ASCII on every line,
    and no line break but the folds put in above."""
    try:
        line = f"{field}: {value}".encode("ascii")
    except UnicodeEncodeError:
        raise UnsafeHeader(f"{field}: not 7-bit: {value[:60]!r}") from None
    for part in line.split(_FOLD.encode("ascii")):
        if not _PRINTABLE.fullmatch(part):
            raise UnsafeHeader(f"{field}: would carry a line break or control character: {line[:80]!r}")
    return line + b"\r\n"
