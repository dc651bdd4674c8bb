"""Which officials a report names, and the keys that find other reports about the same official.

An official is a PERSON named together with an organisation (ORG) or a post (TITLE): 张某 alone
names nobody in particular. Names are folded (traditional to simplified, full width, spaces, case),
and anonymised forms are one: 张某, 张某某, 张XX and the bare surname of 张局长 all stand for "a 张".
Two reports name the same official when the surname is the same and
- both give an organisation with the same core (交通局) and nothing they both give differs
  (county 县 vs city 市, 宁远县 vs 道县, 局长 vs 副局长, 张伟 vs 张强), or
- both give the same post and nothing they both give differs (so 县交通局局长张某 and 县水利局局长张某
  are two officials, while 张局长 with no organisation may be either).
A vague part (no given name, no place, no post) agrees with any value.

That relation is turned into keys (`official_keys`): a case stores its INDEX keys and looks up its
PROBE keys, and two cases share a key exactly when they name the same official. Pure functions
over the classifier's entities; cases/related.py links the cases.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .normalize import normalize

# Surname characters in traditional form that the classifier's table (normalize.py) lacks.
_MORE_SURNAMES = str.maketrans("藍溫龐塗鮑嶽闞婁閔淩戰蘆竇鞏", "蓝温庞涂鲍岳阚娄闵凌战芦窦巩")

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "夏侯", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                     "宇文", "司徒", "令狐", "端木", "南宫", "西门", "独孤", "申屠", "钟离", "轩辕", "呼延")
# What stands for the rest of a name in an anonymised one: 张某, 张某某, 张XX, 张**, 张〇〇.
_PLACEHOLDER = re.compile(r"(?:某人|某+|[x×*○〇]+)$")
_HAN = re.compile(r"^[\u3400-\u9fff]+$")
# A place in front of a body: 宁远县交通局, 湖南省永州市宁远县交通局, 县人民医院: segments of a few
# characters each ending in a level. 城乡 and 住房和城乡建设局 hold no place; 市场监管局 and 县委组织部
# start with a level character that belongs to the body's own name.
_SEGMENT = re.compile(r"(?P<name>[^和与及的、]{0,6}?)(?P<level>省|自治区|自治州|自治县|市|县|区|旗|镇|(?<!城)乡|街道|村)")
_NOT_A_PLACE = re.compile(r"[场政委辖]")
# Where one clause ends: an organisation or post is only read with a name in its own sentence.
_BREAKS = re.compile(r"[。！？!?；;\n]")
# How many characters (other than names of bodies, posts and places) may stand between a name and
# its organisation or post: 交通局的张局长 (1), 欧阳某某是县财政局的副局长 (2).
MAX_GAP = 6


@dataclass(frozen=True)
class Official:
    """One official as a report names them; None is a part the report leaves open."""

    surname: str
    given: str | None = None     # 伟 of 张伟; None for 张某 and 张局长
    org: str | None = None       # the body without its place: 交通局
    level: str | None = None     # the kind of place in front of it: 县
    place: str | None = None     # the place's name: 宁远 of 宁远县 (None for a bare 县)
    title: str | None = None     # 局长


@dataclass(frozen=True)
class Keys:
    index: frozenset[str]   # stored for the case
    probe: frozenset[str]   # looked up among other cases' index keys
    terms: frozenset[str] = frozenset()   # what a search may find the case by (search_terms)


def fold(text: str) -> str:
    """TEXT as it is compared: full-width forms, case, spaces and traditional characters folded."""
    text = normalize(unicodedata.normalize("NFKC", text).casefold()).translate(_MORE_SURNAMES)
    return re.sub(r"[\s|·•・.]+", "", text)


def person(text: str) -> tuple[str, str | None] | None:
    """(surname, given name or None) of a PERSON entity's text; None when it is not a usable name."""
    name = fold(text)
    if name[:1] in ("老", "小") and len(name) == 2:     # 老张, 小王: familiar forms, a surname only
        name = name[1:]
    bare = _PLACEHOLDER.sub("", name)
    if not bare:
        return None     # 某某, XX: nobody
    if not _HAN.match(bare):
        # A Latin name is kept whole: which part is the surname cannot be told reliably.
        latin = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()
        return (latin, None) if re.fullmatch(r"[a-z][a-z' -]*", latin) else None
    if "某" in bare or len(bare) > 4:
        return None     # 某 inside a name, or too long to be one
    surname = next((s for s in COMPOUND_SURNAMES if bare.startswith(s)), bare[:1])
    return surname, bare[len(surname):] or None


