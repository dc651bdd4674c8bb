"""Every label of kind, area and violation is predicted on clear messages in both languages."""

from __future__ import annotations

import threading

import pytest

from .cases import JUNK, OTHER_KINDS, REPORTS, SHORT_REPORTS
from classifier.evidence import is_empty
from classifier.labels import AREAS, KINDS, VIOLATIONS
from classifier.normalize import normalize

# DESIGN.md's keys, and the kind's confidence with the threshold it is judged by (see model.py)
CONTRACT_KEYS = {"kind", "area", "violation", "priority", "real_name", "language", "entities", "confidence",
                 "spam_threshold", "confidences", "violation_scores", "review"}


def _language(text: str) -> str:
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in text) else "en"


def test_the_cases_cover_every_label_in_both_languages():
    for lang in ("zh", "en"):
        reports = [case for case in REPORTS if _language(case[1]) == lang]
        assert {case[3] for case in reports} == set(AREAS)
        assert {case[4] for case in reports} == set(VIOLATIONS)
        kinds = {case[2] for case in OTHER_KINDS if _language(case[1]) == lang} | {"report"}
        assert kinds == set(KINDS)


@pytest.mark.parametrize("subject,text,kind,area,violation", REPORTS, ids=[case[1][:24] for case in REPORTS])
def test_a_clear_report_gets_its_area_and_violation(classifier, subject, text, kind, area, violation):
    result = classifier.classify(subject, text)
    assert (result["kind"], result["area"], result["violation"]) == (kind, area, violation)
    assert result["language"] == _language(text)


@pytest.mark.parametrize("subject,text,kind", OTHER_KINDS, ids=[case[1][:24] for case in OTHER_KINDS])
def test_a_message_that_is_no_report_gets_its_kind_and_no_area(classifier, subject, text, kind):
    result = classifier.classify(subject, text)
    assert result["kind"] == kind
    assert result["area"] is None and result["violation"] is None
    assert result["priority"] == 4


def test_the_result_has_exactly_the_contract_keys(classifier):
    result = classifier.classify("举报", "村主任王某挪用低保资金两万元。")
    assert set(result) == CONTRACT_KEYS
    assert result["kind"] in KINDS and isinstance(result["real_name"], bool)


def test_classify_many_gives_what_classify_gives_in_order(classifier):
    items = [(case[0], case[1]) for case in REPORTS[:4] + OTHER_KINDS[:4]]
    assert list(classifier.classify_many(items)) == [classifier.classify(s, t) for s, t in items]


def test_empty_and_missing_fields_are_classified_not_refused(classifier):
    for subject, text in (("", ""), (None, None), ("only a subject", None)):
        assert classifier.classify(subject, text)["kind"] in KINDS


def test_a_field_that_is_not_text_is_refused_clearly(classifier):
    with pytest.raises(TypeError, match="text must be a string"):
        classifier.classify("subject", 42)


def test_traditional_and_full_width_text_reads_like_simplified(classifier):
    simplified = classifier.classify("", "县国土局局长收受开发商贿赂５０万元，违规批地。")
    traditional = classifier.classify("", "縣國土局局長收受開發商賄賂５０萬元，違規批地。")
    assert (traditional["kind"], traditional["area"], traditional["violation"]) == (
        simplified["kind"],
        simplified["area"],
        simplified["violation"],
    )


def test_threads_sharing_a_classifier_get_the_same_answers(classifier):
    items = [(case[0], case[1]) for case in REPORTS + OTHER_KINDS]
    expected = [classifier.classify(s, t) for s, t in items]
    answers: dict[int, list] = {}

    def work(index):
        answers[index] = [classifier.classify(s, t) for s, t in items]

    threads = [threading.Thread(target=work, args=(index,)) for index in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == expected for result in answers.values())


@pytest.mark.parametrize("subject,text", JUNK, ids=[(case[0] or case[1])[:24] or "empty" for case in JUNK])
def test_text_with_nothing_of_a_report_is_no_report(classifier, subject, text):
    result = classifier.classify(subject, text)
    assert result["kind"] != "report"
    assert result["area"] is None and result["violation"] is None
    if is_empty(normalize(subject + "\n" + text)):
        assert result["kind"] == "spam"


@pytest.mark.parametrize("subject,text", SHORT_REPORTS, ids=[(case[0] or case[1])[:24] for case in SHORT_REPORTS])
def test_a_short_report_or_a_subject_with_attachments_is_a_report(classifier, subject, text):
    result = classifier.classify(subject, text)
    assert result["kind"] == "report"
    assert result["area"] in AREAS and result["violation"] in VIOLATIONS
