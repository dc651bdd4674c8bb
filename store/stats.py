"""Figures for `bot.py stats`, counted by the database: cases per group, open (the queue's own
CaseStatus.open_ones()), overdue, real-name; and when each case was first accepted and concluded,
from the audit log's `case.status` entries (whose details hold from and to).

The filters mean what they mean in the queue (store.cases.queue), so that `stats` and `queue`
give the same numbers for the same store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, null, or_
from sqlmodel import Session, func, select

from store.models import AuditEvent, Case, CaseStatus

GROUPS = ("month", "area", "violation", "channel", "kind", "status")
# The first change into one of these is the acceptance (assigned: before the procedure had
# `accepted`); the first into `concluded` is the conclusion.
ACCEPTED = ("accepted", "assigned", "investigating")
CONCLUDED = ("concluded",)


@dataclass(frozen=True)
class Scope:
    """Which cases count: received in [since, until), and the queue's filters."""

    since: datetime | None = None
    until: datetime | None = None
    kinds: Sequence[str] = ()
    areas: Sequence[str] = ()
    violations: Sequence[str] = ()
    channels: Sequence[str] = ()
    priority: int | None = None     # at most this number (1 is the most urgent), as in the queue


@dataclass(frozen=True)
class Count:
    group: str | None
    total: int
    open: int
    overdue: int
    real_name: int


@dataclass(frozen=True)
class Timing:
    group: str | None
    received: datetime
    accepted: datetime | None
    concluded: datetime | None


def gather(session: Session, scope: Scope, *, now: datetime, by: str | None = None,
           zone: ZoneInfo | None = None) -> tuple[list[Count], list[Timing]]:
    """Counts per group (one group, None, without BY) and the timings of every case accepted or
    concluded. Months are the office's local months (ZONE)."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"cannot group by {by!r}")
    group = _group(session, scope, by, zone) if by else null()
    # Grouped over a subquery, so the month (a CASE over instants) is written once.
    rows = _within(select(group.label("bucket"), Case.id, Case.status, Case.due_at, Case.real_name), scope).subquery()
    open_ = rows.c.status.in_(CaseStatus.open_ones())
    overdue = open_ & rows.c.due_at.is_not(None) & (rows.c.due_at < now)
    query = select(
        rows.c.bucket if by else null(),
        func.count(rows.c.id),
        func.sum(case((open_, 1), else_=0)),
        func.sum(case((overdue, 1), else_=0)),
        func.sum(case((rows.c.real_name, 1), else_=0)),
    )
    if by:
        query = query.group_by(rows.c.bucket)
    counts = [Count(g, total, int(o or 0), int(late or 0), int(real or 0))
              for g, total, o, late, real in session.exec(query).all() if total]

    accepted, concluded = _first_change(ACCEPTED, "accepted"), _first_change(CONCLUDED, "concluded")
    reference = cast(Case.id, String)
    query = _within(
        select(group.label("group"), Case.created_at, accepted.c.at, concluded.c.at)
        .outerjoin(accepted, accepted.c.ref == reference)
        .outerjoin(concluded, concluded.c.ref == reference)
        .where(or_(accepted.c.at.is_not(None), concluded.c.at.is_not(None))), scope)
    timings = [Timing(*row) for row in session.exec(query).all()]
    return counts, timings


def _within(query, scope: Scope):
    if scope.since is not None:
        query = query.where(Case.created_at >= scope.since)
    if scope.until is not None:
        query = query.where(Case.created_at < scope.until)
    for column, wanted in ((Case.kind, scope.kinds), (Case.area, scope.areas), (Case.violation, scope.violations),
                           (Case.channel, scope.channels)):
        if wanted:
            query = query.where(column.in_(wanted))
    if scope.priority:
        query = query.where(Case.priority <= scope.priority)
    return query


def _first_change(statuses: Sequence[str], name: str):
    """(ref: the case id as the audit log writes it, at: the first change into STATUSES)."""
    to = AuditEvent.details["to"].as_string()
    return (select(AuditEvent.subject_id.label("ref"), func.min(AuditEvent.at).label("at"))
            .where(AuditEvent.action == "case.status", AuditEvent.subject_type == "case", to.in_(statuses))
            .group_by(AuditEvent.subject_id).subquery(name))


def _group(session: Session, scope: Scope, by: str, zone: ZoneInfo | None):
    if by != "month":
        return getattr(Case, by)
    # A local month is a range of instants: the database compares instants on every backend,
    # where its own date functions would count months in UTC.
    zone = zone or ZoneInfo("UTC")
    first, last = session.exec(_within(select(func.min(Case.created_at), func.max(Case.created_at)), scope)).one()
    if first is None:
        return null()
    year, month = first.astimezone(zone).year, first.astimezone(zone).month
    end = last.astimezone(zone)
    whens = []
    while (year, month) <= (end.year, end.month):
        start = datetime(year, month, 1, tzinfo=zone)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        stop = datetime(year, month, 1, tzinfo=zone)
        whens.append(((Case.created_at >= start) & (Case.created_at < stop), f"{start:%Y-%m}"))
    return case(*whens, else_=None)
