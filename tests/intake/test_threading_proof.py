"""A message joins an existing case only by proof; a forged one opens a case of its own and tells
its sender nothing about anyone else's case. A duplicate is the same content, not the same id."""

from __future__ import annotations

import json

from sqlmodel import select

from commands.ingest import ingest_one
from store.models import Case, CaseMessage, InboundStatus, Outbox
from tests.intake.test_threading import REPORT, first_case, mail


def answers(pipeline) -> list[Outbox]:
    with pipeline.store.reading() as session:
        return list(session.exec(select(Outbox).order_by(Outbox.id)))


def test_a_forged_mail_from_the_reporters_address_citing_the_case_opens_its_own_case(pipeline):
    case, _ = first_case(pipeline)
    forged = mail("farmer@example.org", f"关于{case.number}的补充", "请告诉我案件进展。", "f1@evil.example",
                  verified=False)
    assert ingest_one(pipeline, forged) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        numbers = [c.number for c in session.exec(select(Case).order_by(Case.id))]
        joined = session.exec(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()
    assert len(numbers) == 2 and len(joined) == 1
    # The real reporter hears nothing, and neither does the forger.
    assert [a.purpose for a in answers(pipeline)] == ["acknowledgement"]


def test_a_forged_mail_naming_the_reporters_own_message_does_not_join(pipeline):
    case, _ = first_case(pipeline)
    forged = mail("farmer@example.org", "Re: 举报村支书截留补贴", "补充。", "f2@evil.example",
                  in_reply_to="r1@example.org", verified=False)
    assert ingest_one(pipeline, forged) == InboundStatus.FILED


def test_a_verified_reply_naming_the_reporters_own_message_joins(pipeline):
    case, _ = first_case(pipeline)
    again = mail("farmer@example.org", "Re: 举报村支书截留补贴", "补充：还有一本账。", "v2@example.org",
                 in_reply_to="r1@example.org")
    assert ingest_one(pipeline, again) == InboundStatus.FOLLOW_UP


def test_a_reply_to_our_answer_is_proof_even_unverified_but_gets_no_automatic_answer(pipeline):
    case, ack = first_case(pipeline)
    reply = mail("farmer@example.org", f"Re: {ack.subject}", "补充材料。", "u3@example.org",
                 in_reply_to=ack.message_id, verified=False)
    assert ingest_one(pipeline, reply) == InboundStatus.FOLLOW_UP
    assert [a.purpose for a in answers(pipeline)] == ["acknowledgement"]


def test_the_case_number_with_its_query_code_is_proof_from_anyone(pipeline):
    case, ack = first_case(pipeline)
    other = mail("new.address@example.net", "补充", f"案件编号{case.number}，查询码{ack.secret}。", "u4@example.net",
                 verified=False)
    assert ingest_one(pipeline, other) == InboundStatus.FOLLOW_UP


def test_two_different_reports_with_one_message_id_are_both_filed(pipeline):
    first = mail("farmer@example.org", "举报村支书截留补贴", REPORT, "same@example.org")
    second = mail("farmer@example.org", "另一件事", "镇长的司机开公车接送孩子上学。", "same@example.org")
    assert ingest_one(pipeline, first) == InboundStatus.FILED
    assert ingest_one(pipeline, second) == InboundStatus.FILED
    # The very same message again is still a duplicate.
    assert ingest_one(pipeline, b"X-Route: again\r\n" + first) == InboundStatus.DUPLICATE


def test_an_unverified_sender_is_marked_in_the_queue_and_the_case(pipeline):
    from tests.intake.test_commands import bot

    ingest_one(pipeline, mail("someone@example.net", "举报", REPORT, "m1@example.net", verified=False))
    ingest_one(pipeline, mail("farmer@example.org", "举报2", "镇长的司机开公车接送孩子上学。", "m2@example.org"))
    queue = json.loads(bot(pipeline.settings, "queue", "--json").stdout)
    assert sorted(c["sender_verified"] for c in queue) == [False, True]
    plain = bot(pipeline.settings, "queue").stdout
    assert plain.count("unverified") == 1
    unverified = next(c["number"] for c in queue if not c["sender_verified"])
    shown = bot(pipeline.settings, "case", "show", unverified).stdout
    assert "sender: NOT VERIFIED" in shown
    verified = next(c["number"] for c in queue if c["sender_verified"])
    assert "sender: verified (authserv)" in bot(pipeline.settings, "case", "show", verified).stdout
