"""A year's public holidays and make-up working days, as the State Council publishes them, read
from a file for `bot.py calendar import`.

Two forms, UTF-8 (a BOM is fine):

JSON, one year:
    {"year": 2027, "holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...],
     "source": "国务院办公厅关于2027年部分节假日安排的通知"}      (source: optional)

Text or CSV, one line per day, the year being the one of its dates:
    # comment lines and blank lines are skipped; a header line "date,kind" is allowed
    2027-01-01,holiday
    2027-02-07,workday

`holidays` are all the days off of the holiday blocks (weekend days inside a block may be listed
too); `workdays` are the make-up working days, which fall on a Saturday or Sunday. Every date must
lie in the year, none may be both, and at least one holiday must fall on a weekday. Any problem is a
CalendarFileError whose message is one line naming the file and where in it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

MAX_BYTES = 1 << 20          # a year's schedule is a few hundred bytes
YEARS = range(2000, 2101)    # a four-digit year of this century: anything else is a typo
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_KINDS = {"holiday": "holidays", "workday": "workdays"}
_JSON_KEYS = {"year", "holidays", "workdays", "source"}


class CalendarFileError(ValueError):
    """The file cannot be imported; the message is one line."""


@dataclass(frozen=True)
class CalendarFile:
    year: int
    holidays: tuple[date, ...]      # sorted, distinct
    workdays: tuple[date, ...]
    sha256: str                     # of the file's bytes
    file_name: str                  # the file's name, without its folder
    source: str                     # what the file says it was taken from, else its name


def read(path: str | Path) -> CalendarFile:
    """The schedule in the file at PATH, checked; CalendarFileError when it cannot be used."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CalendarFileError(f"cannot read calendar file {path}: {exc.strerror or exc}") from None
    return parse(data, path.name)


def parse(data: bytes, file_name: str) -> CalendarFile:
    where = f"calendar file {_oneline(file_name)}"
    if len(data) > MAX_BYTES:
        raise CalendarFileError(f"{where}: larger than {MAX_BYTES} bytes; not a year's schedule")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarFileError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise CalendarFileError(f"{where}: empty")
    try:
        if text.lstrip().startswith("{"):
            year, holidays, workdays, source = _from_json(text)
        else:
            year, holidays, workdays, source = _from_lines(text)
        _check(year, holidays, workdays)
    except CalendarFileError as exc:
        raise CalendarFileError(f"{where}: {exc}") from None
    return CalendarFile(
        year=year,
        holidays=tuple(sorted(holidays)),
        workdays=tuple(sorted(workdays)),
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
        source=source or file_name,
    )


def _from_json(text: str) -> tuple[int, set[date], set[date], str]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarFileError(f"line {exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(document, dict):
        raise CalendarFileError("JSON must be one object with year, holidays and workdays")
    unknown = sorted(set(document) - _JSON_KEYS)
    if unknown:
        raise CalendarFileError(f"unknown key {unknown[0]!r} (known: year, holidays, workdays, source)")
    year = document.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise CalendarFileError(f"\"year\" must be a number such as 2027, not {_shown(year)}")
    if year not in YEARS:
        raise CalendarFileError(f"year {year} is not a year this calendar can be for")
    if "holidays" not in document:
        raise CalendarFileError("\"holidays\" is missing")
    days = {}
    for key in ("holidays", "workdays"):
        values = document.get(key, [])
        if not isinstance(values, list):
            raise CalendarFileError(f"\"{key}\" must be a list of dates (YYYY-MM-DD)")
        days[key] = set()
        for index, value in enumerate(values):
            day = _date(value, f"{key}[{index}]")
            if day.year != year:
                raise CalendarFileError(f"{key}[{index}]: {day} is outside {year}")
            days[key].add(day)
    source = document.get("source") or ""
    if not isinstance(source, str):
        raise CalendarFileError("\"source\" must be text")
    return year, days["holidays"], days["workdays"], _oneline(source)[:255]


def _from_lines(text: str) -> tuple[int, set[date], set[date], str]:
    year = None
    days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(",")]
        if [f.lower() for f in fields] == ["date", "kind"]:
            continue
        if len(fields) != 2:
            raise CalendarFileError(f"line {number}: expected DATE,holiday or DATE,workday, got {_shown(line)}")
        day = _date(fields[0], f"line {number}")
        kind = _KINDS.get(fields[1].lower())
        if kind is None:
            raise CalendarFileError(f"line {number}: kind must be holiday or workday, not {_shown(fields[1])}")
        if year is None:
            year = day.year
            if year not in YEARS:
                raise CalendarFileError(f"line {number}: year {year} is not a year this calendar can be for")
        elif day.year != year:
            raise CalendarFileError(f"line {number}: {day} is outside {year} (one file per year)")
        days[kind].add(day)
    if year is None:
        raise CalendarFileError("no dates in it")
    return year, days["holidays"], days["workdays"], ""


def _check(year: int, holidays: set[date], workdays: set[date]) -> None:
    both = sorted(holidays & workdays)
    if both:
        raise CalendarFileError(f"{both[0]} is both a holiday and a make-up working day")
    weekday_ones = sorted(d for d in workdays if d.weekday() < 5)
    if weekday_ones:
        day = weekday_ones[0]
        raise CalendarFileError(f"make-up working day {day} is a {day:%A}; make-up days fall on a weekend")
    if not any(d.weekday() < 5 for d in holidays):
        raise CalendarFileError(f"no holiday of {year} falls on a weekday; not a State Council schedule")


def _date(value, where: str) -> date:
    if not isinstance(value, str) or not _ISO.fullmatch(value.strip()):
        raise CalendarFileError(f"{where}: {_shown(value)} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CalendarFileError(f"{where}: {_shown(value)} is not a date (YYYY-MM-DD)") from None


def _shown(value, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _oneline(text: str) -> str:
    return " ".join(str(text).split())
