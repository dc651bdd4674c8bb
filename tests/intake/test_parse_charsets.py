"""Chinese mail decodes right whatever its charset label says: bodies, encoded-word headers,
raw 8-bit headers and display names."""

from __future__ import annotations

import base64
import quopri

import pytest

from intake.email.parse import parse_message
from intake.mime.headers import parse_address

# 镕 and 喆 are in GBK but not in GB2312: real "GB2312" mail contains them.
GBK_ONLY = "朱镕基和陶喆"
REPORT = "举报：某县交通局局长在公路招标中收受贿赂二十万元，请纪委调查。"
TRADITIONAL = "舉報：某鄉鎮長挪用扶貧款，村民多次反映無人理會。"


def mail(body: bytes, *, charset: str | None, subject: bytes = b"test", cte: str = "8bit",
         content_type: str = "text/plain", extra: bytes = b"") -> bytes:
    label = f"; charset={charset}" if charset else ""
    return (b"From: Reporter <reporter@example.cn>\r\n"
            b"To: jubao@jw.example.gov.cn\r\n"
            b"Subject: " + subject + b"\r\n"
            b"Message-ID: <1@example.cn>\r\n"
            b"Date: Mon, 06 Mar 2023 19:47:06 +0800\r\n"
            b"MIME-Version: 1.0\r\n" + extra +
            f"Content-Type: {content_type}{label}\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n\r\n".encode() + body)


def b_word(charset: str, data: bytes) -> bytes:
    return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="


def charset_defects(sub) -> list[str]:
    return [d for d in sub.defects if d.startswith(("charset-", "raw-8bit", "undecodable"))]


# -- bodies -------------------------------------------------------------------------------------


def test_gb2312_declared_mail_with_gbk_characters_decodes():
    sub = parse_message(mail(GBK_ONLY.encode("gbk"), charset="gb2312"))
    assert sub.text == GBK_ONLY
    assert charset_defects(sub) == []
    assert sub.language == "zh"


@pytest.mark.parametrize("label", ["gbk", "GBK", "x-gbk", "cp936", "euc-cn", "\"GB2312\""])
def test_gbk_family_labels_decode_as_gb18030(label):
    sub = parse_message(mail(REPORT.encode("gbk"), charset=label))
    assert sub.text == REPORT
    assert charset_defects(sub) == []


def test_gb18030_mail_with_four_byte_characters_decodes():
    text = "吉𠮷野家的老板举报了㐀字"
    sub = parse_message(mail(base64.encodebytes(text.encode("gb18030")), charset="gb18030", cte="base64"))
    assert sub.text == text


def test_big5_mail_decodes_including_hong_kong_characters():
    text = TRADITIONAL + "佢哋嘅"
    sub = parse_message(mail(text.encode("big5hkscs"), charset="big5"))
    assert sub.text == text
    assert charset_defects(sub) == []


def test_utf8_quoted_printable_mail_decodes():
    sub = parse_message(mail(quopri.encodestring(REPORT.encode("utf-8")), charset="utf-8", cte="quoted-printable"))
    assert sub.text == REPORT


@pytest.mark.parametrize("label", ["iso-8859-1", "us-ascii", "utf-8", "windows-1252"])
def test_gbk_bytes_under_a_wrong_label_are_repaired(label):
    sub = parse_message(mail(REPORT.encode("gbk"), charset=label))
    assert sub.text == REPORT
    assert f"charset-misdeclared:{label}->gb18030" in sub.defects


def test_utf8_bytes_declared_latin1_are_repaired():
    sub = parse_message(mail(REPORT.encode("utf-8"), charset="iso-8859-1"))
    assert sub.text == REPORT
    assert "charset-misdeclared:iso-8859-1->utf-8" in sub.defects


def test_utf8_bytes_declared_big5_are_repaired():
    sub = parse_message(mail(REPORT.encode("utf-8"), charset="big5"))
    assert sub.text == REPORT
    assert "charset-misdeclared:big5->utf-8" in sub.defects


def test_big5_bytes_declared_gb2312_are_repaired():
    sub = parse_message(mail(TRADITIONAL.encode("big5"), charset="gb2312"))
    assert sub.text == TRADITIONAL
    assert "charset-misdeclared:gb2312->big5hkscs" in sub.defects


def test_undeclared_gbk_body_is_recognised():
    sub = parse_message(mail(REPORT.encode("gbk"), charset=None))
    assert sub.text == REPORT
    assert "charset-undeclared:gb18030" in sub.defects


def test_unknown_charset_label_is_guessed():
    sub = parse_message(mail(REPORT.encode("utf-8"), charset="x-made-up"))
    assert sub.text == REPORT
    assert "charset-unknown:x-made-up->utf-8" in sub.defects


def test_western_text_in_latin1_is_left_alone():
    text = "Le maire a reçu un pot-de-vin, dénonce un élu: ça suffit!"
    sub = parse_message(mail(text.encode("latin-1"), charset="iso-8859-1"))
    assert sub.text == text
    assert charset_defects(sub) == []


