"""Adding new examples to train and dev without touching test; the folds of cross-validation."""

from __future__ import annotations

import json
import random
from collections import Counter

from classifier.corpus import read_jsonl, write_jsonl
from classifier.crossval import folds
from classifier.split import add_to_split


def _row(id_, text, kind="report", area="other", violation="other", lang="zh"):
    report = kind == "report"
    return {
        "id": id_, "lang": lang, "subject": "", "text": text, "kind": kind,
        "area": area if report else None, "violation": violation if report else None,
        "priority": 3 if report else 4, "real_name": False,
    }


def _texts(n, seed):
    """n texts of 40 Han characters that share no run of five."""
    rng = random.Random(seed)
    return ["".join(chr(0x4E00 + rng.randrange(5000)) for _ in range(40)) for _ in range(n)]


def test_new_examples_go_to_train_and_dev_only(tmp_path):
    old = _texts(6, seed=1)
    write_jsonl(tmp_path / "train.jsonl", [_row(f"a-{i}", t) for i, t in enumerate(old[:4])])
    write_jsonl(tmp_path / "dev.jsonl", [_row("a-4", old[4])])
    write_jsonl(tmp_path / "test.jsonl", [_row("a-5", old[5])])
    test_bytes = (tmp_path / "test.jsonl").read_bytes()
    new = [_row(f"n-{i:02d}", text) for i, text in enumerate(_texts(20, seed=2))]
    new.append(_row("n-dup", old[5]))  # a copy of a test line
    counts = add_to_split(new, seed=7, data_dir=tmp_path, log=lambda message: None)
    assert (tmp_path / "test.jsonl").read_bytes() == test_bytes
    assert counts == {"train": 16, "dev": 4, "left_out": 1}
    train_ids = {row["id"] for row in read_jsonl(tmp_path / "train.jsonl")}
    dev_ids = {row["id"] for row in read_jsonl(tmp_path / "dev.jsonl")}
    assert {f"a-{i}" for i in range(4)} <= train_ids and "a-4" in dev_ids
    assert "n-dup" not in train_ids | dev_ids and not train_ids & dev_ids
    lines = (tmp_path / "train.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(train_ids)


def test_folds_are_stratified_and_cover_every_row_once():
    rows = [_row(f"r-{i:03d}", str(i), violation=("bribery", "other")[i % 2]) for i in range(50)]
    rows += [_row(f"s-{i:03d}", str(i), kind="spam") for i in range(10)]
    parts = folds(rows, 5, seed=1)
    assert sorted(row["id"] for part in parts for row in part) == sorted(row["id"] for row in rows)
    for part in parts:
        assert Counter(row["kind"] for row in part) == {"report": 10, "spam": 2}
        assert Counter(row["violation"] for row in part if row["violation"]) == {"bribery": 5, "other": 5}
