"""Repeat reports: a filed case is linked with every earlier case about the same official (the
keys come from classifier.officials), in both directions, and marked a repeat report when one of
them was filed within twelve months before it. The store keeps only keyed hashes of the keys
(store/related.py), so the index never holds a name in plain text.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from store import related as related_store
from store.models import Case

REPEAT = "repeat"                   # the later report came within twelve months of the earlier
SAME_OFFICIAL = "same_official"     # the same official, further apart
REPEAT_MONTHS = 12


def is_repeat(earlier: datetime, later: datetime) -> bool:
    """LATER falls within twelve months of EARLIER (29 February plus a year is 28 February)."""
    year, month = divmod(earlier.month - 1 + REPEAT_MONTHS, 12)
    year += earlier.year
    day = earlier.day
    while True:
        try:
            limit = earlier.replace(year=year, month=month + 1, day=day)
            break
        except ValueError:
            day -= 1
    return earlier <= later <= limit


def link_new_case(session: Session, case: Case, index: frozenset[str],
                  probe: frozenset[str]) -> list[tuple[related_store.Named, str]]:
    """Index CASE (just filed, flushed) under the INDEX keys of the officials it names and link it
    with the other cases whose keys its PROBE keys find, both ways; returns (other case, reason)."""
    if not index:
        return []
    others = related_store.naming(session, case.id, probe)
    related_store.index(session, case.id, index)
    links = []
    for other in others:
        earlier, later = sorted((other.created_at, case.created_at))
        links.append((other, REPEAT if is_repeat(earlier, later) else SAME_OFFICIAL))
    related_store.link(session, case, links)
    return links
