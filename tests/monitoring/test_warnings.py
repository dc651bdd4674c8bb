"""`bot.py warnings`, `warning show`, `warning set-status`: listing, and staff's decision on a
rectification report; a rejected one is escalated to a case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from monitoring import escalate
from store import monitoring as store_monitoring
from store.models import AuditEvent, Case, EarlyWarning, Inbound, Notification
from store.store import Store
from tests.conftest import make_settings
from tests.monitoring.test_units import bot

DUE = datetime(2026, 12, 18, 15, 59, 59, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def warned(settings):
    store = Store.open(settings.store.url, settings.store.data_dir)
    with store.transaction() as session:
        unit = store_monitoring.add_unit(session, "县国土资源局", "tudi@xian.example", "land_mineral", "os:root")
        arrival = Inbound(channel="email", mailbox="smtp", raw_path="-", raw_sha256=store.blobs.put(b"From: x\r\n\r\n"),
                          raw_size=12, status="monitored")
        session.add(arrival)
        session.flush()
        notice = store_monitoring.add_notification(session, inbound_id=arrival.id, unit_id=unit.id, kind="land_deal",
                                                   status="checked", rows=3)
        store_monitoring.add_warning(session, EarlyWarning(
            number="YJ-2026-000001", unit_id=unit.id, notification_id=notice.id, due_at=DUE,
            findings=[{"rule": "L01", "rows": [2], "text": "land transferred by agreement", "more": 0}]))
    yield store
    store.close()


def test_warnings_are_listed_as_json_and_shown(settings, warned):
    listed = json.loads(bot(settings, "warnings", "--json").stdout)
    assert listed == [{"number": "YJ-2026-000001", "unit": "县国土资源局", "status": "open", "deadline": "2026-12-18",
                       "due_at": DUE.isoformat(), "calendar_confirmed": True, "case": None,
                       "findings": [{"rule": "L01", "rows": [2], "text": "land transferred by agreement"}]}]
    assert json.loads(bot(settings, "warnings", "--status", "rectified", "--json").stdout) == []
    assert bot(settings, "warnings", "--unit", "nobody").returncode == 1
    assert json.loads(bot(settings, "warning", "show", "YJ-2026-000001").stdout)["status"] == "open"


def test_only_a_rectified_warning_is_decided_and_a_rejected_one_becomes_a_case(settings, warned):
    refused = bot(settings, "warning", "set-status", "YJ-2026-000001", "accepted")
    assert refused.returncode == 2 and "only a rectified warning" in refused.stderr
    assert bot(settings, "warning", "set-status", "YJ-2026-000001", "escalated").returncode == 2
    with warned.transaction() as session:
        row = store_monitoring.warning(session, "YJ-2026-000001")
        store_monitoring.set_warning_status(session, row, "rectified", "system")
    decided = bot(settings, "warning", "set-status", "YJ-2026-000001", "rejected", "--reason", "整改不到位")
    assert decided.returncode == 0
    made, = escalate.escalate(warned, settings, now=DUE - timedelta(days=3))   # rejected: not waiting for the date
    with warned.reading() as session:
        case = session.exec(select(Case)).one()
        entries = session.exec(select(AuditEvent).where(AuditEvent.action == "warning.status")).all()
        notice = session.exec(select(Notification)).one()
    assert case.number == made and case.area == "land_mineral" and case.priority == 2
    assert [(e.details["to"], e.details["reason"]) for e in entries] == [
        ("rectified", None), ("rejected", "整改不到位"), ("escalated", "rectification rejected")]
    assert notice.kind == "land_deal"


def test_the_console_lists_warnings_and_a_supervisor_decides_a_rectification(settings, warned):
    from console.app import make_app
    from tests.console.conftest import Clock, csrf_of, sign_in

    clock = Clock()
    app = make_app(settings, warned, clock=clock)
    with warned.transaction() as session:
        row = store_monitoring.warning(session, "YJ-2026-000001")
        store_monitoring.set_warning_status(session, row, "rectified", "system")
    clerk, clerk_token = sign_in(app, warned, clock, "li", "clerk")
    page = clerk.get("/warnings").text
    assert "YJ-2026-000001" in page and "县国土资源局" in page and "L01" in page
    assert clerk.post("/warnings/YJ-2026-000001", data={"csrf_token": clerk_token,
                                                        "decision": "accepted"}).status_code == 404
    boss, token = sign_in(app, warned, clock, "boss", "supervisor")
    assert csrf_of(boss.get("/warnings").text) == token
    assert boss.post("/warnings/YJ-2026-000001", data={"decision": "accepted"}).status_code == 403
    done = boss.post("/warnings/YJ-2026-000001", data={"csrf_token": token, "decision": "accepted", "reason": "已整改"})
    assert done.status_code == 303
    with warned.reading() as session:
        assert store_monitoring.warning(session, "YJ-2026-000001").status == "accepted"


def test_stats_gives_each_units_notifications_and_warnings(settings, warned):
    with warned.transaction() as session:
        store_monitoring.add_unit(session, "县民政局", "minzheng@xian.example", "livelihood", "os:root")
    lines = json.loads(bot(settings, "stats", "--units", "--json").stdout)
    by_unit = {line["unit"]: line for line in lines}
    assert by_unit["县国土资源局"]["notifications"] == {"total": 1, "checked": 1, "rejected": 0, "rows": 3}
    assert by_unit["县国土资源局"]["warnings"]["total"] == 1 and by_unit["县国土资源局"]["warnings"]["open"] == 1
    assert by_unit["县民政局"]["warnings"]["total"] == 0
    csv_text = bot(settings, "stats", "--units", "--csv").stdout.splitlines()
    assert csv_text[0].startswith("unit,area,notifications_total") and len(csv_text) == 3
    assert bot(settings, "stats", "--units", "--from", "2099-01-01", "--json").returncode == 0
    later = json.loads(bot(settings, "stats", "--units", "--from", "2099-01-01", "--json").stdout)
    assert all(line["warnings"]["total"] == 0 for line in later)
