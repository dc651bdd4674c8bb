"""Working-day clocks on the PRC calendar (public holidays and make-up working days).

Where a day's status comes from, first match wins:
1. the office's settings (`[office] holidays`, `workdays`): its own days off and make-up days;
2. a year imported with `bot.py calendar import` (kept in the store: store/calendars.py), which
   replaces what the package says about that year;
3. the chinesecalendar package, which knows the State Council's schedule up to its last year;
4. nothing: Saturday and Sunday are the only days off.

A year covered by 2 or 3 is *confirmed*. A clock that counts over a day of an unconfirmed year is
computed with weekends only and says so (`Due.calendar_confirmed` False): public holidays add days
off, so without them a due date comes out early rather than late. (A make-up working Saturday
that falls before its holiday, inside the period, is the one case where the true date can be a
day earlier; importing the year removes the doubt.)

A due moment is the end (23:59:59) of the office's local day: "within 15 working days of receipt"
means by the end of the 15th working day after the day of receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from store import calendars

log = logging.getLogger(__name__)
_WARNED: set[int] = set()

END_OF_DAY = time(23, 59, 59)

# The years the installed chinesecalendar package has the State Council's schedule for.
PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
PACKAGE_VERSION = getattr(chinese_calendar, "__version__", "?")

# Where a day's status (or a year's schedule) comes from.
PACKAGE, IMPORT, SETTINGS, WEEKEND = "package", "import", "settings", "weekend"


@dataclass(frozen=True)
class YearDays:
    """One imported year: its public holidays (every day off, weekend days inside a holiday block
    included) and its make-up working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = IMPORT   # what it was imported from, for `calendar show`


@dataclass(frozen=True)
class Due:
    """A due moment and whether the calendar it was counted on is confirmed."""

    at: datetime                    # the end of the office's local day, aware, in its time zone
    calendar_confirmed: bool        # False: a day counted over lies in a year nobody has loaded
    unconfirmed_years: tuple[int, ...] = ()

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class DayOff:
    """A day `calendar show` lists: a holiday or a make-up working day, and where it comes from."""

    day: date
    kind: str       # "holiday" or "workday"
    source: str     # PACKAGE, IMPORT or SETTINGS
    name: str = ""  # the holiday's name, when the package knows it


class WorkCalendar:
    def __init__(self, timezone: str, holidays: Iterable[date] = (), workdays: Iterable[date] = (), *,
                 years: Iterable[YearDays] | Mapping[int, YearDays] = ()):
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        if isinstance(years, Mapping):
            years = years.values()
        self.years: dict[int, YearDays] = {y.year: y for y in years}

    @classmethod
    def for_office(cls, office, years: Iterable[YearDays] = ()) -> WorkCalendar:
        """The calendar of OFFICE (config.schema.OfficeSettings), with imported YEARS."""
        return cls(office.timezone, office.holidays, office.workdays, years=years)

    def with_years(self, years: Iterable[YearDays] | Mapping[int, YearDays]) -> WorkCalendar:
        """This calendar with YEARS as the imported ones (in place of any it had)."""
        return WorkCalendar(self.timezone, self.holidays, self.workdays, years=years)

    def loaded(self, session) -> WorkCalendar:
        """This calendar with the years imported into the store, as SESSION sees them now."""
        return self.with_years(imported_years(calendars.imported(session)))

    # -- days ------------------------------------------------------------------------------------

    def source(self, year: int) -> str | None:
        """What the schedule of YEAR comes from: IMPORT, PACKAGE, or None (not confirmed)."""
        if year in self.years:
            return IMPORT
        if year in PACKAGE_YEARS:
            return PACKAGE
        return None

    def is_confirmed(self, year: int) -> bool:
        return self.source(year) is not None

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        imported = self.years.get(day.year)
        if imported is not None:
            if day in imported.workdays:
                return True
            return day.weekday() < 5 and day not in imported.holidays
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year not in _WARNED:
            # Once per process: a calendar is made afresh for every filing and command.
            _WARNED.add(day.year)
            log.warning("no official calendar for %d yet: counting weekends only", day.year)
        return day.weekday() < 5

    def days_off(self, year: int) -> list[DayOff]:
        """The holidays and make-up working days of YEAR, in date order, each with its source;
        the settings' days win over the others, an import replaces the package's year."""
        found: dict[date, DayOff] = {}
        imported = self.years.get(year)
        if imported is not None:
            for day in imported.holidays:
                found[day] = DayOff(day, "holiday", IMPORT)
            for day in imported.workdays:
                found[day] = DayOff(day, "workday", IMPORT)
        elif year in PACKAGE_YEARS:
            for day, name in chinese_calendar.holidays.items():
                if day.year == year:
                    found[day] = DayOff(day, "holiday", PACKAGE, _holiday_name(name))
            for day, name in chinese_calendar.workdays.items():
                if day.year == year:
                    found[day] = DayOff(day, "workday", PACKAGE, _holiday_name(name))
        for day in self.holidays:
            if day.year == year:
                found[day] = DayOff(day, "holiday", SETTINGS)
        for day in self.workdays:
            if day.year == year:
                found[day] = DayOff(day, "workday", SETTINGS)
        return [found[day] for day in sorted(found)]

    # -- clocks ----------------------------------------------------------------------------------

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def end_of_day(self, day: date) -> datetime:
        """The due moment of DAY: 23:59:59 in the office's time zone."""
        return datetime.combine(day, END_OF_DAY, self.zone)

    def due(self, start: datetime, days: int) -> Due:
        """The end of the DAYS-th working day after START's local day, and whether every day
        counted over (the day after START's through the due day) lies in a confirmed year."""
        if days < 0:
            raise ValueError(f"a period of working days cannot be negative: {days}")
        day = self.local_date(start)
        counted = 0
        unconfirmed: set[int] = set()
        while counted < days:
            day += timedelta(days=1)
            if not self.is_confirmed(day.year):
                unconfirmed.add(day.year)
            if self.is_workday(day):
                counted += 1
        return Due(self.end_of_day(day), not unconfirmed, tuple(sorted(unconfirmed)))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the DAYS-th working day after START's day, in the office's time zone."""
        return self.due(start, days).at

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """How many working days after START's local day, up to and including END's local day
        (0 when END's day is not after START's); the inverse of add_working_days."""
        day, last = self.local_date(start), self.local_date(end)
        count = 0
        while day < last:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def imported_years(rows: Iterable) -> list[YearDays]:
    """YearDays from store rows (store.models.CalendarYear)."""
    return [
        YearDays(
            year=row.year,
            holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
            workdays=frozenset(date.fromisoformat(d) for d in row.workdays),
            source=row.source,
        )
        for row in rows
    ]


def _holiday_name(value) -> str:
    """The package's Holiday as "National Day (国庆节)"."""
    english = getattr(value, "value", value)
    chinese = getattr(value, "chinese", "")
    return f"{english} ({chinese})" if chinese else str(english or "")
