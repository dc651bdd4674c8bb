"""`bot.py evidence export|confirm`: a case's evidence as a verifiable bundle; staff confirmation."""

from __future__ import annotations

from pathlib import Path

from commands.context import actor, fail, open_store
from commands.table import out, safe
from config.schema import Settings
from store import audit, bundle, cases


def main(settings: Settings, args) -> int:
    if args.evidence_command == "confirm":
        return confirm(settings, args)
    store = open_store(settings)
    try:
        with store.transaction() as session:
            case = cases.by_number(session, args.case_number)
            if case is None:
                return fail(safe(f"no case {args.case_number}"))
            try:
                items = bundle.export(session, store.blobs, case, Path(args.out), actor(args))
            except ValueError as exc:
                return fail(safe(exc))
    finally:
        store.close()
    out(f"{args.out}: {len(items)} evidence items of {args.case_number}; check with: "
        f"unzip {args.out} -d DIR && cd DIR && sha256sum -c SHA256SUMS; its signed manifest: see README.txt there")
    return 0


def confirm(settings: Settings, args) -> int:
    """A staff member confirms items: each file is hashed again and the confirmation recorded."""
    store = open_store(settings)
    try:
        with store.transaction() as session:
            case = cases.by_number(session, args.case_number)
            if case is None:
                return fail(safe(f"no case {args.case_number}"))
            items = cases.evidence(session, case.id, args.items or ())
            missing = sorted(set(args.items or []) - {item.item for item in items})
            if missing:
                return fail(f"{args.case_number} has no evidence item {', '.join(map(str, missing))}", 2)
            for item in items:
                problem = store.blobs.check(item.sha256)
                if problem:
                    return fail(safe(f"item {item.item} cannot be confirmed: {problem}"))
            for item in items:
                audit.append(session, actor=actor(args), action="evidence.confirmed", subject_type="evidence",
                             subject_id=item.id, details={"case_id": case.id, "item": item.item,
                                                          "sha256": item.sha256})
    finally:
        store.close()
    out(f"{args.case_number}: confirmed {len(items)} evidence items")
    return 0
