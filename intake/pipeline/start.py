"""Assembling a pipeline: the classifier it runs, and whether messages go to worker processes."""

from __future__ import annotations

from config.schema import Settings
from intake.pipeline.pool import WorkerPool
from intake.pipeline.worker import Pipeline
from store.store import Store


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
