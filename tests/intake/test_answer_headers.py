"""What our answers carry: no header an incoming message put there, neutral subjects, the same
Message-ID on every delivery attempt, and no plaintext relay off loopback."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import subprocess
import sys

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP

from responders import mail
from responders.outbox import queue_reply
from responders.sender import EmailSender
from store import claims
from store.models import Outbox, OutboxStatus
from store.store import Store
from tests.conftest import ROOT, free_port, make_settings
from tests.intake.test_smtp_intake import EN_REPORT, ZH_REPORT, cases, report, rows
from tests.running import Relay, running

INJECTED = "=?utf-8?q?a=0D=0AX-Injected:_yes=0D=0A=0D=0Abody?="
OUR_HEADERS = {"from", "to", "subject", "date", "message-id", "in-reply-to", "references", "auto-submitted",
               "x-auto-response-suppress", "mime-version", "content-type", "content-transfer-encoding"}


@pytest.fixture
def store_url(tmp_path) -> str:
    # What is tested here does not depend on the kind of store: one is enough.
    return f"sqlite:///{tmp_path / 'intake.db'}"


def outbox_row(**values) -> Outbox:
    fields = {"id": 1, "channel": "email", "purpose": "acknowledgement", "recipient": "citizen@example.org",
              "language": "zh", "subject": "[JB-2026-000001] 来信已收到", "body": "案件编号：JB-2026-000001",
              "message_id": "0f1e2d@jiwei.example", "in_reply_to": "report-1@example.org",
              "references": ["earlier@example.org", "report-1@example.org"]}
    return Outbox(**(fields | values))


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize("values", [
    {"subject": "[JB-2026-000001] x\r\nX-Injected: yes"},
    {"subject": "[JB-2026-000001] =?utf-8?q?x=0D=0AX-Injected:_yes?="},
    {"subject": "[JB-2026-000001] x\u2028X-Injected: yes"},
    {"references": ["earlier@example.org", "a@b\r\nX-Injected: yes"]},
    {"references": [f"{INJECTED}@example.org"]},
    {"references": [INJECTED]},
    {"in_reply_to": "report-1@example.org\nX-Injected: yes"},
    {"in_reply_to": f"{INJECTED}@example.org"},
    {"in_reply_to": "report-1@example.org\n"},
    {"recipient": "citizen@example.org\r\nBcc: victim@example.net"},
    {"recipient": "citizen@example.org\n"},
    {"recipient": "=?utf-8?q?x=0D=0ABcc=3A_victim=40example.net?=@example.org"},
    {"message_id": "0f1e2d@jiwei.example\r\nX-Injected: yes"},
], ids=lambda values: next(iter(values)))
def test_build_refuses_a_line_break_or_encoded_word_in_any_header(values):
    with pytest.raises(mail.UnsafeHeader):
        mail.build(outbox_row(**values), "jubao@jiwei.example", "市纪委监委信访室")


def test_build_writes_our_headers_and_nothing_else():
    long_id = "x" * 200 + "@mail.example.org"
    raw = mail.build(outbox_row(references=["earlier@example.org", long_id]), "jubao@jiwei.example",
                     "市纪委监委信访室")
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(not line or line[:1] in b" \t" or line.split(b":", 1)[0].lower().decode() in OUR_HEADERS
               for line in head.split(b"\r\n"))
    # Ids are written as they are, never as encoded words (that would break threading).
    references = raw.split(b"\r\nReferences: ", 1)[1].split(b"\r\nAuto-Submitted: ", 1)[0]
    assert references == b"<earlier@example.org>\r\n <" + long_id.encode() + b">"
    answer = parse(raw)
    assert set(k.lower() for k in answer.keys()) == OUR_HEADERS
    assert answer["Subject"] == "[JB-2026-000001] 来信已收到"
    assert answer["From"].addresses[0].display_name == "市纪委监委信访室"
    assert answer["References"] == f"<earlier@example.org> <{long_id}>"
    assert answer["In-Reply-To"] == "<report-1@example.org>"
    assert answer.get_content().strip() == "案件编号：JB-2026-000001"


@pytest.mark.parametrize("header", ["Message-ID", "References"])
async def test_an_encoded_line_break_in_a_report_never_reaches_the_answer(bot_settings, relay, header):
    ids = {"Message-ID": "<plain-1@example.org>", "References": "<earlier@example.org>"}
    ids[header] = f"<{INJECTED}>" if header == "Message-ID" else f"<earlier@example.org> <{INJECTED}@example.org>"
    raw = (f"From: citizen@example.org\r\nTo: jubao@jiwei.example\r\nSubject: 举报\r\n"
           f"Message-ID: {ids['Message-ID']}\r\nReferences: {ids['References']}\r\n"
           f"In-Reply-To: <{INJECTED}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           ).encode() + ZH_REPORT.encode() + b"\r\n"
    settings = bot_settings()
    async with running(settings):
        await aiosmtplib.send(raw, sender="citizen@example.org", recipients=["jubao@jiwei.example"],
                              hostname="127.0.0.1", port=settings.smtp.port)
        (_, answer), = await relay.wait_for(1)
        await asyncio.sleep(0.3)
    case, = cases(settings)
    assert set(k.lower() for k in answer.keys()) <= OUR_HEADERS
    assert answer["X-Injected"] is None and "X-Injected" not in answer.as_string()
    assert "<earlier@example.org>" in answer["References"] and "=?" not in answer["References"]
    assert case.number in answer.get_content() and "body" not in answer.get_content()


async def test_the_sender_fails_an_unsafe_answer_for_good_and_sends_nothing(tmp_path, relay):
    settings = make_settings(tmp_path, outbound={"port": relay.port})
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.transaction() as session:
            row = queue_reply(session, channel="email", purpose="acknowledgement", recipient="citizen@example.org",
                              language="zh", context={"case_number": "JB-2026-000001", "office_name": "纪委",
                                                      "office_name_en": "CDI", "received": "2026年3月1日",
                                                      "real_name": False, "acceptance_due": ""},
                              domain="jiwei.example", query_code="ABCDE-FGHJK")
            # As if a row were written by an older version, or its ids slipped past queueing.
            row.in_reply_to = "report-1@example.org\r\nBcc: victim@example.net"
            session.flush()
            row_id = row.id
        sender = EmailSender(store, settings.outbound, "纪委")
        token = claims.new_token()
        ids = await asyncio.to_thread(claims.claim_outbox, store, token, 60, "email", 1)
        assert ids == [row_id]
        assert await sender.deliver(row_id, token) == "failed"
        with store.reading() as session:
            failed = session.get(Outbox, row_id)
            assert failed.status == OutboxStatus.FAILED and failed.attempts == 1
            assert "In-Reply-To" in failed.last_error and failed.secret is None
    finally:
        store.close()
    await asyncio.sleep(0.2)
    assert relay.messages == []


async def test_acknowledgements_have_neutral_subjects_and_never_quote_the_report(bot_settings, relay):
    settings = bot_settings()
    async with running(settings):
        await aiosmtplib.send(report("举报镇党委书记收受好处费", ZH_REPORT), hostname="127.0.0.1", port=settings.smtp.port)
        await aiosmtplib.send(report("Bribe for a pre-sale permit", EN_REPORT, sender="dev@example.org"),
                              hostname="127.0.0.1", port=settings.smtp.port)
        answers = {rcpt[0]: answer for rcpt, answer in await relay.wait_for(2)}
    numbers = {case.language: case.number for case in cases(settings)}
    zh, en = answers["citizen@example.org"], answers["dev@example.org"]
    assert zh["Subject"] == f"[{numbers['zh']}] 来信已收到"
    assert en["Subject"] == f"[{numbers['en']}] Your message was received"
    for answer, words in ((zh, ("举报", "回执", "受贿", "好处费", "刘某某")), (en, ("report", "Receipt", "Zhou", "permit"))):
        text = answer["Subject"] + answer.get_content()
        assert not any(word in text for word in words), text
        assert "查询码" in text or "Query code" in text


class FlakyRelay(Relay):
    """Takes the message, then says 451 the first time: the sender must try again."""

    seen: list

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.seen.append(parsed["Message-ID"])
        if len(self.seen) == 1:
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


async def test_an_answer_retried_after_a_relay_failure_keeps_its_message_id(bot_settings):
    flaky = FlakyRelay(port=free_port())
    flaky.seen = []
    server = await asyncio.get_running_loop().create_server(lambda: SMTP(flaky), "127.0.0.1", flaky.port)
    try:
        settings = bot_settings(outbound={"port": flaky.port})
        async with running(settings):
            await aiosmtplib.send(report("举报", ZH_REPORT), hostname="127.0.0.1", port=settings.smtp.port)
            (_, answer), = await flaky.wait_for(1)
            await asyncio.sleep(0.3)
    finally:
        server.close()
        await server.wait_closed()
    row, = rows(settings, Outbox)
    assert len(flaky.seen) == 2 and flaky.seen[0] == flaky.seen[1] == f"<{row.message_id}>"
    assert row.status == OutboxStatus.SENT and row.attempts == 2


@pytest.mark.parametrize(("environment", "said"), [
    ({"INTAKE_OUTBOUND__HOST": "relay.example.org"}, "outbound.allow_plaintext"),
    ({"INTAKE_OUTBOUND__STARTTLS": "true", "INTAKE_OUTBOUND__IMPLICIT_TLS": "true"}, "outbound.allow_plaintext"),
])
def test_a_plaintext_relay_off_loopback_stops_start_up_naming_the_key(tmp_path, environment, said):
    env = os.environ | {"INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'intake.db'}"} | environment
    result = subprocess.run([sys.executable, "bot.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"bot.py: setting {said}:"), result.stderr


@pytest.mark.parametrize("outbound", [
    {"host": "relay.example.org", "starttls": True},
    {"host": "relay.example.org", "implicit_tls": True, "port": 465},
    {"host": "relay.example.org", "allow_plaintext": True},
    {"host": "::1"}, {"host": "localhost"}, {"host": "127.0.0.53"},
])
def test_tls_or_loopback_or_an_explicit_choice_is_accepted(tmp_path, outbound):
    assert make_settings(tmp_path, outbound=outbound).outbound.host == outbound["host"]
