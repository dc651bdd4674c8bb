"""Tuning the classifier's scores on messages its model never saw (the dev split): the law's
weights, one temperature per task, the review thresholds and the spam threshold (scoring.py).

`train.py` fits a model on train, scores dev with it and hands the scores here, in this order:

1. law weights: of the pairs (crime, rule) of the grid with crime >= rule (a named crime is the
   gravest act) that give the best violation macro-F1 on dev's reports, the largest. Dev is
   written in the registers the corpus knows, where the model has learnt the law's terms as
   features and the prior changes little; the notices and judgments where it matters are what
   dev lacks. So the knowledge is used as strongly as dev allows without costing it anything;
2. temperatures: per task, the one that minimises the negative log-likelihood of the gold labels
   (kind over every message, area and violation over the reports), then raised while the
   predictions it makes at least CONFIDENT sure are right less often than they claim: a
   confidence may understate, never overstate;
3. review thresholds: once confidences are calibrated, "0.8" means right about 8 times in 10, so a
   label less sure than REVIEW_BELOW (wrong more than one time in five) is one nobody should act
   on alone; how many dev labels that sends to review, and how often those acted on are right,
   is measured and saved with the model;
4. the spam threshold: the lowest confidence at which the dev messages called spam at or above it
   are spam at least PRECISION of the time, at every higher threshold too, never below FLOOR. The
   model is sure of the messages it was trained on, not of a register it never saw (formal
   notices, forwarded circulars): a report the pipeline screens out is lost without a trace, a
   spam filed for checking costs a person a glance. Messages that the rules make spam for saying
   nothing have confidence 1.0 and are left out of the count: the rule decides them.

It also measures how well the tuned confidences hold on dev: per task, ten bins of confidence with
their count, mean confidence and accuracy, and the expected calibration error (ECE), the
count-weighted mean gap between confidence and accuracy.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from spacy.language import Language

from .corpus import model_text
from .labels import TASKS
from .metrics import score
from .scoring import Facts, Tuning, decide_from, facts, raw_scores, temper, tuned_scores

# the model calls some 40 dev messages spam: one mistake among them is already more than 1 %, so
# in practice "all were spam"
PRECISION = 0.99
# The bound found on dev rests on the few non-spam messages the model called spam there, and dev
# holds none of the registers where it goes wrong (formal notices): below this, its "spam" is not
# trusted whatever dev says.
FLOOR = 0.9
# a label with a calibrated confidence below this needs a person's review
REVIEW_BELOW = 0.8
# predictions this sure must be right at least as often as they claim
CONFIDENT = 0.5
LAW_GRID = {"crime": (0.0, 1.0, 2.0, 3.0, 4.0), "rule": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)}
TEMPERATURES = tuple(round(0.25 * 1.06 ** step, 4) for step in range(72))   # 0.25 .. about 15
BINS = 10


@dataclass(frozen=True)
class Scored:
    """One held-out message as a model that never saw it scored it."""

    raw: dict[str, dict[str, float]]
    facts: Facts


def score_held_out(nlp: Language, rows: list[dict], max_chars: int) -> list[Scored]:
    out = []
    texts = (model_text(row["subject"], row["text"])[:max_chars] for row in rows)
    with nlp.memory_zone():
        for doc in nlp.pipe(texts):
            out.append(Scored(raw_scores(doc), facts(doc)))
    return out


@dataclass(frozen=True)
class Calibration:
    threshold: float
    split: str
    messages: int
    called_spam: int       # by the model, not by the empty-message rule
    spam: int              # of those, gold spam
    screened: int          # called spam at or above the threshold
    screened_not_spam: int

    def as_meta(self) -> dict:
        return asdict(self)


def spam_threshold(scored: list[tuple[str, float, bool]], gold: list[str], split: str = "dev",
                   precision: float = PRECISION, floor: float = FLOOR) -> Calibration:
    """The lowest threshold t >= floor such that, for every t' >= t, the messages the model called
    spam with confidence >= t' are spam at least `precision` of the time. scored: (kind,
    confidence, decided by the empty-message rule) per message."""
    called = sorted(((confidence, truth == "spam") for (kind, confidence, by_rule), truth in zip(scored, gold)
                     if kind == "spam" and not by_rule), reverse=True)
    threshold = 1.0
    right = 0
    for count, (confidence, is_spam) in enumerate(called, 1):
        right += is_spam
        if right < precision * count:
            break
        # a tie with the next (lower) score cannot be split: the threshold moves only past ties
        if count == len(called) or called[count][0] < confidence:
            threshold = confidence
    threshold = max(threshold, floor)
    screened = [is_spam for confidence, is_spam in called if confidence >= threshold]
    return Calibration(
        threshold=threshold,
        split=split,
        messages=len(gold),
        called_spam=len(called),
        spam=sum(is_spam for _, is_spam in called),
        screened=len(screened),
        screened_not_spam=screened.count(False),
    )


def _task_rows(task: str, scored: list[Scored], rows: list[dict]) -> list[tuple[Scored, str]]:
    """(scored, gold label) of the messages a task is scored on: every message for the kind, the
    gold reports for area and violation."""
    return [(item, row[task]) for item, row in zip(scored, rows) if task == "kind" or row["kind"] == "report"]


def law_weights(scored: list[Scored], rows: list[dict]) -> tuple[dict[str, float], float]:
    """The largest grid weights (crime >= rule) with the best violation macro-F1, and that F1."""
    pairs = _task_rows("violation", scored, rows)
    gold = [label for _, label in pairs]
    results = []
    for crime in LAW_GRID["crime"]:
        for rule in LAW_GRID["rule"]:
            if rule > crime:
                continue
            tuning = Tuning(law_weights={"crime": crime, "rule": rule})
            predicted = [_best(tuned_scores(item.raw, item.facts.law, tuning)["violation"]) for item, _ in pairs]
            results.append((round(score(gold, predicted, TASKS["violation"]).macro_f1, 9), crime + rule, crime, rule))
    f1, _, crime, rule = max(results)
    return {"crime": crime, "rule": rule}, f1


def _best(scores: dict[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


def temperature(distributions: list[dict[str, float]], gold: list[str]) -> float:
    """The temperature of TEMPERATURES with the least negative log-likelihood of gold, raised
    until the predictions at least CONFIDENT sure are right at least as often as they claim."""
    if not gold:
        return 1.0

    def nll(t: float) -> float:
        return -sum(math.log(max(temper(scores, t)[label], 1e-12)) for scores, label in zip(distributions, gold))

    index = min(range(len(TEMPERATURES)), key=lambda i: (nll(TEMPERATURES[i]), i))
    while index + 1 < len(TEMPERATURES) and _overclaims(distributions, gold, TEMPERATURES[index]):
        index += 1
    return TEMPERATURES[index]


def _overclaims(distributions: list[dict[str, float]], gold: list[str], t: float) -> bool:
    claimed = right = count = 0
    for scores, label in zip(distributions, gold):
        tempered = temper(scores, t)
        chosen = _best(tempered)
        if tempered[chosen] >= CONFIDENT:
            count += 1
            claimed += tempered[chosen]
            right += chosen == label
    return count > 0 and right < claimed


def reliability(confidences: list[float], right: list[bool], bins: int = BINS) -> dict:
    """Bins of confidence with count, mean confidence and accuracy; the ECE over them."""
    table = []
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [(c, r) for c, r in zip(confidences, right) if low <= c < high or (index == bins - 1 and c == high)]
        if members:
            mean = sum(c for c, _ in members) / len(members)
            accuracy = sum(r for _, r in members) / len(members)
            table.append({"from": low, "to": high, "n": len(members), "confidence": round(mean, 4),
                          "accuracy": round(accuracy, 4)})
    total = len(confidences) or 1
    ece = sum(row["n"] * abs(row["confidence"] - row["accuracy"]) for row in table) / total
    return {"ece": round(ece, 4), "bins": table}


def fit(scored: list[Scored], rows: list[dict], split: str = "dev") -> tuple[Tuning, Calibration, dict]:
    """The tuning of scores fitted on held-out rows, the spam calibration, and a report of both."""
    weights, law_f1 = law_weights(scored, rows)
    tuning = Tuning(law_weights=weights)
    temperatures = {}
    for task in TASKS:
        pairs = _task_rows(task, scored, rows)
        distributions = [tuned_scores(item.raw, item.facts.law, tuning)[task] for item, _ in pairs]
        temperatures[task] = temperature(distributions, [label for _, label in pairs])
    tuning = replace(tuning, temperatures=temperatures)
    decisions = [decide_from(item.raw, item.facts, tuning) for item in scored]
    review_below, measured = {}, {}
    for task in TASKS:
        chosen = [(decision, row) for decision, row in zip(decisions, rows) if task == "kind" or row["kind"] == "report"]
        confidences = [decision.confidences[task] for decision, _ in chosen]
        right = [decision.labels[task] == row[task] for decision, row in chosen]
        review_below[task] = REVIEW_BELOW
        acted = [is_right for confidence, is_right in zip(confidences, right) if confidence >= REVIEW_BELOW]
        measured[task] = {**reliability(confidences, right), "review_below": REVIEW_BELOW, "n": len(chosen),
                          "acted_on": len(acted), "acted_on_right": sum(acted), "temperature": temperatures[task]}
    tuning = replace(tuning, review_below=review_below)
    spam = spam_threshold([(d.labels["kind"], d.confidences["kind"], d.labels["kind"] == "spam" and item.facts.empty)
                           for d, item in zip(decisions, scored)], [row["kind"] for row in rows], split)
    tuning = replace(tuning, spam_threshold=spam.threshold)
    report = {"split": split, "messages": len(rows), "law_weights": weights, "law_violation_macro_f1": round(law_f1, 4),
              "tasks": measured}
    return tuning, spam, report
