"""The rule that a report needs positive evidence, and what counts as an empty message."""

from __future__ import annotations

import pytest

from classifier.corpus import model_text, read_split
from classifier.evidence import content_units, has_report_evidence, is_empty
from classifier.normalize import normalize

from .cases import JUNK, REPORTS, SHORT_REPORTS


def _norm(subject: str, text: str) -> str:
    return normalize(model_text(subject, text))


@pytest.mark.parametrize("subject,text", [case[:2] for case in REPORTS] + SHORT_REPORTS)
def test_reports_have_evidence(subject, text):
    assert has_report_evidence(_norm(subject, text))
    assert not is_empty(_norm(subject, text))


@pytest.mark.parametrize("subject,text", JUNK)
def test_junk_has_none(subject, text):
    assert not has_report_evidence(_norm(subject, text))


def test_nearly_every_report_of_the_corpus_has_evidence():
    # the rule may only ever stop junk: a report without evidence is lost from the queue
    reports = [row for split in ("train", "dev") for row in read_split(split) if row["kind"] == "report"]
    missing = [row["id"] for row in reports if not has_report_evidence(_norm(row["subject"], row["text"]))]
    assert len(missing) <= len(reports) // 200, missing


@pytest.mark.parametrize(
    "text,empty",
    [
        ("", True),
        ("test", True),
        ("测试一下，收到请忽略", True),
        ("Hello,\n\nSent from my iPhone", True),
        ("12345 !!!", True),
        ("在吗？", True),
        ("村支书贪污", False),
        ("进展如何？", False),
        ("The mayor took bribes.", False),
    ],
)
def test_empty_is_a_greeting_a_test_word_or_nothing(text, empty):
    assert is_empty(normalize(text)) is empty


def test_content_units_reads_only_the_opening():
    assert content_units(normalize("a" * 10 + " word" * 100_000), limit=100) < 30
