"""`bot.py case show|set-status`: one case for staff; every action is written to the audit log."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from commands.context import actor, fail, open_store
from commands.queue import case_summary
from commands.table import clip, instant, json_text, out, render, safe
from config.schema import Settings
from responders.answers import queue_case_answer
from store import audit, cases, inbound, reporters
from store.models import Case, CaseStatus


def main(settings: Settings, args) -> int:
    store = open_store(settings)
    try:
        if args.case_command == "show":
            return show(store, args, ZoneInfo(settings.office.timezone))
        return set_status(store, settings, args)
    finally:
        store.close()


def show(store, args, zone: ZoneInfo) -> int:
    who = actor(args)
    with store.transaction() as session:
        case = cases.by_number(session, args.case_number)
        if case is None:
            return fail(safe(f"no case {args.case_number}"))
        messages = cases.messages(session, case.id)
        items = cases.evidence(session, case.id)
        # Every arrival, duplicates included: the same report through both mailboxes shows twice.
        arrivals = inbound.of_case(session, case.id)
        reporter = reporters.get(session, case.reporter_id) if args.reveal_reporter else None
        # Reading a case is an action on it too; revealing who reported is recorded by name.
        audit.append(session, actor=who, action="reporter.revealed" if reporter else "case.viewed",
                     subject_type="case", subject_id=case.id, details={"number": case.number})
    data = case_summary(case) | {
        "entities": case.entities,
        "outcome": case.outcome,
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
    if case.outcome:
        out(f"outcome: {case.outcome}")
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


def set_status(store, settings: Settings, args) -> int:
    if args.status not in CaseStatus.__members__.values():
        return fail(f"unknown status {args.status!r}; one of: {', '.join(CaseStatus)}", 2)
    who = actor(args)
    with store.transaction() as session:
        case = cases.by_number(session, args.case_number, lock=True)
        if case is None:
            return fail(safe(f"no case {args.case_number}"))
        before = cases.set_status(session, case, args.status, who, args.outcome)
        queued = queue_outcome(session, settings, case) if args.outcome else False
    out(f"{case.number}: {before} -> {args.status}" + ("; the outcome is queued for the reporter" if queued else ""))
    return 0


def queue_outcome(session, settings: Settings, case: Case) -> bool:
    reporter = reporters.get(session, case.reporter_id)
    if reporter is None:
        return False
    first = inbound.first_of_case(session, case.id)
    queue_case_answer(session, settings, case, "outcome", channel=reporter.channel, recipient=reporter.address,
                      language=case.language, extra={"outcome": case.outcome},
                      in_reply_to=first.message_id if first else None)
    return True
