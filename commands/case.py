"""`bot.py case show|set-status|set-labels|merge|assign`: one case for staff; every action is written to the
audit log. Which status may follow which is cases/procedure.py's table; a move it refuses is bad
usage (exit 2) with one line naming what is allowed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cases import procedure
from cases.related import REPEAT
from commands.context import actor, fail, open_store
from commands.queue import case_summary, deadline_summary, due_cell
from commands.table import clip, instant, json_text, local_day, out, render, safe
from config.schema import Settings
from store import audit, cases, deadlines, inbound, models, reporters
from store import related as related_cases


def main(settings: Settings, args) -> int:
    store = open_store(settings)
    try:
        if args.case_command == "show":
            return show(store, args, ZoneInfo(settings.office.timezone))
        if args.case_command == "merge":
            return merge(store, settings, args)
        if args.case_command == "assign":
            return assign(store, args)
        if args.case_command == "set-labels":
            return set_labels(store, args)
        return set_status(store, settings, args)
    finally:
        store.close()


def show(store, args, zone: ZoneInfo) -> int:
    who = actor(args)
    reason = (args.reason or "").strip()
    if args.reveal_reporter and not reason:
        return fail("--reveal-reporter needs --reason: why the reporter's identity is needed (it is recorded)", 2)
    with store.transaction() as session:
        case = cases.by_number(session, args.case_number)
        if case is None:
            return fail(safe(f"no case {args.case_number}"))
        messages = cases.messages(session, case.id)
        items = cases.evidence(session, case.id)
        # Every arrival, duplicates included: the same report through both mailboxes shows twice.
        arrivals = inbound.of_case(session, case.id)
        reporter = reporters.get(session, case.reporter_id) if args.reveal_reporter else None
        clocks = deadlines.of_case(session, case.id)
        merged_into = cases.get(session, case.merged_into) if case.merged_into else None
        links = related_cases.of_case(session, case.id)
        # Reading a case is an action on it too; revealing who reported is recorded by name.
        audit.append(session, actor=who, action="reporter.revealed" if args.reveal_reporter else "case.viewed",
                     subject_type="case", subject_id=case.id,
                     details={"number": case.number, **({"reason": reason[:500]} if args.reveal_reporter else {})})
    now = models.utcnow()
    data = case_summary(case) | {
        "entities": case.entities,
        "outcome": case.outcome,
        "conclusion": case.conclusion,
        "routed_to": case.routed_to,
        "merged_into": merged_into.number if merged_into else None,
        "notify_reporter": case.notify_reporter,
        "deadlines": [deadline_summary(d, now) | {
            "started_at": instant(d.started_at), "working_days": d.working_days,
            "closed_at": instant(d.closed_at), "closed_by": d.closed_by, "closed_event": d.closed_event,
        } for d in clocks],
        "reporter": {"address": reporter.address, "name": reporter.display_name} if reporter else "(hidden)",
        "arrivals": [{"inbound_id": a.id, "channel": a.channel, "mailbox": a.mailbox, "status": a.status,
                      "received_at": instant(a.received_at), "duplicate_of": a.duplicate_of,
                      "dkim": (a.authenticity.get("dkim") or {}).get("verdict"),
                      "sender_verified_by": a.authenticity.get("sender_verified_by")} for a in arrivals],
        "messages": [{"role": m.role, "received_at": instant(m.created_at), "subject": m.subject,
                      "text": m.text} for m in messages],
        "evidence": [{"item": e.item, "name": e.original_name, "stored_name": e.stored_name, "origin": e.origin,
                      "declared_type": e.declared_type, "sniffed_type": e.sniffed_type, "size": e.size,
                      "sha256": e.sha256, "acquired_at": instant(e.acquired_at), "source": e.source}
                     for e in items],
        "related": [{"number": other.number, "reason": link.reason, "created_at": instant(other.created_at)}
                    for link, other in links],
        # A repeat report: an earlier case named the same official within twelve months before it.
        "repeat": any(link.reason == REPEAT and other.created_at <= case.created_at for link, other in links),
    }
    if args.json:
        print(json_text(data, indent=2))
        return 0
    # Subjects, bodies, file names, types and addresses come from outside: every line goes out
    # through out() or render(), which show control and bidi characters as visible escapes.
    out(f"{case.number}  {case.kind}  priority {case.priority}  status {case.status}")
    out(f"area: {case.area or '-'}   violation: {case.violation or '-'}   channel: {case.channel}   "
        f"real name: {'yes' if case.real_name else 'no'}   language: {case.language}")
    # In the office's time zone, as the queue shows them: a deadline is the end of a local day.
    received = case.created_at.astimezone(zone)
    due = f"   due: {case.due_at.astimezone(zone):%Y-%m-%d}" if case.due_at else ""
    out(f"received: {received:%Y-%m-%d %H:%M %Z}{due}")
    out(f"reporter: {data['reporter'] if reporter is None else reporter.address}")
    first = data["arrivals"][0] if data["arrivals"] else {}
    out(f"sender: verified ({first.get('sender_verified_by')})" if case.sender_verified else
        "sender: NOT VERIFIED: nobody was answered automatically, and the From address may be forged")
    related = "; ".join(f"{other.number} {link.reason} {local_day(other.created_at, zone)}" for link, other in links)
    out(f"related: {related or 'none'}" + ("   REPEAT REPORT (within twelve months)" if data["repeat"] else ""))
    if case.routed_to or merged_into:
        out(f"went to: {case.routed_to}" if case.routed_to else f"merged into: {merged_into.number}")
    if case.conclusion:
        out(f"conclusion (internal): {case.conclusion}")
    if case.outcome:
        out(f"outcome: {case.outcome}")
    if clocks:
        print(f"\ndeadlines ({len(clocks)}):")
        print(render(["kind", "due", "state", "closed"],
                     [[d.kind, due_cell(d, zone), deadlines.state_at(d, now), _closed(d, zone)] for d in clocks]))
        if not all(d.calendar_confirmed for d in clocks):
            print("* calendar not confirmed: counted on weekends only until the year is imported")
    for message in messages:
        print()
        out(f"--- {message.role}  {message.created_at.astimezone(zone):%Y-%m-%d %H:%M}  {message.subject}")
        out(message.text.strip()[:4000], lines=True)
    print(f"\narrivals ({len(arrivals)}):")
    print(render(["inbound", "channel", "mailbox", "status", "received", "dkim", "sender"],
                 [[str(a["inbound_id"]), a["channel"], a["mailbox"], a["status"], a["received_at"][:19],
                   a["dkim"] or "-", a["sender_verified_by"] or "unverified"] for a in data["arrivals"]]))
    print(f"\nevidence ({len(items)} items):")
    print(render(["item", "name", "type", "size", "sha256"],
                 [[str(e.item), clip(e.original_name or e.stored_name, 40),
                   clip(e.sniffed_type or e.declared_type or "-", 40), str(e.size), e.sha256] for e in items]))
    return 0


def _closed(deadline, zone: ZoneInfo) -> str:
    if deadline.closed_at is None:
        return "-"
    late = " late" if deadline.closed_at > deadline.due_at else ""
    return f"{deadline.closed_at.astimezone(zone):%Y-%m-%d}{late} ({deadline.closed_by})"


def set_status(store, settings: Settings, args) -> int:
    problem = procedure.unknown_status(args.status)
    if problem:
        return fail(problem, 2)
    options = {"reason": args.reason, "to": args.to, "outcome": args.outcome}
    with store.transaction() as session:
        case = cases.by_number(session, args.case_number, lock=True)
        if case is None:
            return fail(safe(f"no case {args.case_number}"))
        problem = procedure.check(case, args.status, **options)
        if problem:
            return fail(safe(problem), 2)
        changed = procedure.change(session, settings, case, args.status, actor(args), **options)
    _said(case, changed, ZoneInfo(settings.office.timezone))
    return 0


def merge(store, settings: Settings, args) -> int:
    with store.transaction() as session:
        case, into = cases.by_number(session, args.case_number), cases.by_number(session, args.into)
        if case is None or into is None:
            return fail(safe(f"no case {args.case_number if case is None else args.into}"))
        # Both rows locked at once, in id order, so two merges crossing each other cannot deadlock.
        cases.hold(session, [case.id, into.id])
        problem = procedure.check(case, "merged", reason=args.reason, into=into)
        if problem:
            return fail(safe(problem), 2)
        changed = procedure.merge(session, settings, case, into, actor(args), reason=args.reason)
    _said(case, changed, ZoneInfo(settings.office.timezone))
    return 0


def assign(store, args) -> int:
    with store.transaction() as session:
        case = cases.by_number(session, args.case_number, lock=True)
        if case is None:
            return fail(safe(f"no case {args.case_number}"))
        before = cases.assign(session, case, args.user, actor(args))
    out(f"{case.number}: assigned to {args.user}" + (f" (was {before})" if before else ""))
    return 0


def set_labels(store, args) -> int:
    from classifier.labels import AREAS, KINDS, VIOLATIONS

    wanted = {"kind": args.kind, "area": args.area, "violation": args.violation}
    for name, choices in (("kind", KINDS), ("area", AREAS), ("violation", VIOLATIONS)):
        if wanted[name] is not None and wanted[name] not in choices:
            return fail(f"--{name}: one of {', '.join(choices)}", 2)
    if not any(v is not None for v in (*wanted.values(), args.priority)):
        return fail("give at least one of --kind, --area, --violation, --priority", 2)
    with store.transaction() as session:
        case = cases.by_number(session, args.case_number, lock=True)
        if case is None:
            return fail(safe(f"no case {args.case_number}"))
        changes = cases.relabel(session, case, actor(args), **wanted, priority=args.priority)
    out(f"{case.number}: " + ("; ".join(f"{k} {v['from']} -> {v['to']}" for k, v in changes.items())
                              or "labels unchanged"))
    return 0


def _said(case, changed: procedure.Changed, zone: ZoneInfo) -> None:
    parts = [f"{case.number}: {changed.before} -> {case.status}"]
    if changed.notice is not None:
        parts.append(f"the {changed.notice.purpose} notice is queued for the reporter")
    for row in changed.opened:
        if row not in changed.met:
            mark = "" if row.calendar_confirmed else " (calendar not confirmed)"
            parts.append(f"{row.kind} due {row.due_at.astimezone(zone):%Y-%m-%d}{mark}")
    for row in changed.met:
        parts.append(f"{row.kind} met" + (" late" if row.closed_at > row.due_at else ""))
    out("; ".join(parts))
