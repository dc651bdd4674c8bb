"""Making the fixed train/dev/test split of the corpus, and finding near-duplicate examples.

    python -m classifier.split SLICE.jsonl... [--out classifier/data] [--seed 7]
    python -m classifier.split --add SLICE.jsonl... [--seed 7]

The split is stratified by (lang, kind, area, violation): examples are grouped by stratum, each
group is shuffled with the fixed seed, the groups are laid end to end, and positions are dealt
train/dev/test by a fixed pattern of 20 (14/3/3). Every stratum, even a small one, so lands in
the three splits in about the same proportions, and the same input always gives the same split.

`--add` merges new slices into an existing split without touching the test file: the new examples
are dealt 4 train / 1 dev the same way, exact and near duplicates of lines already in the corpus
(any split, test included) are left out and named, and train.jsonl and dev.jsonl are rewritten.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

from .corpus import DATA_DIR, read_jsonl, split_path, write_jsonl
from .normalize import normalize

# 14 train, 3 dev, 3 test, spread out so that a short stratum still reaches dev and test
_PATTERN = "TTDTTSTTTDTSTTTTDTST"
# for slices added later: 4 train, 1 dev; the test split stays as it was evaluated
_ADD_PATTERN = "TTDTT"
# a new example sharing this share of its 5-character shingles with a corpus line is left out
ADD_DUPLICATE_THRESHOLD = 0.3


def stratum(row: dict) -> tuple:
    return (row["lang"], row["kind"], row["area"] or "", row["violation"] or "")


def make_split(rows: list[dict], seed: int, pattern: str = _PATTERN) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        groups[stratum(row)].append(row)
    ordered: list[dict] = []
    for key in sorted(groups):
        group = groups[key]
        rng.shuffle(group)
        ordered.extend(group)
    names = {"T": "train", "D": "dev", "S": "test"}
    out: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    for index, row in enumerate(ordered):
        out[names[pattern[index % len(pattern)]]].append(row)
    for split in out.values():
        split.sort(key=lambda r: r["id"])
    return out


def _shingles(text: str, size: int = 5) -> set[str]:
    text = "".join(normalize(text).split())
    return {text[i : i + size] for i in range(max(1, len(text) - size + 1))}


def near_duplicates(rows: list[dict], threshold: float = 0.5) -> list[tuple[str, str, float]]:
    """Pairs of examples whose texts share at least `threshold` of their 5-character shingles."""
    shingles = [_shingles(row["subject"] + row["text"]) for row in rows]
    index: dict[str, list[int]] = defaultdict(list)
    for i, grams in enumerate(shingles):
        for gram in grams:
            index[gram].append(i)
    pairs = []
    for i, grams in enumerate(shingles):
        shared: Counter = Counter()
        for gram in grams:
            for j in index[gram]:
                if j > i:
                    shared[j] += 1
        for j, count in shared.items():
            jaccard = count / len(grams | shingles[j])
            if jaccard >= threshold:
                pairs.append((rows[i]["id"], rows[j]["id"], round(jaccard, 3)))
    return pairs


def add_to_split(new: list[dict], seed: int, data_dir: Path = DATA_DIR, log=print) -> dict[str, int]:
    """Deal new examples into train and dev (4:1, stratified); test is read only to find
    duplicates and is never written. Returns how many went where."""
    splits = {name: read_jsonl(split_path(name, data_dir)) for name in ("train", "dev", "test")}
    old = [row for rows in splits.values() for row in rows]
    old_ids = {row["id"] for row in old}
    clash = sorted(row["id"] for row in new if row["id"] in old_ids)
    if clash:
        raise ValueError(f"ids already in the corpus: {clash}")
    new_ids = {row["id"] for row in new}
    dropped: set[str] = set()
    for a, b, share in near_duplicates(old + new, threshold=ADD_DUPLICATE_THRESHOLD):
        if (a in new_ids) != (b in new_ids):
            newer = a if a in new_ids else b
            log(f"left out {newer}: {share:.0%} of its shingles are in {b if newer == a else a}")
            dropped.add(newer)
        elif a in new_ids and b in new_ids and b not in dropped:
            log(f"left out {b}: {share:.0%} of its shingles are in {a}")
            dropped.add(b)
    kept = [row for row in new if row["id"] not in dropped]
    dealt = make_split(kept, seed, _ADD_PATTERN)
    for name in ("train", "dev"):
        rows = sorted(splits[name] + dealt[name], key=lambda r: r["id"])
        write_jsonl(split_path(name, data_dir), rows)
    return {"train": len(dealt["train"]), "dev": len(dealt["dev"]), "left_out": len(dropped)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifier.split", description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--add", action="store_true", help="deal the sources into the existing train and dev")
    args = parser.parse_args(argv)
    rows = [row for source in args.sources for row in read_jsonl(source)]
    if args.add:
        try:
            counts = add_to_split(rows, args.seed, args.out)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(", ".join(f"{name}: +{count}" for name, count in counts.items()))
        return 0
    ids = Counter(row["id"] for row in rows)
    repeated = [key for key, count in ids.items() if count > 1]
    if repeated:
        print(f"repeated ids: {repeated}", file=sys.stderr)
        return 1
    for a, b, score in near_duplicates(rows):
        print(f"near duplicate: {a} {b} {score}", file=sys.stderr)
    for name, split in make_split(rows, args.seed).items():
        write_jsonl(split_path(name, args.out), split)
        print(f"{name}: {len(split)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
