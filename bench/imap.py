#!/usr/bin/env python3
"""IMAP intake benchmark: a Dovecot backlog of N messages drained by a bare imapclient fetch and by
the bot's IMAP reader (stored durably, marked on the server), in the same run, each from its own
identically filled mailbox; then how long the pipeline needs to file what the reader stored.
Prints one JSON object; measures only. Needs root and Dovecot (apt-get install dovecot-imapd).

    python bench/imap.py [--messages 1000] [--batch-size 50] [--store-url URL] [--no-pipeline]

With a PostgreSQL --store-url, everything goes into a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402

from bench.reports import report  # noqa: E402
from config.schema import Settings  # noqa: E402
from intake.email.imap import Mailboxes  # noqa: E402
from intake.email.imap_cursor import load  # noqa: E402
from store.models import Inbound, InboundStatus  # noqa: E402
from store.store import Store  # noqa: E402
from tests.imap import dovecot  # noqa: E402

PASSWORD_ENV = "INTAKE_BENCH_IMAP_PASSWORD"


def figures(messages: int, seconds: float, **extra) -> dict:
    return {"messages": messages, "seconds": round(seconds, 3),
            "messages_per_second": round(messages / seconds, 1) if seconds else None, **extra}


def bare_fetch(server: dovecot.Dovecot, user: str, batch: int) -> dict:
    """What imapclient alone does: log in, list the UIDs, fetch every body in batches."""
    started = time.perf_counter()
    client = IMAPClient("127.0.0.1", server.port, ssl=False)
    client.login(user, dovecot.PASSWORD)
    client.select_folder("INBOX")
    uids = client.search("ALL")
    received = octets = 0
    for start in range(0, len(uids), batch):
        for data in client.fetch(uids[start:start + batch], ["BODY.PEEK[]"]).values():
            received += 1
            octets += len(data[b"BODY[]"])
    client.logout()
    return figures(received, time.perf_counter() - started, bytes=octets)


def bot_drain(server: dovecot.Dovecot, user: str, settings: Settings, store: Store, total: int) -> dict:
    """The bot's reader: from start until every UID is stored, marked and recorded as read."""
    accepted = Counter()
    lock = threading.Lock()

    def counted():
        with lock:
            accepted["n"] += 1

    mailboxes = Mailboxes(settings.mailbox)
    started = time.perf_counter()
    mailboxes.start(store, counted)
    try:
        while (load(store, "bench") or (0, 0))[1] < total:
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    finally:
        mailboxes.stop()
    return figures(accepted["n"], seconds)


async def pipeline_filing(settings: Settings, store: Store, total: int) -> dict:
    """The pipeline workers of `bot.py run` filing what the reader stored."""
    from intake.pipeline.start import make_pipeline

    pipeline = await asyncio.to_thread(make_pipeline, settings, store)
    stop = asyncio.Event()
    started = time.perf_counter()
    workers = [asyncio.create_task(pipeline.run(stop)) for _ in range(settings.pipeline.workers)]
    open_states = (InboundStatus.RECEIVED, InboundStatus.PROCESSING)
    while True:
        statuses = await asyncio.to_thread(_statuses, store)
        if sum(statuses.values()) >= total and not any(statuses[s] for s in open_states):
            break
        await asyncio.sleep(0.1)
    seconds = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*workers)
    return figures(total, seconds, statuses=dict(statuses), workers=settings.pipeline.workers)


def _statuses(store: Store) -> Counter:
    from sqlmodel import select

    with store.transaction() as session:
        return Counter(session.exec(select(Inbound.status)).all())


@contextlib.contextmanager
def scratch_store_url(url: str | None, work: Path) -> Iterator[str]:
    """SQLite in WORK, or a fresh schema of the PostgreSQL database at URL, dropped afterwards."""
    if url is None:
        yield f"sqlite:///{work / 'intake.db'}"
        return
    import sqlalchemy

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


def run(options, server: dovecot.Dovecot, work: Path, store_url: str) -> dict:
    settings = Settings.model_validate({
        "store": {"url": store_url, "data_dir": str(work / "data")},
        "classifier": {"model_dir": str(ROOT / "data" / "model")},
        "mailbox": [{"name": "bench", "address": "jubao@jiwei.example", "host": "127.0.0.1", "port": server.port,
                     "tls": "none", "username": "reader", "password_env": PASSWORD_ENV,
                     "batch_size": options.batch_size}],
    })
    server.start()
    backlog = [bytes(report(n, "imap-bench")) for n in range(options.messages)]
    started = time.perf_counter()
    for user in ("bare", "reader"):   # the same backlog twice, so each side starts cold
        server.append(user, backlog)
    filled = time.perf_counter() - started
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        bare = bare_fetch(server, "bare", options.batch_size)
        bot = bot_drain(server, "reader", settings, store, options.messages)
        result = {
            "messages": options.messages,
            "batch_size": options.batch_size,
            "store": "postgresql" if store.is_postgres else "sqlite",
            "fill_seconds": round(filled, 3),
            "bare_imapclient_fetch": bare,
            "bot_imap_intake": bot,
            "ratio": round(bot["messages_per_second"] / bare["messages_per_second"], 3),
        }
        if not options.no_pipeline:
            result["pipeline_filing"] = asyncio.run(pipeline_filing(settings, store, options.messages))
    finally:
        store.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--store-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--no-pipeline", action="store_true", help="skip filing with the pipeline")
    options = parser.parse_args()
    problem = dovecot.missing()
    if problem:
        print(f"bench/imap.py: {problem}", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="bench-imap-"))
    server = dovecot.Dovecot()
    os.environ[PASSWORD_ENV] = dovecot.PASSWORD
    try:
        with scratch_store_url(options.store_url, work) as store_url:
            result = run(options, server, work, store_url)
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
