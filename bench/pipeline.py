#!/usr/bin/env python3
"""Pipeline benchmark: the CPU one worker spends per message, in this process, with no listener,
no pool and no other work beside it. N flood-like messages (bench/flood.py's) are accepted into a
fresh SQLite store, then claimed in batches and run through the pipeline. Prints one JSON object:
messages, batch, milliseconds of CPU and of wall time per message, msg/s; with --profile FILE,
a cProfile dump of the processing for `python -m pstats FILE`.

    python bench/pipeline.py [--messages 400] [--batch 4] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--batch", type=int, default=4, help="[pipeline] claim_batch")
    parser.add_argument("--profile", default=None, metavar="FILE")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    os.environ.update({
        "INTAKE_STORE__URL": f"sqlite:///{work / 'intake.db'}",
        "INTAKE_STORE__DATA_DIR": str(work / "data"),
        "INTAKE_AUTHENTICITY__DKIM": "false",
        "INTAKE_AUTHENTICITY__SPF": "false",
        "INTAKE_PIPELINE__REPLIES_PER_HOUR": "1000000",
    })
    import config
    from bench.flood import FLOOD_HOST, mail
    from intake.accept import Arrival, accept
    from intake.email.smtp import client_network
    from intake.pipeline.start import make_pipeline
    from store import claims
    from store.store import Store

    settings = config.load()
    store = Store.open(settings.store.url, settings.store.data_dir, audit_key=settings.store.audit_key_file,
                       key_file=settings.store.key_file)
    source = f"smtp|{client_network(FLOOD_HOST)}|flood.example"
    # one more than measured: the first warms the model and the caches
    for n in range(options.messages + 1):
        sender = f"user{n}@d{n % 10}.flood.example"
        accept(store, mail(n, sender, "flood", 5000)[1],
               Arrival(channel="email", mailbox="smtp", envelope_from=sender, envelope_to=["jubao@jiwei.example"],
                       peer=FLOOD_HOST, source=source))
    pipeline = make_pipeline(settings, store)
    token = claims.new_token()
    pipeline.run_batch(claims.claim_inbound(store, token, 300, 1), token)

    profile = cProfile.Profile() if options.profile else None
    done = 0
    wall, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    while ids := claims.claim_inbound(store, token, 300, options.batch):
        pipeline.run_batch(ids, token)
        done += len(ids)
    if profile:
        profile.disable()
        profile.dump_stats(options.profile)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    store.close()
    return {
        "messages": done,
        "batch": options.batch,
        "cpu_ms_per_message": round(1000 * cpu / done, 2),
        "wall_ms_per_message": round(1000 * wall / done, 2),
        "messages_per_second": round(done / wall, 1),
        "profiled": bool(profile),
        "work_dir": str(work),
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
