"""The classifier's commands: train, evaluate, classify (JSON lines in, JSON lines out)."""

from __future__ import annotations

import sys

from classifier import cli


def train(settings, args) -> int:
    return cli.train(settings.classifier.model_dir)


def evaluate(settings, args) -> int:
    return cli.evaluate(settings.classifier.model_dir)


def classify(settings, args) -> int:
    return cli.classify(settings.classifier.model_dir, sys.stdin, sys.stdout)
