"""Decode header values as mail clients show them: RFC 2047 encoded words (the broken ones too),
raw 8-bit bytes in any charset, addresses and message ids.

Values come from the stdlib's compat32 parser, which keeps each raw byte above 0x7F as a
surrogate escape; they are turned back into bytes and decoded with the charset repair of
`intake.mime.charsets`, so a GBK subject sent without any encoding still reads right.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import re

from intake.mime.charsets import decode_text

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?(.*?)\?=", re.S)
# Stands for an encoded word while an address header is split (a private-use character).
_WORD_MARK = "\ue000"
# In a phrase the parser drops the placeholder's quotes; in a comment "(…)" it keeps them.
_WORD_MARKED = re.compile('"?' + _WORD_MARK + r"(\d+)" + _WORD_MARK + '"?')
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_LINE_BREAKS = re.compile(r"[\r\n]+")
_QP_BYTE = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_STRICT_MSG_ID = re.compile(rf"{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[\x21-\x5a\x5e-\x7e]*\])", re.ASCII)
MAX_MESSAGE_ID_CHARS = 250
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
MAX_HEADER_CHARS = 20_000


def clean_text(text: str) -> str:
    """Text safe for every sink: no NULs (PostgreSQL refuses them), no lone surrogates."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def raw_bytes(value: str) -> bytes:
    """The bytes behind a compat32 value (ASCII plus surrogate-escaped 8-bit bytes)."""
    return value.encode("utf-8", "surrogateescape")


def undo_8bit(value: str, hint: str | None, defects: list[str]) -> str:
    """Decode the raw 8-bit bytes a header value may carry (SMTPUTF8 mail or a broken client).

    Only surrogate escapes are bytes; other non-ASCII characters were decoded already.
    """
    if value.isascii() or not _ESCAPED_BYTE.search(value):
        return value
    found = decode_text(raw_bytes(value), None, hint=hint)
    if found.charset != "utf-8":
        defects.append(f"raw-8bit-header:{found.charset}")
    if found.defect and found.defect.startswith("charset-lossy"):
        defects.append("undecodable-header")
    return found.text


def header_text(value: object, *, hint: str | None = None, defects: list[str] | None = None) -> str:
    """Decoded, unfolded text of one raw header value; problems are appended to `defects`."""
    found: list[str] = []
    text = str(value)[:MAX_HEADER_CHARS]
    text = _FOLD.sub("", text)
    text = undo_8bit(text, hint, found)
    if "=?" in text:
        text = _decode_words(text, hint, found)
    if defects is not None:
        defects.extend(found)
    return clean_text(_LINE_BREAKS.sub(" ", text)).strip()


def _decode_words(text: str, hint: str | None, defects: list[str]) -> str:
    """Replace encoded words; adjacent words of one charset are decoded together, because
    clients split a multibyte character across two words."""
    out: list[str] = []
    run_charset, run_bytes = None, bytearray()
    position = 0

    def flush() -> None:
        nonlocal run_charset
        if run_charset is not None:
            decoded = decode_text(bytes(run_bytes), run_charset, hint=hint)
            if decoded.defect:
                defects.append(decoded.defect)
                if decoded.defect.startswith("charset-lossy"):
                    defects.append("undecodable-header")
            out.append(decoded.text)
        run_charset = None
        run_bytes.clear()

    for match in _ENCODED_WORD.finditer(text):
        gap = text[position:match.start()]
        charset = match.group(1).split("*", 1)[0].lower()
        if run_charset is not None and not gap.strip():
            if charset != run_charset:
                flush()  # whitespace between encoded words is not text (RFC 2047 6.2)
            if not gap:
                defects.append("malformed-encoded-word")
        else:
            flush()
            out.append(gap)
            if gap and not gap[-1].isspace() and gap[-1] not in "\"(<":
                defects.append("malformed-encoded-word")
        run_charset = charset
        run_bytes += _word_bytes(match.group(2), match.group(3), defects)
        position = match.end()
        after = text[position:position + 1]
        if after and not after.isspace() and after not in "\")>,;=":
            defects.append("malformed-encoded-word")
    flush()
    out.append(text[position:])
    return "".join(out)


