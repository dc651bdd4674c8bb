"""`bot.py calendar import FILE`: a year's public holidays and make-up working days as the State
Council published them (format: cases/calendar_file.py); `bot.py calendar show YEAR [--json]`: a
year's days off and make-up days, where each comes from, and whether the year is confirmed."""

from __future__ import annotations

import json

from cases import calendar_file
from cases.calendar import PACKAGE, PACKAGE_VERSION, PACKAGE_YEARS, WorkCalendar
from commands.context import actor, fail, open_store
from commands.table import out, safe
from config.schema import Settings
from store import calendars


def main(settings: Settings, args) -> int:
    if args.calendar_command == "import":
        return import_file(settings, args)
    return show(settings, args)


def import_file(settings: Settings, args) -> int:
    # Read and checked before the store is opened: a bad file changes nothing.
    try:
        parsed = calendar_file.read(args.file)
    except calendar_file.CalendarFileError as exc:
        return fail(safe(exc), 2)
    who = actor(args)
    store = open_store(settings)
    try:
        with store.transaction() as session:
            before = calendars.find(session, parsed.year)
            replaced = before is not None
            row, changed = calendars.replace(
                session, year=parsed.year, holidays=parsed.holidays, workdays=parsed.workdays,
                source=parsed.source, file_name=parsed.file_name, sha256=parsed.sha256, actor=who)
    finally:
        store.close()
    days = f"{_count(len(parsed.holidays), 'holiday')}, {_count(len(parsed.workdays), 'make-up working day')}"
    if not changed:
        out(f"calendar {parsed.year}: already imported with the same days ({days}); nothing changed")
    elif replaced:
        out(f"calendar {parsed.year}: replaced the earlier import with {days} from {parsed.file_name} "
            f"(sha256 {parsed.sha256[:16]}…)")
    else:
        out(f"calendar {parsed.year}: imported {days} from {parsed.file_name} (sha256 {parsed.sha256[:16]}…)")
    if parsed.year in PACKAGE_YEARS and changed:
        print(f"calendar {parsed.year}: the import is used in place of the chinesecalendar package's {parsed.year}")
    return 0


def show(settings: Settings, args) -> int:
    year = args.year
    if not 1 <= year <= 9999:
        return fail(f"calendar show: {year} is not a year", 2)
    store = open_store(settings)
    try:
        with store.reading() as session:
            row = calendars.find(session, year)
            work = WorkCalendar.for_office(settings.office).loaded(session)
    finally:
        store.close()
    source = work.source(year)
    days = work.days_off(year)
    if args.json:
        print(json.dumps({
            "year": year,
            "confirmed": source is not None,
            "source": source,
            "package": {"version": PACKAGE_VERSION, "years": [PACKAGE_YEARS.start, PACKAGE_YEARS.stop - 1]},
            "import": None if row is None else {
                "source": row.source, "file_name": row.file_name, "sha256": row.sha256,
                "imported_at": row.imported_at.isoformat(), "imported_by": row.imported_by,
            },
            "days": [{"date": d.day.isoformat(), "weekday": f"{d.day:%a}", "kind": d.kind, "source": d.source,
                      "name": d.name} for d in days],
        }, ensure_ascii=False))
        return 0
    if source == PACKAGE:
        print(f"{year}: confirmed: the chinesecalendar package {PACKAGE_VERSION} "
              f"(it knows {PACKAGE_YEARS.start}-{PACKAGE_YEARS.stop - 1})")
    elif row is not None:
        out(f"{year}: confirmed: imported from {row.file_name} ({row.source}), sha256 {row.sha256}, "
            f"by {row.imported_by} at {row.imported_at:%Y-%m-%d %H:%M} UTC")
    else:
        print(f"{year}: NOT CONFIRMED: no import, and the chinesecalendar package knows only "
              f"{PACKAGE_YEARS.start}-{PACKAGE_YEARS.stop - 1}; deadlines in {year} count weekends only "
              f"(`bot.py calendar import FILE` when the State Council has published it)")
    if not days:
        print("  no holidays or make-up working days")
    for d in days:
        kind = "holiday" if d.kind == "holiday" else "make-up working day"
        out(f"  {d.day:%Y-%m-%d} {d.day:%a}  {kind:<19}  {d.source:<8}  {d.name}".rstrip())
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
