"""`bot.py reprocess ID… | --all-failed`: run quarantined messages through the pipeline again, now."""

from __future__ import annotations

from sqlmodel import select

from commands.context import actor, fail, make_pipeline, open_store
from commands.ingest import run_to_end
from config.schema import Settings
from store import audit
from store.models import Inbound, InboundStatus


def main(settings: Settings, args) -> int:
    if not args.ids and not args.all_failed:
        return fail("name the message ids to reprocess, or --all-failed", 2)
    store = open_store(settings)
    try:
        with store.transaction() as session:
            query = select(Inbound).where(Inbound.status == InboundStatus.QUARANTINED)
            if args.ids:
                query = select(Inbound).where(Inbound.id.in_(args.ids))
            rows = session.exec(query.order_by(Inbound.id)).all()
            found = {row.id for row in rows}
            unknown = [i for i in args.ids if i not in found]
            if unknown:
                return fail(f"no inbound message {', '.join(map(str, unknown))}", 2)
            busy = [row.id for row in rows if row.status != InboundStatus.QUARANTINED]
            if busy:
                return fail(f"not quarantined, so not reprocessed: {', '.join(map(str, busy))}", 2)
            for row in rows:
                row.status = InboundStatus.RECEIVED
                row.attempts = 0
                row.lease_until = None
                session.add(row)
                audit.append(session, actor=actor(args), action="inbound.reprocess", subject_type="inbound",
                             subject_id=row.id, details={"last_error": (row.last_error or "")[:500]})
        if not rows:
            print("no quarantined messages")
            return 0
        pipeline = make_pipeline(settings, store)
        worst = 0
        for row in rows:
            status = run_to_end(pipeline, row.id)
            print(f"{row.id}: {status}")
            if status == InboundStatus.QUARANTINED:
                worst = 1
        return worst
    finally:
        store.close()
