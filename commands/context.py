"""What several commands open: the store, the classifier, the pipeline."""

from __future__ import annotations

import getpass
import os
import sys

from config.schema import Settings
from intake.pipeline import Pipeline
from intake.workers import WorkerPool
from store.store import Store


def open_store(settings: Settings) -> Store:
    return Store.open(settings.store.url, settings.store.data_dir)


def load_classifier(settings: Settings):
    """The classifier's classify function; trains the model first if there is none yet."""
    import classifier

    return classifier.load(settings.classifier.model_dir, train_if_missing=True).classify


def make_pipeline(settings: Settings, store: Store, *, pooled: bool = False, **kwargs) -> Pipeline:
    """The pipeline; POOLED runs messages in worker processes, as many as the settings say."""
    if pooled and settings.pipeline.processes:
        import classifier

        if not classifier.model_exists(settings.classifier.model_dir):
            load_classifier(settings)  # trains it once here, before the workers need it
        pool = WorkerPool(settings, settings.pipeline.processes)
        return Pipeline(store=store, settings=settings, classify=None, pool=pool, **kwargs)
    return Pipeline(store=store, settings=settings, classify=load_classifier(settings), **kwargs)


def actor(args) -> str:
    return getattr(args, "actor", None) or os.environ.get("INTAKE_ACTOR") or getpass.getuser()


def fail(message: str, code: int = 1) -> int:
    print(f"bot.py: {message}", file=sys.stderr)
    return code
