"""`bot.py reprocess ID… | --all-failed`: run quarantined messages through the pipeline again, now."""

from __future__ import annotations

from commands.context import actor, desks, fail, open_store
from commands.ingest import run_to_end
from commands.table import out
from config.schema import Settings
from intake.pipeline.start import make_pipeline
from store import inbound
from store.models import InboundStatus


def main(settings: Settings, args) -> int:
    if not args.ids and not args.all_failed:
        return fail("name the message ids to reprocess, or --all-failed", 2)
    store = open_store(settings)
    try:
        with store.transaction() as session:
            if args.ids:
                rows = inbound.by_ids(session, args.ids)
            else:
                rows = inbound.in_status(session, InboundStatus.QUARANTINED)
            found = {row.id for row in rows}
            unknown = [i for i in args.ids if i not in found]
            if unknown:
                return fail(f"no inbound message {', '.join(map(str, unknown))}", 2)
            busy = [row.id for row in rows if row.status != InboundStatus.QUARANTINED]
            if busy:
                return fail(f"not quarantined, so not reprocessed: {', '.join(map(str, busy))}", 2)
            inbound.requeue(session, rows, actor(args))
        if not rows:
            print("no quarantined messages")
            return 0
        pipeline = make_pipeline(settings, store, desks=desks(settings, store))
        worst = 0
        for row in rows:
            status = run_to_end(pipeline, row.id)
            out(f"{row.id}: {status}")
            if status == InboundStatus.QUARANTINED:
                worst = 1
        return worst
    finally:
        store.close()
