"""Training the text classifiers, deterministically: fixed seeds, fixed data order.

`python bot.py train` fits the final model on the train and dev splits together (the settings
were chosen on dev with a model fitted on train alone; see data/README.md), never on test. Before
that it fits the kind model alone on train and scores dev with it, to calibrate the spam threshold
saved with the model (calibrate.py).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

from .calibrate import Calibration, scored_kinds, spam_threshold
from .corpus import DATA_DIR, corpus_digest, model_text, read_split, split_path
from .labels import TASKS, cat_name, component_name
from .pipeline import ModelParams, build_nlp

# what load() tells the user a missing model costs; measured about 27 s on 2 cores, of which
# about 8 s fit the kind model that calibrates the spam threshold
ESTIMATED_SECONDS = 40
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


def train_model(
    model_dir: str | Path,
    config: TrainConfig | None = None,
    data_dir: Path = DATA_DIR,
    splits: Iterable[str] = FINAL_SPLITS,
    log: Callable[[str], None] = _log_stderr,
) -> dict:
    """Train on the given splits and save to model_dir, replacing what is there only at the end,
    so that a crash never leaves half a model. Returns a summary."""
    config = config or DEFAULT_CONFIG
    model_dir = Path(model_dir)
    splits = tuple(splits)
    if "test" in splits:
        raise ValueError("the test split is for evaluation only")
    started = time.perf_counter()
    by_split = {split: read_split(split, data_dir) for split in splits}
    rows = [row for split in splits for row in by_split[split]]
    calibration = None
    if CALIBRATION_SPLIT in splits and len(splits) > 1:
        # dev is part of the final model: a kind model fitted on the rest is what scores it
        fitted = [row for split in splits if split != CALIBRATION_SPLIT for row in by_split[split]]
        calibration = calibrate(train_nlp(fitted, config, tasks=("kind",)), by_split[CALIBRATION_SPLIT])
    calibration_seconds = time.perf_counter() - started
    nlp = train_nlp(rows, config)
    if calibration is None and CALIBRATION_SPLIT not in splits and split_path(CALIBRATION_SPLIT, data_dir).is_file():
        # dev is held out of this model anyway: it scores dev itself
        scoring = time.perf_counter()
        calibration = calibrate(nlp, read_split(CALIBRATION_SPLIT, data_dir))
        calibration_seconds += time.perf_counter() - scoring
    seconds = time.perf_counter() - started
    nlp.meta["name"] = "report_classifier"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Kind, key area and violation of reports to a discipline inspection office"
    nlp.meta["classifier"] = {
        "format": 1,
        "splits": list(splits),
        "examples": len(rows),
        "corpus_sha256": corpus_digest(splits, data_dir),
        "train_seconds": round(seconds, 1),
        "calibration_seconds": round(calibration_seconds, 1),  # part of train_seconds
        "config": asdict(config),
    }
    if calibration is not None:
        # a model without it gets model.DEFAULT_SPAM_THRESHOLD and a warning when loaded
        nlp.meta["classifier"]["spam_threshold"] = calibration.threshold
        nlp.meta["classifier"]["spam_calibration"] = calibration.as_meta()
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
    threshold = (f"spam threshold {calibration.threshold:.4f} (on {calibration.split})" if calibration
                 else "no spam threshold")
    log(f"trained on {len(rows)} examples ({', '.join(splits)}) in {seconds:.1f} s; {threshold}; saved to {model_dir}")
    return {"examples": len(rows), "seconds": seconds, "model_dir": str(model_dir),
            "spam_threshold": calibration.threshold if calibration else None}


def calibrate(nlp: Language, held_out: list[dict]) -> Calibration:
    """The spam threshold of a model whose kind classifier never saw held_out."""
    return spam_threshold(scored_kinds(nlp, held_out), [row["kind"] for row in held_out], CALIBRATION_SPLIT)