def _word_bytes(encoding: str, payload: str, defects: list[str]) -> bytes:
    if encoding in "bB":
        letters = _NOT_BASE64.sub("", payload.split("=", 1)[0])
        if len(letters) != len(payload.rstrip("=").strip()):
            defects.append("malformed-encoded-word")
        if len(letters) % 4 == 1:
            letters = letters[:-1]
        try:
            return base64.b64decode(letters + "=" * (-len(letters) % 4))
        except (binascii.Error, ValueError):
            defects.append("malformed-encoded-word")
            return b""
    data = payload.replace("_", " ").encode("utf-8", "surrogateescape")
    return _QP_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def parse_addresses(value: object, *, hint: str | None = None, defects: list[str] | None = None,
                    keep_empty: bool = False) -> list[tuple[str, str]]:
    """(decoded display name, address) pairs of an address header.

    Entries without an address are dropped, unless `keep_empty` keeps those with a name.
    Addresses are split before encoded words are decoded, because a decoded name may contain
    the commas and quotes that separate addresses.
    """
    found: list[str] = []
    text = undo_8bit(_FOLD.sub("", str(value)[:MAX_HEADER_CHARS]), hint, found)
    # An encoded word may stand only in a display name (RFC 2047 section 5), and what it hides
    # ("Li <a@x>") must not be read as an address: each is set aside as a quoted placeholder
    # while the addresses are split, then put back into the name.
    words: list[str] = []

    def set_aside(match: re.Match) -> str:
        words.append(match.group(0))
        return f'"{_WORD_MARK}{len(words) - 1}{_WORD_MARK}"'

    text = _ENCODED_WORD.sub(set_aside, text)
    pairs = []
    for name, address in email.utils.getaddresses([text]):
        address = clean_text(address).strip().strip("<>").strip()
        if _WORD_MARK in address:
            found.append("encoded-word-in-address")
            address = ""
        if not address and not (keep_empty and name.strip()):
            continue
        name = _WORD_MARKED.sub(lambda m: words[int(m.group(1))], name)
        name = header_text(name, hint=hint, defects=found) if name else ""
        pairs.append((name, address))
    if defects is not None:
        defects.extend(found)
    return pairs


def parse_address(value: object) -> tuple[str, str]:
    """(display name, address) of the first mailbox in a header value, ("", "") if there is none.

    The address keeps the case it was written in; the name is decoded.
    """
    pairs = parse_addresses(value)
    return pairs[0] if pairs else ("", "")


def message_ids(value: object) -> list[str]:
    """Message ids in a Message-ID, In-Reply-To or References value, angle brackets removed.

    Only ids of the strict RFC 5322 form id-left "@" id-right (dot-atom-text, or a no-fold
    literal on the right), at most MAX_MESSAGE_ID_CHARS long, are taken: they are copied into the
    headers of our answers, so no whitespace, no control character and no encoded word ("=?",
    which a mail library may decode into line breaks) gets through. Ids written without brackets
    (some clients do) are taken when they have that form.
    """
    text = clean_text(_FOLD.sub("", str(value)[:MAX_HEADER_CHARS]))
    ids = _MSG_ID.findall(text)
    if not ids:
        ids = [token.strip("<>,;") for token in text.split()]
    return list(dict.fromkeys(i for i in ids if strict_message_id(i)))


def strict_message_id(value: str) -> bool:
    """VALUE (without brackets) is a message id of the strict RFC 5322 form, and no encoded word."""
    return (len(value) <= MAX_MESSAGE_ID_CHARS and "=?" not in value
            and _STRICT_MSG_ID.fullmatch(value) is not None)
