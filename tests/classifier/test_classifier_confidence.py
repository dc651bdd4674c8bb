"""The kind's confidence and the spam threshold: calibrated on dev at training time, saved in the
model's meta, exposed by the loaded classifier and carried by every result; an older model without
it falls back to a conservative default with a warning."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from classifier import load, model
from classifier.corpus import model_text, read_split, write_jsonl
from classifier.pipeline import ModelParams
from classifier.scoring import decide, raw_scores, temper
from classifier.train import TrainConfig, train_model, train_nlp
from tests.classifier.cases import FORMAL_NOTICES
from tests.conftest import ROOT

SMALL = TrainConfig(epochs=4, params=ModelParams(length=16384), task_params=(("violation", ModelParams(ngram_size=2, length=16384)),))

NOTICES = FORMAL_NOTICES

SPAM = [
    ("低息贷款秒到账", "【快易贷】无抵押无担保，凭身份证即可贷款5-50万，低息秒批当天到账！点击链接立即申请，加微信客服咨询，回复TD退订。"),
    ("WIN A FREE iPhone!!!", "Congratulations! You have been selected as our lucky winner. Click the link now to claim your FREE "
                             "prize. Limited time offer, act now!"),
]


def _meta(model_dir) -> dict:
    return json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))


# -- the threshold saved with the model --------------------------------------------------------


def test_training_saves_a_calibrated_threshold_that_the_classifier_uses(model_dir, classifier):
    meta = _meta(model_dir)["classifier"]
    threshold = meta["spam_threshold"]
    assert 0.9 <= threshold <= 1.0
    assert classifier.spam_threshold == threshold
    calibration = meta["spam_calibration"]
    assert calibration["split"] == "dev" and calibration["threshold"] == threshold
    # on dev, which its kind model had not seen, nothing above the threshold was anything but spam
    assert calibration["screened"] > 0 and calibration["screened_not_spam"] == 0
    assert meta["calibration_seconds"] > 0


def test_a_result_carries_the_confidence_of_its_kind_and_the_threshold(classifier):
    text = model_text(*SPAM[0])
    result = classifier.classify(*SPAM[0])
    doc = classifier.nlp(text)
    assert result["kind"] == "spam"
    assert result["confidence"] == decide(doc, classifier.tuning).confidences["kind"]
    assert result["confidence"] == round(temper(raw_scores(doc)["kind"], classifier.tuning.temperatures["kind"])["spam"], 6)
    assert result["spam_threshold"] == classifier.spam_threshold
    report = classifier.classify("举报", "县交通局局长收了包工头二十万元")
    assert report["kind"] == "report" and 0.5 < report["confidence"] <= 1.0


def test_a_message_the_rule_makes_spam_is_spam_for_certain(classifier):
    for subject, text in (("", ""), ("test", "test"), ("你好", "测试一下")):
        result = classifier.classify(subject, text)
        assert (result["kind"], result["confidence"]) == ("spam", 1.0)


@pytest.mark.parametrize("subject,text", NOTICES, ids=["formalism-circular", "formalism-notice", "banquet-notice"])
def test_a_formal_notice_is_not_spam_for_certain(classifier, subject, text):
    result = classifier.classify(subject, text)
    assert result["kind"] != "spam" or result["confidence"] < classifier.spam_threshold


@pytest.mark.parametrize("subject,text", SPAM, ids=["loan", "prize"])
def test_obvious_spam_is_spam_for_certain(classifier, subject, text):
    result = classifier.classify(subject, text)
    assert result["kind"] == "spam" and result["confidence"] >= classifier.spam_threshold


def test_the_threshold_in_the_meta_is_the_one_used(model_dir, tmp_path):
    copy = shutil.copytree(model_dir, tmp_path / "model")
    meta = _meta(copy)
    meta["classifier"]["spam_threshold"] = 0.75
    (copy / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    messages = []
    classifier = load(copy, train_if_missing=False, log=messages.append)
    assert messages == []
    assert classifier.spam_threshold == 0.75
    assert classifier.classify(*SPAM[0])["spam_threshold"] == 0.75


def test_a_model_without_a_threshold_gets_the_conservative_default_and_a_warning(model_dir, tmp_path):
    copy = shutil.copytree(model_dir, tmp_path / "model")
    meta = _meta(copy)
    del meta["classifier"]["spam_threshold"]
    (copy / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    messages = []
    classifier = load(copy, train_if_missing=False, log=messages.append)
    default = model.DEFAULT_SPAM_THRESHOLD
    assert classifier.spam_threshold == default >= 0.99
    assert len(messages) == 1 and "no calibrated spam threshold" in messages[0]
    assert "python bot.py train" in messages[0]
    assert classifier.classify(*SPAM[0])["spam_threshold"] == default


def test_classify_command_prints_the_confidence(model_dir):
    line = json.dumps({"id": 1, "subject": SPAM[1][0], "text": SPAM[1][1]})
    done = subprocess.run([sys.executable, "bot.py", "classify"], input=line + "\n", capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "INTAKE_CLASSIFIER__MODEL_DIR": str(model_dir)}, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["kind"] == "spam" and 0.0 <= answer["confidence"] <= 1.0
    assert answer["spam_threshold"] == _meta(model_dir)["classifier"]["spam_threshold"]


# -- choosing the threshold --------------------------------------------------------------------


def spam_threshold(*args, **kwargs):
    from classifier.calibrate import spam_threshold

    return spam_threshold(*args, **kwargs)


def _scores(*items):
    """(kind, confidence, gold) triples -> the scored list and the gold labels."""
    return [(kind, confidence, False) for kind, confidence, _ in items], [gold for _, _, gold in items]


def test_the_threshold_is_the_lowest_above_which_all_called_spam_was_spam():
    scored, gold = _scores(("spam", 0.99, "spam"), ("spam", 0.8, "spam"), ("spam", 0.7, "report"),
                           ("spam", 0.6, "spam"), ("report", 0.9, "report"))
    assert spam_threshold(scored, gold, floor=0.0).threshold == 0.8
    calibration = spam_threshold(scored, gold, floor=0.9)
    assert calibration.threshold == 0.9
    assert (calibration.called_spam, calibration.spam, calibration.screened, calibration.screened_not_spam) == (4, 3, 1, 0)


def test_a_mistake_at_the_top_keeps_the_threshold_above_it():
    scored, gold = _scores(("spam", 0.95, "report"), ("spam", 0.94, "spam"), ("spam", 0.93, "spam"))
    assert spam_threshold(scored, gold, floor=0.0).threshold == 1.0


def test_ties_are_not_split():
    scored, gold = _scores(("spam", 0.99, "spam"), ("spam", 0.8, "spam"), ("spam", 0.8, "inquiry"))
    assert spam_threshold(scored, gold, floor=0.0).threshold == 0.99


def test_messages_the_empty_rule_made_spam_do_not_count():
    scored = [("spam", 1.0, True), ("spam", 0.97, False), ("spam", 0.92, False)]
    calibration = spam_threshold(scored, ["report", "spam", "spam"], floor=0.0)
    assert calibration.threshold == 0.92 and calibration.called_spam == 2


def test_a_precision_below_one_allows_rare_mistakes():
    items = [("spam", 1.0 - i / 1000, "spam") for i in range(150)]
    items.insert(100, ("spam", 0.9005, "report"))
    scored, gold = _scores(*items)
    assert spam_threshold(scored, gold, floor=0.0, precision=0.99).threshold == min(c for _, c, _ in items)
    assert spam_threshold(scored, gold, floor=0.0, precision=1.0).threshold > 0.9005


# -- training stays deterministic, and the final model is the one it was -----------------------


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_jsonl(folder / "train.jsonl", read_split("train")[::4])
    write_jsonl(folder / "dev.jsonl", read_split("dev"))
    return folder


def test_calibrating_leaves_the_final_model_as_it_was_and_repeats_exactly(small_corpus, tmp_path):
    first = train_model(tmp_path / "a", SMALL, data_dir=small_corpus, log=lambda message: None)
    second = train_model(tmp_path / "b", SMALL, data_dir=small_corpus, log=lambda message: None)
    assert first["spam_threshold"] == second["spam_threshold"] is not None
    assert _meta(tmp_path / "a")["classifier"]["spam_calibration"] == _meta(tmp_path / "b")["classifier"]["spam_calibration"]
    rows = read_split("train", small_corpus) + read_split("dev", small_corpus)
    alone = train_nlp(rows, SMALL)
    saved = load(tmp_path / "a", train_if_missing=False).nlp
    texts = [model_text(subject, text) for subject, text in NOTICES + SPAM]
    assert [doc.cats for doc in saved.pipe(texts)] == [doc.cats for doc in alone.pipe(texts)]


def test_a_model_trained_without_dev_is_calibrated_on_dev_itself(small_corpus, tmp_path):
    summary = train_model(tmp_path / "m", SMALL, data_dir=small_corpus, splits=("train",), log=lambda message: None)
    meta = _meta(tmp_path / "m")["classifier"]
    assert summary["spam_threshold"] == meta["spam_threshold"] and meta["spam_calibration"]["split"] == "dev"
