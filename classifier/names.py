"""Rules for named things: people (PERSON), posts (TITLE), organisations (ORG), places (GPE).

Chinese has no spaces and no capitals, so the rules lean on what surrounds a name: a post before
it (村支书王大明), a post after it (王书记), a cue (举报人：, 名叫), the 某 of anonymised names, the
endings of organisations (…局, …公司) and places (…县, …村). English rules lean on capitals,
honorifics, posts and the shape of pinyin names. Every function takes the normalised text (and
the original where case matters) and returns candidate spans; `entities.py` settles overlaps.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Iterator

from .gazetteer import (
    CITIES_ZH,
    COMPOUND_SURNAMES_ZH,
    HONORIFICS_EN,
    NAME_BREAK_ZH,
    ORG_CORE_SUFFIXES_ZH,
    ORG_CORES_ZH,
    ORG_INNER_EN,
    ORG_SUFFIXES_EN,
    ORG_SUFFIXES_ZH,
    PINYIN_WORD,
    PLACE_NAME_STOP_EN,
    PLACES_EN,
    PROVINCES_ZH,
    SURNAMES_EN,
    SURNAMES_ZH,
    TITLE_CORES_ZH,
    TITLE_PREFIXES_ZH,
    TITLES_EN,
)

Span = tuple[str, int, int]


class PlaceIndex:
    """The places of a text, to ask which of them a position falls strictly inside.

    Asking every place for every organisation or post made a text of thousands of both (平江县公安局
    over and over) quadratic. Places are short, so only those starting at most `reach` characters
    before the position are asked, in the order of the list given.
    """

    def __init__(self, places: list[Span], reach: int = 64):
        self.reach = reach
        self._order = sorted(range(len(places)), key=lambda i: places[i][1])
        self._starts = [places[i][1] for i in self._order]
        self._places = places

    def around(self, lo: int, hi: int) -> list[Span]:
        """The places starting in [lo - reach, hi], in the order of the list given."""
        first = bisect_left(self._starts, lo - self.reach)
        last = bisect_right(self._starts, hi)
        return [self._places[i] for i in sorted(self._order[first:last])]

    def containing(self, pos: int) -> list[Span]:
        """The places with start < pos < end, in the order of the list given."""
        return [place for place in self.around(pos, pos) if place[1] < pos < place[2]]


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda w: (-len(w), w)))


def _first_chars(*word_lists) -> str:
    return "".join(sorted({re.escape(word[0]) for words in word_lists for word in words}))


def fast(pattern: str, first_chars: str) -> re.Pattern[str]:
    """Compile pattern behind a lookahead for the characters a match can start with: Python's
    regex engine then skips other positions quickly instead of trying every alternative."""
    return re.compile(f"(?=[{first_chars}])(?:{pattern})")


# ---------------------------------------------------------------- posts
# (at most six prefixes, 县委组织部 and the like: an unbounded run of them was read again from every
# one of 县委县委县委…, which made such a message take minutes)
_TITLE_PREFIXES = TITLE_PREFIXES_ZH + ("市委", "县委", "省委", "区委", "镇委", "乡委")
_TITLE_ZH_RE = fast(
    rf"(?:{_alternation(_TITLE_PREFIXES)}){{0,6}}(?:常务副|副|正)?(?:{_alternation(TITLE_CORES_ZH)})",
    _first_chars(_TITLE_PREFIXES, TITLE_CORES_ZH, ("常", "副", "正")),
)
_TITLE_CORE_RE = fast(_alternation(TITLE_CORES_ZH), _first_chars(TITLE_CORES_ZH))
_TITLE_EN_RE = fast(
    rf"(?<![a-z])(?:(?:deputy|vice|executive|acting|former|first|township|town|county|village|city)\s)?"
    rf"(?:{_alternation(TITLES_EN)})(?![a-z])",
    "a-z",
)


def is_title(norm_piece: str) -> bool:
    return bool(_TITLE_ZH_RE.fullmatch(norm_piece) or _TITLE_EN_RE.fullmatch(norm_piece))


def titles(norm: str) -> list[Span]:
    found = [("TITLE", m.start(), m.end()) for m in _TITLE_ZH_RE.finditer(norm)]
    found += [("TITLE", m.start(), m.end()) for m in _TITLE_EN_RE.finditer(norm)]
    return found


# ---------------------------------------------------------------- Chinese people
_CUES_ZH = (
    "实名举报人", "被举报人", "举报人", "反映人", "联系人", "负责人", "法定代表人", "法人代表", "姓名", "名叫", "叫做",
    "本人", "我叫", "我是", "老板", "老板娘", "会计", "出纳", "老师", "医生", "村民", "妻子", "老婆", "丈夫", "儿子",
    "女儿", "弟弟", "哥哥", "姐姐", "妹妹", "小舅子", "舅子", "侄子", "外甥", "亲戚", "岳父", "女婿", "表哥", "表弟",
    "司机", "包工头", "承包人", "承包商", "业主", "户主", "同学", "朋友", "小姨子", "连襟", "堂弟", "堂哥", "妻弟",
    "情妇", "情人", "秘书", "监理", "股东", "村干部", "干部", "领导", "工作人员", "署名",
)
_CUE_ZH_RE = re.compile(rf"(?:{_alternation(_CUES_ZH)})[:： ]?")
_AFTER_NAME_ZH = ("同志", "先生", "女士", "老板", "师傅", "夫妇", "一家", "本人")
# two-character words that start with a surname and end a letter: not signatures
_NOT_NAMES_ZH = {"谢谢", "万分", "高兴", "安全", "方便", "明白", "和谐", "文明", "平安", "华为", "金额", "成功", "关于",
                 "向您", "祝好", "余下", "时间", "江湖", "黄金", "白天", "白白", "程序", "任何", "于是", "周末", "周边",
                 "石头", "牛逼", "房子", "房屋", "路上", "钱款", "钱财", "全部", "全体", "全村", "全家", "车辆", "查处",
                 "查实", "严查", "严肃", "严惩", "严重", "司法", "党员", "党委", "党组", "管理", "单位", "应该", "卫生",
                 "常委", "项目", "连续", "简单", "夏天", "冷漠", "宁可", "商量", "商户", "师傅", "古代", "吉利", "曲线",
                 "花钱", "毛病", "温度", "施工", "康复", "庄稼", "邢台", "易于", "洪水", "包括", "龙头", "祝愿"}


def _surname_at(norm: str, pos: int) -> int:
    """Length of the surname starting at pos (0, 1 or 2)."""
    if norm[pos : pos + 2] in COMPOUND_SURNAMES_ZH:
        return 2
    if pos < len(norm) and norm[pos] in SURNAMES_ZH:
        return 1
    return 0


def _name_end(norm: str, pos: int, strict: bool) -> int | None:
    """Where a Chinese name starting at pos ends, or None when there is none there.

    A name is a surname and one or two given characters; the length is the one after which the
    text plainly goes on (a function word, punctuation, a post). strict: there must be such a
    sign; otherwise a two-character given name is assumed, as most names have one.
    """
    surname = _surname_at(norm, pos)
    if not surname:
        return None
    start = pos + surname
    if norm[start : start + 1] == "某":
        return start + (2 if norm[start : start + 2] == "某某" else 1)
    for length in (2, 1):
        end = start + length
        given = norm[start:end]
        if len(given) < length or not all(is_han(c) and c not in NAME_BREAK_ZH for c in given):
            continue
        after = norm[end : end + 1]
        if not after or not is_han(after) or after in NAME_BREAK_ZH or _TITLE_CORE_RE.match(norm, end):
            return end
        if any(norm.startswith(word, end) for word in _AFTER_NAME_ZH):
            return end
    if strict:
        return None
    given = norm[start : start + 2]
    if len(given) == 2 and all(is_han(c) and c not in NAME_BREAK_ZH for c in given):
        return start + 2
    if given[:1] and is_han(given[0]) and given[0] not in NAME_BREAK_ZH:
        return start + 1
    return None


def persons_zh(norm: str, title_spans: list[Span]) -> list[Span]:
    found = []
    for span in _persons_zh(norm, title_spans):
        name = norm[span[1] : span[2]]
        # 管管, 看看: a doubled character is a verb, not a name
        if name not in _NOT_NAMES_ZH and not (len(name) == 2 and name[0] == name[1]):
            found.append(span)
    return found


def _persons_zh(norm: str, title_spans: list[Span]) -> list[Span]:
    found: list[Span] = []
    # a post right before a name: 村支书王大明; a cue: 举报人：覃书文
    starts = [end for _, _, end in title_spans]
    starts += [m.end() for m in _CUE_ZH_RE.finditer(norm)]
    for pos in starts:
        end = _name_end(norm, pos, strict=False)
        if end is not None:
            found.append(("PERSON", pos, end))
    # 王某, 张某某, anywhere
    for m in re.finditer(r"(?:欧阳|司马|上官|诸葛|[\u4e00-\u9fff])某某?", norm):
        if _surname_at(norm, m.start()):
            found.append(("PERSON", m.start(), m.end()))
    # a name right before a post: 王大明书记, and a bare surname before one: 王局长
    for m in _TITLE_CORE_RE.finditer(norm):
        for back in (3, 2):
            pos = m.start() - back
            if pos >= 0 and _name_end(norm, pos, strict=True) == m.start() and (pos == 0 or not is_han(norm[pos - 1]) or norm[pos - 1] in NAME_BREAK_ZH):
                found.append(("PERSON", pos, m.start()))
                break
        else:
            pos = m.start() - 1
            if pos >= 0 and norm[pos] in SURNAMES_ZH and (pos == 0 or not is_han(norm[pos - 1]) or norm[pos - 1] in NAME_BREAK_ZH):
                found.append(("PERSON", pos, m.start()))
    # a signature: 老吴, 小李 on a line of their own
    for m in re.finditer(r"(?m)^[ \t]*(?:[-—]+\s*)?([老小][\u4e00-\u9fff])[ \t]*$", norm):
        if m.group(1)[1] in SURNAMES_ZH:
            found.append(("PERSON", m.start(1), m.end(1)))
    # a signature: a line that is only a name
    for m in re.finditer(r"(?m)^[ \t]*(?:[-—]+\s*)?([\u4e00-\u9fff]{2,4})[ \t]*$", norm):
        if not _surname_at(norm, m.start(1)):
            continue
        if _name_end(norm, m.start(1), strict=True) == m.end(1):
            found.append(("PERSON", m.start(1), m.end(1)))
    return found


# ---------------------------------------------------------------- Chinese organisations and places
_ORG_BREAK_ZH = set(
    "的了在是和与及跟同把被给向对从将让到说称还也都又就才曾已等们这那为以因而但却并或要会能可带收拿送找打骂"
    "每其自所此该我你他她它些个位名家叫问讲告请派指批签做作当于由据报映诉经过往去来着帮替某年月日号"
)
_ORG_ZH_RE = fast(
    rf"(?P<core>(?:{_alternation(ORG_CORES_ZH)})(?:{_alternation(ORG_CORE_SUFFIXES_ZH)}))"
    rf"|(?P<generic>{_alternation(ORG_SUFFIXES_ZH)})",
    _first_chars(ORG_CORES_ZH, ORG_SUFFIXES_ZH),
)


def _back_scan(norm: str, pos: int, limit: int, breaks: set[str], stop_at: str = "") -> int:
    start = pos
    while start > 0 and pos - start < limit:
        char = norm[start - 1]
        if not is_han(char) or char in breaks or char in stop_at:
            break
        start -= 1
    return start


_ADMIN_END = tuple("省市县区镇乡") + ("街道",)


def orgs_zh(norm: str, places: list[Span]) -> list[Span]:
    """Organisations; one that would start inside a place starts after it instead (湖南省 +
    平江县人民医院), or at its start when too little would be left."""
    found = []
    index = PlaceIndex(places)
    for m in _ORG_ZH_RE.finditer(norm):
        start = _back_scan(norm, m.start(), 10, _ORG_BREAK_ZH)
        if m.group("core"):
            # 交通运输局 is a whole name; what comes before it belongs only if it is a place
            start = _back_scan(norm, m.start(), 5, _ORG_BREAK_ZH)
            if not norm[start : m.start()].endswith(_ADMIN_END):
                start = m.start()
        for _, place_start, place_end in index.around(start, m.end()):
            if place_start < start < place_end:
                start = place_end if m.end() - place_end >= 3 else place_start
        if m.group("generic") and start == m.start():
            continue  # a bare 公司 or 医院 names nothing
        if m.end() - start >= 3:
            found.append(("ORG", start, m.end()))
    return found


_GPE_SUFFIX_RE = re.compile(r"自治州|自治县|自治区|开发区|街道|社区|[省市县区镇乡村]")
# characters before a suffix that make a common word, not a place: 超市, 小区, 农村, 老乡
_GPE_NOT_BEFORE = {
    "市": set("超菜股夜城集闹黑门上早花鱼街都"),
    "区": set("小景园片地山城郊市辖灾矿校厂保林服专分库禁误社街老牧"),
    "镇": set("城乡坐冰重"),
    "乡": set("老家城下回故同他异外水思梦"),
    "村": set("农乡山渔邻同外进回本全该各新这那附"),
    "县": set("郡"),
    "省": set("本外全各节反"),
    "社区": set("本该"),
}
_GPE_NOT_AFTER = {
    "市": set("场民值面价容直"),
    "区": set("域别分块"),
    "县": set("城里"),
    "镇": set("上里"),
    "村": set("民里口头子干部上级"),
}
_GPE_BREAK_ZH = _ORG_BREAK_ZH | set("里上下全本各第省市县区镇乡村人")
_KNOWN_PLACES_ZH_RE = fast(
    rf"(?:{_alternation(PROVINCES_ZH)})(?:壮族自治区|回族自治区|维吾尔自治区|自治区|省|市)?"
    rf"|(?:{_alternation(CITIES_ZH)})市?",
    _first_chars(PROVINCES_ZH, CITIES_ZH),
)


def gpes_zh(norm: str) -> list[Span]:
    found = [("GPE", m.start(), m.end()) for m in _KNOWN_PLACES_ZH_RE.finditer(norm)]
    for m in _GPE_SUFFIX_RE.finditer(norm):
        suffix = m.group()
        before = norm[m.start() - 1 : m.start()]
        after = norm[m.end() : m.end() + 1]
        if before in _GPE_NOT_BEFORE.get(suffix, ()) or after in _GPE_NOT_AFTER.get(suffix, ()):
            continue
        start = _back_scan(norm, m.start(), 3, _GPE_BREAK_ZH)
        if m.start() - start >= 2:
            found.append(("GPE", start, m.end()))
    return found


# ---------------------------------------------------------------- English
_WORD_RE = re.compile(r"[a-z][a-z'’-]*")


Word = tuple[int, int, str, bool]


def latin_words(norm: str, text: str) -> list[Word]:
    """(start, end, lower-case word, capitalised in the original) for every Latin word."""
    return [(m.start(), m.end(), m.group(), text[m.start()].isupper()) for m in _WORD_RE.finditer(norm)]


def _is_pinyin(word: str) -> bool:
    parts = word.replace("’", "'").replace("'", "-").split("-")
    return all(part and PINYIN_WORD.fullmatch(part) for part in parts)


def _next_word(words, index: int, norm: str, gap: str = " ") -> int | None:
    """The index of the word after words[index] if only `gap`-like space separates them."""
    if index + 1 >= len(words):
        return None
    between = norm[words[index][1] : words[index + 1][0]]
    return index + 1 if between and between.strip(gap) == "" and "\n" not in between else None


def persons_en(norm: str, text: str, words: list[Word], title_spans: list[Span]) -> list[Span]:
    found: list[Span] = []
    by_start = {w[0]: i for i, w in enumerate(words)}

    def name_from(i: int | None, pinyin_only: bool) -> Span | None:
        if i is None:
            return None
        start, end, word, cap = words[i]
        if not cap or word in PLACE_NAME_STOP_EN:
            return None
        if pinyin_only and not (word in SURNAMES_EN or _is_pinyin(word)):
            return None
        j = _next_word(words, i, norm)
        if j is not None and words[j][3] and words[j][2] not in PLACE_NAME_STOP_EN:
            if _is_pinyin(words[j][2]) or not pinyin_only:
                end = words[j][1]
        return ("PERSON", start, end)

    for i, (start, end, word, cap) in enumerate(words):
        # Mr. Li Wei, Dr Chen
        if word in ("mr", "mrs", "ms", "miss", "dr", "madam", "mme", "sir"):
            after = end + 1 if norm[end : end + 1] == "." else end
            while after < len(norm) and norm[after] == " ":
                after += 1
            span = name_from(by_start.get(after), pinyin_only=False)
            if span:
                found.append(span)
        # Old Wang, Lao Li, Granny Tian: the name people use, nickname and all
        elif word in HONORIFICS_EN and cap:
            j = _next_word(words, i, norm)
            if j is not None and words[j][3] and words[j][2] in SURNAMES_EN:
                found.append(("PERSON", start, words[j][1]))
        # Zhou Lei, Qiu Hanmin: a pinyin surname and a pinyin given name, both capitalised
        if cap and word in SURNAMES_EN:
            j = _next_word(words, i, norm)
            if j is not None and words[j][3] and _is_pinyin(words[j][2]) and words[j][2] not in PLACE_NAME_STOP_EN:
                found.append(("PERSON", start, words[j][1]))
    # Director Zhang, Secretary Wang Hai
    for _, _, end in title_spans:
        pos = end
        while pos < len(norm) and norm[pos] == " ":
            pos += 1
        span = name_from(by_start.get(pos), pinyin_only=True) if pos > end else None
        if span:
            found.append(span)
    # my name is Wang Jianguo / I am Li
    for m in re.finditer(r"(?<![a-z])(?:my name is|i am|i'm|name:|signed:?)\s+", norm):
        span = name_from(by_start.get(m.end()), pinyin_only=not text[m.end() : m.end() + 1].isupper())
        if span:
            found.append(span)
    return found


_MAX_NAME_WORDS = 12


def orgs_en(norm: str, text: str, words: list[Word]) -> list[Span]:
    found = []
    for k, (_, end, word, _) in enumerate(words):
        if word not in ORG_SUFFIXES_EN:
            continue
        # walk back over capitalised words and the lower-case words of agency names (a name has
        # at most a dozen words; walking back further made "Bureau Bureau Bureau…" quadratic)
        first = k
        while first > 0 and k - first < _MAX_NAME_WORDS:
            prev = first - 1
            between = norm[words[prev][1] : words[first][0]]
            if between.strip(" &") or "\n" in between:
                break
            if not (words[prev][3] or words[prev][2] in ORG_INNER_EN):
                break
            if _TITLE_EN_RE.fullmatch(words[prev][2]) or words[prev][2] in HONORIFICS_EN:
                break
            first = prev
        while first < k and (not words[first][3] or words[first][2] in PLACE_NAME_STOP_EN):
            first += 1
        if first == k:
            continue
        stop = end
        if norm[stop : stop + 1] == "." and word in ("co", "ltd", "corp"):
            stop += 1
        # Co., Ltd.
        tail = re.match(r",? ?(?:ltd|limited|co)\.?", norm[stop:])
        if tail:
            stop += tail.end()
        found.append(("ORG", words[first][0], stop))
    # Bureau of Land and Resources
    word_starts = [w[0] for w in words]
    for m in re.finditer(r"(?<![a-z])(?:bureau|department|office|commission|committee|ministry|administration) of ", norm):
        i = bisect_left(word_starts, m.end())
        if i == len(words) or not words[i][3]:
            continue
        last = i
        while last - i < _MAX_NAME_WORDS:
            j = _next_word(words, last, norm)
            if j is None or not (words[j][3] or words[j][2] in ("and", "&")):
                break
            last = j
        while words[last][2] in ("and", "of"):
            last -= 1
        if text[m.start()].isupper():
            found.append(("ORG", m.start(), words[last][1]))
    return found


_PLACES_EN_RE = fast(rf"(?<![a-z])(?:{_alternation(PLACES_EN)})(?![a-z])", _first_chars(PLACES_EN))
_PLACE_KIND_EN = {"county", "city", "town", "township", "village", "district", "province", "prefecture", "municipality"}


def gpes_en(norm: str, text: str, words: list[Word]) -> list[Span]:
    found = [("GPE", m.start(), m.end()) for m in _PLACES_EN_RE.finditer(norm) if text[m.start()].isupper()]
    for k, (_, end, word, _) in enumerate(words):
        if word not in _PLACE_KIND_EN or k == 0:
            continue
        first = k
        for _ in range(2):
            prev = first - 1
            if prev < 0 or norm[words[prev][1] : words[first][0]] not in (" ", "-"):
                break
            if not words[prev][3] or words[prev][2] in PLACE_NAME_STOP_EN:
                break
            first = prev
        if first < k:
            found.append(("GPE", words[first][0], end))
    return found


def repeats(norm: str, found: list[Span], label: str = "PERSON", min_len: int = 2) -> Iterator[Span]:
    """Every other occurrence of a name found once in context.

    One pass over the text with a set of the names, not one search per name: a text with
    thousands of names made that quadratic."""
    names = {norm[s:e] for lab, s, e in found if lab == label and e - s >= min_len and "某" not in norm[s:e]}
    if not names:
        return
    lengths = sorted({len(name) for name in names}, reverse=True)
    first_chars = {name[0] for name in names}
    last_end: dict[str, int] = {}
    n = len(norm)
    for i, char in enumerate(norm):
        if char not in first_chars:
            continue
        for length in lengths:
            name = norm[i : i + length]
            if len(name) < length or name not in names or i < last_end.get(name, 0):
                continue
            if name.isascii() and ((i and norm[i - 1].isascii() and norm[i - 1].isalpha() and norm[i - 1].islower())
                                   or (i + length < n and "a" <= norm[i + length] <= "z")):
                continue
            last_end[name] = i + length
            yield (label, i, i + length)
