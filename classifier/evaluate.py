"""Scores of a model on a split: per-label precision/recall/F1, macro-F1, accuracy, agreement.

`python bot.py evaluate` runs this on the test split and the held-out split (data/README.md), the
only place they are read, and with `--corrections` on staff corrections.
Area and violation are scored on the messages whose gold kind is report, with the model's area
and violation for them whatever kind it predicted (the kind's own errors are scored apart). The
spam threshold is shown at work: how many of the messages called spam it would screen out, and
how many of those are not spam (nothing is tuned on it: the threshold was fixed on dev). So is the
calibration: per task the expected calibration error of the tuned confidences on this split, how
many labels would go to review, and how often the others are right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from .calibrate import reliability
from .corpus import model_text
from .labels import TASKS
from .language import detect_language
from .metrics import TaskScore, score
from .model import MAX_CHARS, Classifier
from .scoring import decide, needs_review


@dataclass(frozen=True)
class Evaluation:
    split: str
    n: int
    tasks: dict[str, TaskScore]
    priority_agreement: float
    priority_within_one: float
    real_name_agreement: float
    language_agreement: float
    spam_threshold: float
    called_spam: int
    screened: int
    screened_not_spam: int
    reports_called_spam: int
    calibration: dict[str, dict]      # task -> {ece, n, acted_on, acted_on_right}
    review: int                       # messages the pipeline would flag for review


def evaluate_rows(classifier: Classifier, rows: list[dict], split: str) -> Evaluation:
    nlp = classifier.nlp
    predicted = []
    decisions = []
    with nlp.memory_zone():
        for doc in nlp.pipe(model_text(row["subject"], row["text"])[:MAX_CHARS] for row in rows):
            decision = decide(doc, classifier.tuning)
            decisions.append(decision)
            predicted.append((decision.labels, classifier.result(doc, decision)))
    tasks = {"kind": score([r["kind"] for r in rows], [p["kind"] for p, _ in predicted], TASKS["kind"])}
    reports = [(row, labels) for row, (labels, _) in zip(rows, predicted) if row["kind"] == "report"]
    for task in ("area", "violation"):
        tasks[task] = score([row[task] for row, _ in reports], [labels[task] for _, labels in reports], TASKS[task])
    n = len(rows) or 1
    results = [result for _, result in predicted]
    screened = [row["kind"] for row, r in zip(rows, results)
                if r["kind"] == "spam" and r["confidence"] >= classifier.spam_threshold]
    calibration = {}
    for task in TASKS:
        chosen = [(d, row) for d, row in zip(decisions, rows) if task == "kind" or row["kind"] == "report"]
        confidences = [d.confidences[task] for d, _ in chosen]
        right = [d.labels[task] == row[task] for d, row in chosen]
        below = classifier.tuning.review_threshold(task)
        acted = [ok for c, ok in zip(confidences, right) if c >= below]
        calibration[task] = {"ece": reliability(confidences, right)["ece"], "n": len(chosen),
                             "acted_on": len(acted), "acted_on_right": sum(acted)}
    return Evaluation(
        split=split,
        n=len(rows),
        tasks=tasks,
        priority_agreement=sum(r["priority"] == p["priority"] for r, p in zip(rows, results)) / n,
        priority_within_one=sum(abs(r["priority"] - p["priority"]) <= 1 for r, p in zip(rows, results)) / n,
        real_name_agreement=sum(r["real_name"] == p["real_name"] for r, p in zip(rows, results)) / n,
        language_agreement=sum(r["lang"] == detect_language(model_text(r["subject"], r["text"])) for r in rows) / n,
        spam_threshold=classifier.spam_threshold,
        called_spam=sum(r["kind"] == "spam" for r in results),
        screened=len(screened),
        screened_not_spam=sum(kind != "spam" for kind in screened),
        reports_called_spam=sum(row["kind"] == "report" and r["kind"] == "spam" for row, r in zip(rows, results)),
        calibration=calibration,
        review=sum(needs_review(d, classifier.tuning) for d in decisions),
    )


def print_evaluation(evaluation: Evaluation, out: TextIO) -> None:
    print(f"{evaluation.split} split: {evaluation.n} messages", file=out)
    for task, result in evaluation.tasks.items():
        scope = "all messages" if task == "kind" else "gold reports"
        print(f"\n{task} ({result.n} {scope})", file=out)
        print(f"  {'label':26} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}", file=out)
        for row in result.labels:
            print(f"  {row.label:26} {row.precision:9.3f} {row.recall:7.3f} {row.f1:6.3f} {row.support:8d}", file=out)
        print(f"  {'macro-F1':26} {result.macro_f1:>24.3f}", file=out)
        print(f"  {'accuracy':26} {result.accuracy:>24.3f}", file=out)
    print("\nrules against the corpus labels", file=out)
    print(f"  priority agreement        {evaluation.priority_agreement:.3f} (within one: {evaluation.priority_within_one:.3f})", file=out)
    print(f"  real_name agreement       {evaluation.real_name_agreement:.3f}", file=out)
    print(f"  language agreement        {evaluation.language_agreement:.3f}", file=out)
    print(f"\nspam threshold {evaluation.spam_threshold:.4f}: {evaluation.screened} of {evaluation.called_spam} "
          f"messages called spam would be screened out ({evaluation.screened_not_spam} of them not spam); "
          "the rest are filed for checking", file=out)
    print(f"reports called spam: {evaluation.reports_called_spam}", file=out)
    print("\ncalibration (expected calibration error; labels at or above the review threshold, right)", file=out)
    for task, measured in evaluation.calibration.items():
        acted = measured["acted_on"]
        share = f"{measured['acted_on_right'] / acted:.3f}" if acted else "-"
        print(f"  {task:10} ECE {measured['ece']:.3f}; acted on {acted} of {measured['n']}, right {share}", file=out)
    print(f"  messages flagged for review: {evaluation.review} of {evaluation.n}", file=out)
