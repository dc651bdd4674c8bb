"""Decode one raw message into a `Decoded` record, whatever the bytes are.

mail-parser (the project's choice) parses the message and reports its defects; the text, names
and files are then read from the stdlib tree it builds, because mail-parser 4.8.0 gets Chinese
mail wrong: a GB2312 label on GBK text turns the whole body into U+FFFD, wrong labels give
mojibake without a defect, raw 8-bit subjects, names and filenames come out as garbage or
surrogate escapes, nested messages are flattened into the body, and files without a name get a
random one. It also raises on some malformed mail (AttributeError on a reused boundary); then the
stdlib parses alone. Mail nested deeper than both can recurse is read headers-only, its text from
a flat scan of the raw body (`MimeWalker.walk_flat`), with the defect "nesting-too-deep". Every
repair and every recovered failure is recorded in `Decoded.defects`; `decode_message` never
raises. `intake.email.parse` makes a `Submission` of it.

Conventions: message ids are stored without angle brackets; addresses are lower-cased; names,
subjects and filenames are decoded; `content_id` is stored without angle brackets (as `cid:`
URLs in HTML write it); sequences are tuples, so both classes are hashable as well as frozen.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import email.utils
import logging
import re
from dataclasses import dataclass, field

import mailparser
from mailparser.exceptions import MailParserRecursionError

from intake.mime.headers import clean_text, header_text, message_ids, parse_address, parse_addresses
from intake.mime.parts import Attachment
from intake.mime.walk import MimeWalker, defect_code

__all__ = ["Attachment", "Decoded", "decode_message", "parse_address", "parse_addresses"]

MAX_TEXT_CHARS = 200_000
MAX_HEADERS = 1000
_HEADER_LINE = re.compile(rb"[!-9;-~]{1,76}:")

log = logging.getLogger(__name__)
# mail-parser warns about every content type it does not render ("pgp-signature not handled");
# we read the parts ourselves, so those warnings say nothing about this message.
logging.getLogger("mailparser").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Decoded:
    """What the bytes say, decoded; the fields of a `Submission` but its language."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: str | None
    sender_name: str | None
    reply_to: str | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: bool
    date: dt.datetime | None
    headers: tuple[tuple[str, str], ...]
    content_type: str
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]


def decode_message(raw: bytes) -> Decoded:
    """Decode raw message bytes; never raises, and returns what could be read plus its defects."""
    draft = _Draft()
    try:
        _parse(_as_bytes(raw, draft), draft)
    except Exception as exc:  # the last guard: file what was parsed, never lose the message
        log.exception("parse_message failed after a partial parse")
        draft.defects.append(f"internal-error:{type(exc).__name__}")
    return draft.build()


