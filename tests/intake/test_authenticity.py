"""Authenticity metadata: the Received chain, Authentication-Results, and DKIM verified at receipt."""

from __future__ import annotations

import base64
import subprocess

import dkim
import pytest

from intake.email.authenticity import examine

MESSAGE = (
    b"Received: from mail.example.org (mail.example.org [192.0.2.10]) by mx.jiwei.example; "
    b"Fri, 27 Nov 2026 10:00:00 +0800\r\n"
    b"Received: from [198.51.100.7] by mail.example.org; Fri, 27 Nov 2026 09:59:58 +0800\r\n"
    b"Authentication-Results: mx.jiwei.example; spf=pass smtp.mailfrom=example.org\r\n"
    b"From: Reporter <reporter@example.org>\r\n"
    b"To: jubao@jiwei.example\r\n"
    b"Subject: report\r\n"
    b"Message-ID: <dkim-1@example.org>\r\n"
    b"\r\n"
    b"The head of the county land bureau took 500,000 yuan.\r\n"
)


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "private.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    public_der = subprocess.run(["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
                                check=True, capture_output=True).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public_der)
    return private.read_bytes(), record


def signed(private: bytes) -> bytes:
    signature = dkim.sign(MESSAGE, b"sel1", b"example.org", private, include_headers=[b"from", b"to", b"subject"])
    return signature + MESSAGE


def resolver(record: bytes):
    def lookup(name: bytes, timeout: float = 5):
        return record if name == b"sel1._domainkey.example.org." else None

    return lookup


def test_received_chain_and_authentication_results_are_kept_in_order():
    facts = examine(MESSAGE, None)
    assert [r.split(" by ")[1].split(";")[0] for r in facts["received"]] == ["mx.jiwei.example", "mail.example.org"]
    assert facts["authentication_results"] == ["mx.jiwei.example; spf=pass smtp.mailfrom=example.org"]


def test_valid_signature_passes(key):
    private, record = key
    facts = examine(signed(private), resolver(record))
    assert facts["dkim"]["verdict"] == "pass"
    assert facts["dkim"]["signatures"][0]["domain"] == "example.org"


def test_altered_body_fails(key):
    private, record = key
    tampered = signed(private).replace(b"500,000", b"5,000")
    assert examine(tampered, resolver(record))["dkim"]["verdict"] == "fail"


def test_unsigned_message_is_none(key):
    assert examine(MESSAGE, resolver(key[1]))["dkim"]["verdict"] == "none"


def test_unreachable_dns_is_temperror_not_fail(key):
    private, _ = key

    def down(name: bytes, timeout: float = 5):
        raise OSError("network unreachable")

    facts = examine(signed(private), down)
    assert facts["dkim"]["verdict"] == "temperror"
    assert "network unreachable" in facts["dkim"]["signatures"][0]["reason"]


def test_missing_key_is_a_failure(key):
    private, _ = key
    assert examine(signed(private), lambda name, timeout=5: None)["dkim"]["verdict"] == "fail"
