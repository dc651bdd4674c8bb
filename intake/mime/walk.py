"""Walk a parsed MIME tree: the text the sender wrote, and every file, nested message and
winmail.dat member as an `Attachment`, with bounded depth and count.

Text rules: in multipart/alternative the text/plain version wins, the HTML one (converted to
text) is used when there is no non-blank text/plain; outside alternatives every inline text
part is kept, in order. Text and HTML parts with a filename or an attachment disposition are
files, not text. The body of a nested message is its own, so it is not part of the text.

Depth: the walk recurses down to MAX_MULTIPART_DEPTH multiparts; what lies deeper is read by a
loop over an explicit stack (`_deep`), and a message too deep for the parsers themselves is read
from its raw lines (`walk_flat`, see flat.py). Either way the defect "nesting-too-deep" is
recorded and the text found is kept: a report wrapped in hundreds of multiparts is still read.
"""

from __future__ import annotations

import email.generator
import email.message
import email.parser
import email.policy
import io
import logging
import mimetypes
import quopri
import re
from dataclasses import dataclass, field

from intake.mime import flat, tnef
from intake.mime.body_text import body_text, looks_binary, stray_header_lines
from intake.mime.charsets import codec_for
from intake.mime.headers import clean_text
from intake.mime.html_text import html_to_text
from intake.mime.params import charset_of, content_type_of, part_labels
from intake.mime.parts import Attachment
from intake.mime.transfer import body_bytes, decode_base64, decode_body, decode_uu, transfer_encoding

MAX_MULTIPART_DEPTH = 50
# parts read by the loop below that depth; any real message has far fewer
MAX_DEEP_PARTS = 10_000
MAX_NESTED_DEPTH = 5
MAX_ATTACHMENTS = 500
_CJK_CODECS = {"gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp950", "hz", "euc_jp", "shift_jis",
               "cp932", "iso2022_jp", "euc_kr", "cp949"}
_NESTED_TYPES = {"message/rfc822", "message/global", "message/news"}
_ENCODED_WORD_CHARSET = re.compile(r"=\?([^?\s*]{1,40})[?*]")
_BOUNDARY_LINE = re.compile(rb"^--([^\s]{1,70}?)(--)?[ \t]*\r?$", re.M)

log = logging.getLogger(__name__)


@dataclass
class Body:
    text: str = ""
    html: bool = False
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class _Segment:
    kind: str  # "plain" or "html"
    text: str


