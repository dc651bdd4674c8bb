"""Finding cases by what they say, though what they say is sealed: a keyed-hash index of the
officials they name (exact terms, any number of cases), and a bounded scan that opens the newest
cases' texts (any words, the newest SCANNED cases only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from store.models import Case, CaseMessage, CaseTerm, Reporter
from store.sealed import keyring_of

SCANNED = 3000


def _key(session: Session, term: str) -> str:
    return keyring_of(session.get_bind().dialect).lookup(f"term:{term}")


def index(session: Session, case_id: int, terms: Iterable[str]) -> None:
    """Record TERMS (already folded) for case CASE_ID."""
    for key in sorted({_key(session, t) for t in terms if t}):
        session.add(CaseTerm(case_id=case_id, term_key=key))


def with_term(session: Session, term: str) -> set[int]:
    """The cases indexed under TERM (folded as it was indexed)."""
    return set(session.exec(select(CaseTerm.case_id).where(CaseTerm.term_key == _key(session, term))).all())


@dataclass(frozen=True)
class Text:
    case_id: int
    texts: list[str]                 # the subject and every message's subject and text
    reporter: Reporter | None        # to keep him out of what a search can find


def newest(session: Session, limit: int = SCANNED) -> list[Text]:
    """The texts of the LIMIT newest cases, newest first."""
    query = select(Case.id, Case.subject, Case.reporter_id).order_by(Case.created_at.desc(), Case.id.desc())
    heads = session.exec(query.limit(limit)).all()
    ids = [row[0] for row in heads]
    texts: dict[int, list[str]] = {case_id: [subject or ""] for case_id, subject, _ in heads}
    if ids:
        for case_id, subject, text in session.exec(
                select(CaseMessage.case_id, CaseMessage.subject, CaseMessage.text).where(CaseMessage.case_id.in_(ids))):
            texts[case_id] += [subject or "", text or ""]
    reporter_ids = {r for _, _, r in heads if r is not None}
    reporters = {r.id: r for r in session.exec(select(Reporter).where(Reporter.id.in_(reporter_ids)))} \
        if reporter_ids else {}
    return [Text(case_id, texts[case_id], reporters.get(reporter_id)) for case_id, _, reporter_id in heads]