def organisation(text: str) -> tuple[str, str | None, str | None] | None:
    """(body, level, place) of an ORG entity's text: 湖南省永州市宁远县交通局 -> 交通局, 县, 宁远;
    县交通局 -> 交通局, 县, None; 交通局 -> 交通局, None, None. Only the nearest place counts, so
    宁远县交通局 and 永州市宁远县交通局 are one body."""
    name = fold(text)
    if not name:
        return None
    best, pos = None, 0
    while (segment := _SEGMENT.match(name, pos)) is not None:
        pos = segment.end()
        if len(name) - pos >= 2 and not _NOT_A_PLACE.match(name, pos):
            best = segment
    if best is None:
        return name, None, None
    return name[best.end():], best.group("level"), best.group("name") or None


def officials(entities: Sequence[dict], text: str | None = None) -> list[Official]:
    """The officials ENTITIES name (the classifier's list; offsets into TEXT when it is given):
    each PERSON with the organisations and posts nearest to it in its sentence."""
    spans = sorted(
        (e for e in entities if e.get("label") in ("PERSON", "ORG", "TITLE", "GPE")
         and isinstance(e.get("start"), int) and isinstance(e.get("end"), int) and e["end"] > e["start"]),
        key=lambda e: (e["start"], e["end"]),
    )
    people = [e for e in spans if e["label"] == "PERSON"]
    if not people:
        return []
    # Offsets are trusted for sentences only when the text is the one they point into.
    trusted = text is not None and all(text[e["start"]:e["end"]] == e.get("text") for e in spans)
    breaks = [m.start() for m in _BREAKS.finditer(text)] if trusted else []

    def sentence(e: dict) -> int:
        return bisect.bisect_left(breaks, e["start"])

    gap = _gaps([e for e in spans if e["label"] != "PERSON"])

    attached: dict[int, dict[str, list[dict]]] = {id(p): {"ORG": [], "TITLE": []} for p in people}
    for part in _with_places(spans):
        near = [p for p in people if sentence(p) == sentence(part)]
        if not near:
            continue
        # Nearest by the words in between; on a tie a post goes with the name before it (张某局长),
        # a body with the name after it (县交通局张某).
        best = min(near, key=lambda p: (gap(p, part), (p["start"] > part["start"]) == (part["label"] == "TITLE")))
        if gap(best, part) <= MAX_GAP:
            attached[id(best)][part["label"]].append(part)

    found: dict[Official, None] = {}
    for p in people:
        name = person(p.get("text") or "")
        if name is None:
            continue
        orgs = [o for o in (organisation(e["text"]) for e in attached[id(p)]["ORG"]) if o] or [None]
        titles = [t for t in (fold(e["text"]) for e in attached[id(p)]["TITLE"]) if t] or [None]
        for org, title in itertools.product(orgs, titles):
            if org is None and title is None:
                continue   # a name alone names nobody in particular
            found[Official(name[0], name[1], *(org or (None, None, None)), title)] = None
    return list(found)


def _with_places(spans: list[dict]) -> list[dict]:
    """ORG and TITLE spans, an ORG right after a place (GPE) read with it: 宁远县 + 交通局."""
    parts, before = [], None
    for e in spans:
        if e["label"] == "ORG" and before is not None and before["end"] == e["start"]:
            e = {**e, "start": before["start"], "text": before.get("text", "") + e.get("text", "")}
        if e["label"] in ("ORG", "TITLE"):
            parts.append(e)
        before = e if e["label"] == "GPE" else None
    return parts


