"""Turn the bytes of a text/plain or text/html body part into the text a person reads.

Charset from the part (or, for HTML, from its <meta> tag) with the repair of `intake.mime.charsets`,
HTML converted to plain text, format=flowed lines joined, header lines the parser left at the
top of a body skipped, and files sent as a "text" body recognised as files.
"""

from __future__ import annotations

import email.message
import re

from intake.mime.charsets import decode_text
from intake.mime.headers import clean_text
from intake.mime.html_text import html_to_text

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_BINARY_MAGIC = (b"\xd0\xcf\x11\xe0", b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff",
                 b"\x7fELF", b"MZ\x90\x00")
_STRAY_HEADER = re.compile(rb"[^\s:]{1,76}[^:\r\n]{0,60}:|[ \t]")


def body_text(part: email.message.Message, content_type: str, data: bytes, charset: str | None,
              hint: str | None, defects: list[str]) -> str:
    """The readable text of a body part's decoded bytes."""
    if content_type == "text/html" and charset is None:
        meta = _META_CHARSET.search(data[:4096])
        charset = meta.group(1).decode("ascii") if meta else None
    decoded = decode_text(data, charset, hint=hint)
    if decoded.defect:
        defects.append(decoded.defect)
    text = clean_text(decoded.text.replace("\r\n", "\n").replace("\r", "\n"))
    if content_type == "text/html":
        text, cut = html_to_text(text)
        if cut:
            defects.append("truncated-html")
        return text
    if str(part.get_param("format", "")).lower() == "flowed":
        text = unflow(text, str(part.get_param("delsp", "")).lower() == "yes")
    return text


def looks_binary(data: bytes) -> bool:
    """A "text" body that is a file (an Outlook .msg fed in whole, a PDF without headers)."""
    sample = data[:8192]
    nuls = sample.count(0)
    return sample.startswith(_BINARY_MAGIC) or (nuls > 8 and nuls * 100 > len(sample))


def stray_header_lines(data: bytes) -> int:
    """Bytes of header lines the parser could not read and left at the top of the body.

    A malformed header line (a space in its name) ends the header block early, so the lines
    after it, up to the blank line, arrive as body text. They are skipped when every one of them
    looks like a header line and a blank line follows within a few lines.
    """
    offset = 0
    for count, line in enumerate(data[:8192].splitlines(keepends=True)):
        if not line.strip():
            return offset + len(line) if count else 0
        if count >= 20 or not _STRAY_HEADER.match(line):
            return 0
        offset += len(line)
    return 0


def unflow(text: str, delsp: bool) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676)."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if out and out[-1].endswith(" ") and out[-1] != "-- ":
            out[-1] = (out[-1][:-1] if delsp else out[-1]) + line
        else:
            out.append(line)
    return "\n".join(out)
