"""The trained classifier: loading it (training it first when missing) and classifying messages.

What `Classifier.classify(subject, text)` returns is the contract of DESIGN.md: kind, area,
violation, priority, real_name, language, entities, and `confidence`, the calibrated probability
of the kind (1.0 where a rule, not the model, chose it). Besides: `confidences`, the calibrated
probability of each chosen label (kind; area and violation for a report), `violation_scores`, the
probability of every violation (for a report, else null), and `review`, true when nobody should
act on the labels alone (scoring.py). It also carries the model's `spam_threshold`: below it a
"spam" is the model's guess, not its word, and the pipeline files it for a person to check (see
calibrate.py). Entity offsets index the string `subject + "\\n" + text` (see `corpus.model_text`):
the text part starts at len(subject) + 1.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import pipeline as _pipeline  # noqa: F401  (registers our tokenizer, model and components)
from .corpus import corpus_digest, model_text, split_path
from .labels import AREAS, KINDS, TASKS, VIOLATIONS, cat_name, component_name
from .language import detect_language
from .priority import priority
from .realname import real_name
from .scoring import DEFAULT_SPAM_THRESHOLD, Decision, Tuning, decide, needs_review
from .tokenizer import doc_norm_text, doc_text

# Longer messages are classified on their first characters only: a 25 MB mail body would take
# seconds and says nothing more about its kind than its first pages. Entities past the cut are
# not reported.
MAX_CHARS = 50_000
# 2: the law's terms among the features, tuned scores (scoring.py)
MODEL_FORMAT = 2


class ModelError(RuntimeError):
    """The model directory holds no usable model."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Classifier:
    """A loaded model. Cheap to call; one instance serves a long-running worker.

    Each call runs in a spaCy memory zone: the strings of a message (numbers, names, addresses)
    are freed after it, so the vocabulary does not grow with every message the worker sees. A
    memory zone must not overlap another on the same vocabulary, so calls take a lock: threads
    may share an instance, and their calls run one after the other.
    """

    def __init__(self, nlp: Language, model_dir: Path | None):
        self.nlp = nlp
        self.model_dir = model_dir
        self.tuning = Tuning.from_meta(nlp.meta.get("classifier") or {})
        self.spam_threshold = self.tuning.spam_threshold
        self._lock = threading.Lock()

    def classify(self, subject: str | None, text: str | None) -> dict:
        """Classify one message (see the module docstring for what comes back)."""
        text = _model_input(subject, text)
        with self._lock, self.nlp.memory_zone():
            return self.result(self.nlp(text))

    def classify_many(self, items: Iterable[tuple[str | None, str | None]], batch_size: int = 64) -> Iterator[dict]:
        """Classify (subject, text) pairs, in order, through nlp.pipe, a batch at a time."""
        batch: list[str] = []
        for subject, text in items:
            batch.append(_model_input(subject, text))
            if len(batch) == batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, texts: list[str]) -> list[dict]:
        # results are plain dicts, made before the zone frees the docs' strings; the lock is not
        # held while the caller consumes them
        with self._lock, self.nlp.memory_zone():
            return [self.result(doc) for doc in self.nlp.pipe(texts, batch_size=len(texts))]

    def labels(self, doc: Doc) -> dict[str, str]:
        """The best label of every task, whatever the kind (the evaluation reads area and
        violation of every gold report this way), the kind after the rules of `kind_rules`."""
        return decide(doc, self.tuning).labels

    def result(self, doc: Doc, decision: Decision | None = None) -> dict:
        """The result of DOC; DECISION, when the caller has made it already, is not made again."""
        decision = decision or decide(doc, self.tuning)
        kind = decision.labels["kind"]
        report = kind == "report"
        area = decision.labels["area"] if report else None
        violation = decision.labels["violation"] if report else None
        norm = doc_norm_text(doc)
        entities = doc._.entities or []
        return {
            "kind": kind,
            "area": area,
            "violation": violation,
            "priority": priority(kind, area, violation, norm, entities),
            "real_name": real_name(norm, entities),
            "language": detect_language(doc_text(doc)),
            "entities": [entity.as_dict() for entity in entities],
            "confidence": decision.confidences["kind"],
            "confidences": {task: value for task, value in decision.confidences.items()
                            if report or task == "kind"},
            "violation_scores": ({label: round(value, 6) for label, value in decision.scores["violation"].items()}
                                 if report else None),
            "review": needs_review(decision, self.tuning),
            "spam_threshold": self.spam_threshold,
        }


