"""The console's pages: the queue, a case and what staff do to it, the statistics, the audit log
and the accounts. Every look at a case, every download and every reveal is an audit entry naming
the account; every change goes through the case procedure (cases/procedure.py). A case the
account may not see answers 404, as one that does not exist."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from cases import deadlines as clocks
from cases import procedure
from cases import stats as case_stats
from console import hide, roles
from console.guard import Viewer
from store import (
    audit,
    bundle,
    cases,
    deadlines,
    evidence,
    monitoring,
    related,
    reporters,
    staff,
)
from store import search as store_search
from store.models import Case, CaseStatus, WarningStatus
from store.stats import Scope

PAGE = 50
NUMBERISH = re.compile(r"^[A-Za-z0-9-]+$")     # a case number, or a part of one
RAW = "raw-message"        # evidence item 0: the message as it arrived, sender and all
FILTERS = ("kind", "area", "violation", "channel", "status")


def routes(console) -> list[Route]:
    def page(permission, handler):
        """HANDLER(console, request, viewer) for accounts whose role has PERMISSION."""
        async def endpoint(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool

            viewer = await run_in_threadpool(console.signed_in, request)
            if viewer.role not in permission:
                raise HTTPException(404)
            if request.method == "POST":
                form = await console.checked_form(request, viewer)
                return await run_in_threadpool(handler, console, request, viewer, form)
            return await run_in_threadpool(handler, console, request, viewer)
        return endpoint

    return [
        Route("/", page(roles.SEE_CASES, queue)),
        Route("/cases/{number}", page(roles.SEE_CASES, case_page)),
        Route("/cases/{number}/evidence/{item:int}", page(roles.DOWNLOAD, download)),
        Route("/cases/{number}/reveal", page(roles.REVEAL, reveal), methods=["POST"]),
        Route("/cases/{number}/assign", page(roles.ASSIGN, assign), methods=["POST"]),
        Route("/cases/{number}/labels", page(roles.LABEL, labels), methods=["POST"]),
        Route("/cases/{number}/notes", page(roles.NOTE, note), methods=["POST"]),
        Route("/cases/{number}/status", page(roles.SEE_CASES, status), methods=["POST"]),
        Route("/cases/{number}/merge", page(roles.MERGE, merge), methods=["POST"]),
        Route("/cases/{number}/export", page(roles.EXPORT, export), methods=["POST"]),
        Route("/language", page(roles.SEE_SELF, language), methods=["POST"]),
        Route("/stats", page(roles.STATS, stats_page)),
        Route("/warnings", page(roles.WARNINGS, warnings_page)),
        Route("/warnings/{number}", page(roles.DECIDE_WARNINGS, decide_warning), methods=["POST"]),
        Route("/audit", page(roles.AUDIT_LOG, audit_page)),
        Route("/accounts", page(roles.ACCOUNTS, accounts_page)),
    ]


# -- the queue -----------------------------------------------------------------------------------

def queue(console, request: Request, viewer: Viewer) -> Response:
    params = request.query_params
    now = console.clock()
    chosen = {name: [v for v in params.getlist(name) if v][:20] for name in FILTERS}
    priority = _int(params.get("priority"))
    search = (params.get("q") or "").strip()[:32]
    filters = cases.Filters(
        statuses=chosen["status"], kinds=chosen["kind"], areas=chosen["area"], violations=chosen["violation"],
        channels=chosen["channel"], priority=priority,
        # An investigator's queue is the cases assigned to him, whatever the address bar says.
        assignee=viewer.name if viewer.role not in roles.SEE_EVERY_CASE else (params.get("assignee") or None),
        late_at=now if params.get("late") else None, unverified=bool(params.get("unverified")),
        review=bool(params.get("check")),
        number=search or None)
    number = max(1, _int(params.get("page")) or 1)
    with console.store.reading() as session:
        if search and not NUMBERISH.match(search):
            filters = dataclasses.replace(filters, number=None, case_ids=_found(session, search, viewer.language))
        total = cases.count(session, filters)
        shown = cases.page(session, filters, limit=PAGE, offset=(number - 1) * PAGE)
        counts = cases.counts_by(session, cases.Filters(assignee=filters.assignee), FILTERS)
        nearest = deadlines.nearest(session, [c.id for c in shown])
        links = related.counts(session, [c.id for c in shown])
    rows = [{"case": c, "deadline": nearest.get(c.id),
             "subject": hide.hidden(c.subject, hide.secrets_of([c.subject], c.entities, None, None),
                                    viewer.language)[:60], "late": c.id in nearest and nearest[c.id].due_at < now,
             "related": links.get(c.id, 0)} for c in shown]
    query = {k: v for k, v in params.multi_items() if k != "page"}
    pages = max(1, math.ceil(total / PAGE))
    return console.render(request, "queue.html", viewer, rows=rows, total=total, counts=counts, chosen=chosen,
                          params=params, page=number, pages=pages, scanned=store_search.SCANNED,
                          link=lambda n: "/?" + urlencode([*query.items(), ("page", n)]))


def _found(session, search: str, language: str) -> set[int]:
    """The cases SEARCH finds: by an official's name, body or post (the index, every case), or
    by any words of the newest cases' texts. The reporter's name and contact details are masked
    before the words are matched, so a search cannot tell which case a person reported."""
    from classifier.officials import fold

    term = fold(search)
    found = store_search.with_term(session, term)
    for text in store_search.newest(session):
        reporter = text.reporter
        secrets = hide.secrets_of(text.texts, [], reporter.display_name if reporter else None,
                                  reporter.address if reporter else None)
        if any(term in fold(hide.hidden(part, secrets, language)) for part in text.texts):
            found.add(text.case_id)
    return found


# -- one case ------------------------------------------------------------------------------------

def _case(session, request: Request, viewer: Viewer, lock: bool = False) -> Case:
    case = cases.by_number(session, request.path_params["number"][:32], lock=lock)
    if case is None or not roles.sees_case(viewer.role, viewer.name, case):
        raise HTTPException(404)
    return case


def case_page(console, request: Request, viewer: Viewer, *, reporter=None, problem: str | None = None,
              preview: str | None = None, status_code: int = 200) -> Response:
    now = console.clock()
    with console.store.transaction() as session:
        case = _case(session, request, viewer)
        messages = cases.messages(session, case.id)
        items = cases.evidence(session, case.id)
        known = reporters.get(session, case.reporter_id)
        data = {
            "case": case,
            "clocks": [(d, deadlines.state_at(d, now)) for d in deadlines.of_case(session, case.id)],
            "links": related.of_case(session, case.id),
            "notes": staff.notes(session, case.id),
            "merged_into": cases.get(session, case.merged_into) if case.merged_into else None,
        }
        if reporter is None:
            audit.append(session, actor=viewer.actor, action="case.viewed", subject_type="case", subject_id=case.id,
                         details={"number": case.number})
        trail = audit.of_subject(session, "case", case.id)
    # Until it is revealed, the reporter is hidden in the case's own words too.
    secrets = set() if reporter is not None else hide.secrets_of(
        [case.subject, *(m.subject for m in messages), *(m.text for m in messages)], case.entities,
        known.display_name if known else None, known.address if known else None)
    language = viewer.language
    shown = case.entities if reporter is not None else hide.shown_entities(case.entities, secrets)
    data |= {
        "subject": hide.hidden(case.subject, secrets, language),
        "messages": [{"role": m.role, "created_at": m.created_at, "subject": hide.hidden(m.subject, secrets, language),
                      "text": hide.marked(hide.hidden(m.text, secrets, language), shown)} for m in messages],
        "entities": shown,
        "items": [{"row": e, "name": hide.hidden(e.original_name or e.stored_name, secrets, language),
                   "raw": e.origin == RAW} for e in items],
    }
    moves = [s for s in procedure.allowed(case.status) if roles.may_move(viewer.role, s)]
    return console.render(request, "case.html", viewer, status_code=status_code, **data, trail=trail,
                          reporter=reporter, problem=problem, preview=preview, moves=moves,
                          labels=_label_history(trail), choices=_choices(console),
                          zone_info=ZoneInfo(console.settings.office.timezone))


def _label_history(trail) -> dict[str, str]:
    """Who last changed each label, from the case's trail."""
    changed = {}
    for event in trail:
        if event.action == "case.labelled":
            for name in event.details.get("changes", {}):
                changed[name] = event.actor
    return changed


