"""`bot.py audit verify`: the audit hash chain, the evidence records and every stored file's hash."""

from __future__ import annotations

from commands.context import open_store
from config.schema import Settings
from store.integrity import problems


def main(settings: Settings, args) -> int:
    store = open_store(settings)
    try:
        with store.reading() as session:
            found = list(problems(session, store.blobs))
    finally:
        store.close()
    if found:
        print(f"audit verify: FAILED; first problem: {found[0]}")
        for problem in found[1:20]:
            print(f"  also: {problem}")
        if len(found) > 20:
            print(f"  and {len(found) - 20} more")
        return 1
    print("audit verify: OK: the chain is intact, evidence matches its records, every stored file matches its hash")
    return 0