def _gaps(parts: list[dict]):
    """A function: how many characters stand between two spans, not counting bodies, posts and
    places (县交通局 and 张某 are next to each other in 县交通局局长张某). Counted from a running
    total, so a long report with many names costs one pass, not one per pair."""
    covered = bytearray(max((e["end"] for e in parts), default=0))
    for e in parts:
        covered[e["start"]:e["end"]] = b"\x01" * (e["end"] - e["start"])
    free = list(itertools.accumulate((not c for c in covered), initial=0))   # free[i]: uncovered before i

    def gap(a: dict, b: dict) -> int:
        lo, hi = (a["end"], b["start"]) if a["start"] <= b["start"] else (b["end"], a["start"])
        if hi <= lo:
            return 0
        # Past the last body or post every character is free.
        return free[min(hi, len(covered))] - free[min(lo, len(covered))] + max(hi - max(lo, len(covered)), 0)

    return gap


def _part(value: str | None) -> tuple[set[str], set[str]]:
    """(index tokens, probe tokens) of one part: a given value meets itself or an open part; an open
    part ('~') meets anything, through the '*' every given value also stores."""
    if value is None:
        return {"~"}, {"~", "*"}
    return {f"={value}", "*"}, {f"={value}", "~"}


def _keys(base: str, parts: Sequence[str | None]) -> tuple[set[str], set[str]]:
    tokens = [_part(p) for p in parts]
    index = {"|".join((base, *combo)) for combo in itertools.product(*(t[0] for t in tokens))}
    probe = {"|".join((base, *combo)) for combo in itertools.product(*(t[1] for t in tokens))}
    return index, probe


def keys_of(official: Official) -> Keys:
    """The keys of one official: one family for "the same body", one for "the same post"."""
    index: set[str] = set()
    probe: set[str] = set()
    o = official
    if o.org:
        i, p = _keys(f"org|{o.surname}|{o.org}", (o.given, o.level, o.place, o.title))
        index |= i
        probe |= p
    if o.title:
        i, p = _keys(f"title|{o.surname}|{o.title}", (o.given, o.org, o.level, o.place))
        index |= i
        probe |= p
    return Keys(frozenset(index), frozenset(probe))


def official_keys(entities: Sequence[dict], text: str | None = None) -> Keys:
    """Every key and search term of every official ENTITIES name."""
    index: set[str] = set()
    probe: set[str] = set()
    terms: set[str] = set()
    for official in officials(entities, text):
        keys = keys_of(official)
        index |= keys.index
        probe |= keys.probe
        terms |= search_terms(official)
    return Keys(frozenset(index), frozenset(probe), frozenset(terms))


def same_official(a: Iterable[dict], b: Iterable[dict], text_a: str | None = None, text_b: str | None = None) -> bool:
    """Whether two entity lists name the same official (what the store's look-up finds)."""
    ka, kb = official_keys(list(a), text_a), official_keys(list(b), text_b)
    return bool(ka.index & kb.probe)


def search_terms(official: Official) -> set[str]:
    """What a search may type to find a case about OFFICIAL, folded: the name (张伟, 张某), the body
    with as much of its place as the report gave (交通局, 县交通局, 宁远县交通局), the post with
    its body (县交通局局长), and each of those with the name after it (县交通局局长张某)."""
    o = official
    name = o.surname + (o.given or "某")
    bodies = {o.org, (o.level or "") + o.org, (o.place or "") + (o.level or "") + o.org} if o.org else set()
    posts = {b + o.title for b in bodies} | ({o.title} if o.title else set()) if o.title else set()
    terms = {name} | bodies | posts | {p + name for p in posts} | {b + name for b in bodies}
    return {fold(t) for t in terms if t}
