"""Language detection for reports: Chinese or English, mixed text goes to the dominant one."""

import re

from .gazetteer import PINYIN_WORD

SAMPLE_CHARS = 20_000
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# words of an e-mail client or a quoted header, not of the writer: they should not make a
# Chinese message English
_BOILERPLATE = re.compile(
    r"sent from my \w+|get outlook for \w+|original message|forwarded message|https?://\S+|(?<!\S)[^\s@]+@\S+|iphone|android|re:|fw:|fwd:",
    re.IGNORECASE,
)


def _is_pinyin(word: str) -> bool:
    return bool(PINYIN_WORD.fullmatch(word.lower()))


def detect_language(text: str, default: str = "zh") -> str:
    """Return "zh" or "en" for a text.

    One Han character carries about as much as one English word, so the two counts are compared
    directly; a text with neither gets the office's default language. Chinese written in pinyin
    ("qing wen ju bao") is Chinese: when nearly all Latin words are pinyin syllables and there
    are several of them, they count as Chinese.
    """
    # The opening of a long text tells its language as well as the whole of it does.
    text = _BOILERPLATE.sub(" ", (text or "")[:SAMPLE_CHARS])
    han = len(_HAN.findall(text))
    words = _LATIN_WORD.findall(text)
    if han == 0 and not words:
        return default
    if not han and len(words) >= 4 and sum(map(_is_pinyin, words)) >= 0.9 * len(words):
        return "zh"
    return "zh" if han >= len(words) else "en"
