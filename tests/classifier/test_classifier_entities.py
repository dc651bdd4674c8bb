"""Entities by rule, money normalised to yuan, offsets into subject + "\\n" + text."""

from __future__ import annotations

import pytest

from classifier.corpus import model_text, read_split
from classifier.entities import find_entities
from classifier.money import find_money, parse_chinese_number
from classifier.normalize import normalize
from classifier.patterns import valid_id_number

ENTITY_CASES = [
    ("村支书王大明把低保名额给了亲戚", [("TITLE", "村支书"), ("PERSON", "王大明")]),
    ("镇党委书记张某某收了钱", [("TITLE", "镇党委书记"), ("PERSON", "张某某")]),
    ("王局长天天打牌", [("PERSON", "王"), ("TITLE", "局长")]),
    ("平江县交通运输局副局长邓立新", [("ORG", "平江县交通运输局"), ("TITLE", "副局长"), ("PERSON", "邓立新")]),
    ("他在湘阴县人民医院当院长", [("ORG", "湘阴县人民医院"), ("TITLE", "院长")]),
    ("湖南省平江县长寿镇的事", [("GPE", "湖南省平江县长寿镇")]),
    ("石板村村委会主任", [("ORG", "石板村村委会"), ("TITLE", "主任")]),
    ("实名举报人：覃书文\n电话：138-7395-5180", [("PERSON", "覃书文"), ("PHONE", "138-7395-5180")]),
    ("联系电话0731-84561234", [("PHONE", "0731-84561234")]),
    ("身份证号430524198506174029", [("ID_NUMBER", "430524198506174029")]),
    ("邮箱 wang.jg@163.com", [("EMAIL", "wang.jg@163.com")]),
    ("车牌湘A·12345和粤B8K888，还有新能源粤BD12345", [("PLATE", "湘A·12345"), ("PLATE", "粤B8K888"), ("PLATE", "粤BD12345")]),
    ("2025年4月30日晚上", [("DATE", "2025年4月30日晚上")]),
    ("去年腊月他又来了", [("DATE", "去年腊月")]),
    ("Mr. Li Wei met Director Zhang", [("PERSON", "Li Wei"), ("TITLE", "Director"), ("PERSON", "Zhang")]),
    ("Qiu Hanmin, section chief at the Liyang county transport bureau", [("PERSON", "Qiu Hanmin"), ("TITLE", "section chief"), ("ORG", "Liyang county transport bureau")]),
    ("paid Hengda Road & Bridge Co. in Changsha", [("ORG", "Hengda Road & Bridge Co."), ("GPE", "Changsha")]),
    ("the Bureau of Land and Resources of Shiban village", [("ORG", "Bureau of Land and Resources"), ("GPE", "Shiban village")]),
    ("on 15 March 2025 and last Tuesday", [("DATE", "15 March 2025"), ("DATE", "last Tuesday")]),
    ("the party secretary of Hunan Province", [("TITLE", "party secretary"), ("GPE", "Hunan Province")]),
]


@pytest.mark.parametrize("text,expected", ENTITY_CASES, ids=[case[0][:20] for case in ENTITY_CASES])
def test_entity_table(text, expected):
    found = [(entity.label, entity.text) for entity in find_entities(text)]
    for item in expected:
        assert item in found


MONEY_CASES = [
    ("50万元", 500000),
    ("3,000元", 3000),
    ("¥2000", 2000),
    ("￥2,000", 2000),
    ("2 million yuan", 2000000),
    ("two million yuan", 2000000),
    ("十二万", 120000),
    ("一百二十万元", 1200000),
    ("三万五", 35000),
    ("一百零五元", 105),
    ("1.2亿", 120000000),
    ("RMB 80,000", 80000),
    ("80,000 yuan", 80000),
    ("人民币80万元", 800000),
    ("两万块钱", 20000),
    ("5万余元", 50000),
    ("三十多万", 300000),
    ("300,000 cash", 300000),
    ("５０万元", 500000),
]


@pytest.mark.parametrize("text,yuan", MONEY_CASES, ids=[case[0] for case in MONEY_CASES])
def test_money_is_normalised_to_yuan(text, yuan):
    money = [entity for entity in find_entities(text) if entity.label == "MONEY"]
    assert len(money) == 1 and money[0].text == text
    assert money[0].yuan == yuan
    assert money[0].as_dict()["yuan"] == yuan


@pytest.mark.parametrize("text", ["$5,000", "USD 5000", "2000美元", "几十万", "两三万"])
def test_foreign_and_vague_sums_are_money_without_a_yuan_figure(text):
    (money,) = [entity for entity in find_entities(text) if entity.label == "MONEY"]
    assert money.text == text and money.yuan is None


@pytest.mark.parametrize("text", ["四万多平方米", "千万不要说出去", "三块地", "一万多人", "3号楼"])
def test_numbers_that_are_not_sums_are_not_money(text):
    assert not find_money(normalize(text))


def test_chinese_numbers():
    assert parse_chinese_number("二十五") == 25
    assert parse_chinese_number("一万二") == 12000
    assert parse_chinese_number("两千五") == 2500


def test_id_numbers_need_a_valid_checksum_or_an_id_cue():
    assert valid_id_number("43052419850617402x")
    assert not valid_id_number("430524198506174021")
    assert not [e for e in find_entities("编号430524198506174021") if e.label == "ID_NUMBER"]
    assert [e.text for e in find_entities("身份证号：430524198506174021") if e.label == "ID_NUMBER"] == ["430524198506174021"]


def test_a_phone_number_inside_an_id_number_is_not_a_phone():
    labels = [entity.label for entity in find_entities("身份证430524198506174029")]
    assert labels == ["ID_NUMBER"]


def test_entities_never_overlap_and_point_into_the_text():
    for row in read_split("train")[:300]:
        text = model_text(row["subject"], row["text"])
        entities = find_entities(text)
        for entity in entities:
            assert text[entity.start : entity.end] == entity.text
        for before, after in zip(entities, entities[1:]):
            assert before.end <= after.start


def test_classifier_offsets_index_subject_newline_text(classifier):
    subject, text = "举报", "县长李某收了10万元。"
    result = classifier.classify(subject, text)
    joined = subject + "\n" + text
    for entity in result["entities"]:
        assert joined[entity["start"] : entity["end"]] == entity["text"]
    (money,) = [entity for entity in result["entities"] if entity["label"] == "MONEY"]
    assert money["yuan"] == 100000
