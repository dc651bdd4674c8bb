#!/usr/bin/env python3
"""Classifier throughput: documents per second in one process on the test split, and load time.

    python bench/classify.py [--model-dir data/model] [--repeats 5]

Prints one JSON object. It measures; it asserts nothing. A missing model is trained first (the
training time is not part of the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path("data/model"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import_started = time.perf_counter()
    from classifier import load
    from classifier.corpus import read_split
    from classifier.model import model_exists

    import_seconds = time.perf_counter() - import_started
    trained_first = not model_exists(args.model_dir)
    if trained_first:
        load(args.model_dir)  # trains and saves; the timed load below reads it from disk
    started = time.perf_counter()
    classifier = load(args.model_dir, train_if_missing=False)
    load_seconds = time.perf_counter() - started

    rows = read_split("test")
    items = [(row["subject"], row["text"]) for row in rows]
    chars = sum(len(subject) + len(text) + 1 for subject, text in items)
    list(classifier.classify_many(items[:20]))  # warm-up

    batch_rates = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        for _result in classifier.classify_many(items):
            pass
        batch_rates.append(len(items) / (time.perf_counter() - started))
    single_started = time.perf_counter()
    for subject, text in items:
        classifier.classify(subject, text)
    single_rate = len(items) / (time.perf_counter() - single_started)

    print(
        json.dumps(
            {
                "docs_per_second": round(statistics.median(batch_rates), 1),
                "docs_per_second_runs": [round(rate, 1) for rate in batch_rates],
                "docs_per_second_one_at_a_time": round(single_rate, 1),
                "load_seconds": round(load_seconds, 3),
                "import_seconds": round(import_seconds, 3),
                "n_docs": len(items),
                "mean_chars_per_doc": round(chars / len(items), 1),
                "repeats": args.repeats,
                "trained_first": trained_first,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
