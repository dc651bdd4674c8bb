"""`bot.py queue`: the triage queue, most urgent first, with each case's nearest deadline and the
late ones marked; `--failed` lists quarantined messages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classifier.labels import AREAS, KINDS, VIOLATIONS
from commands.context import fail, open_store
from commands.table import clip, instant, json_text, local_day, render
from config.schema import Settings
from store import cases, deadlines, inbound, models
from store import related as related_cases
from store.models import Case, CaseStatus, Deadline, DeadlineState, InboundStatus

# What each filter may name: a misspelt label would otherwise show an empty queue, which a
# staff member would take for "nothing to do".
FILTERS = {
    "status": tuple(CaseStatus),
    "kind": KINDS,
    "area": AREAS,
    "violation": VIOLATIONS,
    "channel": ("email", "telegram"),
}


def bad_filter(args) -> str | None:
    for name, allowed in FILTERS.items():
        for value in getattr(args, name) or ():
            if value not in allowed:
                return f"unknown {name} {value!r}; one of: {', '.join(allowed)}"
    if args.priority is not None and not 1 <= args.priority <= 4:
        return f"priority {args.priority} is not between 1 and 4"
    return None


def main(settings: Settings, args) -> int:
    problem = bad_filter(args)
    if problem:
        return fail(problem, 2)
    store = open_store(settings)
    zone = ZoneInfo(settings.office.timezone)
    try:
        if args.failed:
            return show_failed(store, args, zone)
        if args.screened:
            return show_screened(store, args, zone)
        return show_queue(store, args, zone)
    finally:
        store.close()


def show_queue(store, args, zone) -> int:
    with store.reading() as session:
        found = cases.queue(session, statuses=args.status or (), kinds=args.kind or (), areas=args.area or (),
                            violations=args.violation or (), channels=args.channel or (), priority=args.priority,
                            limit=args.limit)
        related = related_cases.counts(session, [c.id for c in found])   # cases about the same official
        nearest = deadlines.nearest(session, [c.id for c in found])
    now = models.utcnow()
    late = {c.id for c in found if c.id in nearest and deadlines.state_at(nearest[c.id], now) == DeadlineState.OVERDUE}
    if args.json:
        print(json_text([case_summary(c) | {
            "related": related.get(c.id, 0), "late": c.id in late,
            "deadline": deadline_summary(nearest[c.id], now) if c.id in nearest else None,
        } for c in found]))
        return 0
    rows = [
        [c.number, str(c.priority), c.kind, c.area or "-", c.violation or "-", c.status, c.channel,
         local_day(c.created_at, zone), due_cell(nearest.get(c.id), zone),
         nearest[c.id].kind if c.id in nearest else "-", "LATE" if c.id in late else "", "yes" if c.real_name else "",
         "" if c.sender_verified else "unverified", str(related.get(c.id) or ""), clip(c.subject, 40)]
        for c in found
    ]
    # "unverified": the sender could be anyone; nobody was answered, and the From may be forged.
    # "due" is the nearest deadline not yet met, "*" when counted on an unconfirmed calendar.
    headers = ["case", "pri", "kind", "area", "violation", "status", "channel", "received", "due", "deadline", "late",
               "real", "sender", "related", "subject"]
    print(render(headers, rows) if rows else "the queue is empty")
    if any(not nearest[c.id].calendar_confirmed for c in found if c.id in nearest):
        print("* calendar not confirmed: counted on weekends only until the year is imported")
    return 0


def show_failed(store, args, zone) -> int:
    with store.reading() as session:
        rows = inbound.in_status(session, InboundStatus.QUARANTINED, args.limit)
    if args.json:
        print(json_text([
            {"id": r.id, "channel": r.channel, "mailbox": r.mailbox, "received_at": instant(r.received_at),
             "attempts": r.attempts, "error": r.last_error, "raw_sha256": r.raw_sha256}
            for r in rows
        ]))
        return 0
    table = [[str(r.id), local_day(r.received_at, zone), r.channel, r.mailbox, str(r.attempts), clip(r.last_error or "", 70)]
             for r in rows]
    print(render(["id", "received", "channel", "mailbox", "tries", "error"], table) if table
          else "no quarantined messages")
    return 0


def show_screened(store, args, zone) -> int:
    """What screening kept out, newest first: a person can see that nothing real was set aside."""
    with store.reading() as session:
        rows = inbound.in_status(session, InboundStatus.SCREENED, args.limit, newest_first=True)
    if args.json:
        print(json_text([
            {"id": r.id, "channel": r.channel, "mailbox": r.mailbox, "received_at": instant(r.received_at),
             "subject": r.subject, "rule_hits": r.rule_hits}
            for r in rows
        ]))
        return 0
    table = [[str(r.id), local_day(r.received_at, zone), r.channel, clip(",".join(r.rule_hits), 40),
              clip(r.subject or "", 50)] for r in rows]
    print(render(["id", "received", "channel", "why", "subject"], table) if table else "no screened messages")
    return 0


def case_summary(case: Case) -> dict:
    return {
        "number": case.number, "priority": case.priority, "kind": case.kind, "area": case.area,
        "violation": case.violation, "status": case.status, "channel": case.channel,
        "real_name": case.real_name, "language": case.language, "subject": case.subject,
        "created_at": instant(case.created_at), "due_at": instant(case.due_at),
        "assignee": case.assignee, "sender_verified": case.sender_verified,
    }


def deadline_summary(deadline: Deadline, now) -> dict:
    """A deadline as every command shows it: kind, due moment, state as of NOW, calendar."""
    return {"kind": deadline.kind, "due": instant(deadline.due_at), "state": deadlines.state_at(deadline, now),
            "calendar_confirmed": deadline.calendar_confirmed}


def due_cell(deadline: Deadline | None, zone) -> str:
    """A deadline's local day for a table, "*" when counted on an unconfirmed calendar."""
    if deadline is None:
        return "-"
    return local_day(deadline.due_at, zone) + ("" if deadline.calendar_confirmed else "*")
