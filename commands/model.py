"""The classifier's commands: train, evaluate, classify (JSON lines in, JSON lines out).

`train --with-corrections` and `evaluate --corrections` read the labels staff corrected from the
store (commands/corrections.py): the classifier itself never opens the store."""

from __future__ import annotations

import sys

from classifier import cli
from classifier.corpus import KEYS
from classifier.language import detect_language


def train(settings, args) -> int:
    corrections = _corrections(settings) if getattr(args, "with_corrections", False) else None
    return cli.train(settings.classifier.model_dir, corrections=corrections)


def evaluate(settings, args) -> int:
    if getattr(args, "corrections", False):
        return cli.evaluate(settings.classifier.model_dir, corrections=_corrections(settings))
    return cli.evaluate(settings.classifier.model_dir)


def classify(settings, args) -> int:
    return cli.classify(settings.classifier.model_dir, sys.stdin, sys.stdout)


def _corrections(settings) -> list[dict]:
    """The corrected cases as corpus rows (the corpus keys only; a case whose language is not
    zh or en gets the one its text reads as)."""
    from commands.corrections import collect

    rows = []
    for line in collect(settings):
        row = {key: line[key] for key in KEYS}
        if row["lang"] not in ("zh", "en"):
            row["lang"] = detect_language(f"{row['subject'] or ''}\n{row['text'] or ''}")
        row["subject"] = row["subject"] or ""
        row["text"] = row["text"] or ""
        rows.append(row)
    return rows
