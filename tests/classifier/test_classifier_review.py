"""Calibrated confidences, every violation's score, the call for review, the law's terms, and staff
corrections as training data."""

from __future__ import annotations

import io
import json
import math
import shutil

import pytest

from classifier import cli, load
from classifier.calibrate import CONFIDENT, reliability, temperature
from classifier.corpus import read_split, write_jsonl
from classifier.labels import VIOLATIONS
from classifier.law import apply_prior, find_law, prior
from classifier.normalize import normalize
from classifier.pipeline import ModelParams
from classifier.scoring import Facts, Tuning, kind_from, temper
from classifier.train import TrainConfig, train_model

SMALL = TrainConfig(epochs=4, params=ModelParams(length=16384), task_params=(("violation", ModelParams(ngram_size=2, length=16384)),))


def _meta(model_dir) -> dict:
    return json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))["classifier"]


# -- calibration, measured on dev by a model that never saw it -----------------------------------


def test_on_dev_confident_predictions_are_right_at_least_as_often_as_they_claim(model_dir):
    calibration = _meta(model_dir)["calibration"]
    assert calibration["split"] == "dev"
    for task, measured in calibration["tasks"].items():
        confident = [row for row in measured["bins"] if row["from"] >= CONFIDENT]
        claimed = sum(row["n"] * row["confidence"] for row in confident)
        right = sum(row["n"] * row["accuracy"] for row in confident)
        assert confident and right >= claimed - 1e-6, task
        assert 0 <= measured["ece"] < 0.1, task
        assert sum(row["n"] for row in measured["bins"]) == measured["n"]


def test_the_tuning_saved_with_the_model_is_the_one_used(model_dir, classifier):
    tuning = _meta(model_dir)["tuning"]
    assert set(tuning["temperatures"]) == {"kind", "area", "violation"}
    assert classifier.tuning.temperatures == pytest.approx(tuning["temperatures"])
    assert classifier.tuning.review_below == pytest.approx(tuning["review_below"])


def test_a_temperature_cools_an_overconfident_model():
    # claims 0.95 and is right 6 times in 10
    distributions = [{"a": 0.95, "b": 0.05}] * 10
    gold = ["a"] * 6 + ["b"] * 4
    t = temperature(distributions, gold)
    assert t > 1
    assert temper({"a": 0.95, "b": 0.05}, t)["a"] <= 0.6 + 0.02


def test_a_temperature_warms_an_underconfident_one():
    distributions = [{"a": 0.6, "b": 0.4}] * 20
    assert temperature(distributions, ["a"] * 20) < 1


def test_reliability_bins_and_expected_calibration_error():
    measured = reliability([0.95, 0.95, 0.55, 0.55], [True, False, True, True])
    assert [row["n"] for row in measured["bins"]] == [2, 2]
    assert math.isclose(measured["ece"], (2 * 0.45 + 2 * 0.45) / 4)


# -- what a result carries ----------------------------------------------------------------------


def test_a_report_carries_every_violation_score_and_each_labels_confidence(classifier):
    result = classifier.classify("举报", "县交通局局长李某收了包工头二十万元，把公路工程给了他。")
    assert result["kind"] == "report"
    scores = result["violation_scores"]
    assert set(scores) == set(VIOLATIONS) and math.isclose(sum(scores.values()), 1.0, abs_tol=1e-4)
    assert max(scores, key=scores.get) == result["violation"]
    assert set(result["confidences"]) == {"kind", "area", "violation"}
    assert result["confidences"]["violation"] == scores[result["violation"]]
    assert result["confidences"]["kind"] == result["confidence"]
    assert isinstance(result["review"], bool)


def test_a_message_that_is_not_a_report_has_no_violation_scores(classifier):
    result = classifier.classify("低息贷款", "无抵押贷款，点击链接申请，加微信客服，回复TD退订。")
    assert result["kind"] == "spam" and result["violation_scores"] is None
    assert set(result["confidences"]) == {"kind"}


