"""Readable plain text from the HTML of webmail: what a person sees, without markup or markdown.

Scripts, styles, comments and titles are dropped, entities decoded, block elements and <br>
become line breaks, table cells are separated by a space. A small scanner is used instead of
html.parser or html2text: both rescan unclosed constructs (`<![`, `<?`, `<`) from the start of
each one, which takes minutes on a hostile megabyte; this one looks at each character a bounded
number of times, and the input is cut at `MAX_HTML_CHARS` besides.
"""

from __future__ import annotations

import html as entities
import re

MAX_HTML_CHARS = 1_000_000
_MAX_TAG_CHARS = 4000

# Elements whose content is never shown; an unclosed one hides the rest, as in a browser.
_HIDDEN = {"script", "style", "title", "noscript", "template", "xml"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
}
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "pre"}
_CELLS = {"td", "th"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:_-]{0,40})(?=[\s/>])[^<>]{0,%d}>" % _MAX_TAG_CHARS)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u3000]+")
_EMPTY_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")


def html_to_text(html: str) -> tuple[str, bool]:
    """Plain text of an HTML document, and whether the document had to be cut to be read."""
    cut = len(html) > MAX_HTML_CHARS
    html = html[:MAX_HTML_CHARS]
    lower = html.lower()
    chunks: list[str] = []
    pre = 0
    pos = 0
    while pos < len(html):
        start = html.find("<", pos)
        if start < 0:
            start = len(html)
        if start > pos:
            text = entities.unescape(html[pos:start])
            chunks.append(text.replace("\u00a0", " ") if pre else _SPACES.sub(" ", text))
        if start >= len(html):
            break
        if html.startswith("<!--", start):
            end = html.find("-->", start + 4)
            pos = len(html) if end < 0 else end + 3
            continue
        tag = _TAG.match(html, start)
        if tag is None:
            if html.startswith(("<!", "<?"), start):  # doctype, CDATA, processing instruction
                end = html.find(">", start)
                pos = len(html) if end < 0 else end + 1
            else:
                chunks.append("<")  # a lone "<" is text
                pos = start + 1
            continue
        pos = tag.end()
        closing, name = tag.group(1), tag.group(2).lower()
        if name in _HIDDEN:
            if not closing and not tag.group(0).endswith("/>"):
                end = lower.find("</" + name, pos)
                pos = len(html) if end < 0 else end
            continue
        if name == "br":
            chunks.append("\n")
        elif name in _CELLS and not closing:
            chunks.append(" ")
        elif name in _BLOCKS:
            chunks.append("\n\n" if name in _PARAGRAPHS else "\n")
        if name == "pre":
            pre = max(0, pre - 1) if closing else pre + 1
    lines = [line.strip(" ") for line in "".join(chunks).split("\n")]
    return _EMPTY_LINES.sub("\n\n", "\n".join(lines)).strip(), cut
