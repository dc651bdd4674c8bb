"""Follow-ups: a reply to the acknowledgement joins its case; a stranger with a copied number does not."""

from __future__ import annotations

from email.message import EmailMessage

from sqlmodel import select

from commands.ingest import ingest_one
from store.models import Case, CaseMessage, Evidence, Inbound, InboundStatus, Outbox
from tests.conftest import verified_by_border

REPORT = "村支书周某把全村的退耕还林补贴截留了十几万元，发给村民的只有一半。"


def mail(sender: str, subject: str, body: str, message_id: str, in_reply_to: str | None = None,
         attachment: bytes | None = None, verified: bool = True) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content(body)
    if attachment:
        message.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="账本.xlsx")
    return verified_by_border(message.as_bytes(), sender) if verified else message.as_bytes()


def first_case(pipeline) -> tuple[Case, Outbox]:
    assert ingest_one(pipeline, mail("farmer@example.org", "举报村支书截留补贴", REPORT, "r1@example.org")) == "filed"
    with pipeline.store.transaction() as session:
        case = session.exec(select(Case)).one()
        ack = session.exec(select(Outbox).where(Outbox.case_id == case.id)).one()
    return case, ack


def test_reply_to_the_acknowledgement_joins_its_case_with_its_attachment(pipeline):
    case, ack = first_case(pipeline)
    reply = mail("farmer@example.org", f"Re: {ack.subject}", "补充材料：村里的账本在附件里。", "r2@example.org",
                 in_reply_to=ack.message_id, attachment=b"ledger bytes")
    assert ingest_one(pipeline, reply) == InboundStatus.FOLLOW_UP
    with pipeline.store.transaction() as session:
        assert len(session.exec(select(Case)).all()) == 1
        roles = session.exec(select(CaseMessage.role).where(CaseMessage.case_id == case.id)).all()
        items = session.exec(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.item)).all()
        confirmation = session.exec(select(Outbox).where(Outbox.purpose == "follow_up")).one()
    assert roles == ["report", "follow_up"]
    assert [i.origin for i in items] == ["raw-message", "raw-message", "attachment"]
    assert items[2].original_name == "账本.xlsx" and items[2].parent_id == items[1].id
    assert confirmation.recipient == "farmer@example.org" and case.number in confirmation.subject
    assert confirmation.in_reply_to == "r2@example.org"


def test_the_reporter_citing_the_case_number_in_a_subject_is_a_follow_up(pipeline):
    case, _ = first_case(pipeline)
    again = mail("farmer@example.org", f"关于{case.number}的补充", "还有一件事：补贴名单也是假的。", "r3@example.org")
    assert ingest_one(pipeline, again) == InboundStatus.FOLLOW_UP


def test_a_stranger_copying_the_case_number_into_a_subject_gets_a_new_case(pipeline):
    case, _ = first_case(pipeline)
    stranger = mail("someone@example.net", f"Re: [{case.number}] 举报受理回执",
                    "我也要举报：镇长的司机开公车接送孩子上学。", "s1@example.net")
    assert ingest_one(pipeline, stranger) == InboundStatus.FILED
    with pipeline.store.transaction() as session:
        assert len(session.exec(select(Case)).all()) == 2
        followed = session.exec(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()
    assert len(followed) == 1


def test_case_number_with_the_right_query_code_from_another_address_is_a_follow_up(pipeline):
    case, ack = first_case(pipeline)
    code = ack.secret
    assert code, "the code waits in the outbox until the acknowledgement is delivered"
    other = mail("farmer.new@example.com", "补充", f"案件编号{case.number}，查询码{code}。新的证据：会计愿意作证。",
                 "r4@example.com")
    assert ingest_one(pipeline, other) == InboundStatus.FOLLOW_UP
    wrong = mail("farmer.new@example.com", "补充", f"案件编号{case.number}，查询码ABCDE-FGHJK。", "r5@example.com")
    assert ingest_one(pipeline, wrong) == InboundStatus.FILED


def test_the_same_message_arriving_twice_is_filed_once_and_linked(pipeline):
    first_case(pipeline)
    # The same message through another route: other transport headers, same Message-ID and body.
    again = b"Received: from relay.example.org by mx2.jiwei.example; Fri, 27 Nov 2026 10:00:00 +0800\r\n" + mail(
        "farmer@example.org", "举报村支书截留补贴", REPORT, "r1@example.org")
    assert ingest_one(pipeline, again) == InboundStatus.DUPLICATE
    with pipeline.store.transaction() as session:
        rows = session.exec(select(Inbound).order_by(Inbound.id)).all()
        assert len(session.exec(select(Case)).all()) == 1
    assert rows[1].duplicate_of == rows[0].id and rows[1].case_id == rows[0].case_id
