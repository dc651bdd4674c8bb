"""The spam threshold: how sure the kind model must be before its "spam" alone keeps a message
out of the case files.

The model is sure of the messages it was trained on, not of a register it never saw: formal
notices of a discipline body ("经查，某县民政局原局长王某违反中央八项规定精神…"), circulars about
formalism, forwarded documents. A report the pipeline screens out is lost without a trace, a spam
filed for checking costs a person a glance; so the threshold is set where "spam" was never wrong
on messages the model had not seen. `train.py` fits the kind model on train, scores dev with it
and keeps the lowest threshold at which the dev messages called spam at or above it are spam at
least PRECISION of the time, and at every higher threshold too, never below FLOOR.

Messages that kind_rules makes spam for saying nothing have confidence 1.0 and are left out of the
count: the rule decides them, whatever the threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from spacy.language import Language

from .corpus import model_text
from .labels import KINDS, cat_name, component_name
from .model import MAX_CHARS, kind_confidence, kind_rules, said_nothing

# the model calls some 40 dev messages spam: one mistake among them is already more than 1 %, so
# in practice "all were spam"
PRECISION = 0.99
# The bound found on dev rests on the few non-spam messages the model called spam there (two, at
# 0.57 and 0.43, on the current corpus), and dev holds none of the registers where it goes wrong
# (formal notices): below this, its "spam" is not trusted whatever dev says.
FLOOR = 0.9


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


def scored_kinds(nlp: Language, rows: list[dict]) -> list[tuple[str, float, bool]]:
    """(kind, confidence, decided by the empty-message rule) of each row, from the kind model
    alone (a calibration model has no other task trained)."""
    keep = component_name("kind")
    disable = [name for name in nlp.pipe_names if name != keep]
    out = []
    texts = (model_text(row["subject"], row["text"])[:MAX_CHARS] for row in rows)
    with nlp.select_pipes(disable=disable), nlp.memory_zone():
        for doc in nlp.pipe(texts):
            best = max(KINDS, key=lambda label: doc.cats[cat_name("kind", label)])
            kind = kind_rules(doc, best)
            confidence = kind_confidence(doc, kind)
            out.append((kind, confidence, said_nothing(doc)))
    return out


def spam_threshold(scored: list[tuple[str, float, bool]], gold: list[str], split: str = "dev",
                   precision: float = PRECISION, floor: float = FLOOR) -> Calibration:
    """The lowest threshold t >= floor such that, for every t' >= t, the messages the model called
    spam with confidence >= t' are spam at least `precision` of the time."""
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
