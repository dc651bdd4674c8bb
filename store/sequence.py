"""Named counters: case numbers like JB-2026-000123, one sequence per prefix and year."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from store.models import Counter


def next_value(session: Session, name: str) -> int:
    """The next number of sequence NAME, inside the caller's transaction (gap-free on rollback)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # One statement: the row is made or counted up, and locked until the transaction ends.
    statement = (insert(Counter).values(name=name, value=1, text="")
                 .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
                 .returning(Counter.value))
    return session.exec(statement).scalar_one()


def case_number(session: Session, prefix: str, year: int) -> str:
    return f"{prefix}-{year}-{next_value(session, f'case:{prefix}:{year}'):06d}"
