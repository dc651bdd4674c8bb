#!/usr/bin/env python3
"""Console latency: p50/p95 of the queue page, a filtered queue, a search by case number and a
case page, signed in as a supervisor, over a store of N cases (default 100,000), on SQLite and, when
reachable, PostgreSQL. Prints one JSON object. It measures; it asserts nothing.

    python bench/console.py [--cases 100000] [--requests 50] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AREAS = ("engineering_construction", "land_mineral", "real_estate", "livelihood", "other")
VIOLATIONS = ("bribery", "embezzlement", "abuse_of_power", "work_style", "personnel", "other")
STATUSES = ("new", "accepted", "investigating", "transferred", "concluded", "closed")


def fill(store, count: int) -> list[str]:
    """COUNT cases with a message each, in bulk; returns their numbers."""
    from sqlalchemy import insert

    from store.models import Case, CaseMessage, Inbound

    rng = random.Random(7)
    with store.transaction() as session:
        # One arrival stands for every message: the pages read cases, not raw mail.
        arrival = Inbound(channel="email", mailbox="bench", raw_path="-", raw_sha256="0" * 64, raw_size=0,
                          status="filed")
        session.add(arrival)
        session.flush()
        arrival_id = arrival.id
    start = datetime(2025, 1, 1, tzinfo=UTC)
    numbers = []
    batch = 5000
    for first in range(0, count, batch):
        cases, messages = [], []
        for n in range(first, min(first + batch, count)):
            number = f"JB-2026-{n + 1:06d}"
            numbers.append(number)
            created = start + timedelta(minutes=7 * n)
            cases.append({"id": n + 1, "number": number, "kind": "report", "area": rng.choice(AREAS),
                          "violation": rng.choice(VIOLATIONS), "priority": rng.randint(1, 4),
                          "real_name": rng.random() < 0.4, "language": "zh", "channel": "email",
                          "status": rng.choice(STATUSES), "subject": f"举报第{n}号：县交通局局长受贿",
                          "entities": [], "sender_verified": rng.random() < 0.9, "query_code_hash": "x",
                          "created_at": created, "updated_at": created, "notify_reporter": False,
                          "due_at": created + timedelta(days=21) if rng.random() < 0.5 else None})
            messages.append({"case_id": n + 1, "inbound_id": arrival_id, "role": "report", "subject": f"举报第{n}号",
                             "text": "县交通局局长张某在道路招标中收受施工方好处费50万元。" * 3, "created_at": created})
        with store.transaction() as session:
            session.execute(insert(Case), cases)
            session.execute(insert(CaseMessage), messages)
    return numbers


def timed(client, path: str, requests: int) -> dict:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {answer.status_code}")
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1)}


def run(url: str, data_dir: Path, count: int, requests: int) -> dict:
    from starlette.testclient import TestClient

    from console.app import make_app
    from store.store import Store
    from tests.conftest import make_settings
    from tests.console.conftest import Clock, sign_in

    settings = make_settings(data_dir, url)
    store = Store.open(url, settings.store.data_dir)
    try:
        started = time.perf_counter()
        numbers = fill(store, count)
        filled = time.perf_counter() - started
        clock = Clock()
        app = make_app(settings, store, clock=clock)
        client, _ = sign_in(app, store, clock, "bench", "supervisor")
        assert isinstance(client, TestClient)
        middle = numbers[len(numbers) // 2]
        return {
            "cases": count, "fill_seconds": round(filled, 1),
            "queue": timed(client, "/", requests),
            "queue_filtered": timed(client, "/?area=real_estate&violation=bribery&priority=2&late=1", requests),
            "queue_page_100": timed(client, "/?page=100", requests),
            "search_number": timed(client, f"/?q={middle}", requests),
            "search_partial_number": timed(client, f"/?q={middle[-6:]}", requests),
            "case": timed(client, f"/cases/{middle}", requests),
        }
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", default=PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    result = {}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sqlite").mkdir()
        result["sqlite"] = run(f"sqlite:///{folder}/sqlite/intake.db", Path(folder) / "sqlite", args.cases,
                               args.requests)
    if not args.no_postgres:
        import sqlalchemy

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = sqlalchemy.create_engine(args.postgres)
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            with tempfile.TemporaryDirectory() as folder:
                result["postgresql"] = run(f"{args.postgres}?options=-csearch_path%3D{schema}", Path(folder),
                                           args.cases, args.requests)
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            admin.dispose()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
