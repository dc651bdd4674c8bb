"""The leaf parts of a multipart body found in one pass over its lines, without building a tree.

The last resort for mail nested deeper than a parser can recurse (the stdlib's feedparser and
mail-parser raise RecursionError somewhere under a thousand levels): each delimiter line of a
boundary seen so far ends one part; a part that declares a multipart type adds its boundary and
holds no content of its own, every other part is a leaf, returned headers and raw body, in order.
A close delimiter ("--b--") is followed by an epilogue, which is skipped. A nested message is one
leaf (its inner boundaries are never declared by a part header, so its body is not split).

Time is linear in the body and the work per part is bounded, so a hostile message costs no more
than a long one.
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
import re

# More parts than any real message has; an attacker's million empty parts stop here.
MAX_PARTS = 10_000
# A part's header block is looked for this far; a longer one is not a header block.
HEAD_WINDOW = 64 * 1024
# RFC 2046: a boundary is 1 to 70 characters; the line may end in blanks.
_DELIMITER = re.compile(rb"^--([^\r\n]{1,70}?)(--)?[ \t]*\r?$", re.M)
_LINE_END = re.compile(rb"\r?\n")
_BLANK_LINE = re.compile(rb"\n\r?\n")


def leaf_parts(body: bytes, boundary: str, defects: list[str]) -> list[email.message.Message]:
    """The leaves of a multipart body whose top-level boundary is `boundary`, as messages parsed
    headers-only (the payload is the undecoded body, whatever the declared type)."""
    known = {boundary.encode("utf-8", "surrogateescape")}
    leaves: list[email.message.Message] = []
    # where the part being read began and whether it is a leaf; None in a preamble or epilogue
    current: tuple[int, bool] | None = None
    parts = 0
    for match in _DELIMITER.finditer(body):
        if match.group(1) not in known:
            continue
        if current is not None:
            start, leaf = current
            if leaf:
                # the line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1)
                end = match.start()
                end -= 2 if body[end - 2:end] == b"\r\n" else 1 if body[end - 1:end] == b"\n" else 0
                leaves.append(_headers_only(body[start:max(start, end)]))
            current = None
        if match.group(2):
            continue  # a close delimiter: an epilogue follows, up to the next delimiter
        parts += 1
        if parts > MAX_PARTS:
            defects.append("too-many-parts")
            return leaves
        newline = _LINE_END.match(body, match.end())
        start = newline.end() if newline else match.end()
        # A multipart part's boundary must be known before its own parts come, so its header
        # block is read now; such a part holds no content of its own.
        inner = _boundary(body, start)
        if inner is not None:
            known.add(inner)
        current = (start, inner is None)
    if current is not None and current[1]:
        defects.append("close-boundary-not-found")
        leaves.append(_headers_only(body[current[0]:]))
    return leaves


def _boundary(body: bytes, start: int) -> bytes | None:
    """The boundary of the part whose header block starts at `start`, if it is a multipart."""
    if body.startswith((b"\r\n", b"\n"), start):
        return None  # no header block: text/plain
    blank = _BLANK_LINE.search(body, start, start + HEAD_WINDOW)
    if blank is None:
        return None
    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(body[start:blank.start() + 1])
    inner = head.get_boundary() if head.get_content_maintype() == "multipart" else None
    return inner.encode("utf-8", "surrogateescape") if inner else None


def _headers_only(data: bytes) -> email.message.Message:
    # headers-only: the body stays one payload, so not even a nested message is parsed further
    return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data, headersonly=True)