def test_broken_byte_in_utf8_text_keeps_the_rest():
    data = REPORT.encode("utf-8")
    sub = parse_message(mail(data[:9] + b"\xff" + data[9:], charset="utf-8"))  # after "举报："
    assert sub.text == REPORT[:3] + "\ufffd" + REPORT[3:]
    assert "charset-lossy:utf-8->utf-8" in sub.defects


# -- encoded-word and raw 8-bit headers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "codec", "text"),
    [
        ("gb2312", "gbk", "关于朱镕基的举报"),
        ("GBK", "gbk", "关于局长受贿的举报"),
        ("gb18030", "gb18030", "举报𠮷野家"),
        ("big5", "big5", "關於鄉長貪污的舉報"),
        ("utf-8", "utf-8", "关于局长受贿的举报📧"),
    ],
)
def test_encoded_word_subjects_decode_in_each_charset(charset, codec, text):
    sub = parse_message(mail(b"body", charset="us-ascii", subject=b"Re: " + b_word(charset, text.encode(codec))))
    assert sub.subject == "Re: " + text


def test_q_encoded_gbk_subject_decodes():
    word = b"=?gbk?Q?" + quopri.encodestring(REPORT.encode("gbk"), header=True).replace(b"=\n", b"") + b"?="
    assert parse_message(mail(b"x", charset=None, subject=word)).subject == REPORT


def test_multibyte_character_split_across_encoded_words_decodes():
    data = "中文举报".encode("utf-8")
    gbk = "中文举报".encode("gbk")
    subject = (b_word("utf-8", data[:4]) + b"\r\n " + b_word("utf-8", data[4:]) + b" "
               + b_word("gbk", gbk[:3]) + b" " + b_word("gbk", gbk[3:]))
    assert parse_message(mail(b"x", charset=None, subject=subject)).subject == "中文举报中文举报"


def test_encoded_words_without_spaces_decode():
    subject = b"Re:" + b_word("gbk", "举报".encode("gbk")) + b_word("gbk", "材料".encode("gbk")) + b"(2)"
    sub = parse_message(mail(b"x", charset=None, subject=subject))
    assert sub.subject == "Re:举报材料(2)"
    assert "malformed-encoded-word" in sub.defects


def test_encoded_word_labelled_utf8_with_gbk_bytes_is_repaired():
    sub = parse_message(mail(b"x", charset=None, subject=b_word("utf-8", REPORT.encode("gbk"))))
    assert sub.subject == REPORT
    assert "charset-misdeclared:utf-8->gb18030" in sub.defects


def test_raw_utf8_subject_decodes_without_defect():
    sub = parse_message(mail(b"x", charset="utf-8", subject=REPORT.encode("utf-8")))
    assert sub.subject == REPORT
    assert charset_defects(sub) == []


def test_raw_gbk_subject_and_sender_name_decode():
    raw = mail(b"x", charset=None, subject=REPORT.encode("gbk"))
    raw = raw.replace(b"From: Reporter", b"From: " + "王建国".encode("gbk"))
    sub = parse_message(raw)
    assert sub.subject == REPORT
    assert sub.sender_name == "王建国"
    assert sub.sender == "reporter@example.cn"
    assert "raw-8bit-header:gb18030" in sub.defects


def test_raw_big5_subject_follows_the_body_charset():
    sub = parse_message(mail(TRADITIONAL.encode("big5"), charset="big5", subject="舉報信".encode("big5")))
    assert sub.subject == "舉報信"
    assert sub.text == TRADITIONAL


def test_encoded_display_names_in_quotes_and_lists_decode():
    raw = mail(b"x", charset=None).replace(
        b"From: Reporter <reporter@example.cn>",
        b'From: "' + b_word("gb2312", "张三".encode("gbk")) + b'" <Zhang.San@Example.CN>',
    ).replace(
        b"To: jubao@jw.example.gov.cn",
        b"To: " + b_word("utf-8", "纪委, 信访室".encode()) + b" <a@jw.example.gov.cn>, b@jw.example.gov.cn\r\n"
        b"Cc: C <C@Example.org>\r\nReply-To: <Reply@Example.CN>",
    )
    sub = parse_message(raw)
    assert (sub.sender_name, sub.sender) == ("张三", "zhang.san@example.cn")
    assert sub.recipients == ("a@jw.example.gov.cn", "b@jw.example.gov.cn", "c@example.org")
    assert sub.reply_to == "reply@example.cn"


def test_parse_address_gives_decoded_name_and_address():
    encoded = base64.b64encode("李四".encode("gbk")).decode()
    assert parse_address(f"=?gbk?B?{encoded}?= <li@x.cn>") == ("李四", "li@x.cn")
    assert parse_address('"Wang, Jianguo" <wjg@x.cn>') == ("Wang, Jianguo", "wjg@x.cn")
    assert parse_address("") == ("", "")


def test_encoded_word_that_cannot_be_decoded_keeps_the_rest_with_a_defect():
    sub = parse_message(mail(b"x", charset=None, subject=b"Re: " + b_word("utf-8", "中文".encode()[:-1])))
    assert sub.subject == "Re: 中\ufffd"
    assert {"undecodable-header", "charset-lossy:utf-8->utf-8"} <= set(sub.defects)
