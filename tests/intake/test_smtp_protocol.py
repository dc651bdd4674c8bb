"""The listener as a sending server sees it: extensions, limits per client, STARTTLS, hostile headers."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import subprocess

import aiosmtplib
import pytest

from tests.running import running
from tests.intake.test_smtp_intake import ZH_REPORT, cases, inbound_rows, report


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


async def test_ehlo_offers_size_8bitmime_and_smtputf8_but_no_auth(bot_settings):
    settings = bot_settings(smtp={"max_message_bytes": 1_000_000})
    async with running(settings):
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.smtp.port)
        await client.connect()
        await client.ehlo()
        assert client.supports_extension("8bitmime") and client.supports_extension("smtputf8")
        assert client.esmtp_extensions["size"] == "1000000"
        assert not client.supports_extension("auth") and not client.supports_extension("starttls")
        await client.quit()


async def test_a_client_over_its_connection_limit_gets_421(bot_settings):
    settings = bot_settings(smtp={"max_connections_per_client": 2})
    async with running(settings):
        held = []
        for _ in range(2):
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.smtp.port)
            await client.connect()
            held.append(client)
        with pytest.raises(aiosmtplib.SMTPConnectResponseError) as refused:
            extra = aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.smtp.port)
            await extra.connect()
        assert refused.value.code == 421
        await held[0].quit()
        await asyncio.sleep(0.1)
        again = aiosmtplib.SMTP(hostname="127.0.0.1", port=settings.smtp.port)
        await again.connect()  # a slot was freed
        await again.quit()
        await held[1].quit()


async def test_an_idle_client_is_disconnected_after_the_timeout(bot_settings):
    settings = bot_settings(smtp={"timeout_seconds": 0.5})
    async with running(settings):
        reader, writer = await asyncio.open_connection("127.0.0.1", settings.smtp.port)
        assert (await reader.readline()).startswith(b"220")
        # Say nothing: the server must close the connection rather than hold it open for ever.
        rest = await asyncio.wait_for(reader.read(), timeout=10)
        assert b"421" in rest or rest == b""
        writer.close()


async def test_starttls_is_offered_when_a_certificate_is_configured(bot_settings, relay, certificate):
    cert, key = certificate
    settings = bot_settings(smtp={"tls_cert_file": str(cert), "tls_key_file": str(key)})
    async with running(settings):
        context = ssl.create_default_context(cafile=str(cert))
        await aiosmtplib.send(report("举报", ZH_REPORT), hostname="localhost", port=settings.smtp.port,
                              start_tls=True, tls_context=context)
        await relay.wait_for(1)
    assert len(cases(settings)) == 1


async def test_hostile_threading_headers_cannot_inject_headers_into_the_answer(bot_settings, relay):
    settings = bot_settings()
    raw = (
        b"From: attacker@example.org\r\nTo: jubao@jiwei.example\r\nSubject: =?utf-8?q?x=0D=0ABcc:_victim@example.net?=\r\n"
        b"Message-ID: <ok@example.org>\r\nReferences: <a@b>\r\n <evil@x>\r\n Bcc: victim@example.net\r\n"
        b"In-Reply-To: <x@y> Bcc: victim@example.net\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + ZH_REPORT.encode() + b"\r\n"
    )
    async with running(settings):
        await aiosmtplib.send(raw, sender="attacker@example.org", recipients=["jubao@jiwei.example"],
                              hostname="127.0.0.1", port=settings.smtp.port)
        (rcpt, answer), = await relay.wait_for(1)
        await asyncio.sleep(0.3)
    assert rcpt == ["attacker@example.org"]
    assert answer["Bcc"] is None and "victim" not in str(answer["References"] or "")
    assert "Bcc" not in answer["Subject"]


async def test_overlong_lines_and_bare_line_feeds_are_accepted_byte_for_byte(bot_settings):
    settings = bot_settings(smtp={"max_message_bytes": 200_000})
    long_line = ("镇长在工程验收中收了承包商二十万元好处费。" * 400).encode()  # about 24,000 bytes
    crlf = b"From: a@example.org\r\nTo: jubao@jiwei.example\r\nSubject: long\r\n\r\n" + long_line + b"\r\n"
    bare_lf = b"From: b@example.org\nTo: jubao@jiwei.example\nSubject: lf\n\n" + long_line[:3000] + b"\nend\n"
    async with running(settings):
        for raw in (crlf, bare_lf):
            await aiosmtplib.send(raw, sender="a@example.org", recipients=["jubao@jiwei.example"],
                                  hostname="127.0.0.1", port=settings.smtp.port)
        with pytest.raises(aiosmtplib.SMTPResponseException) as too_big:
            await aiosmtplib.send(crlf + (long_line + b"\r\n") * 10, sender="a@example.org", recipients=["jubao@jiwei.example"],
                                  hostname="127.0.0.1", port=settings.smtp.port)
        assert too_big.value.code == 552
    # aiosmtplib sends the CRLF message as it is; what the listener kept must be exactly that
    stored = {row.raw_sha256 for row in inbound_rows(settings)}
    assert len(stored) == 2 and hashlib.sha256(crlf).hexdigest() in stored


async def test_a_client_sending_too_fast_is_told_to_try_again_later(bot_settings, relay):
    settings = bot_settings(smtp={"max_messages_per_client_per_minute": 3})
    async with running(settings):
        for n in range(3):
            await aiosmtplib.send(report(f"举报{n}", ZH_REPORT + str(n)), hostname="127.0.0.1", port=settings.smtp.port)
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await aiosmtplib.send(report("举报3", ZH_REPORT + "3"), hostname="127.0.0.1", port=settings.smtp.port)
        assert refused.value.code == 451
    assert len(inbound_rows(settings)) == 3  # accepted; the fourth waits in the sender's queue
