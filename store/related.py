"""Related cases: the keyed-hash index of the officials cases name, and the links between cases
about the same official. The keys themselves are worked out in classifier/officials.py; here they are
only hashed with the store's lookup key, so the index never holds a name in plain text."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import insert
from sqlmodel import Session, func, select

from store import audit, db
from store.models import Case, CaseLink, CaseOfficial, utcnow
from store.sealed import keyring_of

MAX_LINKED = 50


def hashed(session: Session, keys: Iterable[str]) -> list[str]:
    keyring = keyring_of(session.get_bind().dialect)
    return sorted({keyring.lookup(f"official:{key}") for key in keys})


class Named(NamedTuple):
    """A case found by the index: what linking it needs, without reading its sealed columns."""

    id: int
    number: str
    created_at: datetime


def naming(session: Session, case_id: int, probe: Collection[str]) -> list[Named]:
    """The other cases whose index holds one of the PROBE keys, oldest first; the MAX_LINKED most
    recent of them."""
    if not probe:
        return []
    # Two reports about one official filed at once on PostgreSQL would each miss the other's
    # uncommitted index rows: filings that index officials take turns (SQLite's already do).
    db.serialise(session, "case_official")
    found = select(CaseOfficial.case_id).where(CaseOfficial.official_key.in_(hashed(session, probe)),
                                              CaseOfficial.case_id != case_id).distinct()
    # The most recent ones only: a flood of reports naming one official must not make every
    # filing link (and read) all the earlier ones, which grows with the square of the flood.
    query = (select(Case.id, Case.number, Case.created_at).where(Case.id.in_(found))
             .order_by(Case.created_at.desc(), Case.id.desc()).limit(MAX_LINKED))
    return [Named(*row) for row in reversed(session.exec(query).all())]


def index(session: Session, case_id: int, keys: Collection[str]) -> None:
    """Record the KEYS of the officials case CASE_ID names."""
    existing = set(session.exec(select(CaseOfficial.official_key).where(CaseOfficial.case_id == case_id)).all())
    now = utcnow()
    for key in hashed(session, keys):
        if key not in existing:
            session.add(CaseOfficial(case_id=case_id, official_key=key, created_at=now))
    session.flush()


def link(session: Session, case: Case, others: Sequence[tuple[Case | Named, str]], actor: str = "system") -> None:
    """Link CASE with each (other case, reason), one row from each side, with one audit entry."""
    if not others:
        return
    known = set(session.exec(select(CaseLink.case_id, CaseLink.related_id).where(
        (CaseLink.case_id == case.id) | (CaseLink.related_id == case.id))).all())
    now = utcnow()
    rows = [{"case_id": a, "related_id": b, "reason": reason, "created_at": now}
            for other, reason in others for a, b in ((case.id, other.id), (other.id, case.id)) if (a, b) not in known]
    # One statement for them all: up to 2 x MAX_LINKED rows per filing, made as objects they cost
    # more than the rest of the filing.
    if rows:
        session.flush()
        session.connection().execute(insert(CaseLink.__table__), rows)
    # Case numbers and reasons only: who the official is stays in the sealed entities.
    audit.append(session, actor=actor, action="case.related", subject_type="case", subject_id=case.id,
                 details={"number": case.number,
                          "related": [{"number": other.number, "reason": reason} for other, reason in others]})
    session.flush()


def of_case(session: Session, case_id: int) -> list[tuple[CaseLink, Case]]:
    """The links of a case with the cases they lead to, oldest related case first."""
    query = (select(CaseLink, Case).join(Case, Case.id == CaseLink.related_id)
             .where(CaseLink.case_id == case_id).order_by(Case.created_at, Case.id))
    return [(row[0], row[1]) for row in session.exec(query).all()]


def counts(session: Session, case_ids: Collection[int]) -> dict[int, int]:
    """How many related cases each of CASE_IDS has (absent: none)."""
    if not case_ids:
        return {}
    query = (select(CaseLink.case_id, func.count()).where(CaseLink.case_id.in_(list(case_ids)))
             .group_by(CaseLink.case_id))
    return {case_id: count for case_id, count in session.exec(query).all()}
