"""Imported years of the PRC working calendar (`bot.py calendar import`). Every function works
inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, select

from store import audit
from store.models import CalendarYear, utcnow

_CACHE = "calendars.imported"


def imported(session: Session) -> list[CalendarYear]:
    """Every imported year, oldest first; read once per session (a batch of filings shares one),
    again after an import in it."""
    if _CACHE not in session.info:
        session.info[_CACHE] = list(session.exec(select(CalendarYear).order_by(CalendarYear.year)))
    return session.info[_CACHE]


def find(session: Session, year: int) -> CalendarYear | None:
    return session.get(CalendarYear, year)


def replace(
    session: Session,
    *,
    year: int,
    holidays: Iterable[date],
    workdays: Iterable[date],
    source: str,
    file_name: str,
    sha256: str,
    actor: str,
) -> tuple[CalendarYear, bool]:
    """Store YEAR's schedule in place of any imported before, with an audit entry naming what
    changed; (the row, False) and no entry when the same days were imported already."""
    holidays = sorted({d.isoformat() for d in holidays})
    workdays = sorted({d.isoformat() for d in workdays})
    row = session.exec(select(CalendarYear).where(CalendarYear.year == year).with_for_update()).one_or_none()
    if row is not None and row.holidays == holidays and row.workdays == workdays:
        return row, False
    details = {
        "year": year, "file_name": file_name, "source": source, "sha256": sha256,
        "holidays": holidays, "workdays": workdays,
    }
    if row is None:
        row = CalendarYear(year=year)
        action = "calendar.imported"
    else:
        action = "calendar.replaced"
        details["replaced"] = {
            "sha256": row.sha256, "file_name": row.file_name, "imported_by": row.imported_by,
            "imported_at": row.imported_at.isoformat(),
            "holidays_removed": sorted(set(row.holidays) - set(holidays)),
            "workdays_removed": sorted(set(row.workdays) - set(workdays)),
        }
    session.info.pop(_CACHE, None)
    row.holidays, row.workdays = holidays, workdays
    row.source, row.file_name, row.sha256 = source, file_name, sha256
    row.imported_at, row.imported_by = utcnow(), actor
    session.add(row)
    audit.append(session, actor=actor, action=action, subject_type="calendar_year", subject_id=year,
                 details=details)
    return row, True
