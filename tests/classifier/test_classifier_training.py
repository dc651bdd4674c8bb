"""Training is deterministic, a missing model is trained with a message, a broken one is refused."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from .cases import OTHER_KINDS, REPORTS
from classifier import ModelError, cli, load
from classifier.corpus import model_text, read_split
from classifier.labels import TASKS, cat_name
from classifier.pipeline import ModelParams
from classifier.train import TrainConfig, train_nlp

SMALL = TrainConfig(epochs=4, params=ModelParams(length=16384), task_params=(("violation", ModelParams(ngram_size=2, length=16384)),))


def _scores(nlp, texts):
    return [
        {cat_name(task, label): doc.cats[cat_name(task, label)] for task, labels in TASKS.items() for label in labels}
        for doc in nlp.pipe(texts)
    ]


def test_two_trainings_give_identical_predictions():
    rows = read_split("train")[::5]
    texts = [model_text(s, t) for s, t, *_ in REPORTS + OTHER_KINDS]
    first = _scores(train_nlp(rows, SMALL), texts)
    second = _scores(train_nlp(list(reversed(rows)), SMALL), texts)
    assert first == second


def test_a_missing_model_is_trained_on_first_use_with_a_message(tmp_path, monkeypatch):
    monkeypatch.setattr("classifier.train.DEFAULT_CONFIG", SMALL)
    messages = []
    classifier = load(tmp_path / "model", log=messages.append)
    assert messages[0].startswith(f"classifier model not found in {tmp_path / 'model'}; training it now (about ")
    assert classifier.classify("", "镇长收了五万元")["kind"] in TASKS["kind"]
    assert (tmp_path / "model" / "config.cfg").is_file()


def test_a_missing_model_is_an_error_when_training_is_not_wanted(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load(tmp_path / "none", train_if_missing=False)


def test_a_corrupt_model_gives_a_clear_error_not_a_traceback(tmp_path, capsys):
    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "config.cfg").write_text("this is not a spaCy config [", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot be loaded"):
        load(broken)
    assert cli.classify(broken, io.StringIO('{"id": 1, "text": "x"}\n'), io.StringIO()) == 1
    err = capsys.readouterr().err
    assert err.startswith("classifier: classifier model in") and "Traceback" not in err
    assert err.count("\n") == 1


def test_a_model_older_than_the_corpus_is_used_with_a_warning(model_dir, tmp_path):
    current = []
    load(model_dir, train_if_missing=False, log=current.append)
    assert current == []
    old = shutil.copytree(model_dir, tmp_path / "model")
    meta = json.loads((old / "meta.json").read_text(encoding="utf-8"))
    meta["classifier"]["corpus_sha256"] = "0" * 64
    (old / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    messages = []
    classifier = load(old, train_if_missing=False, log=messages.append)
    assert len(messages) == 1 and "older version of the labelled corpus" in messages[0]
    assert "python bot.py train" in messages[0]
    assert classifier.classify("", "镇长收了五万元")["kind"] in TASKS["kind"]


def test_evaluate_prints_per_label_scores(model_dir):
    out = io.StringIO()
    assert cli.evaluate(model_dir, out) == 0
    report = out.getvalue()
    for heading in ("kind (", "area (", "violation (", "macro-F1", "priority agreement", "real_name agreement"):
        assert heading in report
    for label in ("engineering_construction", "abuse_of_power", "non_jurisdiction"):
        assert label in report