def _model_input(subject: str | None, text: str | None) -> str:
    for name, value in (("subject", subject), ("text", text)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    return model_text(subject or "", text or "")[:MAX_CHARS]


def model_exists(model_dir: Path) -> bool:
    return (Path(model_dir) / "config.cfg").is_file()


def _format(model_dir: Path):
    """The format number in a saved model's meta, None when it cannot be read."""
    try:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (meta.get("classifier") or {}).get("format") if isinstance(meta, dict) else None


def load(
    model_dir: str | Path,
    *,
    train_if_missing: bool = True,
    log: Callable[[str], None] = _stderr,
) -> Classifier:
    """Load the model in model_dir; train it there first if there is none, or if it is of an older
    format (saying so on log)."""
    model_dir = Path(model_dir)
    found = _format(model_dir) if model_exists(model_dir) else None
    if train_if_missing and isinstance(found, int) and not isinstance(found, bool) and found < MODEL_FORMAT:
        from .train import ESTIMATED_SECONDS, train_model

        log(f"classifier model in {model_dir} is of an older format; training it again now "
            f"(about {ESTIMATED_SECONDS} seconds)...")
        train_model(model_dir, log=log)
    if not model_exists(model_dir):
        if not train_if_missing:
            raise ModelError(f"classifier model not found in {model_dir}; run `python bot.py train`")
        from .train import ESTIMATED_SECONDS, train_model

        log(f"classifier model not found in {model_dir}; training it now (about {ESTIMATED_SECONDS} seconds)...")
        train_model(model_dir, log=log)
    try:
        nlp = spacy.load(model_dir)
    except Exception as exc:  # spaCy raises many kinds here; all mean the same to the caller
        raise ModelError(
            f"classifier model in {model_dir} cannot be loaded ({type(exc).__name__}: {exc}); "
            "delete it or run `python bot.py train`"
        ) from exc
    meta = nlp.meta.get("classifier") or {}
    expected = [component_name(task) for task in TASKS] + ["entity_rules"]
    if meta.get("format") != MODEL_FORMAT or nlp.pipe_names != expected:
        raise ModelError(
            f"classifier model in {model_dir} is of another format (pipes {nlp.pipe_names}); "
            "run `python bot.py train` to rebuild it"
        )
    for task, labels in (("kind", KINDS), ("area", AREAS), ("violation", VIOLATIONS)):
        if set(nlp.get_pipe(component_name(task)).labels) != {cat_name(task, label) for label in labels}:
            raise ModelError(f"classifier model in {model_dir} has other {task} labels; run `python bot.py train`")
    _warn_if_stale(model_dir, meta, log)
    return Classifier(nlp, model_dir)


def _warn_if_stale(model_dir: Path, meta: dict, log: Callable[[str], None]) -> None:
    """Say so when the corpus has changed since the model was trained (say, after a pull): the
    model still works, but it is not the one `python bot.py train` would make now. A model saved
    before spam thresholds were calibrated works too, on the conservative default."""
    if Tuning.from_meta(meta).spam_threshold != meta.get("spam_threshold"):
        log(f"classifier model in {model_dir} has no calibrated spam threshold; using {DEFAULT_SPAM_THRESHOLD}, "
            "so more spam is filed for checking; run `python bot.py train` to calibrate it")
    splits = meta.get("splits") or []
    if not meta.get("corpus_sha256") or not all(split_path(split).is_file() for split in splits):
        return
    if corpus_digest(splits) != meta["corpus_sha256"]:
        log(f"classifier model in {model_dir} was trained on an older version of the labelled corpus; "
            "run `python bot.py train` to bring it up to date")
