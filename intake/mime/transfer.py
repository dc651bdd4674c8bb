"""Undo a part's Content-Transfer-Encoding leniently: broken base64 keeps every byte that decodes,
misspelt encoding names are understood, and each repair is reported as a defect code."""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from email.message import Message

_WHITESPACE = re.compile(rb"\s+")
_BASE64_RUNS = re.compile(rb"[A-Za-z0-9+/]+=*")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")
_ALIASES = {
    "base-64": "base64", "base_64": "base64", "b64": "base64", "bas64": "base64",
    "quoted_printable": "quoted-printable", "quotedprintable": "quoted-printable",
    "qp": "quoted-printable", "quoted-printables": "quoted-printable",
    "x-uuencode": "uuencode", "uue": "uuencode", "x-uue": "uuencode",
    "7-bit": "7bit", "8-bit": "8bit", "x-binary": "binary",
}
_IDENTITY = {"", "7bit", "8bit", "binary"}


def transfer_encoding(part: Message) -> str:
    raw = str(part.get("content-transfer-encoding", "")).strip().strip("\"'").lower()
    token = re.match(r"[a-z0-9_-]*", raw).group()  # "quoted-printable;" and "8bit (comment)" occur
    return _ALIASES.get(token, token)


def body_bytes(part: Message) -> bytes:
    """The undecoded body of a leaf part exactly as it came off the wire.

    Message.get_payload() without decode= applies the declared charset with errors="replace",
    losing the bytes of a mislabelled text, so the stored payload is turned back into bytes.
    """
    payload = part._payload  # noqa: SLF001 - the only lossless view compat32 offers
    if isinstance(payload, bytes):
        return payload
    if not isinstance(payload, str):
        return b""
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return payload.encode("utf-8", "surrogateescape")  # built from str, not from bytes


def decode_body(part: Message, *, skip: int = 0) -> tuple[bytes, list[str]]:
    """The decoded bytes of a leaf part (after `skip` bytes) and the defects met decoding them."""
    raw = body_bytes(part)[skip:]
    cte = transfer_encoding(part)
    if cte == "base64":
        return decode_base64(raw)
    if cte == "quoted-printable":
        return quopri.decodestring(raw), []
    if cte == "uuencode":
        return decode_uu(raw)
    if cte in _IDENTITY:
        return raw, []
    label = re.sub(r"[^a-z0-9._-]", "", cte)[:30] or "invalid"
    return raw, [f"unknown-transfer-encoding:{label}"]


def decode_base64(data: bytes) -> tuple[bytes, list[str]]:
    compact = _WHITESPACE.sub(b"", data)
    if not compact:
        return b"", []
    try:
        return base64.b64decode(compact, validate=True), []
    except (binascii.Error, ValueError):
        pass
    junk = len(_NOT_BASE64.findall(compact))
    spaced = len(_NOT_BASE64.findall(data.replace(b"\r", b"").replace(b"\n", b"")))
    if spaced >= 8 and spaced * 10 > len(data):
        # Labelled base64 but written as plain text (words, spaces, punctuation): the text is
        # the content. A few stray characters in real base64 do not look like that.
        return data, ["bad-base64:not-encoded"]
    defects = ["bad-base64:characters"] if junk else []
    decoded = bytearray()
    for run in _BASE64_RUNS.findall(_NOT_BASE64.sub(b"", compact)):
        letters = run.rstrip(b"=")
        if len(letters) % 4 == 1:
            letters = letters[:-1]  # a lone sextet carries no whole byte
            defects.append("bad-base64:length")
        elif len(letters) % 4 and len(run) == len(letters):
            defects.append("bad-base64:padding")
        decoded += base64.b64decode(letters + b"=" * (-len(letters) % 4))
    return bytes(decoded), list(dict.fromkeys(defects)) or ["bad-base64:padding"]


def decode_uu(data: bytes) -> tuple[bytes, list[str]]:
    decoded = bytearray()
    defects: list[str] = []
    started = False
    for line in data.splitlines():
        if not started:
            started = line.startswith(b"begin ")
            continue
        if line.strip() in (b"end", b"`", b""):
            continue
        try:
            decoded += binascii.a2b_uu(line)
        except binascii.Error:
            # Broken encoders drop trailing pad characters; the byte count in the first
            # character tells how much of the line is data.
            try:
                count = (line[0] - 32) & 63
                decoded += binascii.a2b_uu(line.rstrip()[: 1 + (count + 2) // 3 * 4])
            except (binascii.Error, IndexError):
                defects.append("bad-uuencode")
    if not started:
        return data, ["bad-uuencode"]
    return bytes(decoded), list(dict.fromkeys(defects))
