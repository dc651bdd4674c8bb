"""Priority and real_name by rule, and language detection."""

from __future__ import annotations

import pytest

from classifier.entities import find_entities
from classifier.language import detect_language
from classifier.normalize import normalize
from classifier.priority import priority
from classifier.realname import real_name


def _priority(text, kind="report", area="other", violation="bribery"):
    return priority(kind, area, violation, normalize(text), find_entities(text))


def _real_name(text):
    return real_name(normalize(text), find_entities(text))


PRIORITY_CASES = [
    ("他们昨晚连夜把账本烧了，正在销毁证据。", "other", "embezzlement", 1),
    ("我举报以后，村支书扬言要打断我的腿。", "other", "abuse_of_power", 1),
    ("听说局长已经办好护照，准备下个月出国。", "other", "bribery", 1),
    ("The director is shredding the contracts tonight.", "other", "bribery", 1),
    ("县长收了开发商120万元。", "real_estate", "bribery", 1),
    ("村会计把全村六十多户的低保金扣了一半。", "livelihood", "embezzlement", 1),
    ("Dozens of households never received their dibao money; the village head kept it.", "livelihood", "embezzlement", 1),
    ("镇长收了包工头15万元好处费。", "engineering_construction", "bribery", 2),
    ("The deputy mayor took 300,000 yuan from the contractor.", "engineering_construction", "bribery", 2),
    ("新修的教学楼墙体开裂，存在严重安全隐患，监理照样签字验收。", "engineering_construction", "abuse_of_power", 2),
    ("县民政局的王科长上周在酒店用公款请客。", "livelihood", "work_style", 3),
    ("Secretary Zhang of Shiban village used the official car for his son's wedding.", "other", "work_style", 3),
    ("有些干部作风不好，希望管一管。", "other", "work_style", 4),
]


@pytest.mark.parametrize("text,area,violation,expected", PRIORITY_CASES, ids=[case[0][:20] for case in PRIORITY_CASES])
def test_priority_follows_what_the_report_says(text, area, violation, expected):
    assert _priority(text, area=area, violation=violation) == expected


@pytest.mark.parametrize("kind", ["inquiry", "non_jurisdiction", "spam"])
def test_everything_but_a_report_is_priority_four(kind):
    assert _priority("他们正在销毁证据，涉及金额500万元。", kind=kind) == 4


REAL_NAME_CASES = [
    ("实名举报人：王建国，电话13812345678", True),
    ("我叫李秀英，家住石板村三组，联系电话：0731-84561234。", True),
    ("My name is Chen Ming, you can reach me at 139-0731-2468.", True),
    ("此致\n敬礼\n\n刘德华\n13907312468", True),
    ("I am Wang.", False),
    ("我不敢留名，怕被报复。", False),
    ("匿名反映：村主任的电话是13812345678，你们可以打给他核实。", False),
    ("I don't dare give my name. His phone is 13812345678.", False),
]


@pytest.mark.parametrize("text,expected", REAL_NAME_CASES, ids=[case[0][:20] for case in REAL_NAME_CASES])
def test_real_name_needs_a_name_and_a_way_to_reach_the_writer(text, expected):
    assert _real_name(text) is expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("村支书收钱", "zh"),
        ("The mayor took bribes.", "en"),
        ("我想举报 the director of the housing bureau 收受贿赂的问题", "zh"),
        ("I want to report our 村支书 who took money from the road project contractor", "en"),
        ("qing wen ju bao cun gan bu yao qu na li", "zh"),
        ("村支书收钱\n\nSent from my iPhone", "zh"),
        ("", "zh"),
        ("12345 !!!", "zh"),
    ],
)
def test_language_is_the_dominant_one(text, expected):
    assert detect_language(text) == expected


def test_language_default_is_the_callers():
    assert detect_language("", default="en") == "en"