def _choices(console) -> dict[str, list[str]]:
    from classifier.labels import AREAS, KINDS, VIOLATIONS

    return {"kind": list(KINDS), "area": list(AREAS), "violation": list(VIOLATIONS)}


def reveal(console, request: Request, viewer: Viewer, form) -> Response:
    reason = str(form.get("reason", "")).strip()[:500]
    with console.store.transaction() as session:
        case = _case(session, request, viewer)
        if not reason:
            problem = "reason"
            reporter = None
        else:
            problem = None
            found = reporters.get(session, case.reporter_id)
            reporter = {"address": found.address, "name": found.display_name} if found else {}
            audit.append(session, actor=viewer.actor, action="reporter.revealed", subject_type="case",
                         subject_id=case.id, details={"number": case.number, "reason": reason})
    if problem:
        return case_page(console, request, viewer, problem="reveal_reason", status_code=400)
    return case_page(console, request, viewer, reporter=reporter)


def download(console, request: Request, viewer: Viewer) -> Response:
    item = request.path_params["item"]
    with console.store.transaction() as session:
        case = _case(session, request, viewer)
        found = [e for e in cases.evidence(session, case.id, [item])]
        if not found:
            raise HTTPException(404)
        row = found[0]
        if row.origin == RAW and viewer.role not in roles.REVEAL:
            # The message as it came names its sender: it goes only to those who may reveal him.
            raise HTTPException(404)
        audit.append(session, actor=viewer.actor, action="evidence.downloaded", subject_type="case",
                     subject_id=case.id, details={"number": case.number, "item": item, "sha256": row.sha256})
    problem = console.store.blobs.check(row.sha256)
    if problem:
        # Bytes that no longer hash to what was acquired are not evidence: refuse, loudly.
        raise HTTPException(409, detail="evidence file does not verify")
    data = console.store.blobs.read(row.sha256)
    name = evidence.safe_name(item, row.original_name, row.sha256)
    return Response(data, media_type="application/octet-stream", headers={
        "content-disposition": f"attachment; filename=\"item-{item}\"; filename*=UTF-8''{quote(name)}",
        "x-evidence-sha256": row.sha256})


