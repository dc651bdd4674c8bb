"""`bot.py ingest PATH…`: .eml files, folders and mbox files through the same pipeline as mail;
files that are not mail are skipped and named in the summary."""

from __future__ import annotations

import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from commands.context import desks, fail, open_store
from commands.table import json_text, out, safe
from config.schema import Settings
from intake.accept import Arrival, accept
from intake.email.sources import count, expand, messages, sort_out
from intake.pipeline.start import make_pipeline
from intake.pipeline.worker import Disposition, Pipeline
from store import claims, inbound
from store.models import InboundStatus

SUMMARY_KEYS = {
    InboundStatus.FILED: "filed",
    InboundStatus.FOLLOW_UP: "follow_ups",
    InboundStatus.DUPLICATE: "duplicates",
    InboundStatus.SCREENED: "screened",
    InboundStatus.QUARANTINED: "quarantined",
}


def main(settings: Settings, args) -> int:
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        return fail(safe(f"no such file or folder: {', '.join(missing)}"), 2)
    named = {p for p in paths if not p.is_dir()}
    # A folder may hold notes, listings or binaries next to the mail: they are set aside, not filed.
    files, skipped = sort_out(expand(paths))
    store = open_store(settings)
    pipeline = make_pipeline(settings, store, desks=desks(settings, store))
    totals: Counter[str] = Counter()
    progress = tqdm(total=count(files), unit="msg", disable=args.no_progress or args.json, file=sys.stderr)
    try:
        for message in messages(files):
            status = ingest_one(pipeline, message.raw)
            totals["messages"] += 1
            totals[SUMMARY_KEYS.get(status, "quarantined")] += 1
            progress.update(1)
    finally:
        progress.close()
        store.close()
    summary = {"messages": totals["messages"], **{key: totals[key] for key in SUMMARY_KEYS.values()},
               "skipped": len(skipped), "skipped_files": [str(p) for p in skipped]}
    if args.json:
        print(json_text(summary))
        return 0
    out(f"{summary['messages']} messages: {summary['filed']} filed, {summary['follow_ups']} follow-ups, "
        f"{summary['duplicates']} duplicates, {summary['screened']} screened, {summary['quarantined']} quarantined")
    if skipped:
        out(skipped_line(skipped, named))
    return 0


SHOWN_SKIPPED = 5


def skipped_line(skipped: list[Path], named: set[Path]) -> str:
    """How many files were not mail and which (the first few); a file named on the command line
    says so, as that person meant it to be read."""
    shown = [f"{p} (named on the command line)" if p in named else str(p) for p in skipped[:SHOWN_SKIPPED]]
    more = f" and {len(skipped) - SHOWN_SKIPPED} more" if len(skipped) > SHOWN_SKIPPED else ""
    files = "file that is" if len(skipped) == 1 else "files that are"
    return f"skipped {len(skipped)} {files} not mail (no message header): {', '.join(shown)}{more}"


def ingest_one(pipeline: Pipeline, raw: bytes) -> str:
    """Accept and process one message now; returns its final inbound status."""
    # The same file ingested again is the same arrival: named by its hash, filed once.
    arrival = Arrival(channel="email", mailbox="ingest", external_id=hashlib.sha256(raw).hexdigest())
    inbound_id, created = accept(pipeline.store, raw, arrival)
    if not created:
        status = current_status(pipeline, inbound_id)
        if status in SUMMARY_KEYS:
            return InboundStatus.DUPLICATE
    return run_to_end(pipeline, inbound_id)


def run_to_end(pipeline: Pipeline, inbound_id: int, wait_seconds: float = 120) -> str:
    """Process INBOUND_ID here until it reaches a final state (another worker may hold it)."""
    token = claims.new_token()
    lease = pipeline.settings.pipeline.lease_seconds
    deadline = time.monotonic() + wait_seconds
    while True:
        if claims.claim_one(pipeline.store, inbound_id, token, lease):
            disposition = pipeline.process(inbound_id, token)
            if disposition is not Disposition.RETRY:
                return current_status(pipeline, inbound_id)
            # Here the retry is immediate: a person is waiting for this command, not a queue.
            inbound.release_now(pipeline.store, inbound_id)
            continue
        status = current_status(pipeline, inbound_id)
        if status in SUMMARY_KEYS or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def current_status(pipeline: Pipeline, inbound_id: int) -> str:
    return inbound.status(pipeline.store, inbound_id)
