"""What commands print: text from outside made safe for a terminal, and tables that line up with
Chinese text (wide characters take two columns)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

# Shown as "\x1b": C0 and C1 controls and DEL drive the terminal itself (title, screen, cursor).
# Shown as "<U+202E>": format characters (bidi embeddings, overrides, isolates and marks, zero-width
# characters, tag characters) reorder or hide text, so a file name or subject would read as
# something it is not; line and paragraph separators break a line the reader cannot see; lone
# surrogates (undecodable file names) cannot be printed at all.
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


# A cell is one line: runs of spaces, tabs and line breaks become one space; any other control,
# whitespace or not (\x1c, \x85, U+2028), is escaped instead, so that it is seen.
_BLANKS = re.compile(r"(?:[\t\n\r]|(?![\x00-\x1f\x7f-\x9f\u2028\u2029])\s)+")


def dangerous(ch: str) -> bool:
    return unicodedata.category(ch) in _ESCAPED_CATEGORIES


def _units(text: str, keep: str) -> Iterator[str]:
    """TEXT as display units: a character, or the visible escape standing for one."""
    for ch in text:
        category = unicodedata.category(ch)
        if ch in keep or category not in _ESCAPED_CATEGORIES:
            yield ch
        elif category == "Cc":
            yield _NAMED.get(ch) or f"\\x{ord(ch):02x}"
        elif category == "Cs":
            yield f"\\u{ord(ch):04x}"
        else:
            yield f"<U+{ord(ch):04X}>"


def safe(value: object, *, lines: bool = False) -> str:
    """VALUE as text a terminal shows as it is: every control and format character escaped visibly.

    LINES keeps the newlines and tabs of a multi-line text (a message body); a carriage return is
    escaped even then, as it would let a line overwrite what came before it on screen.
    """
    text = str(value)
    if lines:
        text = text.replace("\r\n", "\n")
    return "".join(_units(text, "\n\t" if lines else ""))


def out(value: object, *, lines: bool = False) -> None:
    """Print VALUE made safe: the one way a command prints a line that carries data."""
    print(safe(value, lines=lines))


def json_text(data: object, **options) -> str:
    """DATA as JSON, readable Chinese, the exact same data, and safe to show on a terminal.

    json.dumps escapes C0 controls only; with ensure_ascii=False it writes DEL, C1 controls, bidi
    overrides and lone surrogates raw. Those are written as \\uXXXX escapes instead: a JSON reader
    gets the very same string back. Outside string literals JSON is plain ASCII, so this touches
    nothing but characters inside strings.
    """
    text = json.dumps(data, ensure_ascii=False, **options)
    # Below DEL only structure is raw (the newlines of indent=): json.dumps escaped C0 in strings.
    return "".join(_json_escape(ch) if ch >= "\x7f" and dangerous(ch) else ch for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _unit_width(unit: str) -> int:
    if len(unit) > 1:
        return len(unit)  # an escape: ASCII
    if unicodedata.combining(unit) or unicodedata.category(unit) == "Me":
        return 0  # drawn over the character before it
    return 2 if unicodedata.east_asian_width(unit) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(_unit_width(ch) for ch in text)


def clip(text: object, limit: int) -> str:
    """TEXT on one line, made safe, at most LIMIT columns wide; an escape is never cut in half."""
    units = list(_units(_BLANKS.sub(" ", str(text)).strip(" "), ""))
    if sum(map(_unit_width, units)) <= limit:
        return "".join(units)
    kept, used = [], 0
    for unit in units:
        w = _unit_width(unit)
        if used + w > limit - 1:
            break
        kept.append(unit)
        used += w
    return "".join(kept) + "…"


def render(headers: list[str], rows: list[list[str]]) -> str:
    # Every cell is made safe here, whether or not it was clipped: safe() of safe text is the same.
    cells = [[safe(c) for c in row] for row in [headers, *rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def local_day(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d") if moment is not None else "-"