def _done(number: str) -> Response:
    return RedirectResponse(f"/cases/{quote(number)}", status_code=303)


def assign(console, request: Request, viewer: Viewer, form) -> Response:
    who = str(form.get("assignee", "")).strip()[:64]
    with console.store.transaction() as session:
        case = _case(session, request, viewer, lock=True)
        if who and staff.by_name(session, who) is None:
            return _refused(console, request, viewer, "assignee")
        cases.assign(session, case, who or None, viewer.actor)
    return _done(case.number)


def labels(console, request: Request, viewer: Viewer, form) -> Response:
    choices = _choices(console)
    wanted = {name: str(form.get(name, "")) for name in ("kind", "area", "violation")}
    priority = _int(form.get("priority"))
    for name, value in wanted.items():
        if value and value not in choices[name]:
            return _refused(console, request, viewer, name)
    if priority is not None and not 1 <= priority <= 4:
        return _refused(console, request, viewer, "priority")
    with console.store.transaction() as session:
        case = _case(session, request, viewer, lock=True)
        cases.relabel(session, case, viewer.actor, kind=wanted["kind"] or None, area=wanted["area"] or None,
                      violation=wanted["violation"] or None, priority=priority)
    return _done(case.number)


def note(console, request: Request, viewer: Viewer, form) -> Response:
    text = str(form.get("text", "")).strip()[:10_000]
    if not text:
        return _refused(console, request, viewer, "text")
    with console.store.transaction() as session:
        case = _case(session, request, viewer, lock=True)
        staff.add_note(session, case.id, case.number, viewer.actor, text)
    return _done(case.number)


def status(console, request: Request, viewer: Viewer, form) -> Response:
    target = str(form.get("status", ""))
    given = {name: (str(form.get(name)).strip() or None) if form.get(name) else None
             for name in ("reason", "to", "outcome")}
    if not roles.may_move(viewer.role, target):
        return _refused(console, request, viewer, f"status {target}")
    with console.store.transaction() as session:
        case = _case(session, request, viewer, lock=True)
        problem = procedure.check(case, target, **given)
        if problem:
            session.rollback()
            return case_page(console, request, viewer, problem=problem, status_code=400)
        if form.get("preview"):
            text = procedure.preview(console.settings, case, target, **given)
            session.rollback()
            return case_page(console, request, viewer, preview=text or "-")
        procedure.change(session, console.settings, case, target, viewer.actor, **given)
    return _done(case.number)


def merge(console, request: Request, viewer: Viewer, form) -> Response:
    into_number = str(form.get("into", "")).strip()[:32]
    with console.store.transaction() as session:
        case = _case(session, request, viewer)
        into = cases.by_number(session, into_number)
        if into is None:
            return _refused(console, request, viewer, "into")
        cases.hold(session, [case.id, into.id])
        problem = procedure.check(case, CaseStatus.MERGED, into=into)
        if problem:
            session.rollback()
            return case_page(console, request, viewer, problem=problem, status_code=400)
        procedure.merge(session, console.settings, case, into, viewer.actor, reason=str(form.get("reason", ""))[:500])
    return _done(case.number)


