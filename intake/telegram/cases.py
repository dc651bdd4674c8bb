"""A case as a reporter may see it from Telegram: found only by its number together with its query
code, and then only its status and dates, never its content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from responders.answers import day_words, status_words
from store import cases, codes
from store.store import Store


@dataclass(frozen=True)
class CaseView:
    number: str
    status: str
    created_at: datetime
    updated_at: datetime

    def words(self, language: str, timezone: str) -> dict:
        """What /status says: the status in words and the dates, in LANGUAGE."""
        return {"case_number": self.number, "status": status_words(self.status, language),
                "received": day_words(self.created_at, language, timezone),
                "updated": day_words(self.updated_at, language, timezone)}


def find(store: Store, number: str, code: str) -> CaseView | None:
    """The case NUMBER if CODE is its query code; None for a wrong number and a wrong code alike."""
    number = number.strip().upper()
    with store.transaction() as session:
        case = cases.by_number(session, number)
        stored = case.query_code_hash if case is not None else _decoy()
    # An unknown number costs the same scrypt work as a known one, so timing tells nothing either.
    if not codes.check_code(code, stored) or case is None:
        return None
    return CaseView(case.number, case.status, case.created_at, case.updated_at)


@cache
def _decoy() -> str:
    return codes.hash_code(codes.new_code())

