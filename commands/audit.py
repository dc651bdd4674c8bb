"""`bot.py audit verify [--head N:HASH[:SIG]]`: the audit hash chain and its signatures, the
evidence records and every stored file's hash; `bot.py audit head`: the head to record elsewhere."""

from __future__ import annotations

import json

from commands.context import fail, open_store
from commands.table import out
from config.schema import Settings
from store import audit
from store.integrity import problems


def main(settings: Settings, args) -> int:
    if args.audit_command == "head":
        return head(settings, args)
    recorded = None
    if args.head:
        try:
            recorded = audit.Head.parse(args.head)
        except ValueError as exc:
            return fail(str(exc), 2)
    store = open_store(settings)
    try:
        with store.reading() as session:
            found = list(problems(session, store.blobs, head=recorded))
    finally:
        store.close()
    if found:
        # A problem can quote a stored file name or field: shown with out(), escaped.
        out(f"audit verify: FAILED; first problem: {found[0]}")
        for problem in found[1:20]:
            out(f"  also: {problem}")
        if len(found) > 20:
            print(f"  and {len(found) - 20} more")
        return 1
    print("audit verify: OK: the chain is intact, evidence matches its records, every stored file matches its hash")
    if recorded is not None:
        print(f"audit verify: OK: the log still extends the recorded head, entry {recorded.entry}")
    return 0


def head(settings: Settings, args) -> int:
    """The newest entry as N:HASH:SIGNATURE, given only for an intact, signed chain: a head worth
    recording is one that verifies."""
    store = open_store(settings)
    try:
        with store.reading() as session:
            broken = next(iter(audit.check_chain(session)), None)
            current = audit.head(session)
    finally:
        store.close()
    if broken is not None:
        return fail(f"audit head: the chain is broken at entry {broken.event_id}: {broken.reason}; "
                    "run `audit verify`")
    if args.json:
        print(json.dumps({"entry": current.entry, "hash": current.hash, "signature": current.signature,
                          "key_id": current.key_id, "at": current.at.isoformat() if current.at else None,
                          "head": str(current)}))
    else:
        print(current)
    return 0
