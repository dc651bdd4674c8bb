"""Turn the bytes of a mail body or header into text, repairing wrong or missing charset labels.

Chinese mail lies about its charset all the time: GB2312 labels on GBK text, ``iso-8859-1`` or
``us-ascii`` on GBK or UTF-8 bytes, ``utf-8`` on GBK bytes, Big5 labels on UTF-8. `decode_text`
tries the declared charset first, and when it fails or looks wrong it tries the charsets Chinese
mail really comes in and keeps the most plausible text, saying what it did in a defect code.
"""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import charset_normalizer

# Labels Python does not know, and labels whose Python codec is a strict subset of what the
# senders' software really writes: GB2312/GBK text is decoded as GB18030 (a superset), Big5 as
# Big5-HKSCS then cp950, EUC-KR as cp949, Shift_JIS as cp932, Latin-1 as windows-1252 (as every
# browser and mail client does).
_ALIASES = {
    "x-gbk": "gb18030", "gb-2312": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030",
    "x-euc-cn": "gb18030", "x-mac-chinesesimp": "gb18030", "windows-936": "gb18030",
    "gb-18030": "gb18030", "x-gb18030": "gb18030", "x-cp936": "gb18030",
    "x-big5": "big5", "cn-big5": "big5", "csbig5": "big5", "x-x-big5": "big5", "big-5": "big5",
    "x-mac-chinesetrad": "big5", "windows-950": "big5", "x-windows-950": "big5",
    "x-sjis": "cp932", "windows-31j": "cp932", "x-euc-jp": "euc_jp", "windows-874": "cp874",
    "iso-8859-8-i": "iso8859-8", "x-mac-roman": "mac-roman", "unicode-1-1-utf-8": "utf-8",
    "utf8mb4": "utf-8", "x-utf-8": "utf-8", "ks_c_5601": "cp949", "x-windows-949": "cp949",
}
_FAMILIES = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"), "big5hkscs": ("big5hkscs", "cp950"), "cp950": ("cp950", "big5hkscs"),
    "euc_kr": ("cp949",), "shift_jis": ("cp932",), "tis-620": ("cp874",), "iso8859-11": ("cp874",),
    "iso8859-1": ("windows-1252",), "cp1252": ("windows-1252",), "utf-8-sig": ("utf-8",),
}
# Labels that mean "no charset" in practice; the bytes are guessed as if undeclared.
_MEANINGLESS = {"unknown-8bit", "x-unknown", "unknown", "8bit", "7bit", "x-user-defined", "default",
                "charset", "none", "null", "binary", "_autodetect_all", "auto"}
