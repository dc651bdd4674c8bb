"""Repeat reports: cases naming the same official (a person with the same body or post) are linked
both ways when filed; a name alone, or the same name at another body, links nothing; a report
within twelve months of an earlier one is marked a repeat; the index holds no name in plain text."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from cases.related import REPEAT, SAME_OFFICIAL, is_repeat
from classifier.officials import official_keys, officials, same_official
from commands.ingest import ingest_one
from store.models import AuditEvent, Case, CaseLink, CaseOfficial
from tests.intake.test_commands import bot, mail

TRANSPORT = "县交通局局长张某在道路招标中收受施工方好处费50万元，请组织调查。"
TRANSPORT_AGAIN = "交通局的张局长利用职务便利，把道路工程交给他亲戚的公司，收受回扣。"
WATER = "县水利局局长张某在水库工程中收受施工方好处费30万元，请组织调查。"
NAME_ONLY = "张某收受施工方好处费20万元，在道路招标中弄虚作假，请组织调查。"


def file(pipeline, sender: str, body: str, n: int, subject: str = "举报") -> Case:
    assert ingest_one(pipeline, mail(sender, subject, body, n)) == "filed"
    with pipeline.store.reading() as session:
        return session.exec(select(Case).order_by(Case.id.desc())).first()


def links(pipeline) -> set[tuple[str, str, str]]:
    with pipeline.store.reading() as session:
        numbers = {c.id: c.number for c in session.exec(select(Case))}
        return {(numbers[l.case_id], numbers[l.related_id], l.reason) for l in session.exec(select(CaseLink))}


def entities(text: str, *parts: tuple[str, str]) -> list[dict]:
    """The classifier's entity list for TEXT: (label, words) in the order they occur."""
    found, at = [], 0
    for label, words in parts:
        start = text.index(words, at)
        found.append({"label": label, "text": words, "start": start, "end": start + len(words)})
        at = start + len(words)
    return found


def mention(text: str, *parts: tuple[str, str]) -> tuple[list[dict], str]:
    return entities(text, *parts), text


# -- the relation, on entity lists ---------------------------------------------------------------

A = mention("县交通局局长张某收钱。", ("ORG", "县交通局"), ("TITLE", "局长"), ("PERSON", "张某"))


@pytest.mark.parametrize("other, same", [
    (mention("交通局的张局长收钱。", ("ORG", "交通局"), ("PERSON", "张"), ("TITLE", "局长")), True),
    (mention("县交通局张某局长收钱。", ("ORG", "县交通局"), ("PERSON", "张某"), ("TITLE", "局长")), True),
    (mention("縣交通局局長 張某某收錢。", ("ORG", "縣交通局"), ("TITLE", "局長"), ("PERSON", "張某某")), True),
    (mention("宁远县交通局张XX收钱。", ("ORG", "宁远县交通局"), ("PERSON", "张XX")), True),
    (mention("张局长收钱。", ("PERSON", "张"), ("TITLE", "局长")), True),   # the same post, no body to differ
    (mention("县水利局局长张某收钱。", ("ORG", "县水利局"), ("TITLE", "局长"), ("PERSON", "张某")), False),
    (mention("市交通局局长张某收钱。", ("ORG", "市交通局"), ("TITLE", "局长"), ("PERSON", "张某")), False),
    (mention("县交通局副局长张某收钱。", ("ORG", "县交通局"), ("TITLE", "副局长"), ("PERSON", "张某")), False),
    (mention("县交通局局长李某收钱。", ("ORG", "县交通局"), ("TITLE", "局长"), ("PERSON", "李某")), False),
    (mention("张某收钱。", ("PERSON", "张某")), False),
    (mention("县交通局收钱了。张某也收了。", ("ORG", "县交通局"), ("PERSON", "张某")), False),  # another sentence
])
def test_the_same_official_is_a_person_with_the_same_body_or_post(other, same):
    assert same_official(A[0], other[0], A[1], other[1]) is same
    assert same_official(other[0], A[0], other[1], A[1]) is same   # the relation is symmetric


def test_a_full_name_meets_its_anonymised_form_but_not_another_name():
    wei = mention("县交通局局长张伟收钱。", ("ORG", "县交通局"), ("TITLE", "局长"), ("PERSON", "张伟"))
    qiang = mention("县交通局局长张强收钱。", ("ORG", "县交通局"), ("TITLE", "局长"), ("PERSON", "张强"))
    assert same_official(wei[0], A[0], wei[1], A[1])
    assert not same_official(wei[0], qiang[0], wei[1], qiang[1])


def test_each_name_takes_the_body_and_post_nearest_to_it():
    text = "县交通局局长张某和县水利局副局长李某某一起收钱。"
    found = officials(entities(text, ("ORG", "县交通局"), ("TITLE", "局长"), ("PERSON", "张某"),
                               ("ORG", "县水利局"), ("TITLE", "副局长"), ("PERSON", "李某某")), text)
    assert {(o.surname, o.org, o.level, o.title) for o in found} == {("张", "交通局", "县", "局长"),
                                                                    ("李", "水利局", "县", "副局长")}
    # Without the text (offsets that do not point into it) the nearest parts still win.
    assert officials(entities(text, ("ORG", "县交通局"), ("TITLE", "局长"), ("PERSON", "张某"),
                              ("ORG", "县水利局"), ("TITLE", "副局长"), ("PERSON", "李某某")), None) == found
    assert official_keys(entities("张某收钱。", ("PERSON", "张某")), "张某收钱。").index == frozenset()


