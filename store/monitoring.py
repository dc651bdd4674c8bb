"""The monitoring of key areas in the store: units, notifications, the rows the rules compare,
early warnings and the officials list; every query the rules make of a unit's history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, insert, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from store import audit
from store.models import (
    EarlyWarning,
    MonitoredRecord,
    MonitoredUnit,
    Notification,
    OfficialEntry,
    WarningStatus,
    utcnow,
)
from store.reporters import normalised
from store.sealed import keyring_of

BATCH = 2000


def keyed(session: Session, purpose: str, value: str) -> str:
    return keyring_of(session.get_bind().dialect).lookup(f"{purpose}:{value}")


def address_key(session: Session, address: str) -> str:
    return keyed(session, "unit", normalised(address))


def party_key(session: Session, value: str) -> str:
    """A winner's, buyer's or recipient's keyed hash: equal names (or ID numbers) meet, none is stored."""
    return keyed(session, "party", value.strip().upper())


# -- units ---------------------------------------------------------------------------------------

def add_unit(session: Session, name: str, address: str, area: str, actor: str) -> MonitoredUnit:
    unit = MonitoredUnit(name=name, address=address, address_key=address_key(session, address), area=area)
    session.add(unit)
    session.flush()
    audit.append(session, actor=actor, action="unit.added", subject_type="unit", subject_id=unit.id,
                 details={"name": name, "area": area})
    return unit


def unit_named(session: Session, name: str) -> MonitoredUnit | None:
    return session.exec(select(MonitoredUnit).where(MonitoredUnit.name == name)).one_or_none()


def unit_at(session: Session, address: str) -> MonitoredUnit | None:
    """The enabled unit that sends from ADDRESS."""
    return session.exec(select(MonitoredUnit).where(MonitoredUnit.address_key == address_key(session, address),
                                                    MonitoredUnit.disabled.is_(False))).one_or_none()


def units(session: Session) -> list[MonitoredUnit]:
    return list(session.exec(select(MonitoredUnit).order_by(MonitoredUnit.name)))


def disable_unit(session: Session, unit: MonitoredUnit, actor: str) -> None:
    unit.disabled = True
    session.add(unit)
    audit.append(session, actor=actor, action="unit.disabled", subject_type="unit", subject_id=unit.id,
                 details={"name": unit.name})


# -- notifications and their rows ----------------------------------------------------------------

def add_notification(session: Session, **fields) -> Notification:
    row = Notification(**fields)
    session.add(row)
    session.flush()
    return row


def add_records(session: Session, records: Iterable[dict]) -> int:
    """Insert RECORDS (MonitoredRecord's columns) in batches; how many."""
    total, batch = 0, []
    table = MonitoredRecord.__table__
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            session.execute(insert(table), batch)
            total, batch = total + len(batch), []
    if batch:
        session.execute(insert(table), batch)
        total += len(batch)
    return total


def rows_of(session: Session, notification_id: int) -> list[MonitoredRecord]:
    """The typed columns of a notification's rows (not their sealed values), in file order."""
    columns = [c for c in MonitoredRecord.__table__.c if c.name != "values"]
    query = select(*columns).where(MonitoredRecord.notification_id == notification_id).order_by(MonitoredRecord.row)
    return [MonitoredRecord.model_construct(**row._mapping) for row in session.exec(query)]


def unit_rows(session: Session, unit_id: int, kind: str, since: date, until: date) -> list[MonitoredRecord]:
    """The typed columns of a unit's rows of KIND dated in [SINCE, UNTIL]."""
    columns = [c for c in MonitoredRecord.__table__.c if c.name != "values"]
    query = select(*columns).where(MonitoredRecord.unit_id == unit_id, MonitoredRecord.kind == kind,
                                   MonitoredRecord.day >= since, MonitoredRecord.day <= until)
    query = query.order_by(MonitoredRecord.day)
    return [MonitoredRecord.model_construct(**row._mapping) for row in session.exec(query)]


def repeated_payouts(session: Session, notification_id: int) -> list[int]:
    """Rows of the notification paying an ID number that is paid again in the same programme and
    month (in this file or any earlier one)."""
    other = aliased(MonitoredRecord)
    query = (select(MonitoredRecord.row).where(
        MonitoredRecord.notification_id == notification_id, MonitoredRecord.kind == "livelihood_payout",
        select(other.id).where(other.kind == "livelihood_payout", other.party_key == MonitoredRecord.party_key,
                               other.ref == MonitoredRecord.ref, other.month == MonitoredRecord.month,
                               other.id != MonitoredRecord.id).exists())
             .order_by(MonitoredRecord.row))
    return list(session.exec(query))


def payouts_above(session: Session, notification_id: int, ceilings: dict[str, int]) -> list[int]:
    """Rows paying more than their programme's ceiling (fen)."""
    if not ceilings:
        return []
    over = [and_(MonitoredRecord.ref == program, MonitoredRecord.amount_fen > limit)
            for program, limit in ceilings.items()]
    query = (select(MonitoredRecord.row).where(MonitoredRecord.notification_id == notification_id, or_(*over))
             .order_by(MonitoredRecord.row))
    return list(session.exec(query))


def paid_to_officials(session: Session, notification_id: int) -> list[int]:
    query = (select(MonitoredRecord.row).where(MonitoredRecord.notification_id == notification_id,
                                               MonitoredRecord.party_key.in_(select(OfficialEntry.id_key)))
             .order_by(MonitoredRecord.row))
    return list(session.exec(query))