def export(console, request: Request, viewer: Viewer, form) -> Response:
    """The case's evidence bundle (what `bot.py evidence export` writes), as a download."""
    with tempfile.TemporaryDirectory(dir=console.store.data_dir) as folder:
        with console.store.transaction() as session:
            case = _case(session, request, viewer)
            out = Path(folder) / f"{case.number}-evidence.zip"
            try:
                bundle.export(session, console.store.blobs, case, out, viewer.actor)
            except ValueError:
                raise HTTPException(409, detail="evidence does not verify") from None
        data = out.read_bytes()
    return Response(data, media_type="application/zip", headers={
        "content-disposition": f"attachment; filename=\"{case.number}-evidence.zip\""})


def language(console, request: Request, viewer: Viewer, form) -> Response:
    chosen = str(form.get("language", ""))
    if chosen not in ("zh", "en"):
        raise HTTPException(400)
    with console.store.transaction() as session:
        staff.set_language(session, viewer.name, chosen)
    back = str(form.get("back", "/"))
    # Back to the page it came from: a path of our own site only, never another site.
    target = back if back.startswith("/") and not back.startswith("//") and "\\" not in back else "/"
    return RedirectResponse(target, status_code=303)


def _refused(console, request: Request, viewer: Viewer, what: str) -> Response:
    return case_page(console, request, viewer, problem=f"not allowed: {what}", status_code=400)


# -- statistics, the audit log, accounts ---------------------------------------------------------

def stats_page(console, request: Request, viewer: Viewer) -> Response:
    params = request.query_params
    zone = ZoneInfo(console.settings.office.timezone)
    by = params.get("by") if params.get("by") in ("month", "area", "violation", "channel", "kind", "status") \
        else "month"
    since, until = _day(params.get("from")), _day(params.get("to"))
    scope = Scope(since=datetime.combine(since, time(), zone) if since else None,
                  until=datetime.combine(until, time.max, zone) if until else None)
    with console.store.reading() as session:
        calendar = clocks.calendar_for(session, console.settings)
        figures = case_stats.figures(session, calendar, scope, now=console.clock(), by=by)
    groups = figures.get("groups", [])
    if params.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        columns = ["total", "open", "overdue", "real_name_share", "median_days_to_acceptance",
                   "median_days_to_conclusion"]
        writer.writerow(["group", *columns])
        for line in [*groups, {"group": "all", **figures}]:
            writer.writerow([case_stats.csv_cell(line.get("group")), *[line.get(c, "") for c in columns]])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": "attachment; filename=\"stats.csv\""})
    biggest = max([g["total"] for g in groups] or [1]) or 1
    return console.render(request, "stats.html", viewer, figures=figures, groups=groups, by=by, biggest=biggest,
                          since=since, until=until)


def warnings_page(console, request: Request, viewer: Viewer) -> Response:
    status = request.query_params.get("status") or None
    with console.store.reading() as session:
        units = {u.id: u for u in monitoring.units(session)}
        shown = monitoring.warnings(session, [status] if status else ())
        history = monitoring.notifications_by_unit(session)
    return console.render(request, "warnings.html", viewer, warnings=shown, units=units, history=history,
                          status=status, statuses=list(WarningStatus))


def decide_warning(console, request: Request, viewer: Viewer, form) -> Response:
    decision = str(form.get("decision", ""))
    reason = str(form.get("reason", "")).strip()[:500] or None
    if decision not in (WarningStatus.ACCEPTED, WarningStatus.REJECTED):
        raise HTTPException(400)
    with console.store.transaction() as session:
        warning = monitoring.warning(session, request.path_params["number"][:32], lock=True)
        if warning is None:
            raise HTTPException(404)
        if warning.status == WarningStatus.RECTIFIED:
            monitoring.set_warning_status(session, warning, decision, viewer.actor, reason=reason)
    return RedirectResponse("/warnings", status_code=303)


def audit_page(console, request: Request, viewer: Viewer) -> Response:
    with console.store.transaction() as session:
        problems = [str(p) for p in audit.check_chain(session)][:50] if request.query_params.get("verify") else None
        if problems is not None:
            audit.append(session, actor=viewer.actor, action="audit.verified", subject_type="audit",
                         subject_id="-", details={"problems": len(problems)})
        events = audit.recent(session, 200, before=_int(request.query_params.get("before")))
    return console.render(request, "audit.html", viewer, events=events, problems=problems)


def accounts_page(console, request: Request, viewer: Viewer) -> Response:
    now = console.clock()
    with console.store.reading() as session:
        every = [(a, staff.is_locked(a, now)) for a in staff.every(session)]
    return console.render(request, "accounts.html", viewer, accounts=every)


def _int(value) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") and len(str(value)) < 10 else None
    except ValueError:
        return None


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
