"""Taking one notification: its one attached table is read, every row validated, and only a file
without a single problem is kept row by row and checked by the rules. Rows go to the store as
they are read, inside a savepoint that is rolled back at the first sign the file has a problem,
so nothing is ever half imported and memory does not grow with the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session

from config.schema import MonitoringSettings
from monitoring import columns, read, rules, validate
from store import monitoring as store
from store.models import MonitoredUnit, Notification, NotificationStatus

# Which column of each type goes where the rules compare it.
FIELDS = {
    "engineering_award": {"ref": "project_id", "party": "winner", "method": "procurement_method",
                          "amount": "winning_bid_yuan", "base": "budget_yuan", "bidders": "bidder_count",
                          "days": "tender_days", "day": "award_date"},
    "engineering_change": {"ref": "project_id", "amount": "change_yuan", "base": "contract_yuan", "day": "change_date"},
    "land_deal": {"ref": "parcel_id", "party": "buyer", "method": "method", "amount": "deal_yuan",
                  "base": "appraised_yuan", "bidders": "bidder_count", "day": "deal_date"},
    "livelihood_payout": {"ref": "program", "party": "recipient_id_number", "amount": "amount_yuan",
                          "day": "payout_date"},
}


@dataclass
class Taken:
    notification: Notification
    findings: list[rules.Finding] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    problem_count: int = 0
    reason: str | None = None        # why the file as a whole could not be taken


def _fen(value) -> int | None:
    return None if value is None else int((Decimal(value) * 100).to_integral_value())


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value) if isinstance(value, Decimal) else value


def as_row(session: Session, kind: str, unit_id: int, notification_id: int, number: int, record: dict) -> dict:
    where = FIELDS[kind]

    def field(name: str):
        return record.get(where[name]) if name in where else None

    day, party = field("day"), field("party")
    return {
        "notification_id": notification_id, "unit_id": unit_id, "kind": kind, "row": number,
        "ref": str(field("ref"))[:255], "party_key": store.party_key(session, party) if party else None,
        "method": field("method"), "amount_fen": _fen(field("amount")), "base_fen": _fen(field("base")),
        "bidders": field("bidders"), "days": field("days"), "day": day, "month": day.isoformat()[:7],
        "values": {name: _plain(value) for name, value in record.items()},
    }


def take(session: Session, settings: MonitoringSettings, unit: MonitoredUnit, inbound_id: int, subject: str | None,
         files: list[tuple[str | None, str | None, bytes]]) -> Taken:
    """Take the notification of UNIT that arrived as INBOUND_ID with FILES (name, type, bytes)."""
    def rejected(reason: str | None = None, kind: str | None = None, problems: validate.Problems | None = None):
        problems = problems or validate.Problems()
        row = store.add_notification(session, inbound_id=inbound_id, unit_id=unit.id, kind=kind,
                                     status=NotificationStatus.REJECTED, rows=0,
                                     problems=[{"row": r, "column": c, "what": w} for r, c, w in problems.items],
                                     problem_count=problems.count or (1 if reason else 0))
        return Taken(row, problems=problems.items, problem_count=problems.count, reason=reason)

    if len(files) != 1:
        return rejected(f"a notification carries exactly one table; this one has {len(files)} attachments")
    name, media_type, data = files[0]
    if len(data) > settings.max_file_bytes:
        return rejected(f"the file is larger than {settings.max_file_bytes} bytes")
    try:
        table = read.open_table(data, name, media_type)
        kind = columns.type_of(table.header, subject)
        if kind is None:
            return rejected("the type of the notification is neither in its columns nor in its subject "
                            f"(one of: {', '.join(columns.TYPES)})")
        problems = validate.Problems()
        notification = store.add_notification(session, inbound_id=inbound_id, unit_id=unit.id, kind=kind,
                                              status=NotificationStatus.CHECKED)
        savepoint = session.begin_nested()
        rows = (as_row(session, kind, unit.id, notification.id, number, record)
                for number, record in validate.records(kind, table.header, table.rows, problems))
        count = store.add_records(session, _while_clean(rows, problems))
    except read.Unreadable as exc:
        if "savepoint" not in locals():
            return rejected(str(exc))
        savepoint.rollback()
        return _reject(session, notification, problems, str(exc))
    if problems.count:
        savepoint.rollback()
        return _reject(session, notification, problems)
    savepoint.commit()
    notification.rows = count
    session.add(notification)
    session.flush()
    return Taken(notification, findings=rules.check(session, settings, kind, unit.id, notification.id))


def _reject(session: Session, notification: Notification, problems: validate.Problems,
            reason: str | None = None) -> Taken:
    """The notification stays, rejected, with its problems; none of its rows does."""
    notification.status = NotificationStatus.REJECTED
    notification.problems = [{"row": r, "column": c, "what": w} for r, c, w in problems.items]
    notification.problem_count = problems.count or 1
    session.add(notification)
    return Taken(notification, problems=problems.items, problem_count=problems.count, reason=reason)


def _while_clean(rows, problems: validate.Problems):
    """ROWS until the first problem: after it, nothing more is stored (the rest is still
    validated, so the reply can list every problem)."""
    for row in rows:
        if problems.count == 0:
            yield row
