"""Screening rules on parsed messages: what is kept out, what is filed without an answer."""

from __future__ import annotations

import pytest

from intake.email.parse import parse_message
from intake.pipeline.screen import MAX_HOPS, Envelope, screen

OURS = frozenset({"jubao@jiwei.example", "lianzheng@jiwei.example"})
BODY = "镇长在低保名单上给亲戚挂名，每月冒领补助，请调查。".encode()


def verdict(headers: bytes, sender: str | None = "citizen@example.org", body: bytes = BODY):
    raw = b"From: citizen@example.org\r\nTo: jubao@jiwei.example\r\nSubject: s\r\n" + headers + b"\r\n" + body
    return screen(parse_message(raw), Envelope(sender=sender, own_addresses=OURS))


def received(n: int) -> bytes:
    return b"".join(b"Received: from mx%d.example.net by mx%d.example.net; Mon, 2 Nov 2026 08:00:00 +0800\r\n"
                    % (i, i + 1) for i in range(n))


def test_an_ordinary_report_is_filed_and_answered():
    result = verdict(received(5))
    assert (result.file, result.reply, result.hits) == (True, True, ())


def test_a_message_going_round_in_a_loop_is_filed_but_not_answered():
    result = verdict(received(MAX_HOPS))
    assert (result.file, result.reply, result.hits) == (True, False, ("too-many-hops",))


@pytest.mark.parametrize(("headers", "sender", "hit", "filed"), [
    (b"X-Loop: jubao@jiwei.example\r\n", "citizen@example.org", "loop-header", False),
    (b"Auto-Submitted: auto-replied\r\n", "citizen@example.org", "auto-submitted", False),
    (b"Precedence: bulk\r\n", "citizen@example.org", "bulk", True),
    (b"List-Id: <news.example.org>\r\n", "citizen@example.org", "mailing-list", True),
    (b"", "", "null-sender", True),
    (b"X-Spam-Flag: YES\r\n", "citizen@example.org", "spam-flag", False),
])
def test_each_rule_has_its_effect(headers, sender, hit, filed):
    result = verdict(headers, sender)
    assert hit in result.hits and result.file is filed and result.reply is False
