"""Fixtures of the classifier tests: one model trained once per session into a temporary folder."""

from __future__ import annotations

import json

import pytest

from classifier import load
from classifier.corpus import corpus_digest
from classifier.model import MODEL_FORMAT
from classifier.train import FINAL_SPLITS, code_digest, train_model
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    # data/model (`make test` trains it first) only when this code made it from this corpus and
    # nothing else; else one trained afresh
    made = ROOT / "data" / "model"
    if _made_here(made):
        return made
    path = tmp_path_factory.mktemp("classifier") / "model"
    train_model(path, log=lambda message: None)
    return path


def _made_here(model_dir) -> bool:
    try:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))["classifier"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (meta.get("format") == MODEL_FORMAT and meta.get("code_sha256") == code_digest()
            and meta.get("splits") == list(FINAL_SPLITS) and not meta.get("corrections")
            and meta.get("corpus_sha256") == corpus_digest(FINAL_SPLITS))


@pytest.fixture(scope="session")
def classifier(model_dir):
    return load(model_dir, train_if_missing=False)
