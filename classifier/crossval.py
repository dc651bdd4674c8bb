"""Choosing settings without the test split: scores on dev, and k-fold cross-validation.

    python -m classifier.crossval [--dev] [--folds 5] [--seed 1]

`--dev` fits on train and scores dev; otherwise the folds are made over train and dev together,
stratified by (lang, kind, area, violation), and each fold is scored by a model fitted on the
others. Neither ever reads the test split: that one is for `python bot.py evaluate`, once the
settings are frozen (see data/README.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from .corpus import model_text, read_split
from .labels import TASKS
from .metrics import score
from .model import MAX_CHARS, Classifier
from .train import DEFAULT_CONFIG, TrainConfig, train_nlp


@dataclass
class Scores:
    kind_accuracy: float
    area_macro_f1: float
    violation_macro_f1: float
    n: int

    def line(self) -> str:
        return (
            f"kind accuracy {self.kind_accuracy:.3f}  area macro-F1 {self.area_macro_f1:.3f}  "
            f"violation macro-F1 {self.violation_macro_f1:.3f}  ({self.n} messages)"
        )


def predict(nlp, rows: list[dict]) -> list[dict[str, str]]:
    """The labels of every row as the classifier gives them (area and violation whatever the
    kind), the kind after its rules."""
    classifier = Classifier(nlp, None)
    texts = (model_text(row["subject"], row["text"])[:MAX_CHARS] for row in rows)
    with nlp.memory_zone():
        return [classifier.labels(doc) for doc in nlp.pipe(texts)]


def scores(rows: list[dict], predicted: list[dict[str, str]]) -> Scores:
    """Kind on every row; area and violation on the gold reports, as `bot.py evaluate` does."""
    kind = score([r["kind"] for r in rows], [p["kind"] for p in predicted], TASKS["kind"])
    reports = [(r, p) for r, p in zip(rows, predicted) if r["kind"] == "report"]
    area = score([r["area"] for r, _ in reports], [p["area"] for _, p in reports], TASKS["area"])
    violation = score([r["violation"] for r, _ in reports], [p["violation"] for _, p in reports], TASKS["violation"])
    return Scores(kind.accuracy, area.macro_f1, violation.macro_f1, len(rows))


def folds(rows: list[dict], k: int, seed: int) -> list[list[dict]]:
    """k stratified folds: each stratum shuffled with the seed and dealt round-robin."""
    rng = random.Random(seed)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["id"]):
        groups[(row["lang"], row["kind"], row["area"] or "", row["violation"] or "")].append(row)
    out: list[list[dict]] = [[] for _ in range(k)]
    position = 0
    for key in sorted(groups):
        group = groups[key]
        rng.shuffle(group)
        for row in group:
            out[position % k].append(row)
            position += 1
    return out


def cross_validate(
    rows: list[dict], config: TrainConfig = DEFAULT_CONFIG, k: int = 5, seed: int = 1
) -> tuple[Scores, list[tuple[dict, dict[str, str]]]]:
    """Pooled scores over k folds, and every row with what the model of the other folds said."""
    parts = folds(rows, k, seed)
    pairs: list[tuple[dict, dict[str, str]]] = []
    for i, held_out in enumerate(parts):
        training = [row for j, part in enumerate(parts) if j != i for row in part]
        nlp = train_nlp(training, config)
        pairs.extend(zip(held_out, predict(nlp, held_out)))
    return scores([r for r, _ in pairs], [p for _, p in pairs]), pairs


def dev_scores(config: TrainConfig = DEFAULT_CONFIG) -> tuple[Scores, list[tuple[dict, dict[str, str]]]]:
    nlp = train_nlp(read_split("train"), config)
    dev = read_split("dev")
    predicted = predict(nlp, dev)
    return scores(dev, predicted), list(zip(dev, predicted))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classifier.crossval", description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="fit on train, score dev")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--errors", action="store_true", help="list the misclassified messages")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.dev:
        result, pairs = dev_scores()
        name = "dev (fitted on train)"
    else:
        result, pairs = cross_validate(read_split("train") + read_split("dev"), k=args.folds, seed=args.seed)
        name = f"{args.folds}-fold cross-validation over train+dev"
    print(f"{name}: {result.line()}  [{time.perf_counter() - started:.0f} s]")
    if args.errors:
        for row, predicted in pairs:
            gold = {task: row[task] for task in TASKS}
            wrong = [t for t in TASKS if gold[t] is not None and gold[t] != predicted[t] and (t == "kind" or row["kind"] == "report")]
            if wrong:
                said = ", ".join(f"{t} {gold[t]}->{predicted[t]}" for t in wrong)
                print(f"{row['id']}: {said}: {(row['subject'] + ' | ' + row['text'])[:100]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
