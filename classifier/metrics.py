"""Per-label precision, recall and F1, macro-F1 and accuracy for one classification task."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class TaskScore:
    labels: list[LabelScore]
    accuracy: float
    macro_f1: float
    n: int


def score(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> TaskScore:
    """Scores of predicted against gold; macro-F1 averages the labels that occur in gold."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    rows = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(LabelScore(label, precision, recall, f1, tp + fn))
    present = [row for row in rows if row.support]
    macro = sum(row.f1 for row in present) / len(present) if present else 0.0
    correct = sum(1 for g, p in zip(gold, predicted) if g == p)
    accuracy = correct / len(gold) if gold else 0.0
    return TaskScore(rows, accuracy, macro, len(gold))
