"""The parser on 2,546 real messages from other projects' test suites (read in place, never
copied): every one gives a Submission, and the Chinese ones read as a person would read them."""

from __future__ import annotations

import base64
import csv
import time
from pathlib import Path

import pytest

from intake.email.parse import parse_message
from intake.submission import Submission
from tests.conftest import corpus_dir


def corpus_root() -> Path:
    root = corpus_dir()
    if root is None:
        pytest.skip("email corpus not found: set INTAKE_EMAIL_CORPUS to the folder holding manifest.tsv")
    return root


def manifest(root: Path) -> list[dict[str, str]]:
    with open(root / "manifest.tsv", newline="", encoding="utf-8") as listing:
        return list(csv.DictReader(listing, delimiter="\t", quoting=csv.QUOTE_NONE))


def read(name: str) -> bytes:
    return (corpus_root() / name).read_bytes()


def check_shape(sub: Submission) -> None:
    assert isinstance(sub, Submission)
    for value in (sub.text, sub.subject, sub.sender_name or "", *(v for _, v in sub.headers)):
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogates: every sink takes it
    for index, item in enumerate(sub.attachments):
        assert isinstance(item.payload, bytes)
        assert item.disposition in ("attachment", "inline")
        assert item.origin in ("attachment", "inline", "nested-message", "tnef-member", "nested-attachment")
        assert item.parent is None or 0 <= item.parent < index
    assert sub.date is None or sub.date.tzinfo is not None
    assert sub.language in ("zh", "en")


@pytest.mark.slow
def test_every_corpus_file_parses_into_a_submission():
    root = corpus_root()
    rows = manifest(root)
    assert len(rows) > 2000
    timings = []
    started = time.perf_counter()
    for row in rows:
        raw = (root / row["path"]).read_bytes()
        began = time.perf_counter()
        sub = parse_message(raw)
        timings.append((time.perf_counter() - began, row["path"]))
        check_shape(sub)
        assert not [d for d in sub.defects if d.startswith("internal-error")], row["path"]
    total = time.perf_counter() - started
    slowest = sorted(timings, reverse=True)[:5]
    print(f"\n{len(rows)} corpus files in {total:.1f} s; slowest: "
          + ", ".join(f"{path} {seconds:.2f} s" for seconds, path in slowest))
    assert total < 120, "the whole corpus should parse in well under a minute on two cores"


# Checked by eye against the raw bytes; each line says what the reader of that message sees.
CHINESE = [
    ("demisto-parse-emails/chinese_gb2312_encoding.eml", "Greeting in Chinese", "你好，我是程序员，很高兴认识你"),
    ("demisto-parse-emails/chinese_gbk_encoding.eml", "Hello from China", "你好，中国"),
    ("demisto-parse-emails/chinese_big5_encoding.eml", "Hello from China", "圖形碼"),
    ("discourse/chinese_reply.eml", "", "您好！ 你今天好吗？"),
    ("discourse/big5.eml", "Re: [Discourse] new reply to your post in 'Crystal Blue'", "媽！我上電視了！"),
    ("kopano-inetmapi/big5.eml", "養樂多線上訂購", "body"),
    ("webklex-php-imap/gbk_charset.eml", "Nuu", "Hi"),
]


@pytest.mark.parametrize(("path", "subject", "text"), CHINESE, ids=[c[0] for c in CHINESE])
def test_chinese_corpus_messages_read_right(path, subject, text):
    sub = parse_message(read(path))
    assert (sub.subject, sub.text) == (subject, text)


def test_big5_labelled_utf8_reply_is_flagged():
    sub = parse_message(read("discourse/chinese_reply.eml"))
    assert "charset-misdeclared:big5->utf-8" in sub.defects


def test_gb2312_labelled_gbk_names_read_right():
    sub = parse_message(read("kopano-inetmapi/gb2312_18030.eml"))
    assert sub.sender_name == "梁祐晟"
    assert ("to", "'林慶美' <other.address@some.domain>") in sub.headers
    assert sub.subject == "讀取: ??排??生?a"


def test_raw_big5_headers_read_right():
    sub = parse_message(read("kopano-inetmapi/big5.eml"))
    assert sub.sender_name == "養樂多"
    assert "raw-8bit-header:big5hkscs" in sub.defects


