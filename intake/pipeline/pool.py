"""Worker processes: each runs whole batches of messages through the pipeline (parse, classify,
file) with its own database connection, so the process that runs the listeners spends no time on
them.

A listener and spaCy in one process share one interpreter lock; apart, a burst of heavy mail
does not slow the SMTP answers, and the workers run at a lower priority than the listeners.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from config.schema import Settings
from intake.pipeline.worker import Pipeline
from store.store import Store

log = logging.getLogger(__name__)

# Accepting mail comes first: what is accepted is safe and can be processed a moment later.
NICENESS = 5

_pipeline = None


def _start_worker(settings: Settings) -> None:
    global _pipeline
    import classifier

    os.nice(NICENESS)
    _exit_with_parent()
    logging.getLogger("mailparser").setLevel(logging.ERROR)
    model = classifier.load(settings.classifier.model_dir, train_if_missing=False)
    store = Store.open(settings.store.url, settings.store.data_dir, upgrade=False,
                       audit_key=settings.store.audit_key_file, key_file=settings.store.key_file)
    _pipeline = Pipeline(store=store, settings=settings, classify=model.classify)


def _exit_with_parent() -> None:
    """A worker whose bot was killed (SIGKILL, OOM) would wait for work for ever, holding its
    memory; it notices that its parent is gone and ends."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _process(ids: list[int], token: str):
    return _pipeline.run_batch(ids, token)


def _ready() -> bool:
    return _pipeline is not None


class WorkerPool:
    """Processes that each load the classifier once; a pool that broke is started anew."""

    def __init__(self, settings: Settings, processes: int):
        self.settings = settings
        self.processes = processes
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent runs threads (listeners, database pool) that fork would copy
        # in whatever state they were in.
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.settings,),
        )

    async def warm(self, loop) -> None:
        """Start the workers (each loads the model) now, not on the first message."""
        await asyncio.gather(*(loop.run_in_executor(self._executor, _ready) for _ in range(self.processes)))

    async def process(self, loop, ids: list[int], token: str):
        try:
            return await loop.run_in_executor(self._executor, _process, ids, token)
        except BrokenProcessPool:
            # A worker died (out of memory on a hostile message, killed): each message of the batch
            # counts a failed attempt, and the next batch gets fresh workers.
            log.error("a pipeline worker process died; starting new ones")
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()
            raise

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
