"""A report wrapped in more multiparts than the walk (50) or the parsers (about 1,000) go down is
still read: filed with the defect "nesting-too-deep" and the text that was found, in bounded time
and memory, not screened out as empty or as spam."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from sqlmodel import select

from commands.ingest import ingest_one
from intake.email.parse import parse_message
from store.models import Case, CaseMessage, Inbound, InboundStatus
from tests.conftest import ROOT

LEVEL_THREE = "第三层正文：某镇镇长张某收受砂石老板现金十万元。"
INNERMOST = "最里层正文：村支书李某挪用救灾款二十万元，三十多户受灾群众没有领到。"


def deep_mail(levels: int, subject: bytes = b"Subject: =?utf-8?B?5p2Q5paZ?=\r\n") -> bytes:
    """LEVELS nested multipart/mixed, a text part beside the fourth one, the report at the bottom
    (in GB18030, as its part declares). Built without recursion, well-formed. The subject 材料
    ("material") says nothing by itself."""
    head = [b"From: citizen@example.org\r\nTo: jubao@jiwei.example\r\n" + subject
            + b"Message-ID: <deep-%d@example.org>\r\nDate: Tue, 03 Mar 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n" % levels]
    tail = []
    for level in range(levels):
        head.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % level)
        if level == 3:
            head.append(b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" % level + LEVEL_THREE.encode() + b"\r\n")
        head.append(b"--b%d\r\n" % level)
        tail.append(b"\r\n--b%d--\r\n" % level)
    inner = b"Content-Type: text/plain; charset=gb18030\r\n\r\n" + INNERMOST.encode("gb18030")
    return b"".join(head) + inner + b"".join(reversed(tail))


@pytest.mark.parametrize("levels", [200, 2000])
def test_deep_nesting_is_parsed_with_the_text_and_a_defect(levels):
    started = time.perf_counter()
    sub = parse_message(deep_mail(levels))
    assert time.perf_counter() - started < 20
    assert "nesting-too-deep" in sub.defects
    assert sub.text == f"{LEVEL_THREE}\n{INNERMOST}"
    assert sub.subject == "材料" and sub.sender == "citizen@example.org"


@pytest.mark.parametrize("levels", [200, 2000])
@pytest.mark.parametrize("subject", [b"Subject: =?utf-8?B?5p2Q5paZ?=\r\n", b""], ids=["subject", "no-subject"])
def test_a_deeply_nested_report_is_filed_with_the_defect(pipeline, levels, subject):
    # with the text lost, "材料" alone was spam to the classifier, and no subject was "empty"
    started = time.perf_counter()
    assert ingest_one(pipeline, deep_mail(levels, subject)) == InboundStatus.FILED
    assert time.perf_counter() - started < 60
    with pipeline.store.reading() as session:
        row = session.exec(select(Inbound)).one()
        case = session.exec(select(Case)).one()
        message = session.exec(select(CaseMessage)).one()
    assert "nesting-too-deep" in row.defects
    assert case.kind == "report" and INNERMOST in message.text and LEVEL_THREE in message.text


def test_a_too_deep_message_with_nothing_readable_is_filed_for_a_person(pipeline):
    # 20,000 levels: the report at the bottom lies past the scan's limit, and there is no subject;
    # neither "empty" nor the classifier's "says nothing" may screen out what was not read
    levels = 20_000
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(levels))
    raw = (b"From: citizen@example.org\r\nTo: jubao@jiwei.example\r\nMessage-ID: <deeper@example.org>\r\n"
           b"MIME-Version: 1.0\r\n" + head + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + INNERMOST.encode())
    assert ingest_one(pipeline, raw) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        row = session.exec(select(Inbound)).one()
        case = session.exec(select(Case)).one()
    assert {"nesting-too-deep", "too-many-parts"} <= set(row.defects)
    assert "empty" not in row.rule_hits and "classified-spam" not in row.rule_hits
    assert case.kind == "spam" and "spam-check" in row.rule_hits


def test_parsing_a_deep_message_takes_bounded_memory():
    # in a process of its own, so that the peak is this parse's and not the test run's
    script = (
        "import json, resource, sys\n"
        "from intake.mime.parse import decode_message\n"
        "from tests.intake.test_deep_mime import deep_mail\n"
        "decode_message(deep_mail(3))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "texts = [decode_message(deep_mail(levels)).text for levels in (200, 2000, 20000)]\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'kib': after - before, 'texts': texts}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    # the 20,000-level message is 1.5 MB; its parse may cost a few times that, not hundreds
    assert found["kib"] < 100 * 1024
    assert found["texts"][0] == found["texts"][1] == f"{LEVEL_THREE}\n{INNERMOST}"
    # past MAX_PARTS the scan stops: what was found before is kept
    assert found["texts"][2] == LEVEL_THREE


def test_too_many_parts_stop_the_scan_with_a_defect():
    from intake.mime.flat import leaf_parts

    defects: list[str] = []
    body = b"".join(b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (i, i + 1) for i in range(20_000))
    assert leaf_parts(body, "b0", defects) == []
    assert defects == ["too-many-parts"]


def test_the_flat_scan_skips_preambles_and_epilogues_and_keeps_files():
    from intake.mime.flat import leaf_parts

    body = (b"preamble\r\n--a\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\nignored\r\n"
            b"--c\r\nContent-Type: text/plain\r\n\r\nplain\r\n--c--\r\nepilogue of c\r\n"
            b"--a\r\nContent-Type: application/pdf; name=x.pdf\r\n\r\n%PDF\r\n--a--\r\nepilogue\r\n")
    defects: list[str] = []
    leaves = leaf_parts(body, "a", defects)
    assert [(leaf.get_content_type(), leaf.get_payload()) for leaf in leaves] == [
        ("text/plain", "plain"), ("application/pdf", "%PDF")]
    assert defects == []


def test_a_deep_alternative_gives_its_plain_text_once():
    levels = 80
    head = b"".join(b'Content-Type: multipart/mixed; boundary="m%d"\r\n\r\n--m%d\r\n' % (i, i) for i in range(levels))
    alternative = (b'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
                   b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "纯文本".encode() + b"\r\n"
                   b"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + "网页".encode() + b"</p>\r\n--alt--\r\n")
    tail = b"".join(b"\r\n--m%d--\r\n" % i for i in reversed(range(levels)))
    sub = parse_message(b"From: a@example.org\r\nMIME-Version: 1.0\r\n" + head + alternative + tail)
    assert sub.text == "纯文本" and "nesting-too-deep" in sub.defects
