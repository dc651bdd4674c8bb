"""The classifier's "spam" screens a message out only at or above the model's calibrated
confidence; below it the message is filed as kind spam, marked "spam-check" and answered like any
filed message. Formal notices about officials (a register the model was not trained on) are not
lost; obvious spam is still screened."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlmodel import select

from commands.ingest import ingest_one
from store.models import AuditEvent, Case, Inbound, InboundStatus, Outbox
from tests.classifier.cases import FORMAL_NOTICES
from tests.conftest import verified_by_border

# Notices and circulars of a discipline body, written for the tests.
NOTICES = [
    *FORMAL_NOTICES,
    ("纪律审查通报",
     "日前，经县委批准，县纪委监委对县住建局原党组书记孙某严重违纪违法问题进行了立案审查调查。经查，孙某违规收受礼品礼金，"
     "大搞权钱交易。依据有关规定，给予孙某开除党籍处分。"),
]
OBVIOUS_SPAM = [
    ("低息贷款秒到账", "【快易贷】无抵押无担保，凭身份证即可贷款5-50万，低息秒批当天到账！点击链接立即申请，加微信客服咨询，回复TD退订。"),
    ("代开正规发票", "本公司长期代开增值税专用发票、普通发票，税点低，可先验票后付款，需要请加微信，诚信合作，欢迎来电。"),
    ("WIN A FREE iPhone!!!", "Congratulations! You have been selected as our lucky winner. Click the link now to claim your FREE "
                             "prize. Limited time offer, act now!"),
]
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
REPORT = ("举报镇长受贿", "实名举报：某镇镇长张某在道路招标中收受施工方好处费20万元。举报人李明，电话13812345678。")


def _mail(subject: str, text: str, sender: str = "citizen@example.org", number: int = 1) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<notice-{number}@example.org>"
    message["Date"] = "Tue, 03 Mar 2026 09:00:00 +0800"
    message.set_content(text)
    return message.as_bytes()


def _only(session, model):
    return session.exec(select(model)).one()


def _answers(session, inbound_id: int) -> list[str]:
    return [row.purpose for row in session.exec(select(Outbox).where(Outbox.inbound_id == inbound_id))]


@pytest.mark.parametrize("subject,text", NOTICES, ids=["formalism-circular", "formalism-notice", "banquet-notice",
                                                       "discipline-notice"])
def test_a_formal_notice_is_never_screened_out_on_an_unsure_spam(pipeline, subject, text):
    result = pipeline.preparer.classify(subject, text)
    assert ingest_one(pipeline, _mail(subject, text)) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        row = _only(session, Inbound)
        case = _only(session, Case)
        filed = session.exec(select(AuditEvent).where(AuditEvent.action == "case.filed")).one()
    assert "classified-spam" not in row.rule_hits
    if result["kind"] == "spam":
        # the model's guess is kept, and so is the mark that a person has to look at it
        assert result["confidence"] < result["spam_threshold"]
        assert case.kind == "spam" and "spam-check" in row.rule_hits
        assert "spam-check" in filed.details["rule_hits"]
    else:
        assert case.kind == result["kind"] and "spam-check" not in row.rule_hits


def test_a_spam_filed_for_checking_is_answered_like_a_report(pipeline, monkeypatch):
    # the same sender and the same way in: only the classification differs
    real = pipeline.preparer.classify

    def unsure(subject, text):
        return {**real(subject, text), "kind": "spam", "area": None, "violation": None, "priority": 4,
                "confidence": 0.6, "spam_threshold": 0.9}

    report_mail = verified_by_border(_mail(*REPORT, number=1), "citizen@example.org")
    assert ingest_one(pipeline, report_mail) == InboundStatus.FILED
    monkeypatch.setattr(pipeline.preparer, "classify", unsure)
    notice_mail = verified_by_border(_mail(*NOTICES[0], sender="other@example.org", number=2), "other@example.org")
    assert ingest_one(pipeline, notice_mail) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        report, checked = session.exec(select(Inbound).order_by(Inbound.id)).all()
        cases = {case.id: case for case in session.exec(select(Case))}
        assert cases[checked.case_id].kind == "spam" and cases[report.case_id].kind == "report"
        assert "spam-check" in checked.rule_hits
        assert _answers(session, report.id) != []
        assert _answers(session, checked.id) == _answers(session, report.id)


@pytest.mark.parametrize(
    "confidence,threshold,status,hit",
    [
        (0.95, 0.9, InboundStatus.SCREENED, "classified-spam"),
        (0.9, 0.9, InboundStatus.SCREENED, "classified-spam"),
        (0.89, 0.9, InboundStatus.FILED, "spam-check"),
        (0.95, 0.99, InboundStatus.FILED, "spam-check"),
        (None, None, InboundStatus.FILED, "spam-check"),  # a classifier that says nothing of its confidence
    ],
)
def test_the_threshold_that_comes_with_the_classification_decides(pipeline, monkeypatch, confidence, threshold,
                                                                  status, hit):
    def stub(subject, text):
        result = {"kind": "spam", "area": None, "violation": None, "priority": 4, "real_name": False,
                  "language": "zh", "entities": []}
        if confidence is not None:
            result |= {"confidence": confidence, "spam_threshold": threshold}
        return result

    monkeypatch.setattr(pipeline.preparer, "classify", stub)
    assert ingest_one(pipeline, _mail("你好", "这是一条消息的正文，内容无关紧要。")) == status
    with pipeline.store.reading() as session:
        row = _only(session, Inbound)
        cases = session.exec(select(Case)).all()
    assert hit in row.rule_hits
    assert [case.kind for case in cases] == (["spam"] if status == InboundStatus.FILED else [])


@pytest.mark.parametrize("subject,text", OBVIOUS_SPAM, ids=["loan", "invoices", "prize"])
def test_obvious_spam_is_still_screened(pipeline, subject, text):
    assert ingest_one(pipeline, _mail(subject, text)) == InboundStatus.SCREENED
    with pipeline.store.reading() as session:
        row = _only(session, Inbound)
        assert session.exec(select(Case)).all() == []
    assert "classified-spam" in row.rule_hits and "spam-check" not in row.rule_hits


def test_gtube_is_still_screened(pipeline):
    assert ingest_one(pipeline, _mail("test", GTUBE)) == InboundStatus.SCREENED
    with pipeline.store.reading() as session:
        row = _only(session, Inbound)
    assert "spam-flag" in row.rule_hits and "spam-check" not in row.rule_hits