def test_spam_with_gb2312_label_on_utf8_body_reads_right():
    sub = parse_message(read("spamscope-mail-parser/mail_test_12"))
    assert sub.subject == "代开各地增值税发票"
    assert sub.sender_name == "张先生"
    assert sub.text.startswith("你好！我公司可代开各类增值税发票，17%专用发票，3%普通发票")
    assert "charset-misdeclared:gb2312->utf-8" in sub.defects


def test_debian_gb2312_list_mail_reads_right():
    sub = parse_message(read("spamassassin/t/data/nice/cjk/gb2312.2"))
    assert sub.subject == "RE: 装硬碟问题"
    assert sub.sender_name == "Jason Lee (李展锋)"
    assert sub.text.startswith("假设你的硬碟是IDE介面(不是SCSI)\n请检查一下,你的硬碟的设定")


def test_sina_bounce_reads_right_and_keeps_the_original():
    sub = parse_message(read("flufl-bounce/sina_01.txt"))
    assert sub.subject == "邮件传输失败！"
    assert "邮件无法发送到您指定的地址中。" in sub.text
    assert [(a.filename, a.origin) for a in sub.attachments] == [("original message.eml", "nested-message")]


@pytest.mark.parametrize("charset", ["gbk", "gb18030"])
@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_letters_pangram_reads_right_despite_a_malformed_header(charset, encoding):
    sub = parse_message(read(f"mnako-letters/test_chinese_plaintext_{charset}_over_{encoding}.txt"))
    assert sub.subject == "📧 Test 施氏食狮史"
    assert sub.sender_name == "艾莉絲 发件人"
    assert sub.text.startswith("石室诗士施氏，嗜狮，誓食十狮。\n氏时时适市视狮。")
    assert sub.text.endswith("试释是事。")
    assert "missing-header-body-separator" in sub.defects


def test_winmail_dat_is_listed_with_its_members():
    sub = parse_message(read("mimekit/tnef/rich-text.eml"))
    items = [(a.filename, a.content_type, a.origin, a.parent) for a in sub.attachments]
    assert items == [
        ("winmail.dat", "application/ms-tnef", "attachment", None),
        ("kitten-playing-with-a-christmas-tree.jpg", "image/jpeg", "tnef-member", 0),
        ("Untitled Attachment", "application/octet-stream", "tnef-member", 0),
        ("Untitled Attachment", "application/octet-stream", "tnef-member", 0),
        ("kitten-playing-with-a-christmas-tree.jpg", "image/jpeg", "tnef-member", 3),  # in an embedded message
    ]
    kitten = sub.attachments[1].payload
    assert (len(kitten), kitten[:3]) == (375081, b"\xff\xd8\xff")
    assert sub.attachments[4].payload == kitten


def test_winmail_dat_that_is_not_tnef_is_kept_with_a_defect():
    sub = parse_message(read("zbateson-mail-mime-parser/m4006.txt"))
    (item,) = sub.attachments
    assert (item.filename, item.payload[:4]) == ("winmail.dat", b"\x89PNG")
    assert "tnef-unreadable:ValueError" in sub.defects


def test_corpus_tnef_files_are_found_by_the_manifest_tag():
    root = corpus_root()
    tnef = [row["path"] for row in manifest(root) if "tnef" in row["tags"].split(";")[0].split(",")]
    assert tnef
    for path in tnef:
        sub = parse_message((root / path).read_bytes())
        assert any(a.content_type == "application/ms-tnef" for a in sub.attachments), path


def test_report_written_only_inside_winmail_dat_becomes_the_text():
    winmail = next(a.payload for a in parse_message(read("mimekit/tnef/ukr.eml")).attachments
                   if a.filename == "winmail.dat")
    raw = (b"From: outlook@example.cn\r\nSubject: rr\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: application/ms-tnef\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(winmail) + b"\r\n--b--\r\n")
    sub = parse_message(raw)
    assert sub.text == "шостий\n\n\n{EMAILSIGNATURE}\n\n\n\nRR Test 1"
    assert "text-from-tnef" in sub.defects
    assert sub.attachments[0].payload == winmail
