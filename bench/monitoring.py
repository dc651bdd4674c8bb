#!/usr/bin/env python3
"""Monitoring throughput: rows per second read, validated, stored and checked by the rules for a
livelihood payout file of N rows (default 200,000), as CSV and as XLSX, and the peak memory the
Python heap grew by while doing it (tracemalloc), on SQLite. Prints one JSON object. It measures;
it asserts nothing.

    python bench/monitoring.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = "program,recipient_name,recipient_id_number,amount_yuan,village,payout_date"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(n: int) -> str:
    body = f"110101{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def rows(count: int):
    for n in range(count):
        yield ["农村低保", f"受助人{n}", id_number(n), str(300 + n % 700), f"第{n % 300}村",
               f"2026-11-{1 + n % 28:02d}"]


def as_csv(count: int) -> bytes:
    out = io.StringIO()
    out.write(HEADER + "\n")
    for row in rows(count):
        out.write(",".join(row) + "\n")
    return out.getvalue().encode("utf-8")


def as_xlsx(count: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER.split(","))
    for row in rows(count):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measure(data: bytes, name: str, count: int) -> dict:
    from config.schema import MonitoringSettings
    from monitoring import notifications
    from store import monitoring
    from store.models import Inbound
    from store.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{folder}/intake.db", Path(folder) / "data")
        try:
            with store.transaction() as session:
                unit = monitoring.add_unit(session, "民政局", "minzheng@xian.example", "livelihood", "bench")
                arrival = Inbound(channel="email", mailbox="bench", raw_path="-", raw_sha256="0" * 64, raw_size=0)
                session.add(arrival)
                session.flush()
            tracemalloc.start()
            started = time.perf_counter()
            with store.transaction() as session:
                taken = notifications.take(session, MonitoringSettings(max_file_bytes=len(data) + 1), unit,
                                           arrival.id, "民生资金发放", [(name, None, data)])
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            store.close()
    return {"rows": count, "file_bytes": len(data), "status": taken.notification.status,
            "findings": [f.rule for f in taken.findings], "seconds": round(elapsed, 2),
            "rows_per_second": round(count / elapsed), "peak_heap_mb": round(peak / 2**20, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args(argv)
    csv_data = as_csv(args.rows)
    xlsx_data = as_xlsx(args.rows)
    result = {"csv": measure(csv_data, "payout.csv", args.rows), "xlsx": measure(xlsx_data, "payout.xlsx", args.rows)}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
