"""Where the email intake hands over what is sent to the monitoring address: a registered unit's
notification is taken (monitoring/notifications.py) and answered with a receipt, its problems or
an early warning; a unit's reply to a warning is its rectification report; anything else is kept
and its sender, if verified, told once that the address is for registered units only.

The pipeline knows this desk only as one of its `desks` (intake.pipeline.worker.Desk), given to
it by the command that runs it: intake does not import monitoring."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session

from cases.calendar import WorkCalendar
from cases.deadlines import calendar_for
from config.schema import Settings
from monitoring import notifications
from responders.monitoring import queue_to_unit
from store import audit, outbox, reporters
from store import monitoring as store
from store.blobs import BlobStore
from store.models import (
    EarlyWarning,
    Inbound,
    InboundStatus,
    NotificationStatus,
    WarningStatus,
    utcnow,
)
from store.sequence import next_value

WARNING_NUMBER = re.compile(r"\bYJ-\d{4}-\d{6}\b")
TABLE_ORIGINS = ("attachment",)


def _audit(session: Session, notification, rules: list[str]) -> None:
    audit.append(session, actor="system", action="notification.received", subject_type="notification",
                 subject_id=notification.id,
                 details={"inbound_id": notification.inbound_id, "unit": notification.unit_id,
                          "kind": notification.kind, "status": notification.status, "rows": notification.rows,
                          "problems": notification.problem_count, "rules": rules})


class MonitoringDesk:
    """Takes the messages addressed to [monitoring] address."""

    def __init__(self, settings: Settings, blobs: BlobStore, calendar: WorkCalendar | None = None):
        self.settings = settings
        self.blobs = blobs
        self.calendar = calendar
        self.address = reporters.normalised(settings.monitoring.address)

    def takes(self, row: Inbound) -> bool:
        # The envelope says where the mail was delivered (SMTP, or the IMAP mailbox's address); a
        # report that only copies the monitoring address in its headers is still a report.
        recipients = row.envelope_to if row.channel == "email" else []
        return any(reporters.normalised(r) == self.address for r in recipients if r)

    def handle(self, session: Session, row: Inbound, prep) -> str:
        sub = prep.sub
        sender = sub.sender or ""
        unit = store.unit_at(session, sender) if sender and prep.verified_by is not None else None
        if unit is None:
            return self._stranger(session, row, prep)
        replied = store.warning_answered(session, [*([sub.in_reply_to] if sub.in_reply_to else []),
                                                   *(sub.references or [])])
        if replied is None:
            quoted = WARNING_NUMBER.findall(f"{sub.subject or ''}\n{sub.text or ''}")
            replied = next((w for w in (store.warning(session, n) for n in quoted[:3])
                            if w is not None and w.unit_id == unit.id), None)
        if replied is not None and replied.unit_id == unit.id:
            return self._rectified(session, row, prep, unit, replied)
        files = [(item.original_name, item.declared_type, self.blobs.read(item.sha256))
                 for item in prep.items if item.origin in TABLE_ORIGINS]
        taken = notifications.take(session, self.settings.monitoring, unit, row.id, sub.subject, files)
        _audit(session, taken.notification, [f.rule for f in taken.findings])
        answer = dict(recipient=sender, unit=unit.name, received=row.received_at, inbound_id=row.id,
                      in_reply_to=sub.message_id, kind=taken.notification.kind)
        if taken.notification.status == NotificationStatus.REJECTED:
            queue_to_unit(session, self.settings, "notification_rejected", reason=taken.reason,
                          count=taken.problem_count,
                          problems=[{"row": r, "column": c, "what": w} for r, c, w in taken.problems], **answer)
        elif taken.findings:
            self._warn(session, unit, taken, answer)
        else:
            queue_to_unit(session, self.settings, "receipt", rows=taken.notification.rows, **answer)
        return InboundStatus.MONITORED

    def _warn(self, session: Session, unit, taken, answer: dict) -> EarlyWarning:
        days = self.settings.monitoring.rectification_days
        calendar = calendar_for(session, self.settings, self.calendar)
        due = calendar.due(utcnow(), days)
        year = calendar.local_date(utcnow()).year
        number = f"YJ-{year}-{next_value(session, f'warning-{year}'):06d}"
        findings = [f.as_dict() for f in taken.findings]
        notice = queue_to_unit(session, self.settings, "warning", number=number, findings=findings, days=days,
                               due_at=due.at, **answer)
        return store.add_warning(session, EarlyWarning(
            number=number, unit_id=unit.id, notification_id=taken.notification.id, findings=findings,
            due_at=due.at, calendar_confirmed=due.calendar_confirmed, message_id=notice.message_id))

    def _rectified(self, session: Session, row: Inbound, prep, unit, warning: EarlyWarning) -> str:
        if warning.status == WarningStatus.OPEN:
            warning.rectified_inbound_id = row.id
            store.set_warning_status(session, warning, WarningStatus.RECTIFIED, "system", inbound_id=row.id)
        queue_to_unit(session, self.settings, "rectification_received", recipient=prep.sub.sender, unit=unit.name,
                      received=row.received_at, inbound_id=row.id, in_reply_to=prep.sub.message_id,
                      number=warning.number)
        return InboundStatus.MONITORED

    def _stranger(self, session: Session, row: Inbound, prep) -> str:
        _audit(session, store.add_notification(session, inbound_id=row.id, unit_id=None,
                                               status=NotificationStatus.REFUSED), [])
        sender = prep.sub.sender
        # Told once, and only a sender we believe: never a mail cannon against a forged address.
        if sender and prep.verified_by is not None and reporters.normalised(sender) not in self._own() \
                and outbox.replies_since(session, utcnow() - timedelta(days=365), "email", sender) == 0:
            queue_to_unit(session, self.settings, "not_a_unit", recipient=sender, unit=None,
                          received=row.received_at, inbound_id=row.id, in_reply_to=prep.sub.message_id)
        return InboundStatus.MONITORED

    def _own(self) -> set[str]:
        return {reporters.normalised(a) for a in self.settings.own_addresses()} | {self.address}
