"""What a message is made of: its text (from HTML too), files, inline images, nested messages,
header fields, and what is kept when the MIME is broken or the bytes are not mail at all."""

from __future__ import annotations

import base64
import datetime as dt
import email.message
import email.policy
import random
import time

import pytest

from intake.email.parse import parse_message
from intake.mime.html_text import html_to_text
from intake.mime.parse import MAX_TEXT_CHARS
from intake.submission import Attachment, Submission

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + random.Random(2).randbytes(3000) + b"\n%%EOF\n"


def head(content_type: bytes, extra: bytes = b"") -> bytes:
    return (b"From: reporter@example.cn\r\nTo: jubao@jw.example.gov.cn\r\nSubject: s\r\n"
            b"Message-ID: <m@example.cn>\r\nDate: Tue, 07 Mar 2023 08:00:00 +0800\r\n"
            b"MIME-Version: 1.0\r\n" + extra + b"Content-Type: " + content_type + b"\r\n")


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


# -- text and HTML ------------------------------------------------------------------------------

HTML = """<html><head><title>邮件</title><style>p {color: red}</style>
<script>alert("x")</script></head><body><!-- 注释 --><p>尊敬的领导：</p>
<div>我举报张某&nbsp;收受&lt;贿赂&gt;&amp;回扣<br>金额&#20108;&#x5341;万元。</div>
<p><a href="http://example.cn/evidence">证据链接</a></p><table><tr><td>时间</td><td>地点</td></tr></table>
</body></html>"""
HTML_TEXT = "尊敬的领导：\n\n我举报张某 收受<贿赂>&回扣\n金额二十万元。\n\n证据链接\n\n时间 地点"


def test_html_only_gb2312_mail_becomes_readable_text():
    raw = (head(b"text/html; charset=gb2312", b"Content-Transfer-Encoding: base64\r\n") + b"\r\n"
           + b64(HTML.encode("gbk")))
    sub = parse_message(raw)
    assert sub.text == HTML_TEXT
    assert sub.html is True
    assert "html-only" in sub.defects
    assert sub.attachments == ()


def test_html_charset_from_meta_tag_when_mime_has_none():
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            "<body>举报信</body></html>")
    sub = parse_message(head(b"text/html") + b"\r\n" + html.encode("gbk"))
    assert sub.text == "举报信"