def import_officials(session: Session, id_numbers: Iterable[str], actor: str, source: str) -> int:
    """Add the keyed hashes of ID_NUMBERS to the officials list; how many were new."""
    known = set(session.exec(select(OfficialEntry.id_key)))
    added = 0
    for number in id_numbers:
        key = party_key(session, number)
        if key not in known:
            session.add(OfficialEntry(id_key=key))
            known.add(key)
            added += 1
    audit.append(session, actor=actor, action="monitoring.officials_imported", subject_type="monitoring",
                 subject_id="-", details={"added": added, "file": source})
    return added


# -- early warnings ------------------------------------------------------------------------------

def add_warning(session: Session, row: EarlyWarning) -> EarlyWarning:
    session.add(row)
    session.flush()
    audit.append(session, actor="system", action="warning.issued", subject_type="warning", subject_id=row.id,
                 details={"number": row.number, "unit": row.unit_id, "rules": [f["rule"] for f in row.findings],
                          "due_at": row.due_at.isoformat()})
    return row


def warning(session: Session, number: str, *, lock: bool = False) -> EarlyWarning | None:
    query = select(EarlyWarning).where(EarlyWarning.number == number)
    if lock:
        query = query.with_for_update()
    return session.exec(query).one_or_none()


def warnings(session: Session, statuses: Sequence[str] = (), unit_id: int | None = None) -> list[EarlyWarning]:
    query = select(EarlyWarning)
    if statuses:
        query = query.where(EarlyWarning.status.in_(statuses))
    if unit_id is not None:
        query = query.where(EarlyWarning.unit_id == unit_id)
    return list(session.exec(query.order_by(EarlyWarning.id)))


def warning_answered(session: Session, message_ids: Sequence[str]) -> EarlyWarning | None:
    if not message_ids:
        return None
    return session.exec(select(EarlyWarning).where(EarlyWarning.message_id.in_(message_ids))).first()


def set_warning_status(session: Session, row: EarlyWarning, status: str, actor: str, reason: str | None = None,
                       **details) -> None:
    before = row.status
    row.status = status
    row.updated_at = utcnow()
    session.add(row)
    audit.append(session, actor=actor, action="warning.status", subject_type="warning", subject_id=row.id,
                 details={"number": row.number, "from": before, "to": status, "reason": reason, **details})


def overdue_warnings(session: Session, now: datetime) -> list[EarlyWarning]:
    """Open warnings past their deadline, and rejected rectifications, not yet escalated."""
    query = select(EarlyWarning).where(
        ((EarlyWarning.status == WarningStatus.OPEN) & (EarlyWarning.due_at < now))
        | (EarlyWarning.status == WarningStatus.REJECTED)).with_for_update()
    return list(session.exec(query.order_by(EarlyWarning.id)))


def counts_by_unit(session: Session) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for unit_id, status, n in session.exec(select(EarlyWarning.unit_id, EarlyWarning.status,
                                                  func.count(EarlyWarning.id)).group_by(EarlyWarning.unit_id,
                                                                                         EarlyWarning.status)):
        found.setdefault(unit_id, {})[status] = n
    return found


def notifications_by_unit(session: Session, limit: int = 500) -> dict[int, list[Notification]]:
    """Each unit's newest notifications, newest first."""
    found: dict[int, list[Notification]] = {}
    for row in session.exec(select(Notification).where(Notification.unit_id.is_not(None))
                            .order_by(Notification.id.desc()).limit(limit)):
        found.setdefault(row.unit_id, []).append(row)
    return found


def unit_figures(session: Session, since: datetime | None, until: datetime | None, now: datetime) -> list[dict]:
    """Per unit: notifications (checked, rejected, their rows) received in [SINCE, UNTIL), and the
    early warnings issued then by status, with those open past their deadline at NOW."""
    notices = select(Notification.unit_id, Notification.status, func.count(Notification.id),
                     func.coalesce(func.sum(Notification.rows), 0)).where(Notification.unit_id.is_not(None))
    warned = select(EarlyWarning.unit_id, EarlyWarning.status, func.count(EarlyWarning.id))
    late = select(EarlyWarning.unit_id, func.count(EarlyWarning.id)).where(
        EarlyWarning.status == WarningStatus.OPEN, EarlyWarning.due_at < now)
    if since is not None:
        notices = notices.where(Notification.received_at >= since)
        warned = warned.where(EarlyWarning.created_at >= since)
        late = late.where(EarlyWarning.created_at >= since)
    if until is not None:
        notices = notices.where(Notification.received_at < until)
        warned = warned.where(EarlyWarning.created_at < until)
        late = late.where(EarlyWarning.created_at < until)
    figures = {u.id: {"unit": u.name, "area": u.area, "disabled": u.disabled,
                      "notifications": {"total": 0, "checked": 0, "rejected": 0, "rows": 0},
                      "warnings": {"total": 0, **{s.value: 0 for s in WarningStatus}, "overdue": 0}}
               for u in units(session)}
    for unit_id, status, count, rows in session.exec(notices.group_by(Notification.unit_id, Notification.status)):
        line = figures[unit_id]["notifications"]
        line["total"] += count
        line[status] = line.get(status, 0) + count
        line["rows"] += rows
    for unit_id, status, count in session.exec(warned.group_by(EarlyWarning.unit_id, EarlyWarning.status)):
        figures[unit_id]["warnings"]["total"] += count
        figures[unit_id]["warnings"][status] += count
    for unit_id, count in session.exec(late.group_by(EarlyWarning.unit_id)):
        figures[unit_id]["warnings"]["overdue"] = count
    return list(figures.values())