# Text codecs that are not charsets: a sender must not make us run them on his bytes.
_REFUSED = {"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "mbcs", "oem"}
# The order candidates are tried in when the declared charset fails: a mainland office gets GB
# text far more often than Big5, so GB wins ties.
_GUESSES = ("utf-8", "gb18030", "big5hkscs", "cp950")
# When a Japanese or Korean label is wrong, the text is most likely in that language's other
# charsets.
_SIBLINGS = {
    "iso2022_jp": ("cp932", "euc_jp"), "iso2022_jp_2": ("cp932", "euc_jp"), "shift_jis": ("euc_jp",),
    "cp932": ("euc_jp",), "euc_jp": ("cp932",), "iso2022_kr": ("cp949",), "euc_kr": ("cp949",),
}
# Labels that Chinese mail software puts on anything.
_WESTERN = {"windows-1252", "iso8859-15"}
_UNICODE = {"utf-8", "utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"}
# charset-normalizer may only answer with charsets mail is really written in.
_JUDGE_CODECS = ("utf_8", "gb18030", "big5hkscs", "cp1252", "iso8859_15", "cp1250", "iso8859_2",
                 "cp1251", "koi8_r", "iso8859_5", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
                 "cp932", "euc_jp", "cp949", "cp874")
_KNOWN_PREFIX = re.compile(
    r"windows-125\d|iso-?8859-\d{1,2}|utf-?8|gb2312|gbk|gb18030|big5|koi8-[ru]|shift_jis|euc-(?:jp|kr)")
_SAMPLE_CHARS = 2000
_JUDGE_BYTES = 65536
_MAX_LABEL = 40


@dataclass(frozen=True)
class Decoded:
    text: str
    charset: str
    defect: str | None = None


def _windows_1252_table() -> dict[int, str]:
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue  # the five holes of cp1252 keep their Latin-1 (C1 control) meaning
    return table


_CP1252 = _windows_1252_table()


def _everyday_han(codec: str, leads: range, trails: tuple[int, ...]) -> frozenset[str]:
    """The Han characters of one charset's everyday block (GB2312 level 1, Big5 level 1).

    A text decoded with the right charset is made almost only of these; the same bytes decoded
    with a wrong CJK charset land on rare characters, private-use points or other scripts.
    """
    chars = {bytes([lead, trail]).decode(codec, "ignore") for lead in leads for trail in trails}
    chars.discard("")
    return frozenset(chars)


_BIG5_TRAILS = (*range(0x40, 0x7F), *range(0xA1, 0xFF))
_GB_EVERYDAY = _everyday_han("gb2312", range(0xB0, 0xD8), tuple(range(0xA1, 0xFF)))
_GB_STANDARD = _everyday_han("gb2312", range(0xD8, 0xF8), tuple(range(0xA1, 0xFF)))
_BIG5_EVERYDAY = _everyday_han("big5", range(0xA4, 0xC7), _BIG5_TRAILS)
_BIG5_STANDARD = _everyday_han("big5", range(0xC9, 0xFA), _BIG5_TRAILS)
_ANY_EVERYDAY = _GB_EVERYDAY | _BIG5_EVERYDAY
_ANY_STANDARD = _GB_STANDARD | _BIG5_STANDARD
_EVERYDAY = {
    "gb18030": (_GB_EVERYDAY, _GB_STANDARD),
    "big5hkscs": (_BIG5_EVERYDAY, _BIG5_STANDARD),
    "cp950": (_BIG5_EVERYDAY, _BIG5_STANDARD),
}
# Controls, private use, unassigned and U+FFFD: what wrong decodings produce.
_IMPLAUSIBLE = {"Cc", "Co", "Cn", "Cs"}
_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def plausibility(text: str, codec: str = "") -> float:
    """Share of the non-ASCII characters of `text` that real writing is made of (1.0 if none).

    Han characters count fully when everyday in the charset they were read with, half when
    rarer but standard: read as GBK, Big5 text gives GB2312's rare characters, and the other
    way round.
    """
    everyday, standard = _EVERYDAY.get(codec, (_ANY_EVERYDAY, _ANY_STANDARD))
    total = good = 0.0
    for match in itertools.islice(_NON_ASCII.finditer(text), _SAMPLE_CHARS):
        char = match.group()
        total += 1
        if char == "\ufffd":
            continue
        if _HAN.match(char):
            good += 1.0 if char in everyday else 0.5 if char in standard else 0.0
        elif unicodedata.category(char) not in _IMPLAUSIBLE:
            good += 1
    return good / total if total else 1.0


def label_name(label: str | None) -> str:
    """The declared label made safe to put in a defect code."""
    cleaned = re.sub(r"[^a-z0-9._:-]", "", (label or "").strip().strip("\"'").lower())
    return cleaned[:_MAX_LABEL] or "none"


def codec_for(label: str | None) -> str | None:
    """Python codec for a MIME charset label, or None when the label is missing or unusable."""
    return _resolve(label)[0]


@lru_cache(maxsize=256)
def _resolve(label: str | None) -> tuple[str | None, bool]:
    """The codec for a label, and whether it was only found from the label's first word."""
    name = (label or "").strip().strip("\"'").strip().lower()
    if not name or len(name) > _MAX_LABEL or name in _MEANINGLESS:
        return None, False
    try:
        info = codecs.lookup(_ALIASES.get(name, name))
    except (LookupError, ValueError):
        # Broken HTML generators glue markup to the label: 'windows-1252" http-equiv=...'.
        prefix = _KNOWN_PREFIX.match(name) or re.match(r"[a-z0-9_.:-]+", name)
        if prefix is None or prefix.group() == name:
            return None, False
        return codec_for(prefix.group()), True
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None, False
    return info.name, False


def _family(codec: str) -> tuple[str, ...]:
    return _FAMILIES.get(codec, (codec,))


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    if codec == "windows-1252":
        return True
    probe = b"\xb0\xa1\xc3\xa9\xe4\xb8\xad"  # valid GB2312, UTF-8 and Big5 sequences
    try:
        return len(probe.decode(codec, "replace")) == len(probe)
    except (LookupError, UnicodeError, TypeError):
        return False


def _decode(data: bytes, codec: str, errors: str = "strict") -> str:
    if codec == "windows-1252":
        return data.decode("latin-1").translate(_CP1252)
    return data.decode(codec, errors)


def _strict(data: bytes, codecs_: tuple[str, ...]) -> tuple[str, str] | None:
    for codec in codecs_:
        try:
            return _decode(data, codec), codec
        except (UnicodeError, LookupError):
            continue
    return None


def _judge_guess(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's reading, for text that is not Chinese (Cyrillic, Japanese, ...)."""
    if len(data) < 16:
        return None
    match = charset_normalizer.from_bytes(data[:_JUDGE_BYTES], cp_isolation=list(_JUDGE_CODECS)).best()
    judged = codec_for(match.encoding) if match is not None else None
    return _strict(data, _family(judged)) if judged else None


@dataclass(frozen=True)
class _Reading:
    text: str
    charset: str
    score: float
    lossy: bool = False


def decode_text(data: bytes, declared: str | None = None, *, hint: str | None = None) -> Decoded:
    """Decode `data` labelled `declared`; `hint` is a charset seen elsewhere in the same message.

    Never raises. The result's defect is None when the label was right (or the text is ASCII),
    else one of ``charset-misdeclared:LABEL->USED``, ``charset-unknown:LABEL->USED``,
    ``charset-undeclared:USED``, ``charset-lossy:LABEL->USED`` (replacement characters inserted).
    """
    codec, repaired = _resolve(declared)
    found = _decode_text(data, declared, codec, hint, known=codec is not None and not repaired)
    if repaired and found.defect is None and not data.isascii():
        return Decoded(found.text, found.charset, f"charset-unknown:{label_name(declared)}->{found.charset}")
    return found


def _decode_text(data: bytes, declared: str | None, codec: str | None, hint: str | None, *,
                 known: bool) -> Decoded:
    label = label_name(declared)
    if data.startswith(codecs.BOM_UTF8):
        data, codec = data[3:], "utf-8"
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        codec = codec if codec in _UNICODE else "utf-16"
    elif codec in _UNICODE and codec != "utf-8" and b"\x00" not in data[:256]:
        codec = None  # a UTF-16 label on bytes without NULs: an ASCII-family text, mislabelled
    if codec is not None:
        found = _strict(data, _family(codec))
        if found is not None:
            if data.isascii() or found[1] in _UNICODE:
                return Decoded(*found)
            own = plausibility(*found)
            if not _single_byte(found[1]) and len(_NON_ASCII.findall(found[0], 0, 400)) < 4:
                return Decoded(*found)  # a name or a word: too little text to doubt a CJK label
            if found[1] in _WESTERN and _paired_high_bytes(data):
                # GBK read as Latin-1 is a string of accented letters, as plausible as
                # French; but French does not put its accented letters side by side.
                own = min(own, 0.7)
            # A CJK label that decodes cleanly is rarely wrong: only a much better reading wins
            # (names are made of rare characters, and would otherwise flip to Big5).
            floor = max(0.6, own + 0.2) if _single_byte(found[1]) else max(0.8, own + 0.3)
            rival = _best(_readings(data, _guesses(hint, codec, skip=found[1]), hint, codec), floor)
            if rival is None:
                return Decoded(*found)
            return Decoded(rival.text, rival.charset, f"charset-misdeclared:{label}->{rival.charset}")
    elif data.isascii():
        return Decoded(data.decode("ascii"), "us-ascii")
    readings = _readings(data, _guesses(hint, codec), hint, codec)
    if codec is not None:
        # A mostly right text with one broken byte beats a wrong charset read cleanly.
        readings.append(_lossy(data, _family(codec)[0]))
    chosen = _best(readings, 0.6)
    if chosen is None:
        judged = _judge_guess(data)
        others = []
        if codec is None or _single_byte(codec):
            # Latin-1 reads anything; it is a candidate only when no multibyte label was given.
            # Cyrillic or Greek read as Latin-1 is all accented letters too, but side by side.
            western = _decode(data, "windows-1252")
            western_score = min(plausibility(western), 0.7 if _paired_high_bytes(data) else 1.0)
            others.append(_Reading(western, "windows-1252", western_score))
        if judged:
            others.append(_Reading(*judged, plausibility(*judged)))
        others.append(_lossy(data, _family(codec or "utf-8")[0]))
        chosen = _best(others + readings, -1.0)
    if chosen.lossy:
        return Decoded(chosen.text, chosen.charset, f"charset-lossy:{label}->{chosen.charset}")
    if known:
        return Decoded(chosen.text, chosen.charset, f"charset-misdeclared:{label}->{chosen.charset}")
    if declared and label not in _MEANINGLESS:
        return Decoded(chosen.text, chosen.charset, f"charset-unknown:{label}->{chosen.charset}")
    return Decoded(chosen.text, chosen.charset, f"charset-undeclared:{chosen.charset}")


def _guesses(hint: str | None, declared: str | None = None, skip: str = "") -> tuple[str, ...]:
    hinted = codec_for(hint)
    ordered = ("utf-8", *_SIBLINGS.get(declared or "", ()), *(_family(hinted) if hinted else ()), *_GUESSES)
    return tuple(dict.fromkeys(c for c in ordered if c != skip and not _single_byte(c)))


def _paired_high_bytes(data: bytes) -> bool:
    """True when the bytes above 0x7F come in runs, as double-byte text does."""
    runs = [len(run) for run in _HIGH_RUNS.findall(data[:_JUDGE_BYTES])]
    high = sum(runs)
    return high >= 4 and sum(r for r in runs if r >= 2) >= 0.8 * high


def _readings(data: bytes, candidates: tuple[str, ...], hint: str | None = None,
              declared: str | None = None) -> list[_Reading]:
    """Every strict decoding, scored. UTF-8 gets a head start, because valid UTF-8 with
    non-ASCII bytes is very rarely an accident (but a short GBK string can be valid UTF-8); its
    U+FFFD are ignored, since they were already in the bytes. The charsets the rest of the
    message declares, and the siblings of a wrong Japanese or Korean label, get a small one."""
    favoured = {*_family(codec_for(hint) or ""), *_SIBLINGS.get(declared or "", ())}
    readings = []
    for rank, codec in enumerate(candidates):
        found = _strict(data, (codec,))
        if found is None:
            continue
        if codec == "utf-8":
            score = plausibility(found[0].replace("\ufffd", ""), codec) + 0.3
        else:
            score = plausibility(found[0], codec) + (0.05 if codec in favoured else 0.0)
        readings.append(_Reading(found[0], codec, score - rank * 1e-6))
    return readings


def _best(readings: list[_Reading], floor: float) -> _Reading | None:
    best = None
    for reading in readings:
        if reading.score > floor and (best is None or reading.score > best.score):
            best = reading
    return best


def _lossy(data: bytes, codec: str) -> _Reading:
    try:
        text = _decode(data, codec, "replace")
    except (UnicodeError, LookupError):
        text, codec = data.decode("utf-8", "replace"), "utf-8"
    return _Reading(text, codec, plausibility(text, codec) - 0.05, lossy=True)
