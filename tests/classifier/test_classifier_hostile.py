"""Hostile input: long runs that make a backtracking regular expression quadratic or worse.

The classifier runs inside a long-lived worker on whatever arrives. A message is cut at
MAX_CHARS; each of these, at that length, must finish in a few seconds (the bound is a guard
against catastrophic backtracking, not a benchmark: such a message takes well under a second).
"""

from __future__ import annotations

import time

import pytest

from classifier.entities import find_entities
from classifier.model import MAX_CHARS
from classifier.normalize import normalize
from classifier.priority import priority
from classifier.realname import real_name

BOUND_SECONDS = 5.0


def _run_of(piece: str) -> str:
    return (piece * (MAX_CHARS // len(piece) + 1))[:MAX_CHARS]


HOSTILE = {
    "digits": "1",
    "digits and commas": "1,",
    "digits and dots": "1.",
    "digits and dashes": "1-",
    "letters": "a",
    "capitals": "A",
    "dots": ".",
    "at signs": "@",
    "letter at": "a@",
    "letter dot": "a.",
    "letter dash": "a-",
    "percent": "%",
    "plus": "+",
    "spaces": " ",
    "newlines": "\n",
    "one han character": "王",
    "title prefixes": "县委",
    "place and post": "平江县县长",
    "place and body": "平江县公安局",
    "chinese numerals": "一二三",
    "sums": "1元",
    "anonymised names": "王某",
    "phone-like digits": "138",
    "id-like digits": "4305241985061740",
    "years": "2025年",
    "counts": "12",
    "agency of": "Office of ",
    "capitalised agencies": "Bureau ",
    "honorifics": "Mr. Li ",
    "emoji": "😀",
    "mixed": "a1.@-_%+ 王",
}


@pytest.mark.parametrize("piece", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_long_run_is_classified_in_bounded_time(classifier, piece):
    text = _run_of(piece)
    started = time.perf_counter()
    result = classifier.classify("", text)
    norm = normalize(text)
    entities = find_entities(text, norm)
    # priority's rules only run for reports: run them whatever the kind came out
    priority("report", "livelihood", "embezzlement", norm, entities)
    real_name(norm, entities)
    elapsed = time.perf_counter() - started
    assert result["kind"]
    assert elapsed < BOUND_SECONDS, f"{elapsed:.1f} s"


def test_a_longer_message_is_cut_not_refused(classifier):
    started = time.perf_counter()
    result = classifier.classify("举报村支书贪污", _run_of("1.") * 10)
    assert time.perf_counter() - started < BOUND_SECONDS
    assert all(entity["end"] <= MAX_CHARS for entity in result["entities"])
