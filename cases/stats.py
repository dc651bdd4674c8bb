"""The office's figures (`bot.py stats`): how many cases, how many open and late, the real-name
share, and the median working days from receipt to acceptance and to conclusion, in total and per
group. The database counts (store/stats.py); working days are counted here, on the office's
calendar, as its deadlines are.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from cases.calendar import WorkCalendar
from store import stats as store_stats
from store.models import CaseStatus
from store.stats import GROUPS, Scope

__all__ = ["GROUPS", "Scope", "figures", "working_days", "working_days_each"]


def working_days_each(calendar: WorkCalendar, spans: Sequence[tuple[datetime, datetime]]) -> list[int]:
    """For each (start, end): the working days after START's local day up to and including END's
    (0 when END's day is not later), so a report accepted on its 3rd working day counts 3, as
    `add_working_days(start, 3)` would have it due. Each calendar day is asked about once."""
    days = [(calendar.local_date(a), calendar.local_date(b)) for a, b in spans]
    if not days:
        return []
    first = min(a for a, _ in days)
    last = max(b for _, b in days)
    counted: dict[date, int] = {first: 0}   # working days in (first, day]
    day, total = first, 0
    while day < last:
        day += timedelta(days=1)
        total += calendar.is_workday(day)
        counted[day] = total
    return [counted[b] - counted[a] if b > a else 0 for a, b in days]


def working_days(calendar: WorkCalendar, start: datetime, end: datetime) -> int:
    return working_days_each(calendar, [(start, end)])[0]


def _median(values: list[int]) -> float | int | None:
    return statistics.median(values) if values else None


def _line(count: store_stats.Count | None, to_accept: list[int], to_conclude: list[int]) -> dict:
    total = count.total if count else 0
    real = count.real_name if count else 0
    return {
        "total": total,
        "open": count.open if count else 0,
        "overdue": count.overdue if count else 0,
        "real_name": real,
        "real_name_share": round(real / total, 4) if total else None,
        "accepted": len(to_accept),
        "median_working_days_to_acceptance": _median(to_accept),
        "concluded": len(to_conclude),
        "median_working_days_to_conclusion": _median(to_conclude),
    }


def _order(by: str | None):
    statuses = list(CaseStatus)

    def key(group):
        if group is None:
            return (1, 0, "")
        return (0, statuses.index(group) if by == "status" and group in statuses else 0, str(group))

    return key


def figures(session, calendar: WorkCalendar, scope: Scope, *, now: datetime, by: str | None = None) -> dict:
    """The figures of the cases in SCOPE: the totals, and with BY one line per group (`group`)."""
    counts, timings = store_stats.gather(session, scope, now=now, by=by, zone=calendar.zone)
    accept = [(t.group, t.received, t.accepted) for t in timings if t.accepted]
    conclude = [(t.group, t.received, t.concluded) for t in timings if t.concluded]
    to_accept: dict[object, list[int]] = defaultdict(list)
    to_conclude: dict[object, list[int]] = defaultdict(list)
    for spans, into in ((accept, to_accept), (conclude, to_conclude)):
        for (group, _, _), days in zip(spans, working_days_each(calendar, [(a, b) for _, a, b in spans]), strict=True):
            into[group].append(days)

    every = store_stats.Count(None, *(sum(getattr(c, f) for c in counts) for f in ("total", "open", "overdue",
                                                                                  "real_name")))
    result = _line(every, [d for v in to_accept.values() for d in v], [d for v in to_conclude.values() for d in v])
    if by:
        by_group = {c.group: c for c in counts}
        groups = sorted(set(by_group) | set(to_accept) | set(to_conclude), key=_order(by))
        result["groups"] = [{"group": g, **_line(by_group.get(g), to_accept[g], to_conclude[g])} for g in groups]
    return result


def csv_cell(value) -> str:
    """VALUE as a CSV cell a spreadsheet will not run: one that starts with = + - @ is a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