def test_plain_text_wins_over_html_in_alternative():
    raw = (head(b'multipart/alternative; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + "纯文本正文".encode() + b"\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           + "<p>网页正文</p>".encode() + b"\r\n--b--\r\n")
    sub = parse_message(raw)
    assert sub.text == "纯文本正文"
    assert sub.html is True
    assert "html-only" not in sub.defects


def test_blank_plain_alternative_falls_back_to_html():
    raw = (head(b'multipart/alternative; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain\r\n\r\n \r\n"
           b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + "<p>网页正文</p>".encode() + b"\r\n--b--\r\n")
    assert parse_message(raw).text == "网页正文"


def test_inline_text_parts_are_joined_in_order():
    raw = (head(b'multipart/mixed; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + "第一段".encode() + b"\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\n\r\n"
           + b"x" + b"\r\n--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n" + "第二段".encode("gbk")
           + b"\r\n--b--\r\n")
    sub = parse_message(raw)
    assert sub.text == "第一段\n第二段"
    assert [a.content_type for a in sub.attachments] == ["image/png"]


def test_flowed_text_is_unwrapped():
    body = b"This report is about \r\nthe county road.\r\n\r\n> quoted\r\n"
    sub = parse_message(head(b"text/plain; format=flowed") + b"\r\n" + body)
    assert sub.text == "This report is about the county road.\n\n> quoted"


def test_long_text_is_cut_with_a_defect():
    sub = parse_message(head(b"text/plain; charset=utf-8") + b"\r\n" + "贪".encode() * (MAX_TEXT_CHARS + 10))
    assert len(sub.text) == MAX_TEXT_CHARS
    assert "truncated-text" in sub.defects


def test_html_converter_survives_hostile_markup_quickly():
    hostile = ["<" * 1_000_000, "<!--" * 250_000, "<![CDATA[" * 100_000, "<?" * 400_000, "<a " * 300_000,
               "<div>" * 200_000, '<a href="' + "x" * 900_000, "&" * 1_000_000, "<script>" + "a<b>" * 200_000]
    for html in hostile:
        started = time.perf_counter()
        text, _ = html_to_text(html)
        assert time.perf_counter() - started < 5, html[:20]
        assert isinstance(text, str)


# -- files --------------------------------------------------------------------------------------


def test_attachments_with_chinese_filenames_keep_names_and_bytes():
    gbk_b64 = base64.b64encode("证据材料.pdf".encode("gbk")).decode()
    raw = (head(b'multipart/mixed; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           + "见附件".encode()
           + b"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename*=gb2312''%D6%A4%BE%DD%C2%BC%D2%F4.pdf\r\n\r\n" + b64(PDF)
           + b"\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment;\r\n filename*0*=utf-8''%E7%8E%B0%E5%9C%BA;\r\n"
           b" filename*1*=%E7%85%A7%E7%89%87.png\r\n\r\n"
           + b64(PNG)
           + b"\r\n--b\r\nContent-Type: application/pdf; name=\"=?gbk?B?" + gbk_b64.encode() + b"?=\"\r\n"
           b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n" + b64(PDF)
           + b"\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\""
           + "转账记录.xls".encode("gbk") + b"\"\r\n\r\nraw-bytes\r\n--b--\r\n")
    sub = parse_message(raw)
    assert sub.text == "见附件"
    assert [(a.filename, a.content_type, a.disposition, a.origin, a.parent) for a in sub.attachments] == [
        ("证据录音.pdf", "application/pdf", "attachment", "attachment", None),
        ("现场照片.png", "image/png", "attachment", "attachment", None),
        ("证据材料.pdf", "application/pdf", "attachment", "attachment", None),
        ("转账记录.xls", "application/octet-stream", "attachment", "attachment", None),
    ]
    assert [a.payload for a in sub.attachments] == [PDF, PNG, PDF, b"raw-bytes"]


def test_inline_image_is_an_inline_item_with_its_content_id():
    html = '<p>现场照片：<img src="cid:photo1@example.cn"></p>'.encode()
    raw = (head(b'multipart/related; boundary="r"') + b"\r\n--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           + html + b"\r\n--r\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-ID: <photo1@example.cn>\r\n\r\n" + b64(PNG) + b"\r\n--r--\r\n")
    sub = parse_message(raw)
    assert sub.text == "现场照片："
    (image,) = sub.attachments
    assert (image.filename, image.content_type, image.disposition, image.content_id, image.origin) == (
        None, "image/png", "inline", "photo1@example.cn", "inline")
    assert image.payload == PNG


def test_text_parts_with_a_filename_are_files_not_text():
    raw = (head(b'multipart/mixed; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody"
           b"\r\n--b\r\nContent-Type: text/plain; charset=gbk\r\n"
           b"Content-Disposition: inline; filename=notes.txt\r\n\r\n" + "笔记".encode("gbk")
           + b"\r\n--b\r\nContent-Type: text/html\r\nContent-Disposition: attachment\r\n\r\n<p>x</p>\r\n--b--\r\n")
    sub = parse_message(raw)
    assert sub.text == "body"
    assert [(a.filename, a.disposition, a.payload) for a in sub.attachments] == [
        ("notes.txt", "inline", "笔记".encode("gbk")), (None, "attachment", b"<p>x</p>")]


def test_nested_message_is_listed_and_its_attachment_unpacked():
    inner = email.message.EmailMessage(policy=email.policy.SMTP)
    inner["From"] = "whistle@example.cn"
    inner["Subject"] = "原始举报邮件"
    inner.set_content("内层正文")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="合同.pdf")
    outer = email.message.EmailMessage(policy=email.policy.SMTP)
    outer["From"] = "forwarder@example.cn"
    outer["Subject"] = "转发"
    outer.set_content("请看附件中的原始邮件")
    outer.add_attachment(inner)
    sub = parse_message(outer.as_bytes())
    assert sub.text == "请看附件中的原始邮件"
    assert [(a.filename, a.content_type, a.origin, a.parent) for a in sub.attachments] == [
        (None, "message/rfc822", "nested-message", None),
        ("合同.pdf", "application/pdf", "nested-attachment", 0),
    ]
    assert sub.attachments[1].payload == PDF
    again = parse_message(sub.attachments[0].payload)
    assert (again.subject, again.text, again.attachments[0].payload) == ("原始举报邮件", "内层正文", PDF)


def test_nested_messages_are_unpacked_to_a_bounded_depth():
    message = b"From: a@b.c\r\nSubject: innermost\r\n\r\nhello\r\n"
    for _ in range(8):
        message = head(b"message/rfc822") + b"\r\n" + message
    sub = parse_message(message)
    assert [a.parent for a in sub.attachments] == [None, 0, 1, 2, 3, 4]  # the sixth is not opened
    assert "nesting-too-deep" in sub.defects


# -- header fields ------------------------------------------------------------------------------


def test_header_fields_are_normalised():
    raw = (b"Return-Path: <>\r\nFrom: =?utf-8?B?5Li+5oql5Lq6?= <Reporter@Example.CN>\r\n"
           b"To: A <A@x.cn>, b@X.cn\r\nCc: c@x.cn\r\nSubject: =?utf-8?B?5Lil?=\r\n"
           b"Message-ID:  <ABC.123@Example.CN> \r\nIn-Reply-To: <ack-1@jw.example.gov.cn> (ack)\r\n"
           b"References: <a@x>\r\n <ack-1@jw.example.gov.cn>\r\nAuto-Submitted: auto-replied\r\n"
           b"Date: Tue, 07 Mar 2023 08:00:00 +0800\r\n\r\nhi\r\n")
    sub = parse_message(raw)
    assert sub.message_id == "ABC.123@Example.CN"
    assert sub.in_reply_to == "ack-1@jw.example.gov.cn"
    assert sub.references == ("a@x", "ack-1@jw.example.gov.cn")
    assert (sub.sender, sub.sender_name) == ("reporter@example.cn", "举报人")
    assert sub.recipients == ("a@x.cn", "b@x.cn", "c@x.cn")
    assert sub.date == dt.datetime(2023, 3, 7, 0, 0, tzinfo=dt.timezone.utc)
    assert sub.date.utcoffset() == dt.timedelta(hours=8)
    assert ("auto-submitted", "auto-replied") in sub.headers
    assert ("return-path", "<>") == sub.headers[0]
    assert sub.content_type == "text/plain"
    assert sub.defects == ()


def test_missing_fields_are_recorded_as_defects():
    sub = parse_message(b"Subject: only a subject\r\n\r\nbody\r\n")
    assert (sub.message_id, sub.sender, sub.date) == (None, None, None)
    assert {"missing-message-id", "missing-from", "missing-date"} <= set(sub.defects)


def test_unparseable_date_is_none_with_a_defect():
    sub = parse_message(b"From: a@b.c\r\nDate: someday soon\r\n\r\nx")
    assert sub.date is None
    assert "bad-date" in sub.defects


# -- broken MIME and non-mail -------------------------------------------------------------------


def test_missing_close_boundary_keeps_every_part():
    raw = (head(b'multipart/mixed; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
           b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=a.pdf\r\n\r\n" + b64(PDF))
    sub = parse_message(raw)
    assert sub.text == "first"
    assert sub.attachments[0].payload == PDF
    assert "close-boundary-not-found" in sub.defects


def test_undeclared_boundary_is_recovered():
    raw = (head(b'multipart/mixed; boundary="declared"') + b"\r\n--used\r\nContent-Type: text/plain\r\n\r\nthe text\r\n"
           b"--used\r\nContent-Type: image/png\r\n\r\npng\r\n--used--\r\n")
    sub = parse_message(raw)
    assert sub.text == "the text"
    assert [a.payload for a in sub.attachments] == [b"png"]
    assert {"start-boundary-not-found", "boundary-recovered"} <= set(sub.defects)


@pytest.mark.parametrize(
    ("encoded", "payload", "defect"),
    [
        (base64.b64encode(b"evidence").rstrip(b"="), b"evidence", "bad-base64:padding"),
        (b"ZXZp*ZGVu!Y2Uh", b"evidence!", "bad-base64:characters"),
        (base64.b64encode(b"evidence") + b"Q", b"evidence", "bad-base64:length"),
        (base64.b64encode(b"ab") + base64.b64encode(b"blocks"), b"abblocks", "bad-base64:padding"),
        (b"This is not base64 at all, just words; sorry!", b"This is not base64 at all, just words; sorry!",
         "bad-base64:not-encoded"),
    ],
)
def test_bad_base64_keeps_what_decodes(encoded, payload, defect):
    raw = (head(b'multipart/mixed; boundary="b"') + b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Disposition: attachment; filename=f.bin\r\n\r\n" + encoded + b"\r\n--b--\r\n")
    sub = parse_message(raw)
    assert sub.attachments[0].payload == payload
    assert defect in sub.defects


def test_mail_parser_failure_falls_back_to_the_stdlib():
    # An inner multipart reusing the outer boundary makes mail-parser 4.8.0 raise AttributeError.
    raw = (b'Content-Type: multipart/mixed; boundary="a"\n\n--a\n'
           b'Content-Type: multipart/mixed; boundary="a"\n\n--a\nContent-Type: text/plain\n\nbody\n')
    sub = parse_message(raw)
    assert sub.text == "body"
    assert "mailparser-failed:AttributeError" in sub.defects


def test_headers_preceded_by_a_blank_line_or_a_bom_are_read():
    for prefix, defect in ((b"\r\n", "leading-blank-lines"), (b"\xef\xbb\xbf", "leading-bom")):
        sub = parse_message(prefix + b"From: a@b.c\r\nSubject: hi\r\n\r\nbody")
        assert (sub.sender, sub.subject, sub.text) == ("a@b.c", "hi", "body")
        assert defect in sub.defects


def test_binary_file_fed_as_a_message_becomes_an_item():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)
    sub = parse_message(ole)
    assert sub.text == ""
    assert sub.attachments[0].payload == ole
    assert {"no-headers", "binary-body"} <= set(sub.defects)


def _deep_multipart(levels: int) -> bytes:
    raw = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(levels))
    return raw + b"Content-Type: text/plain\r\n\r\nhello\r\n"


@pytest.mark.parametrize(
    "raw",
    [
        b"", b" \r\n", b"\x00", b"\xff" * 10, b"From:", b":\r\n\r\n", b"\r\n\r\n\r\n",
        random.Random(1).randbytes(20000),
        _deep_multipart(2000),
        b"Content-Type: message/rfc822\r\n\r\n" * 3000,
        b"Subject: " + b"=?utf-8?B?5Lit?=" * 5000 + b"\r\n\r\nx",
        b"X-H: v\r\n" * 20000 + b"\r\nbody",
        head(b"text/html") + b"\r\n" + b"<![CDATA[" * 200_000,
        head(b"text/plain", b"Content-Transfer-Encoding: base64\r\n") + b"\r\n" + b"QUJD" * 500_000,
        head(b'multipart/mixed; boundary="b"') + b"\r\n" + b"--b\r\nContent-Type: image/png\r\n\r\nx\r\n" * 2000,
    ],
    ids=["empty", "blank", "nul", "ff", "from-colon", "colon", "newlines", "random", "deep-multipart",
         "deep-rfc822", "many-words", "many-headers", "hostile-html", "2mb-base64", "many-parts"],
)
def test_any_bytes_give_a_submission(raw):
    started = time.perf_counter()
    sub = parse_message(raw)
    assert time.perf_counter() - started < 20
    assert isinstance(sub, Submission)
    assert all(isinstance(a, Attachment) for a in sub.attachments)
    assert "\x00" not in sub.text + sub.subject
    sub.text.encode("utf-8")
    assert not any(d.startswith("internal-error") for d in sub.defects)


def test_empty_input_is_an_empty_submission():
    sub = parse_message(b"")
    assert (sub.text, sub.subject, sub.attachments, sub.defects) == ("", "", (), ("empty-message",))
    assert sub.language == "zh"
    assert parse_message(b"", default_language="en").language == "en"


def test_attachment_count_is_bounded():
    raw = head(b'multipart/mixed; boundary="b"') + b"\r\n" + b"--b\r\nContent-Type: image/png\r\n\r\nx\r\n" * 2000
    sub = parse_message(raw)
    assert len(sub.attachments) == 500
    assert "too-many-attachments" in sub.defects