@dataclass
class _Draft:
    """The fields gathered so far; `build` works at any stage so a failure keeps the rest."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    sender: str | None = None
    sender_name: str | None = None
    reply_to: str | None = None
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: bool = False
    date: dt.datetime | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/plain"
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def build(self) -> Decoded:
        text = self.text
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            self.defects.append("truncated-text")
        return Decoded(
            message_id=self.message_id, in_reply_to=self.in_reply_to,
            references=tuple(self.references), sender=self.sender, sender_name=self.sender_name,
            reply_to=self.reply_to, recipients=tuple(dict.fromkeys(self.recipients)),
            subject=self.subject, text=text, html=self.html, date=self.date, headers=tuple(self.headers), content_type=self.content_type,
            attachments=tuple(self.attachments), defects=tuple(dict.fromkeys(self.defects)),
        )


def _as_bytes(raw: object, draft: _Draft) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, (bytearray, memoryview)):
        return bytes(raw)
    draft.defects.append(f"not-bytes:{type(raw).__name__}")
    return str(raw if raw is not None else "").encode("utf-8", "surrogateescape")


def _parse(raw: bytes, draft: _Draft) -> None:
    if not raw.strip():
        draft.defects.append("empty-message")
        return
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark written by a Windows editor before the headers
        draft.defects.append("leading-bom")
    if raw[:1] in (b"\r", b"\n") and _HEADER_LINE.match(raw.lstrip(b"\r\n")):
        # Some clients and gateways put a blank line before the headers; the parser would take
        # the whole message for a body.
        raw = raw.lstrip(b"\r\n")
        draft.defects.append("leading-blank-lines")
    message, parser, whole = _tree(raw, draft)
    walker = MimeWalker(draft.defects, crlf=raw.count(b"\r\n") * 2 > raw.count(b"\n"))
    hint = walker.charset_hint(message)
    if not message.keys():
        draft.defects.append("no-headers")
    _read_headers(message, parser, hint, draft)
    # no tree: the parts are found in the raw body by a scan that cannot recurse
    body = walker.walk(message) if whole else walker.walk_flat(message)
    draft.attachments.extend(body.attachments)
    draft.html = body.html
    draft.text = body.text


def _tree(raw: bytes, draft: _Draft) -> tuple[email.message.Message, object | None, bool]:
    """The message tree (built by mail-parser, else by the stdlib, else headers only with the
    body as one unparsed payload), the MailParser if it worked, and whether the tree holds the
    parsed body."""
    try:
        parser = mailparser.MailParser.from_bytes(raw)
        _mail_parser_defects(parser, draft)
        return parser.message, parser, True
    except MailParserRecursionError:
        draft.defects.append("mailparser-failed:MailParserRecursionError")
    except Exception as exc:  # mail-parser has bugs on malformed mail; the stdlib takes over
        log.warning("mail-parser failed (%r); parsing with the stdlib email package", exc)
        draft.defects.append(f"mailparser-failed:{type(exc).__name__}")
    try:
        return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw), None, True
    except RecursionError:
        draft.defects.append("nesting-too-deep")
    except Exception as exc:  # not seen on any corpus file; the headers may still be readable
        log.warning("the stdlib email parser failed too (%r); reading the headers only", exc)
        draft.defects.append(f"stdlib-parse-failed:{type(exc).__name__}")
    return _headers_only(raw), None, False


def _headers_only(raw: bytes) -> email.message.Message:
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)


# mail-parser's own verdict on the charset is superseded by intake.mime.charsets, which says more.
_SUPERSEDED = {"CharsetDecodeDefect"}


def _mail_parser_defects(parser: object, draft: _Draft) -> None:
    for name in sorted(parser.defects_categories - _SUPERSEDED):
        draft.defects.append(defect_code(name))


def _read_headers(message: email.message.Message, parser: object | None, hint: str | None,
                  draft: _Draft) -> None:
    found: dict[str, str] = {}
    for count, (name, value) in enumerate(message.raw_items()):
        if count >= MAX_HEADERS:
            draft.defects.append("too-many-headers")
            break
        key = clean_text(str(name)).strip().lower()
        draft.headers.append((key, header_text(value, hint=hint, defects=draft.defects)))
        found.setdefault(key, value)
    draft.content_type = message.get_content_type()
    draft.subject = header_text(found.get("subject", ""), hint=hint, defects=draft.defects)

    ids = message_ids(found.get("message-id", ""))
    draft.message_id = ids[0] if ids else None
    if draft.message_id is None:
        draft.defects.append("missing-message-id")
    replied = message_ids(found.get("in-reply-to", ""))
    draft.in_reply_to = replied[0] if replied else None
    draft.references = message_ids(found.get("references", ""))[:500]

    senders = parse_addresses(found.get("from", ""), hint=hint, defects=draft.defects, keep_empty=True)
    if senders:
        draft.sender_name = senders[0][0] or None
        draft.sender = senders[0][1].lower() or None
    if draft.sender is None:
        # "MAILER-DAEMON <>" has a name and no address; the name still tells screening a lot.
        draft.defects.append("missing-from" if "from" not in found else "from-without-address")
    reply_to = parse_addresses(found.get("reply-to", ""), hint=hint, defects=draft.defects)
    draft.reply_to = reply_to[0][1].lower() if reply_to else None
    for key in ("to", "cc"):
        for name, value in message.raw_items():
            if name.strip().lower() == key:
                pairs = parse_addresses(value, hint=hint, defects=draft.defects)
                draft.recipients.extend(address.lower() for _, address in pairs)
    draft.date = _date(found.get("date"), parser, draft)


def _date(value: object, parser: object | None, draft: _Draft) -> dt.datetime | None:
    if value is None:
        draft.defects.append("missing-date")
        return None
    text = header_text(value)
    try:
        date = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        date = getattr(parser, "date", None) if parser is not None else None
        if date is None:
            draft.defects.append("bad-date")
            return None
    if date.tzinfo is None:
        date = date.replace(tzinfo=dt.timezone.utc)  # "-0000": the zone is unknown, not local
    return date