def test_a_repeat_is_within_twelve_months_of_the_earlier_report():
    earlier = datetime(2024, 2, 29, 10, 0, tzinfo=UTC)
    assert is_repeat(earlier, datetime(2025, 2, 28, 10, 0, tzinfo=UTC))
    assert not is_repeat(earlier, datetime(2025, 2, 28, 10, 0, 1, tzinfo=UTC))
    assert is_repeat(datetime(2026, 1, 15, tzinfo=UTC), datetime(2027, 1, 15, tzinfo=UTC))
    assert not is_repeat(datetime(2026, 1, 15, tzinfo=UTC), datetime(2027, 1, 16, tzinfo=UTC))


# -- through the pipeline, with the classifier's entities -----------------------------------------

def test_two_reports_about_one_official_are_related_both_ways_and_others_are_not(pipeline):
    first = file(pipeline, "villager@example.org", TRANSPORT, 1, "举报县交通局局长受贿")
    water = file(pipeline, "farmer@example.org", WATER, 2, "举报县水利局局长")
    name_only = file(pipeline, "worker@example.org", NAME_ONLY, 3)
    second = file(pipeline, "driver@example.net", TRANSPORT_AGAIN, 4, "再次反映交通局问题")
    assert links(pipeline) == {(first.number, second.number, REPEAT), (second.number, first.number, REPEAT)}

    shown = json.loads(bot(pipeline.settings, "case", "show", second.number, "--json").stdout)
    assert [(r["number"], r["reason"]) for r in shown["related"]] == [(first.number, REPEAT)]
    assert shown["repeat"] is True and shown["related"][0]["created_at"] == first.created_at.isoformat()
    earlier = json.loads(bot(pipeline.settings, "case", "show", first.number, "--json").stdout)
    assert [r["number"] for r in earlier["related"]] == [second.number] and earlier["repeat"] is False
    plain = bot(pipeline.settings, "case", "show", second.number)
    assert plain.returncode == 0, plain.stderr
    assert f"related: {first.number} repeat" in plain.stdout and "REPEAT REPORT" in plain.stdout
    assert "related: none" in bot(pipeline.settings, "case", "show", water.number).stdout

    queue = {c["number"]: c["related"] for c in json.loads(bot(pipeline.settings, "queue", "--json").stdout)}
    assert queue == {first.number: 1, second.number: 1, water.number: 0, name_only.number: 0}
    with pipeline.store.reading() as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "case.related")).one()
    assert audited.details["related"] == [{"number": first.number, "reason": REPEAT}]


def test_a_report_more_than_twelve_months_later_is_related_but_not_a_repeat(pipeline):
    old = file(pipeline, "villager@example.org", TRANSPORT, 5)
    with pipeline.store.transaction() as session:
        session.exec(update(Case).where(Case.id == old.id).values(created_at=old.created_at - timedelta(days=400)))
    later = file(pipeline, "driver@example.net", TRANSPORT_AGAIN, 6)
    again = file(pipeline, "cyclist@example.com", "县交通局张某局长收受施工方回扣，道路质量很差。", 7)
    assert links(pipeline) == {
        (old.number, later.number, SAME_OFFICIAL), (later.number, old.number, SAME_OFFICIAL),
        (old.number, again.number, SAME_OFFICIAL), (again.number, old.number, SAME_OFFICIAL),
        (later.number, again.number, REPEAT), (again.number, later.number, REPEAT),
    }
    assert json.loads(bot(pipeline.settings, "case", "show", later.number, "--json").stdout)["repeat"] is False
    assert json.loads(bot(pipeline.settings, "case", "show", again.number, "--json").stdout)["repeat"] is True


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)   # it reads the SQLite files
def test_the_officials_name_is_not_kept_in_plain_text(pipeline, tmp_path):
    file(pipeline, "villager@example.org", TRANSPORT, 8, "举报县交通局局长受贿")
    file(pipeline, "driver@example.net", TRANSPORT_AGAIN, 9)
    with pipeline.store.reading() as session:
        keys = [row.official_key for row in session.exec(select(CaseOfficial))]
    assert keys and all(len(k) == 64 and int(k, 16) >= 0 for k in keys)
    database = pipeline.store.engine.url.database
    stored = b"".join(p.read_bytes() for p in [*tmp_path.rglob("*")] if p.is_file())
    assert os.path.exists(database) and stored
    for words in ("张某", "张局长", "交通局", "局长"):
        assert words.encode() not in stored, words
        assert json.dumps(words).encode() not in stored, words    # nor as a JSON escape


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_flood_about_one_official_links_each_case_to_the_most_recent_few_only(pipeline, monkeypatch):
    from store import related

    monkeypatch.setattr(related, "MAX_LINKED", 2)
    cases = [file(pipeline, f"person{n}@example.org", f"第{n}次反映：{TRANSPORT}", 30 + n) for n in range(4)]
    found = links(pipeline)
    assert {(a, b) for a, b, _ in found if a == cases[3].number} == {
        (cases[3].number, cases[2].number), (cases[3].number, cases[1].number)}
