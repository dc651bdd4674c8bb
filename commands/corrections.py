"""`bot.py corrections export [--out FILE]`: the cases whose labels staff corrected, one JSON line
each in the classifier corpus's format (classifier/data/README.md), with what the classifier had
said and who corrected it: training data for the next model. The texts are the reports as they
came, reporters' details and all: the file is readable by the bot's user only."""

from __future__ import annotations

import sys

from commands.context import open_store
from commands.table import json_text
from config.schema import Settings
from store import audit, cases


def main(settings: Settings, args) -> int:
    lines = collect(settings)
    text = "".join(json_text(line) + "\n" for line in lines)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"{len(lines)} corrected cases written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def collect(settings: Settings) -> list[dict]:
    """Every corrected case, read from the configured store."""
    store = open_store(settings)
    try:
        return list(export(store))
    finally:
        store.close()


def export(store):
    with store.reading() as session:
        corrections: dict[str, dict] = {}
        for event in audit.with_action(session, "case.labelled"):
            entry = corrections.setdefault(event.subject_id, {"classifier": {}, "by": [], "at": None})
            for name, change in event.details.get("changes", {}).items():
                entry["classifier"].setdefault(name, change["from"])
            entry["by"].append(event.actor)
            entry["at"] = event.at.isoformat()
        for case_id, entry in corrections.items():
            case = cases.get(session, int(case_id))
            first = next(iter(cases.messages(session, case.id)), None)
            yield {
                "id": case.number, "lang": case.language, "subject": first.subject if first else case.subject,
                "text": first.text if first else "", "kind": case.kind,
                "area": case.area if case.kind == "report" else None,
                "violation": case.violation if case.kind == "report" else None,
                "priority": case.priority, "real_name": case.real_name,
                "classifier": entry["classifier"], "corrected_by": sorted(set(entry["by"])),
                "corrected_at": entry["at"],
            }
