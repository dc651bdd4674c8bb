"""Messages from files: single .eml files, folders of them, and mbox files; files that are not mail
(no header block at the top) are set aside, named, and not fed to the pipeline."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class FileMessage:
    origin: str   # path, with "#N" for the N-th message of an mbox
    raw: bytes


# A header block must name at least one of these: "Year: 1963" or "Note: see below" under a body
# line "From Russia with love" is text, not the start of a message (MimeKit's unmunged.mbox).
KNOWN_FIELDS = frozenset(name.encode() for name in (
    "from", "to", "cc", "bcc", "subject", "date", "message-id", "sender", "reply-to", "in-reply-to",
    "references", "return-path", "received", "delivered-to", "envelope-to", "delivery-date",
    "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "x-mailer",
    "user-agent", "dkim-signature", "authentication-results", "received-spf", "arc-seal",
    "x-original-to", "x-apparently-to", "x-received", "x-sender", "x-envelope-from", "x-vm-v5-data",
    "resent-from", "resent-to", "resent-date", "resent-message-id", "list-id", "precedence",
    "auto-submitted", "x-mozilla-status", "thread-topic", "thread-index",
))
FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]*:")
UNQUOTE = re.compile(rb">+From ")
BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 64 * 1024       # enough of a file to see its header block
LOOKAHEAD_LINES = 200        # enough lines after a "From " line to see a header field we know
# Lines before the header block a file may carry and still be mail: a broken first header line,
# an SMTP envelope (HELO, MAIL FROM, RCPT TO, DATA).
LEADING_JUNK = 4


def header_names(lines: Iterable[bytes], junk: int = 0) -> list[bytes]:
    """Lower-cased field names of the header block at the top of LINES (ends of line ignored).

    Blank lines before it are skipped; up to JUNK lines that are neither field nor folded
    continuation may come before the first field; the block ends at a blank line or at the
    first line that is not a header (a body begun without the blank line).
    """
    names: list[bytes] = []
    seen = 0
    for index, line in enumerate(lines):
        if index >= LOOKAHEAD_LINES:
            break
        line = line.rstrip(b"\r\n")
        if not line.strip():
            if names or seen:
                break
            continue
        seen += 1
        field = FIELD.match(line)
        if field:
            names.append(field.group(1).lower())
        elif line[:1] in (b" ", b"\t"):
            continue
        elif names:
            break
        else:
            junk -= 1
            if junk < 0:
                return []
    return names


def starts_message(lines: list[bytes]) -> bool:
    """Whether LINES, the ones after a "From " line, open a message: a header block at once."""
    return bool(lines) and FIELD.match(lines[0]) is not None and any(
        name in KNOWN_FIELDS for name in header_names(lines))


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    return head[len(BOM):] if head.startswith(BOM) else head


def is_mbox(path: Path) -> bool:
    """A "From " line, then a header block: the first message of an mbox (short separators too,
    "From -" or "From id@host" without a date)."""
    return _opens_mbox(_head(path))


def _opens_mbox(head: bytes) -> bool:
    # Split on "\n" as the mbox reader does: a file with CR-only line ends is one message.
    lines = head.split(b"\n", LOOKAHEAD_LINES + 1)[:LOOKAHEAD_LINES + 1]
    return len(lines) > 1 and lines[0].startswith(b"From ") and starts_message(lines[1:])


def is_mail(path: Path) -> bool:
    """Whether PATH holds mail: an mbox, or a header block that looks like RFC 5322 at the top."""
    head = _head(path)
    if _opens_mbox(head):
        return True
    return any(name in KNOWN_FIELDS for name in header_names(head.splitlines(), junk=LEADING_JUNK))


def expand(paths: list[Path]) -> list[Path]:
    """Every file named or found below a named folder, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


def sort_out(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """FILES as (mail, not mail), each in the order given."""
    mail, other = [], []
    for path in files:
        (mail if is_mail(path) else other).append(path)
    return mail, other


def split_mbox(handle: BinaryIO) -> Iterator[bytes]:
    """The messages of an mbox, without their "From " lines, ">From " quoting undone.

    A message starts at every "From " line followed by a header block, whether or not a blank
    line comes before it (some writers leave none); a "From " line in a body followed by text is
    body text. The blank line an mbox writer puts after each message is dropped, as Python's
    mailbox module did before: a message ingested again has the same bytes, so the same hash.
    """
    lines = _Peekable(handle)
    current: list[bytes] | None = None
    for number, line in enumerate(lines):
        if number == 0 and line.startswith(BOM):
            line = line[len(BOM):]  # an editor's byte order mark before the first "From "
        if line.startswith(b"From ") and starts_message(lines.ahead(LOOKAHEAD_LINES)):
            if current is not None:
                yield _finish(current)
            current = []
            continue
        if current is None:
            current = []  # text before the first separator: kept as a message of its own
        # mboxrd quotes every ">*From " body line with one more ">", mboxo only "From "; taking one
        # ">" off ">+From " restores both (mboxo's own ">From " lines are ambiguous in any reader).
        current.append(line[1:] if UNQUOTE.match(line) else line)
    if current is not None:
        yield _finish(current)


def _finish(lines: list[bytes]) -> bytes:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]
    return b"".join(lines)


class _Peekable:
    """Lines of a binary file, one at a time, with a look at the ones still to come."""

    def __init__(self, handle: BinaryIO):
        self._handle = handle
        self._buffer: list[bytes] = []

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> bytes:
        if self._buffer:
            return self._buffer.pop(0)
        line = self._handle.readline()
        if not line:
            raise StopIteration
        return line

    def ahead(self, n: int) -> list[bytes]:
        # A header block ends at its first blank line: no need to read past one.
        while len(self._buffer) < n and all(line.strip() for line in self._buffer):
            line = self._handle.readline()
            if not line:
                break
            self._buffer.append(line)
        return self._buffer[:n]


def messages(files: list[Path]) -> Iterator[FileMessage]:
    """Every message of FILES (mail only: see sort_out)."""
    for path in files:
        if is_mbox(path):
            with open(path, "rb") as handle:
                for index, raw in enumerate(split_mbox(handle)):
                    yield FileMessage(f"{path}#{index + 1}", raw)
        else:
            yield FileMessage(str(path), path.read_bytes())


def count(files: list[Path]) -> int:
    total = 0
    for path in files:
        if is_mbox(path):
            with open(path, "rb") as handle:
                total += sum(1 for _ in split_mbox(handle))
        else:
            total += 1
    return total
