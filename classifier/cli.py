"""The classifier's commands, as bot.py calls them: train, evaluate, classify. Each returns the
exit code (0 done, 1 failure) and reports failures in one line, never with a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from .corpus import CorpusError, check_example, read_split
from .evaluate import evaluate_rows, print_evaluation
from .model import ModelError, load
from .train import train_model

# what `evaluate` scores: the unseen test split and the held-out split of another register
EVALUATED = ("test", "heldout")


def _fail(message: str) -> int:
    print(f"classifier: {message}", file=sys.stderr, flush=True)
    return 1


def train(model_dir: Path, corrections: list[dict] | None = None) -> int:
    try:
        train_model(Path(model_dir), corrections=corrections)
    except (CorpusError, OSError, ValueError) as exc:
        return _fail(f"training failed: {exc}")
    return 0


def evaluate(model_dir: Path, out: TextIO | None = None, splits: tuple[str, ...] = EVALUATED,
             corrections: list[dict] | None = None) -> int:
    """Scores on the given corpus splits, or on staff corrections (rows in the corpus format)."""
    out = out or sys.stdout
    try:
        classifier = load(Path(model_dir))
        if corrections is not None:
            for number, row in enumerate(corrections, 1):
                check_example(row, f"correction {number}")
            sets = [("corrections", corrections)]
        else:
            sets = [(split, read_split(split)) for split in splits]
    except (ModelError, CorpusError, OSError) as exc:
        return _fail(str(exc))
    meta = classifier.nlp.meta.get("classifier") or {}
    if meta.get("corrections"):
        print(f"this model was trained with {meta['corrections']} staff corrections besides the corpus; "
              "the corpus splits below hold none of them", file=out)
    for number, (name, rows) in enumerate(sets):
        if number:
            print("", file=out)
        if not rows:
            print(f"{name}: no messages", file=out)
            continue
        print_evaluation(evaluate_rows(classifier, rows, name), out)
    return 0


def classify(model_dir: Path, instream: TextIO, outstream: TextIO) -> int:
    """JSON lines in ({"id", "subject", "text"}), one JSON line out per input line.

    A line that is not a JSON object with string subject/text gets {"id", "error"} and the rest go
    on; the exit code is then 1. Blank lines are skipped. Each answer is flushed at once, so a
    caller may feed one line and wait for its answer.
    """
    try:
        classifier = load(Path(model_dir))
    except (ModelError, CorpusError, OSError) as exc:
        return _fail(str(exc))
    bad = 0
    for number, line in enumerate(instream, 1):
        if not line.strip():
            continue
        message_id = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError(f"expected a JSON object, got {type(item).__name__}")
            message_id = item.get("id")
            result = classifier.classify(item.get("subject"), item.get("text"))
        except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
            bad += 1
            answer = {"id": message_id, "error": f"line {number}: {exc}"}
        else:
            answer = {"id": message_id, **result}
        outstream.write(json.dumps(answer, ensure_ascii=False) + "\n")
        outstream.flush()
    return 1 if bad else 0