@pytest.fixture
def retuned(model_dir, tmp_path):
    def make(**review_below):
        copy = shutil.copytree(model_dir, tmp_path / f"model-{len(list(tmp_path.iterdir()))}")
        meta = json.loads((copy / "meta.json").read_text(encoding="utf-8"))
        meta["classifier"]["tuning"]["review_below"].update(review_below)
        (copy / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        return load(copy, train_if_missing=False)
    return make


REPORT = ("反映问题", "我们村的村支书王某把低保名额给了他的亲戚，真正困难的人家吃不上低保。")


def test_review_is_asked_for_below_the_threshold_and_not_above(retuned):
    sure = retuned(kind=0.0, area=0.0, violation=0.0).classify(*REPORT)
    assert sure["kind"] == "report" and sure["review"] is False
    doubtful = retuned(kind=0.0, area=0.0, violation=0.999999).classify(*REPORT)
    assert doubtful["confidences"]["violation"] < 0.999999 and doubtful["review"] is True


def test_a_spam_below_the_spam_threshold_is_for_review(classifier):
    tuning = classifier.tuning
    from classifier.scoring import Decision, needs_review

    unsure = Decision({"kind": "spam", "area": "other", "violation": "other"}, {},
                      {"kind": tuning.spam_threshold - 0.01, "area": 1.0, "violation": 1.0})
    assert needs_review(unsure, Tuning(spam_threshold=tuning.spam_threshold, review_below={"kind": 0.0}))


# -- the law's terms ----------------------------------------------------------------------------


def test_the_law_names_the_violation_in_both_registers():
    found = find_law(normalize("经审理查明：被告人利用职务上的便利，为他人谋取利益，非法收受他人财物，其行为已构成受贿罪。"))
    assert found.get("bribery/crime") and found.get("bribery/rule")
    assert "work_style/rule" in find_law(normalize("违反中央八项规定精神，违规收受礼品礼金。"))
    assert "abuse_of_power/crime" in find_law(normalize("The court convicted him of the crime of abuse of power."))
    assert find_law(normalize("村支书把补助发给了他亲戚")) == {}


def test_a_named_crime_outweighs_a_breach_of_discipline():
    found = {"work_style/rule": 1, "bribery/crime": 1}
    raised = apply_prior({label: 1 / 6 for label in VIOLATIONS}, prior(found, {"crime": 2.0, "rule": 1.0}))
    assert max(raised, key=raised.get) == "bribery" and raised["work_style"] > raised["other"]


def test_a_text_that_names_an_offence_is_never_spam():
    scores = {"report": 0.2, "inquiry": 0.1, "non_jurisdiction": 0.1, "spam": 0.6}
    assert kind_from(Facts(True, False, {"work_style/rule": 1}), scores) == "report"
    assert kind_from(Facts(True, False, {}), scores) == "spam"


# -- staff corrections --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    write_jsonl(folder / "train.jsonl", read_split("train")[::4])
    write_jsonl(folder / "dev.jsonl", read_split("dev")[::2])
    return folder


CORRECTED = "县水利局副局长周某某每天上班时间在办公室打游戏，群众来办事他说明天再来，一拖就是两个月。"


def _correction(number: int, text: str, violation: str) -> dict:
    return {"id": f"JB-2026-{number:06d}", "lang": "zh", "subject": "", "text": text, "kind": "report",
            "area": "other", "violation": violation, "priority": 3, "real_name": False}


def test_corrections_change_the_model_after_retraining(small_corpus, tmp_path):
    train_model(tmp_path / "before", SMALL, data_dir=small_corpus, log=lambda message: None)
    before = load(tmp_path / "before", train_if_missing=False).classify("", CORRECTED)
    wanted = "personnel" if before["violation"] != "personnel" else "other"
    corrections = [_correction(1, CORRECTED, wanted)]
    messages = []
    summary = train_model(tmp_path / "after", SMALL, data_dir=small_corpus, log=messages.append, corrections=corrections)
    after = load(tmp_path / "after", train_if_missing=False).classify("", CORRECTED)
    assert summary["corrections"] == 1 and "1 staff corrections" in messages[0]
    assert after["violation"] == wanted != before["violation"]
    assert after["violation_scores"][wanted] > before["violation_scores"][wanted]
    meta = _meta(tmp_path / "after")
    assert meta["corrections"] == 1 and len(meta["corrections_sha256"]) == 64
    # the tuning stays on dev: corrections never reach it
    assert meta["calibration"] == _meta(tmp_path / "before")["calibration"]

    out = io.StringIO()
    assert cli.evaluate(tmp_path / "after", out=out, corrections=corrections) == 0
    text = out.getvalue()
    assert "trained with 1 staff corrections" in text and "corrections split: 1 messages" in text


def test_a_malformed_correction_is_refused_before_training(small_corpus, tmp_path):
    bad = dict(_correction(1, CORRECTED, "bribery"), violation="stealing")
    with pytest.raises(ValueError, match="area/violation"):
        train_model(tmp_path / "m", SMALL, data_dir=small_corpus, corrections=[bad])
    assert not (tmp_path / "m").exists()
