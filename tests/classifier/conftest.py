"""Fixtures of the classifier tests: one model trained once per session into a temporary folder."""

from __future__ import annotations

import pytest

from classifier import load
from classifier.train import train_model


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    # trained afresh rather than reusing data/model, which may be older than the code under test
    path = tmp_path_factory.mktemp("classifier") / "model"
    train_model(path, log=lambda message: None)
    return path


@pytest.fixture(scope="session")
def classifier(model_dir):
    return load(model_dir, train_if_missing=False)
