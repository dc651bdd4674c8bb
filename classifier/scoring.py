"""From the text classifiers' raw scores to what a result says: the law's prior on the violation,
each task's temperature, the kind after the rules, and whether a person should look before anyone
acts on the labels.

The raw scores of a linear model trained to fit its corpus are too sure of themselves on text
unlike it. `Tuning` holds what training fitted on dev with a model that had not seen dev
(calibrate.py): how much the law's terms weigh (law.py), one temperature per task (its scores are
raised to 1/T and normalised again, which keeps the order of the labels and makes "0.8" mean
right about 8 times in 10 on dev), the confidence below which each task's label needs review,
and the spam threshold. A model saved without them gets the identity and conservative defaults.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from spacy.tokens import Doc

from .evidence import has_report_evidence, is_empty
from .labels import TASKS, cat_name
from .law import apply_prior, find_law, prior
from .tokenizer import doc_norm_text

# The spam threshold of a model saved before thresholds were calibrated: so high that hardly any
# spam is screened on the model's word, so that no report is lost; the rest is filed for checking.
DEFAULT_SPAM_THRESHOLD = 0.99
# A model saved without review thresholds sends everything below this to review.
DEFAULT_REVIEW_BELOW = 0.8


@dataclass(frozen=True)
class Tuning:
    temperatures: dict[str, float] = field(default_factory=dict)
    law_weights: dict[str, float] = field(default_factory=dict)
    review_below: dict[str, float] = field(default_factory=dict)
    spam_threshold: float = DEFAULT_SPAM_THRESHOLD

    @classmethod
    def from_meta(cls, meta: dict) -> "Tuning":
        """What the model's meta holds; anything missing or malformed gets its default."""
        def numbers(value, keys, low, high) -> dict[str, float]:
            if not isinstance(value, dict):
                return {}
            return {key: float(value[key]) for key in keys if _number(value.get(key)) and low <= value[key] <= high}

        tuning = meta.get("tuning") or {}
        threshold = meta.get("spam_threshold")
        return cls(
            temperatures=numbers(tuning.get("temperatures"), TASKS, 0.05, 20.0),
            law_weights=numbers(tuning.get("law_weights"), ("crime", "rule"), 0.0, 10.0),
            review_below=numbers(tuning.get("review_below"), TASKS, 0.0, 1.0),
            spam_threshold=float(threshold) if _number(threshold) and 0.0 < threshold <= 1.0 else DEFAULT_SPAM_THRESHOLD,
        )

    def as_meta(self) -> dict:
        out = asdict(self)
        out.pop("spam_threshold")
        return out

    def review_threshold(self, task: str) -> float:
        return self.review_below.get(task, DEFAULT_REVIEW_BELOW)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def raw_scores(doc: Doc) -> dict[str, dict[str, float]]:
    """Every task's probabilities as the text classifiers gave them."""
    return {task: {label: float(doc.cats[cat_name(task, label)]) for label in labels} for task, labels in TASKS.items()}


def temper(scores: dict[str, float], temperature: float) -> dict[str, float]:
    """Probabilities raised to 1/temperature and normalised: softmax(logits / T)."""
    if temperature == 1.0:
        return dict(scores)
    logs = {label: math.log(max(value, 1e-12)) / temperature for label, value in scores.items()}
    top = max(logs.values())
    raised = {label: math.exp(value - top) for label, value in logs.items()}
    total = sum(raised.values())
    return {label: value / total for label, value in raised.items()}


def tuned_scores(raw: dict[str, dict[str, float]], law_found: dict[str, int], tuning: Tuning) -> dict[str, dict[str, float]]:
    """The law's prior on the violation, then each task's temperature."""
    out = {}
    for task, scores in raw.items():
        if task == "violation":
            scores = apply_prior(scores, prior(law_found, tuning.law_weights))
        out[task] = temper(scores, tuning.temperatures.get(task, 1.0))
    return out


@dataclass(frozen=True)
class Facts:
    evidence: bool      # names an official, a post, a public body or an offence
    empty: bool         # says nothing at all
    law: dict           # law.find_law of the text


_FACTS_KEY = "classifier.facts"


def facts(doc: Doc) -> Facts:
    """What the rules read in a text, worked out once per doc."""
    found = doc.user_data.get(_FACTS_KEY)
    if found is None:
        norm = doc_norm_text(doc)
        evidence = has_report_evidence(norm)
        found = Facts(evidence, not evidence and is_empty(norm), find_law(norm))
        doc.user_data[_FACTS_KEY] = found
    return found


def best(scores: dict[str, float]) -> str:
    return max(scores, key=scores.__getitem__)


def kind_rules(doc: Doc, kind_scores: dict[str, float]) -> str:
    """The model's kind, checked against what the text holds (see kind_from)."""
    return kind_from(facts(doc), kind_scores)


def kind_from(found: Facts, kind_scores: dict[str, float]) -> str:
    """The best kind, checked against what the text holds (see evidence.py).

    A report needs positive evidence: a message that names no official, post or public body and
    no offence is not a report, whatever its n-grams say; it gets the best other kind. A message
    that says nothing at all (empty, a greeting, "test") and has no such evidence is spam, as the
    label guide has it. A report that is only a subject line and attachments ("举报村支书贪污")
    has the evidence and stays a report. A text that names a crime or a breach of discipline
    (law.py) is never spam: the notices and judgments that do are the register the model knows
    least, and a report called spam is never seen.
    """
    kind = best(kind_scores)
    if found.evidence:
        if kind == "spam" and found.law:
            return best({label: value for label, value in kind_scores.items() if label != "spam"})
        return kind
    if found.empty:
        return "spam"
    if kind != "report":
        return kind
    return best({label: value for label, value in kind_scores.items() if label != "report"})


def said_nothing(doc: Doc) -> bool:
    """True when kind_rules makes the message spam for saying nothing, whatever the model says."""
    return facts(doc).empty


@dataclass(frozen=True)
class Decision:
    labels: dict[str, str]                  # best label of every task, the kind after the rules
    scores: dict[str, dict[str, float]]     # tuned probabilities of every label of every task
    confidences: dict[str, float]           # of the chosen labels; the kind's 1.0 when a rule made it spam


def decide(doc: Doc, tuning: Tuning) -> Decision:
    return decide_from(raw_scores(doc), facts(doc), tuning)


def decide_from(raw: dict[str, dict[str, float]], found: Facts, tuning: Tuning) -> Decision:
    """The labels, tuned scores and confidences of a text from its raw scores and facts (rounded,
    so that the JSON output and the thresholds calibrated on it agree to the digit)."""
    scores = tuned_scores(raw, found.law, tuning)
    labels = {task: best(task_scores) for task, task_scores in scores.items()}
    labels["kind"] = kind_from(found, scores["kind"])
    confidences = {task: round(scores[task][label], 6) for task, label in labels.items()}
    if labels["kind"] == "spam" and found.empty:
        confidences["kind"] = 1.0
    return Decision(labels, scores, confidences)


def needs_review(decision: Decision, tuning: Tuning) -> bool:
    """True when nobody should act on the labels alone: the kind, or for a report its area or
    violation, is less sure than its review threshold, or a "spam" is below the spam threshold
    (the pipeline files it for checking rather than screening it)."""
    kind = decision.labels["kind"]
    if kind == "spam" and decision.confidences["kind"] < tuning.spam_threshold:
        return True
    tasks = ("kind", "area", "violation") if kind == "report" else ("kind",)
    return any(decision.confidences[task] < tuning.review_threshold(task) for task in tasks)

