"""`bot.py warnings [--status S] [--unit U] [--json]`, `bot.py warning show YJ-…` and
`bot.py warning set-status YJ-… accepted|rejected [--reason TEXT]`: the early warnings sent to
units, and staff's decision on a unit's rectification report (audited; a rejected one is
escalated to a case by the scheduler)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from commands.context import actor, fail, open_store
from commands.table import json_text, out, render, safe
from config.schema import Settings
from store import monitoring
from store.models import MonitoredUnit, WarningStatus

DECISIONS = (WarningStatus.ACCEPTED, WarningStatus.REJECTED)


def summary(warning, unit: MonitoredUnit | None, zone: ZoneInfo) -> dict:
    return {"number": warning.number, "unit": unit.name if unit else None, "status": warning.status,
            "deadline": warning.due_at.astimezone(zone).date().isoformat(), "due_at": warning.due_at.isoformat(),
            "calendar_confirmed": warning.calendar_confirmed,
            "findings": [{"rule": f["rule"], "rows": f["rows"], "text": f["text"]} for f in warning.findings],
            "case": None}


def listing(settings: Settings, args) -> int:
    zone = ZoneInfo(settings.office.timezone)
    store = open_store(settings)
    try:
        with store.reading() as session:
            unit = monitoring.unit_named(session, args.unit) if args.unit else None
            if args.unit and unit is None:
                return fail(safe(f"no unit {args.unit}"))
            units = {u.id: u for u in monitoring.units(session)}
            rows = monitoring.warnings(session, args.status or (), unit.id if unit else None)
            data = [summary(w, units.get(w.unit_id), zone) for w in rows]
    finally:
        store.close()
    if args.json:
        print(json_text(data, indent=2))
        return 0
    out(render(["number", "unit", "status", "deadline", "rules"],
               [[d["number"], d["unit"] or "-", d["status"], d["deadline"],
                 " ".join(f["rule"] for f in d["findings"])] for d in data]), lines=True)
    return 0


def main(settings: Settings, args) -> int:
    zone = ZoneInfo(settings.office.timezone)
    store = open_store(settings)
    try:
        if args.warning_command == "show":
            with store.reading() as session:
                warning = monitoring.warning(session, args.number)
                if warning is None:
                    return fail(safe(f"no warning {args.number}"))
                data = summary(warning, session.get(MonitoredUnit, warning.unit_id), zone)
            print(json_text(data, indent=2))
            return 0
        if args.status not in DECISIONS:
            return fail(f"a warning's status is set to {' or '.join(DECISIONS)}; the rest follow by themselves", 2)
        with store.transaction() as session:
            warning = monitoring.warning(session, args.number, lock=True)
            if warning is None:
                return fail(safe(f"no warning {args.number}"))
            if warning.status != WarningStatus.RECTIFIED:
                return fail(safe(f"{args.number} is {warning.status}: only a rectified warning is decided"), 2)
            monitoring.set_warning_status(session, warning, args.status, actor(args), reason=args.reason)
        out(f"{args.number}: {args.status}" + (" (the scheduler makes it a case)" if args.status == "rejected" else ""))
        return 0
    finally:
        store.close()
