"""Named counters: case numbers like JB-2026-000123, one sequence per prefix and year."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from store.models import Counter


def next_value(session: Session, name: str) -> int:
    """The next number of sequence NAME, inside the caller's transaction (gap-free on rollback)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.exec(insert(Counter).values(name=name, value=0, text="").on_conflict_do_nothing())
    counter = session.exec(select(Counter).where(Counter.name == name).with_for_update()).one()
    counter.value += 1
    session.add(counter)
    return counter.value


def case_number(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_value(session, f'case:{prefix}:{year}'):06d}"
