"""`bot.py stats`: the office's figures for a period, in total and per month, area, violation,
channel, kind or status; as a table, JSON or CSV. The filters are the queue's, and so are its
numbers: `open` is what `queue` lists with the same filters, `overdue` those of them past due."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, time, timedelta

from cases.calendar import WorkCalendar
from cases.stats import GROUPS, Scope, csv_cell, figures
from commands.context import fail, open_store
from commands.queue import FILTERS
from commands.table import json_text, out, render
from config.schema import Settings
from store import monitoring
from store.models import utcnow

COLUMNS = ("total", "open", "overdue", "real_name", "real_name_share", "accepted",
           "median_working_days_to_acceptance", "concluded", "median_working_days_to_conclusion")


def main(settings: Settings, args) -> int:
    problem = _bad_usage(args)
    if problem:
        return fail(problem, 2)
    office = settings.office
    calendar = WorkCalendar(office.timezone, office.holidays, office.workdays)
    first, last = _day(args.since), _day(args.until)
    # Days are the office's local days, both ends included.
    scope = Scope(
        since=datetime.combine(first, time(0), calendar.zone) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(0), calendar.zone) if last else None,
        kinds=args.kind or (), areas=args.area or (), violations=args.violation or (), channels=args.channel or (),
        priority=args.priority,
    )
    store = open_store(settings)
    try:
        with store.reading() as session:
            if args.units:
                return show_units(monitoring.unit_figures(session, scope.since, scope.until, utcnow()), args)
            data = figures(session, calendar, scope, now=utcnow(), by=args.by)
    finally:
        store.close()
    data = {"from": first.isoformat() if first else None, "to": last.isoformat() if last else None,
            "by": args.by, **data}
    if args.json:
        print(json_text(data))
    elif args.csv:
        write_csv(data)
    else:
        show(data)
    return 0


def show_units(lines: list[dict], args) -> int:
    """The monitoring figures per unit: its notifications and the early warnings it was sent."""
    flat = [{"unit": line["unit"], "area": line["area"],
             **{f"notifications_{k}": v for k, v in line["notifications"].items()},
             **{f"warnings_{k}": v for k, v in line["warnings"].items()}} for line in lines]
    if args.json:
        print(json_text(lines))
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        header = list(flat[0]) if flat else ["unit"]
        writer.writerow(header)
        for line in flat:
            writer.writerow([csv_cell(line[k]) for k in header])
    else:
        header = ["unit", "area", "notifications_total", "notifications_rejected", "warnings_total",
                  "warnings_open", "warnings_overdue", "warnings_escalated"]
        out(render(header, [[str(line[k]) for k in header] for line in flat]), lines=True)
    return 0


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _bad_usage(args) -> str | None:
    for name in ("since", "until"):
        value = getattr(args, name)
        try:
            _day(value)
        except ValueError:
            return f"--{'from' if name == 'since' else 'to'} {value!r} is not a date (YYYY-MM-DD)"
    if args.since and args.until and _day(args.since) > _day(args.until):
        return f"--from {args.since} is after --to {args.until}"
    if args.by and args.by not in GROUPS:
        return f"cannot group by {args.by!r}; one of: {', '.join(GROUPS)}"
    for name in ("kind", "area", "violation", "channel"):
        for value in getattr(args, name) or ():
            if value not in FILTERS[name]:
                return f"unknown {name} {value!r}; one of: {', '.join(FILTERS[name])}"
    if args.priority is not None and not 1 <= args.priority <= 4:
        return f"priority {args.priority} is not between 1 and 4"
    return None


def _rows(data: dict) -> list[tuple[str, dict]]:
    """(group, figures) lines: each group, then all of them together."""
    groups = [("" if g["group"] is None else str(g["group"]), g) for g in data.get("groups", [])]
    return [*groups, ("all", data)]


def write_csv(data: dict) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([data["by"] or "group", *COLUMNS])
    for group, line in _rows(data):
        writer.writerow([group, *("" if line[c] is None else line[c] for c in COLUMNS)])


def _share(value) -> str:
    return "-" if value is None else f"{value:.0%}"


def _days(line: dict, key: str, count: str) -> str:
    return "-" if line[key] is None else f"{line[key]:g} ({line[count]})"


def show(data: dict) -> None:
    period = f"{data['from'] or 'the beginning'} to {data['to'] or 'today'}"
    out(f"cases received from {period}: {data['total']}, open {data['open']}, overdue {data['overdue']}, "
        f"real name {data['real_name']} ({_share(data['real_name_share'])})")
    out(f"median working days to acceptance: {_days(data, 'median_working_days_to_acceptance', 'accepted')}; "
        f"to conclusion: {_days(data, 'median_working_days_to_conclusion', 'concluded')}")
    if data["by"]:
        print()
        print(render([data["by"], "total", "open", "overdue", "real name", "to acceptance", "to conclusion"],
                     [[group or "-", str(line["total"]), str(line["open"]), str(line["overdue"]),
                       _share(line["real_name_share"]),
                       _days(line, "median_working_days_to_acceptance", "accepted"),
                       _days(line, "median_working_days_to_conclusion", "concluded")]
                      for group, line in _rows(data)]))
