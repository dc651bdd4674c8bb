"""Entities by rule: who, which post, which organisation and place, how much, when, and contacts.

`find_entities(text)` returns non-overlapping entities with character offsets into `text`, the
text exactly as given (the rules run on its normalised copy, which has the same offsets). Where
candidates overlap the longer one wins (湖南省平江县交通运输局 over 平江县); on equal length the
more specific kind wins (an ID number over a phone number). A loser that only overlaps at one
end may survive trimmed (镇党委书记 next to 长乐镇 leaves 长乐 as the place).

The `entity_ruler` spaCy component puts the same spans on doc.ents, so the pipeline can be used
as any spaCy pipeline; the classifier reads the richer list from doc._.entities.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterator

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import names, patterns
from .money import find_money
from .normalize import normalize
from .tokenizer import doc_norm_text, doc_text

# on equal length, the earlier label wins
_RANK = ("EMAIL", "ID_NUMBER", "PHONE", "PLATE", "MONEY", "DATE", "ORG", "GPE", "TITLE", "PERSON")
_TRIMMABLE = {"ORG", "GPE", "TITLE"}


@dataclass(frozen=True)
class Entity:
    label: str
    start: int
    end: int
    text: str
    # MONEY only: the sum in yuan, None for other currencies and vague sums
    yuan: float | None = None
    # MONEY only: the least the sum can mean in yuan (几十万 -> 100000); used by priority rules
    floor: float | None = None

    def as_dict(self) -> dict:
        out = {"label": self.label, "text": self.text, "start": self.start, "end": self.end}
        if self.label == "MONEY":
            out["yuan"] = self.yuan
        return out


def _candidates(text: str, norm: str) -> tuple[list[tuple[str, int, int]], dict[tuple[int, int], tuple]]:
    found: list[tuple[str, int, int]] = []
    found += [("EMAIL", s, e) for s, e in patterns.spans(patterns.EMAIL_RE, norm)]
    found += [("ID_NUMBER", s, e) for s, e in patterns.id_number_spans(norm)]
    found += [("PHONE", s, e) for s, e in patterns.spans(patterns.PHONE_RE, norm)]
    found += [("PLATE", s, e) for s, e in patterns.spans(patterns.PLATE_RE, norm)]
    money = {}
    for item in find_money(norm):
        found.append(("MONEY", item.start, item.end))
        money[(item.start, item.end)] = (item.yuan, item.floor)
    found += [("DATE", s, e) for s, e in patterns.date_spans(norm)]
    words = names.latin_words(norm, text)
    places = names.gpes_zh(norm) + names.gpes_en(norm, text, words)
    found += places
    place_index = names.PlaceIndex(places)
    title_spans = [_after_place(span, place_index, norm) for span in names.titles(norm)]
    found += title_spans
    found += names.orgs_zh(norm, places) + names.orgs_en(norm, text, words)
    people = names.persons_zh(norm, title_spans) + names.persons_en(norm, text, words, title_spans)
    found += people
    found += list(names.repeats(norm, people))
    return found, money


def _after_place(title: tuple[str, int, int], places: "names.PlaceIndex", norm: str):
    """长乐镇党委副书记 is the place 长乐镇 and the post 党委副书记, not 长乐 and 镇党委副书记."""
    _, start, end = title
    for _, place_start, place_end in places.containing(start):
        if place_start < start < place_end and names.is_title(norm[place_end:end]):
            return ("TITLE", place_end, end)
    return title


def _resolve(found: list[tuple[str, int, int]], norm: str) -> list[tuple[str, int, int]]:
    order = sorted(set(found), key=lambda c: (-(c[2] - c[1]), _RANK.index(c[0]), c[1]))
    taken = bytearray(len(norm) + 1)
    kept: list[tuple[str, int, int]] = []
    for label, start, end in order:
        if start >= end:
            continue
        if any(taken[start:end]):
            if label not in _TRIMMABLE:
                continue
            start, end = _trim(label, start, end, taken, norm)
            if start is None:
                continue
        for i in range(start, end):
            taken[i] = 1
        kept.append((label, start, end))
    kept.sort(key=lambda c: c[1])
    return _merge_places(kept, norm)


def _trim(label: str, start: int, end: int, taken: bytearray, norm: str):
    """The part of a candidate left when a taken span covers one end of it, if still valid."""
    free = [i for i in range(start, end) if not taken[i]]
    if not free:
        return None, None
    new_start, new_end = free[0], free[-1] + 1
    while new_start < new_end and norm[new_start] in " -,":
        new_start += 1
    while new_end > new_start and norm[new_end - 1] in " -,":
        new_end -= 1
    if any(taken[new_start:new_end]) or new_end - new_start < 2:
        return None, None
    if label == "TITLE" and not names.is_title(norm[new_start:new_end]):
        return None, None
    return new_start, new_end


def _merge_places(kept: list[tuple[str, int, int]], norm: str) -> list[tuple[str, int, int]]:
    """湖南省 + 平江县 + 长寿镇 written together are one place; 县自然资源局 + 矿管股 one body."""
    merged: list[tuple[str, int, int]] = []
    for label, start, end in kept:
        if merged and label in ("GPE", "ORG") and merged[-1][0] == label and merged[-1][2] == start:
            merged[-1] = (label, merged[-1][1], end)
        else:
            merged.append((label, start, end))
    return merged


def find_entities(text: str, norm: str | None = None) -> list[Entity]:
    """All entities in text, in order of position, none overlapping (norm: normalize(text), if
    the caller has it already)."""
    if norm is None:
        norm = normalize(text)
    found, money = _candidates(text, norm)
    out = []
    for label, start, end in _resolve(found, norm):
        yuan, floor = money.get((start, end), (None, None)) if label == "MONEY" else (None, None)
        out.append(Entity(label, start, end, text[start:end], yuan, floor))
    return out


if not Doc.has_extension("entities"):
    Doc.set_extension("entities", default=None)


@Language.factory("entity_rules")
def make_entity_rules(nlp: Language, name: str) -> "EntityRules":
    return EntityRules()


class EntityRules:
    """Pipeline component: the rule-based entities on doc.ents and, in full, on doc._.entities."""

    def __call__(self, doc: Doc) -> Doc:
        found = find_entities(doc_text(doc), doc_norm_text(doc))
        doc._.entities = found
        spans = []
        last_end = -1
        for label, start, end in _token_spans(doc, found):
            # a token can hold two entities (a Latin word run together); doc.ents cannot
            if start >= last_end:
                spans.append(Span(doc, start, end, label=label))
                last_end = end
        doc.ents = spans
        return doc


def _token_spans(doc: Doc, found: list[Entity]) -> Iterator[tuple[str, int, int]]:
    """The tokens of each entity, as doc.char_span(..., alignment_mode="expand") has them: every
    token that overlaps the characters. One look-up in the token offsets per entity rather than
    char_span, which cost more than finding the entities when a text holds thousands."""
    if not found or not len(doc):
        return
    offsets = doc.to_array([IDX, LENGTH])
    starts = offsets[:, 0].tolist()
    ends = (offsets[:, 0] + offsets[:, 1]).tolist()
    for entity in found:
        first = bisect_right(starts, entity.start) - 1
        if first < 0 or ends[first] <= entity.start:
            first += 1
        stop = bisect_left(starts, entity.end)
        if first < stop:
            yield entity.label, first, stop