class MimeWalker:
    """One walk over one message; problems are appended to the shared `defects` list."""

    def __init__(self, defects: list[str], *, crlf: bool = False) -> None:
        self.defects = defects
        self.hint: str | None = None
        self.body = Body()
        self.tnef_bodies: list[tuple[str, str]] = []
        self.policy = email.policy.compat32.clone(linesep="\r\n" if crlf else "\n")

    # -- charset hint -------------------------------------------------------------------------

    def charset_hint(self, message: email.message.Message) -> str | None:
        """The first CJK charset the message declares anywhere, to read undeclared bytes."""
        for _, value in message.raw_items():
            for label in _ENCODED_WORD_CHARSET.findall(str(value)):
                if codec_for(label) in _CJK_CODECS:
                    self.hint = label
                    return label
        stack, seen = [message], 0
        while stack and seen < 200:
            part, seen = stack.pop(), seen + 1
            label = charset_of(part, self.defects)
            if codec_for(label) in _CJK_CODECS:
                self.hint = label
                return label
            if part.is_multipart():
                stack.extend(reversed([p for p in part.get_payload() if isinstance(p, email.message.Message)]))
        return None

    # -- the walk -----------------------------------------------------------------------------

    def walk(self, message: email.message.Message) -> Body:
        return self._assemble(self._part(message, 0, 0, None))

    def walk_flat(self, message: email.message.Message) -> Body:
        """A message the parsers could not build a tree of (parsed headers-only): its leaf parts
        read from the raw body in one pass, without recursion (see flat.py)."""
        boundary = message.get_boundary() if message.get_content_maintype() == "multipart" else None
        segments: list[_Segment] = []
        if boundary:
            for leaf in flat.leaf_parts(body_bytes(message), boundary, self.defects):
                segments.extend(self._flat_leaf(leaf))
        return self._assemble(segments)

    def _flat_leaf(self, part: email.message.Message) -> list[_Segment]:
        content_type = content_type_of(part)
        if content_type.startswith("message/"):
            # kept as a file, not opened: its own nesting is what defeated the parsers
            filename, disposition, content_id = part_labels(part, self.hint, self.defects)
            payload, defects = decode_body(part)
            self.defects.extend(defects)
            self._add(Attachment(filename, content_type, payload, disposition or "attachment", content_id,
                                 "nested-message", None))
            return []
        return self._leaf(part, content_type, 0, None)

    def _assemble(self, segments: list[_Segment]) -> Body:
        used = [s for s in segments if s.text.strip()]
        self.body.text = "\n".join(s.text.strip("\n") for s in used)
        if used and all(s.kind == "html" for s in used):
            self.defects.append("html-only")
        if not used:
            for text, html in self.tnef_bodies:
                found = text.strip() or (html_to_text(html)[0] if html.strip() else "")
                if found:
                    self.body.text = clean_text(found.replace("\r\n", "\n").replace("\r", "\n"))
                    self.defects.append("text-from-tnef")
                    break
        return self.body

    def _part(self, part: email.message.Message, depth: int, nested: int,
              parent: int | None) -> list[_Segment]:
        for defect in getattr(part, "defects", ()):
            self.defects.append(defect_code(type(defect).__name__))
        if depth > MAX_MULTIPART_DEPTH:
            return self._deep(part, nested, parent)
        content_type = content_type_of(part)
        if part.is_multipart():  # the parser split it: multipart/* and message/* parts
            children = [c for c in part.get_payload() if isinstance(c, email.message.Message)]
            if content_type.startswith("message/"):
                self._message(part, content_type, children, depth, nested, parent)
                return []
            if content_type == "multipart/alternative":
                return self._alternative(children, depth, nested, parent)
            segments = []
            for child in children:
                segments.extend(self._part(child, depth + 1, nested, parent))
            return segments
        if content_type.startswith("multipart/"):
            recovered = self._recover_multipart(part)
            if recovered is not None:
                return self._part(recovered, depth + 1, nested, parent)
            content_type = "text/plain"  # what the parser could not split is shown as text
        return self._leaf(part, content_type, nested, parent)

    def _deep(self, part: email.message.Message, nested: int, parent: int | None) -> list[_Segment]:
        """The parts below MAX_MULTIPART_DEPTH, in order, by a loop instead of recursion.

        Simpler than the walk: of an alternative only its text/plain children are read when it
        has one; a nested message is opened as in the walk (that recursion is bounded by
        MAX_NESTED_DEPTH); a multipart the parser could not split is read as text.
        """
        self.defects.append("nesting-too-deep")
        segments: list[_Segment] = []
        stack, seen = [part], 0
        while stack:
            part, seen = stack.pop(), seen + 1
            if seen > MAX_DEEP_PARTS:
                self.defects.append("too-many-parts")
                break
            for defect in getattr(part, "defects", ()):
                self.defects.append(defect_code(type(defect).__name__))
            content_type = content_type_of(part)
            if part.is_multipart():
                children = [c for c in part.get_payload() if isinstance(c, email.message.Message)]
                if content_type.startswith("message/"):
                    self._message(part, content_type, children, MAX_MULTIPART_DEPTH, nested, parent)
                    continue
                if content_type == "multipart/alternative":
                    plain = [c for c in children if not c.is_multipart() and content_type_of(c) == "text/plain"]
                    children = plain or children
                stack.extend(reversed(children))
                continue
            if content_type.startswith("multipart/"):
                content_type = "text/plain"
            segments.extend(self._leaf(part, content_type, nested, parent))
        return segments

    def _alternative(self, children: list, depth: int, nested: int,
                     parent: int | None) -> list[_Segment]:
        options = [self._part(child, depth + 1, nested, parent) for child in children]
        for kind in ("plain", "html"):
            for segments in options:
                if any(s.kind == kind and s.text.strip() for s in segments):
                    return segments
        return next((segments for segments in options if segments), [])

    def _leaf(self, part: email.message.Message, content_type: str, nested: int,
              parent: int | None) -> list[_Segment]:
        filename, disposition, content_id = part_labels(part, self.hint, self.defects)
        is_text = content_type in ("text/plain", "text/html")
        if is_text and disposition != "attachment" and not filename:
            if nested:
                return []  # a nested message's text is read from its own item, not here
            if any(type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in part.defects):
                data, defects = decode_body(part, skip=stray_header_lines(body_bytes(part)))
            else:
                data, defects = decode_body(part)
            self.defects.extend(defects)
            charset = charset_of(part, self.defects)
            if not looks_binary(data) or codec_for(charset) in ("utf-16", "utf-32"):
                kind = "html" if content_type == "text/html" else "plain"
                self.body.html = self.body.html or kind == "html"
                return [_Segment(kind, body_text(part, content_type, data, charset, self.hint, self.defects))]
            self.defects.append("binary-body")
            self._add(Attachment(filename, "application/octet-stream", data, "attachment",
                                 content_id, "attachment", parent))
            return []
        payload, defects = decode_body(part)
        self.defects.extend(defects)
        index = self._add(Attachment(
            filename, content_type, payload, disposition or ("inline" if content_id else "attachment"),
            content_id, _origin(nested, disposition, content_id), parent))
        if index is not None and tnef.is_tnef(content_type, filename):
            self._unpack_tnef(payload, index, nested)
        return []

    # -- nested messages and containers -------------------------------------------------------

    def _message(self, part: email.message.Message, content_type: str, children: list,
                 depth: int, nested: int, parent: int | None) -> None:
        filename, disposition, content_id = part_labels(part, self.hint, self.defects)
        payload = self._body_of(children)
        encoding = transfer_encoding(part)
        inner = children[0] if children else None
        if encoding in ("base64", "quoted-printable", "uuencode"):
            # Not allowed on message/* (RFC 2046 5.2.1) but sent anyway: the parser read the
            # encoded text as a message, so decode it and parse again.
            payload, defects = _undo_encoding(encoding, payload)
            self.defects.extend(defects)
            self.defects.append("encoded-message-part")
            inner = self._parse_nested(payload)
        if content_type not in _NESTED_TYPES:
            self._add(Attachment(filename, content_type, payload, disposition or "attachment",
                                 content_id, _origin(nested, disposition, content_id), parent))
            return
        index = self._add(Attachment(filename, content_type, payload, disposition or "attachment",
                                     content_id, "nested-message", parent))
        if index is None or inner is None:
            return
        if nested + 1 > MAX_NESTED_DEPTH:
            self.defects.append("nesting-too-deep")
            return
        self._part(inner, depth + 1, nested + 1, index)

    def _parse_nested(self, payload: bytes) -> email.message.Message | None:
        try:
            return email.parser.BytesParser(policy=email.policy.compat32).parsebytes(payload)
        except RecursionError:
            self.defects.append("nesting-too-deep")
            return None

    def _body_of(self, children: list) -> bytes:
        """The body of a parsed message/* part as bytes, rebuilt from the tree.

        compat32 keeps no raw bytes for parts it parsed further, so the nested message (or the
        header blocks of a delivery report) is generated again; header folding and line ends
        may differ from the wire, the content and the bytes of every leaf do not.
        """
        buffer = io.BytesIO()
        try:
            for child in children:
                email.generator.BytesGenerator(buffer, mangle_from_=False, maxheaderlen=0,
                                               policy=self.policy).flatten(child)
        except Exception as exc:  # a hostile part can break the generator; keep what we know
            log.warning("could not rebuild a nested message: %r", exc)
            self.defects.append(f"nested-message-unrebuildable:{type(exc).__name__}")
        return buffer.getvalue()

    def _recover_multipart(self, part: email.message.Message) -> email.message.Message | None:
        """Split a multipart whose declared boundary never appears, using the one that does."""
        data = body_bytes(part)
        counts: dict[bytes, int] = {}
        for match in _BOUNDARY_LINE.finditer(data[:2_000_000]):
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        if not counts:
            return None
        boundary, seen = max(counts.items(), key=lambda item: item[1])
        if seen < 2 or boundary.decode("ascii", "replace") == part.get_boundary():
            return None
        head = b'Content-Type: %s; boundary="%s"\r\n\r\n' % (
            content_type_of(part).encode("ascii", "replace"), boundary.replace(b'"', b""))
        reparsed = self._parse_nested(head + data)
        if reparsed is None or not reparsed.is_multipart():
            return None
        self.defects.append("boundary-recovered")
        return reparsed

    def _unpack_tnef(self, payload: bytes, index: int, nested: int) -> None:
        unpacked = tnef.unpack(payload)
        self.defects.extend(unpacked.defects)
        indices: list[int | None] = []
        for member in unpacked.members:
            parent = index if member.parent is None else indices[member.parent]
            content_type = mimetypes.guess_type(member.filename or "")[0] or "application/octet-stream"
            indices.append(self._add(Attachment(member.filename, content_type, member.payload,
                                                "attachment", None, "tnef-member", parent)))
        if not nested:
            self.tnef_bodies.append((unpacked.text, unpacked.html))

    def _add(self, item: Attachment) -> int | None:
        if len(self.body.attachments) >= MAX_ATTACHMENTS:
            self.defects.append("too-many-attachments")
            return None
        self.body.attachments.append(item)
        return len(self.body.attachments) - 1


def _origin(nested: int, disposition: str | None, content_id: str | None) -> str:
    if nested:
        return "nested-attachment"
    if disposition == "inline" or (disposition is None and content_id):
        return "inline"
    return "attachment"


def _undo_encoding(encoding: str, data: bytes) -> tuple[bytes, list[str]]:
    if encoding == "base64":
        return decode_base64(data)
    if encoding == "uuencode":
        return decode_uu(data)
    return quopri.decodestring(data), []


_KEBAB = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def defect_code(class_name: str) -> str:
    """`CloseBoundaryNotFoundDefect` -> `close-boundary-not-found`."""
    return _KEBAB.sub("-", class_name.removesuffix("Defect")).lower()
