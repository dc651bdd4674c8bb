"""The pipeline on messages as they really come: forwarded, HTML-only in GB2312, empty."""

from __future__ import annotations

import base64
from email.message import EmailMessage

from sqlmodel import select

from commands.ingest import ingest_one
from store.models import Case, Inbound, InboundStatus


def test_a_report_forwarded_as_an_attachment_alone_is_classified_by_its_content(pipeline):
    inner = EmailMessage()
    inner["From"] = "friend@example.org"
    inner["Subject"] = "村里的事"
    inner.set_content("村支书把救灾款20万元拿去给自己儿子买车了，受灾的三十多户一分钱没拿到。")
    outer = EmailMessage()
    outer["From"] = "forwarder@example.org"
    outer["To"] = "jubao@jiwei.example"
    outer["Subject"] = "Fwd: 村里的事"
    outer["Message-ID"] = "<fwd-only@example.org>"
    outer.add_attachment(inner)
    assert ingest_one(pipeline, outer.as_bytes()) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        case = session.exec(select(Case)).one()
    assert case.kind == "report" and case.area == "livelihood"


def test_html_only_gb2312_webmail_report_is_read_and_filed_in_chinese(pipeline):
    html = "<html><body><p>尊敬的领导：</p><p>我举报县住建局副局长收受开发商<b>30万元</b>，违规发放预售许可证。</p></body></html>"
    raw = (
        b"From: =?GB2312?B?" + base64.b64encode("王先生".encode("gb2312")) + b"?= <wang@example.cn>\r\n"
        b"To: jubao@jiwei.example\r\nSubject: =?GB2312?B?" + base64.b64encode("举报住建局副局长".encode("gb2312"))
        + b"?=\r\nMessage-ID: <html-only@example.cn>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=GB2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html.encode("gb18030")
    )
    assert ingest_one(pipeline, raw) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        case = session.exec(select(Case)).one()
        row = session.exec(select(Inbound)).one()
    assert case.subject == "举报住建局副局长" and case.language == "zh"
    assert case.kind == "report" and case.area == "real_estate"
    assert "html-only" in row.defects


def test_an_empty_message_is_kept_but_screened(pipeline):
    assert ingest_one(pipeline, b"From: someone@example.org\r\nTo: jubao@jiwei.example\r\n\r\n") == InboundStatus.SCREENED
    with pipeline.store.reading() as session:
        row = session.exec(select(Inbound)).one()
    assert "empty" in row.rule_hits and pipeline.store.blobs.check(row.raw_sha256) is None
