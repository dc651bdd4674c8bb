"""`python bot.py classify` end to end: JSON lines in, JSON lines out, through a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(model_dir, lines):
    env = {**os.environ, "INTAKE_CLASSIFIER__MODEL_DIR": str(model_dir)}
    return subprocess.run(
        [sys.executable, "bot.py", "classify"],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_classify_answers_every_line_in_order(model_dir):
    lines = [
        json.dumps({"id": "a1", "subject": "举报", "text": "县交通局局长收了包工头二十万元，实名举报人张伟，电话13812345678"}, ensure_ascii=False),
        json.dumps({"id": 2, "subject": "Spam", "text": "Click here to claim your free prize now!"}),
        json.dumps({"id": "c3", "subject": "", "text": "我想问一下匿名举报需要提供哪些材料？"}, ensure_ascii=False),
    ]
    done = _run(model_dir, lines)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [answer["id"] for answer in answers] == ["a1", 2, "c3"]
    first = answers[0]
    assert set(first) >= {"id", "kind", "area", "violation", "priority", "real_name", "language", "entities"}
    assert (first["kind"], first["area"], first["violation"]) == ("report", "engineering_construction", "bribery")
    assert first["real_name"] is True and first["priority"] == 2
    money = [entity for entity in first["entities"] if entity["label"] == "MONEY"]
    assert money == [{"label": "MONEY", "text": "二十万元", "start": 14, "end": 18, "yuan": 200000}]
    assert answers[1]["kind"] == "spam" and answers[1]["area"] is None
    assert answers[2]["kind"] == "inquiry"


def test_a_bad_line_gets_an_error_and_the_rest_go_on(model_dir):
    lines = [
        "this is not json",
        json.dumps({"id": 7, "text": ["not", "a", "string"]}),
        json.dumps({"id": 8, "subject": "", "text": "村主任把救灾款分给了自己亲戚"}, ensure_ascii=False),
    ]
    done = _run(model_dir, lines)
    assert done.returncode == 1
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 3
    assert answers[0]["id"] is None and "line 1" in answers[0]["error"]
    assert answers[1]["id"] == 7 and "text must be a string" in answers[1]["error"]
    assert answers[2]["id"] == 8 and answers[2]["kind"] == "report"
    assert "Traceback" not in done.stderr
