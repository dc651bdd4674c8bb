"""`bot.py deadlines [--overdue] [--due-within DAYS] [--json]`: the deadlines still owed, nearest
first; late ones are marked whether or not the scheduler has run since they passed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cases.deadlines import calendar_for
from commands.context import fail, open_store
from commands.queue import deadline_summary, due_cell
from commands.table import json_text, render
from config.schema import Settings
from store import deadlines, models
from store.models import DeadlineState


def main(settings: Settings, args) -> int:
    if args.due_within is not None and args.due_within < 0:
        return fail(f"--due-within {args.due_within}: a number of working days, 0 or more", 2)
    store = open_store(settings)
    zone = ZoneInfo(settings.office.timezone)
    now = models.utcnow()
    try:
        with store.reading() as session:
            horizon = None
            if args.due_within is not None:
                # Working days, as the deadlines themselves count: 0 is the end of today.
                horizon = calendar_for(session, settings).due(now, args.due_within).at
            found = deadlines.owed(session, due_by=horizon, late_at=now if args.overdue else None,
                                   limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json_text([deadline_summary(d, now) | {"number": c.number, "status": c.status, "priority": c.priority,
                                                     "started_at": d.started_at.isoformat(),
                                                     "working_days": d.working_days}
                         for d, c in found]))
        return 0
    rows = [[c.number, str(c.priority), c.status, d.kind, due_cell(d, zone),
             "LATE" if deadlines.state_at(d, now) == DeadlineState.OVERDUE else ""] for d, c in found]
    print(render(["case", "pri", "status", "deadline", "due", "late"], rows) if rows else "no deadlines owed")
    if any(not d.calendar_confirmed for d, _ in found):
        print("* calendar not confirmed: counted on weekends only until the year is imported")
    return 0
