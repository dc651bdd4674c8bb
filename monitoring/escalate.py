"""Escalation: an early warning whose deadline passed without a rectification report, or whose
rectification staff rejected, becomes a case for staff (priority 2) with the notification, the
findings and any rectification report as its evidence. Run by `bot.py run` beside the deadline
scheduler; time is read through store.models.utcnow, so a test or libfaketime moves it."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime

from sqlmodel import Session

from cases.deadlines import every
from config.schema import Settings
from store import audit, evidence, inbound, models
from store import monitoring as store_monitoring
from store.blobs import BlobStore
from store.models import Case, CaseMessage, CaseStatus, EarlyWarning, MonitoredUnit, Notification, WarningStatus
from store.sequence import case_number
from store.store import Store

log = logging.getLogger(__name__)
KIND_OF_AREA = {"engineering_award": "engineering_construction", "engineering_change": "engineering_construction",
                "land_deal": "land_mineral", "livelihood_payout": "livelihood"}


def escalate(store: Store, settings: Settings, now: datetime | None = None) -> list[str]:
    """Escalate every warning that is due for it; the numbers of the cases made."""
    now = now or models.utcnow()     # through the module, so a test or libfaketime moves it
    made = []
    with store.transaction() as session:
        for warning in store_monitoring.overdue_warnings(session, now):
            made.append(_case_of(session, store.blobs, settings, warning, now).number)
    return made


def _case_of(session: Session, blobs: BlobStore, settings: Settings, warning: EarlyWarning, now: datetime) -> Case:
    unit = session.get(MonitoredUnit, warning.unit_id)
    notification = session.get(Notification, warning.notification_id)
    why = "rectification rejected" if warning.status == WarningStatus.REJECTED else "no rectification by the deadline"
    subject = f"预警 {warning.number} 转办：{unit.name}（{why}）"
    text = "\n".join([f"预警 {warning.number}，{unit.name}，截止 {warning.due_at.isoformat()}，{why}。", "",
                      *(f"{f['rule']} {f['text']}：第 {', '.join(map(str, f['rows']))} 行" for f in warning.findings)])
    case = Case(number=case_number(session, settings.office.case_prefix, now.year), kind="report",
                area=KIND_OF_AREA.get(notification.kind or "", unit.area), violation="other", priority=2,
                language=settings.office.default_language, channel="monitoring", status=CaseStatus.NEW,
                subject=subject, query_code_hash="-", sender_verified=True, created_at=now, updated_at=now)
    session.add(case)
    session.flush()
    session.add(CaseMessage(case_id=case.id, inbound_id=notification.inbound_id, role="report", subject=subject,
                            text=text, created_at=now))
    arrivals = [a for a in inbound.by_ids(session, [notification.inbound_id,
                                                   *([warning.rectified_inbound_id] if warning.rectified_inbound_id
                                                     else [])])]
    findings = json.dumps({"warning": warning.number, "unit": unit.name, "due_at": warning.due_at.isoformat(),
                           "findings": warning.findings}, ensure_ascii=False, indent=2).encode("utf-8")
    items = [evidence.Item(a.raw_sha256, a.raw_size, "raw-message", "message/rfc822", "message/rfc822",
                           None) for a in arrivals]
    items.append(evidence.Item(blobs.put(findings), len(findings), "warning-findings", "application/json",
                               "application/json", f"{warning.number}-findings.json"))
    evidence.add_items(session, case_id=case.id, inbound_id=notification.inbound_id, items=items,
                       source=f"monitoring:{warning.number}")
    audit.append(session, actor="system", action="case.filed", subject_type="case", subject_id=case.id,
                 details={"number": case.number, "kind": "report", "priority": 2, "warning": warning.number})
    warning.case_id = case.id
    store_monitoring.set_warning_status(session, warning, WarningStatus.ESCALATED, "system", reason=why,
                                        case=case.number)
    return case


async def run(store: Store, settings: Settings, stop: asyncio.Event) -> None:
    """Escalate due warnings every [procedure] check_seconds until STOP."""
    def said(made: list[str]) -> None:
        if made:
            log.info("escalated %d early warnings to cases", len(made))

    await every(settings.procedure.check_seconds, stop, lambda: escalate(store, settings), said,
                "escalating early warnings")
