"""Training the text classifiers, deterministically: fixed seeds, fixed data order.

`python bot.py train` fits the final model on the train and dev splits together (the settings
were chosen on dev with a model fitted on train alone; see data/README.md), never on test. Before
that it fits a model on train alone and scores dev with it, to tune what is saved with the model:
the law's weights, the temperatures, the review and spam thresholds (calibrate.py). Staff
corrections (`bot.py train --with-corrections`) join the final fit, each counted CORRECTION_REPEAT
times; they are never part of the tuning, which stays on dev.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

from .calibrate import Calibration, fit, score_held_out
from .corpus import DATA_DIR, check_example, corpus_digest, model_text, read_split, split_path
from .labels import TASKS, cat_name, component_name
from .model import MAX_CHARS, MODEL_FORMAT
from .pipeline import ModelParams, build_nlp
from .scoring import Tuning

# what load() tells the user a missing model costs; measured 52 s on 2 cores, where the model on
# train alone that the tuning on dev needs is fitted beside the final one (78 s one after the other)
ESTIMATED_SECONDS = 60
FINAL_SPLITS = ("train", "dev")
# the held-out split the spam threshold is calibrated on
CALIBRATION_SPLIT = "dev"


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 20260
    epochs: int = 20
    batch_size: int = 32
    learn_rate: float = 0.01
    l2: float = 0.0
    # repeat examples of rarer labels so each label is seen about equally often per epoch
    balance: bool = True
    # keep a running average of the weights and use it in the end (made no difference on dev
    # and doubles the training time, so off)
    average: bool = False
    params: ModelParams = field(default_factory=ModelParams)
    # settings of one task's model where they differ from params: violations are told apart
    # by phrases more than by words, so that model also reads pairs of neighbouring tokens, the
    # subject line apart (it often names the offence), and the n-grams and concepts each scaled
    # to unit length (chosen by cross-validation over train and dev, see data/README.md)
    task_params: tuple[tuple[str, ModelParams], ...] = (
        ("violation", ModelParams(ngram_size=2, concept_weight=1.0, subject=True, separate_norm=True)),
    )

    def params_for(self) -> dict[str, ModelParams]:
        out = {task: self.params for task in TASKS}
        out.update(dict(self.task_params))
        return out


def gold_cats(task: str, row: dict) -> dict[str, float]:
    value = row[task]
    return {cat_name(task, label): float(label == value) for label in TASKS[task]}


def task_rows(task: str, rows: Iterable[dict]) -> list[dict]:
    """Area and violation are only learnt from reports: other kinds have neither."""
    if task == "kind":
        return list(rows)
    return [row for row in rows if row["kind"] == "report"]


def train_nlp(rows: list[dict], config: TrainConfig = TrainConfig(), tasks: Iterable[str] = tuple(TASKS)) -> Language:
    """Return a pipeline trained on rows; only the given tasks' classifiers are trained (the
    others are left uninitialised and must not be run)."""
    if not rows:
        raise ValueError("no training examples")
    tasks = [task for task in TASKS if task in set(tasks)]
    fix_random_seed(config.seed)
    rng = random.Random(config.seed)
    rows = sorted(rows, key=lambda row: row["id"])
    nlp = build_nlp(config.params_for())
    docs = {row["id"]: nlp.make_doc(model_text(row["subject"], row["text"])) for row in rows}
    examples: dict[str, list[Example]] = {}
    for task in tasks:
        examples[task] = [_example(docs[row["id"]], gold_cats(task, row)) for row in task_rows(task, rows)]
        if config.balance:
            examples[task] = _balanced(examples[task], [row[task] for row in task_rows(task, rows)])
        component = nlp.get_pipe(component_name(task))
        labels = [cat_name(task, label) for label in TASKS[task]]
        component.initialize(lambda task=task: examples[task], nlp=nlp, labels=labels)
    optimizer = Adam(learn_rate=config.learn_rate, L2=config.l2, use_averages=config.average)
    for _ in range(config.epochs):
        for task in tasks:
            component = nlp.get_pipe(component_name(task))
            order = list(examples[task])
            rng.shuffle(order)
            losses: dict[str, float] = {}
            for batch in minibatch(order, size=config.batch_size):
                component.update(batch, sgd=optimizer, losses=losses)
    if config.average:
        _apply_averages(nlp, optimizer.averages)
    return nlp


def _example(doc: Doc, cats: dict[str, float]) -> Example:
    # the same tokens on both sides: a copy is much cheaper than Example.from_dict's rebuilding
    reference = doc.copy()
    reference.cats = cats
    return Example(doc, reference)


def _balanced(examples: list[Example], labels: list[str]) -> list[Example]:
    """Repeat each example round(most common count / its label's count) times."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    most = max(counts.values())
    out = []
    for example, label in zip(examples, labels):
        out.extend([example] * max(1, round(most / counts[label])))
    return out


def _apply_averages(nlp: Language, averages: dict) -> None:
    """Make the averaged weights the weights."""
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None:
            continue
        for node in model.walk():
            for name in node.param_names:
                key = (node.id, name)
                if key in averages:
                    node.set_param(name, averages[key])


def _log_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


DEFAULT_CONFIG = TrainConfig()
# a staff correction counts this many times: it is a label someone checked on a real message
CORRECTION_REPEAT = 3


def train_model(
    model_dir: str | Path,
    config: TrainConfig | None = None,
    data_dir: Path = DATA_DIR,
    splits: Iterable[str] = FINAL_SPLITS,
    log: Callable[[str], None] = _log_stderr,
    corrections: list[dict] | None = None,
) -> dict:
    """Train on the given splits (and staff corrections, rows in the corpus format) and save to
    model_dir, replacing what is there only at the end, so that a crash never leaves half a model.
    Returns a summary."""
    config = config or DEFAULT_CONFIG
    model_dir = Path(model_dir)
    splits = tuple(splits)
    if "test" in splits or "heldout" in splits:
        raise ValueError("the test splits are for evaluation only")
    corrections = list(corrections or [])
    for number, row in enumerate(corrections, 1):
        check_example(row, f"correction {number}")
    started = time.perf_counter()
    by_split = {split: read_split(split, data_dir) for split in splits}
    rows = [row for split in splits for row in by_split[split]]
    tuned, calibration_seconds, tuning = None, 0.0, None
    if CALIBRATION_SPLIT in splits and len(splits) > 1:
        # dev is part of the final model: a model fitted on the rest is what scores it
        fitted = [row for split in splits if split != CALIBRATION_SPLIT for row in by_split[split]]
        tuning = _start_tuning(fitted, by_split[CALIBRATION_SPLIT], config, log)
    extra = [dict(row, id=f"correction-{number}-{copy}") for number, row in enumerate(corrections, 1)
             for copy in range(CORRECTION_REPEAT)]
    nlp = train_nlp(rows + extra, config)
    if tuning is not None:
        tuned, calibration_seconds = tuning.result()
    if tuned is None and CALIBRATION_SPLIT not in splits and split_path(CALIBRATION_SPLIT, data_dir).is_file():
        # dev is held out of this model anyway: it scores dev itself
        scoring = time.perf_counter()
        tuned = tune(nlp, read_split(CALIBRATION_SPLIT, data_dir))
        calibration_seconds += time.perf_counter() - scoring
    seconds = time.perf_counter() - started
    nlp.meta["name"] = "report_classifier"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Kind, key area and violation of reports to a discipline inspection office"
    nlp.meta["classifier"] = {
        "format": MODEL_FORMAT,
        "splits": list(splits),
        "examples": len(rows),
        "corrections": len(corrections),
        "corrections_sha256": _digest(corrections) if corrections else None,
        "corpus_sha256": corpus_digest(splits, data_dir),
        "code_sha256": code_digest(),
        "train_seconds": round(seconds, 1),
        # fitting and scoring the tuning's own model, beside the final fit when there are two cores
        "calibration_seconds": round(calibration_seconds, 1),
        "config": asdict(config),
    }
    if tuned is not None:
        # a model without them gets scoring's defaults and a warning when loaded
        tuning, spam, report = tuned
        nlp.meta["classifier"]["spam_threshold"] = spam.threshold
        nlp.meta["classifier"]["spam_calibration"] = spam.as_meta()
        nlp.meta["classifier"]["tuning"] = tuning.as_meta()
        nlp.meta["classifier"]["calibration"] = report
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-", dir=model_dir.parent))
    try:
        nlp.to_disk(staging)
        if model_dir.exists():
            old = model_dir.with_name(f".{model_dir.name}-old-{staging.name}")
            model_dir.rename(old)
            staging.rename(model_dir)
            shutil.rmtree(old)
        else:
            staging.rename(model_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    summary = "no calibration"
    if tuned is not None:
        tuning, spam, report = tuned
        summary = (f"spam threshold {spam.threshold:.4f}, calibration error (ECE) on {spam.split}: "
                   + ", ".join(f"{task} {measured['ece']:.3f}" for task, measured in report["tasks"].items()))
    with_corrections = f" and {len(corrections)} staff corrections" if corrections else ""
    log(f"trained on {len(rows)} examples ({', '.join(splits)}){with_corrections} in {seconds:.1f} s; {summary}; "
        f"saved to {model_dir}")
    return {"examples": len(rows), "corrections": len(corrections), "seconds": seconds, "model_dir": str(model_dir),
            "spam_threshold": tuned[1].threshold if tuned else None}


class _Done:
    """A result at hand, with the interface of a Future."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _start_tuning(fitted: list[dict], held_out: list[dict], config: TrainConfig, log: Callable[[str], None]):
    """Fit and score the tuning's model in a second process while this one fits the final model:
    on two cores training then takes the time of the longer fit, not of both. Each fit seeds
    itself, so the result is the same either way."""
    if (os.cpu_count() or 1) < 2:
        return _Done(_fit_and_tune(fitted, held_out, config))
    try:
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    except OSError as exc:   # no processes to be had here: the same work, one after the other
        log(f"fitting the tuning's model in this process, after the other ({exc})")
        return _Done(_fit_and_tune(fitted, held_out, config))
    future = executor.submit(_fit_and_tune, fitted, held_out, config)
    executor.shutdown(wait=False)
    return future


def _fit_and_tune(fitted: list[dict], held_out: list[dict], config: TrainConfig) -> tuple[tuple, float]:
    started = time.perf_counter()
    tuned = tune(train_nlp(fitted, config), held_out)
    return tuned, time.perf_counter() - started


def tune(nlp: Language, held_out: list[dict]) -> tuple[Tuning, Calibration, dict]:
    """The tuning of a model whose classifiers never saw held_out (calibrate.py)."""
    return fit(score_held_out(nlp, held_out, MAX_CHARS), held_out, CALIBRATION_SPLIT)


def code_digest() -> str:
    """One SHA-256 over the classifier's own source files: which code made a model."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _digest(rows: list[dict]) -> str:
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
