"""`bot.py unit add|list|disable|template` and `bot.py monitoring officials import`: the units
that notify the office of their key-area projects, the tables they send, and the officials list
the payout rules compare recipients with."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from classifier.labels import AREAS
from commands.context import actor, fail, open_store
from commands.table import out, render, safe
from config.schema import Settings
from monitoring.columns import TYPES, template
from monitoring.validate import id_number_ok
from store import monitoring
from store.reporters import normalised


def main(settings: Settings, args) -> int:
    if args.unit_command == "template":
        if args.type not in TYPES:
            return fail(f"unknown type {args.type!r}; one of: {', '.join(TYPES)}", 2)
        sys.stdout.write(template(args.type))
        return 0
    store = open_store(settings)
    try:
        if args.unit_command == "add":
            return add(store, args)
        if args.unit_command == "list":
            return listing(store)
        with store.transaction() as session:
            unit = monitoring.unit_named(session, args.name)
            if unit is None:
                return fail(safe(f"no unit {args.name}"))
            monitoring.disable_unit(session, unit, actor(args))
        out(f"{args.name}: disabled; what it sends now is answered as from a stranger")
        return 0
    finally:
        store.close()


def add(store, args) -> int:
    if args.area not in AREAS:
        return fail(f"--area: one of {', '.join(AREAS)}", 2)
    address = normalised(args.address)
    if "@" not in address or any(ch in address for ch in " <>,;\r\n"):
        return fail(f"--address: not an email address: {safe(args.address)}", 2)
    with store.transaction() as session:
        if monitoring.unit_named(session, args.name) is not None:
            return fail(safe(f"there is already a unit {args.name}"))
        if monitoring.unit_at(session, address) is not None:
            return fail(safe(f"{address} is already another unit's address"))
        monitoring.add_unit(session, args.name, address, args.area, actor(args))
    out(f"{args.name}: registered, notifying from {address} ({args.area})")
    return 0


def listing(store) -> int:
    with store.reading() as session:
        rows = [[u.name, u.address, u.area, "disabled" if u.disabled else "active"] for u in monitoring.units(session)]
    out(render(["unit", "address", "area", "state"], rows), lines=True)
    return 0


def officials(settings: Settings, args) -> int:
    """`bot.py monitoring officials import FILE`: one identity number per line, or a CSV with an
    id_number column; only their keyed hashes are kept."""
    text = Path(args.file).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    if lines and "id_number" in lines[0].lower():
        reader = csv.DictReader(io.StringIO(text))
        numbers = [row.get("id_number", "").strip() for row in reader]
    else:
        numbers = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    bad = [n for n, value in enumerate(numbers, start=1) if not id_number_ok(value)]
    if bad:
        return fail(f"{args.file}: not valid identity numbers at entries {', '.join(map(str, bad[:20]))}", 2)
    store = open_store(settings)
    try:
        with store.transaction() as session:
            added = monitoring.import_officials(session, numbers, actor(args), Path(args.file).name)
    finally:
        store.close()
    out(f"{added} new entries on the officials list ({len(numbers)} in the file)")
    return 0
