"""Working-day clocks on the PRC calendar (public holidays and make-up working days).

The chinesecalendar package knows the State Council's published calendar; for a year it does not
know yet, weekends alone count, and the office can add its own days in settings.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)


class WorkCalendar:
    def __init__(self, timezone: str, holidays: list[date] = (), workdays: list[date] = ()):
        self.zone = ZoneInfo(timezone)
        self.holidays = set(holidays)
        self.workdays = set(workdays)
        self._warned: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._warned:
                self._warned.add(day.year)
                log.warning("no official calendar for %d yet: counting weekends only", day.year)
            return day.weekday() < 5

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the DAYS-th working day after START's day, in the office's time zone."""
        day = start.astimezone(self.zone).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, time(23, 59, 59), self.zone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()
