"""The listener cannot be held or bloated cheaply: command lines, commands per session, session
lifetime, idle and slow DATA, and the per-client limits counted per network."""

from __future__ import annotations

import asyncio
import hashlib

import aiosmtplib
import pytest

from tests.intake.test_smtp_intake import ZH_REPORT, inbound_rows, report
from tests.running import running


@pytest.fixture
def store_url(tmp_path) -> str:
    # What is tested here happens before anything is stored: one store kind is enough.
    return f"sqlite:///{tmp_path / 'intake.db'}"


async def connect(port: int, source: str | None = None):
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", port, local_addr=(source, 0) if source else None)
    assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"220")
    return reader, writer


async def command(reader, writer, line: bytes) -> bytes:
    """Send one command line; the last line of its (possibly multi-line) reply."""
    writer.write(line + b"\r\n")
    await writer.drain()
    while True:
        reply = await asyncio.wait_for(reader.readline(), 5)
        if len(reply) < 4 or reply[3:4] != b"-":
            return reply


async def closed(reader, timeout: float = 5) -> bytes:
    """Everything the server still says before it closes the connection."""
    return await asyncio.wait_for(reader.read(), timeout)


async def still_serving(port: int) -> None:
    reader, writer = await connect(port)
    assert (await command(reader, writer, b"EHLO client.example.org")).startswith(b"250")
    assert (await command(reader, writer, b"QUIT")).startswith(b"221")
    writer.close()


async def test_a_megabyte_command_line_without_line_end_is_refused_and_cut_off(bot_settings):
    settings = bot_settings()
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        # No line end: the server must not wait for one, holding what it has read.
        writer.write(b"EHLO " + b"a" * (1024 * 1024))
        try:
            await writer.drain()
        except ConnectionError:
            pass  # cut off while we were still writing: what we want
        said = await closed(reader)
        assert said.startswith(b"500"), said
        writer.close()
        await still_serving(settings.smtp.port)


async def test_a_long_command_line_with_its_line_end_is_refused_too(bot_settings):
    settings = bot_settings()
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        writer.write(b"MAIL FROM:<" + b"a" * 64 * 1024 + b"@example.org>\r\n")
        said = await closed(reader)
        assert said.startswith(b"500"), said
        writer.close()
        await still_serving(settings.smtp.port)


async def test_a_noop_loop_hits_the_command_cap(bot_settings):
    settings = bot_settings(smtp={"max_commands_per_session": 10, "timeout_seconds": 30})
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        assert (await command(reader, writer, b"EHLO client.example.org")).startswith(b"250")
        replies = []
        for _ in range(20):
            writer.write(b"NOOP\r\n")
            line = await asyncio.wait_for(reader.readline(), 5)
            replies.append(line)
            if not line.startswith(b"250"):
                break
        assert replies[-1].startswith(b"421"), replies
        assert len(replies) == 10  # EHLO and nine NOOPs answered, the eleventh command refused
        assert await closed(reader) == b""
        writer.close()


async def test_noop_does_not_keep_an_idle_session_alive(bot_settings):
    settings = bot_settings(smtp={"timeout_seconds": 1})
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        assert (await command(reader, writer, b"EHLO client.example.org")).startswith(b"250")
        started = asyncio.get_running_loop().time()
        for _ in range(30):  # up to 9 s of NOOP every 0.3 s
            await asyncio.sleep(0.3)
            writer.write(b"NOOP\r\n")
            if not (await asyncio.wait_for(reader.readline(), 5)).startswith(b"250"):
                break
        assert asyncio.get_running_loop().time() - started < 4
        writer.close()


async def test_a_session_past_its_lifetime_is_closed_with_421(bot_settings):
    settings = bot_settings(smtp={"max_session_seconds": 1, "timeout_seconds": 30})
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        started = asyncio.get_running_loop().time()
        assert (await command(reader, writer, b"EHLO client.example.org")).startswith(b"250")
        assert (await command(reader, writer, b"MAIL FROM:<a@example.org>")).startswith(b"250")
        said = await closed(reader, timeout=10)
        assert said.startswith(b"421"), said
        assert asyncio.get_running_loop().time() - started < 5
        writer.close()


async def test_a_slow_but_steady_data_transfer_is_accepted_whole(bot_settings):
    settings = bot_settings(smtp={"timeout_seconds": 1})
    raw = (b"From: slow@example.org\r\nTo: jubao@jiwei.example\r\nSubject: slow\r\n\r\n"
           + ZH_REPORT.encode() * 20 + b"\r\n")
    pieces = [raw[i:i + 250] for i in range(0, len(raw), 250)]
    assert len(pieces) >= 15  # well over the 1 s timeout at one piece every 0.2 s
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        for line in (b"EHLO client.example.org", b"MAIL FROM:<slow@example.org>", b"RCPT TO:<jubao@jiwei.example>"):
            assert (await command(reader, writer, line)).startswith(b"250")
        assert (await command(reader, writer, b"DATA")).startswith(b"354")
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.2)
        assert (await command(reader, writer, b".")).startswith(b"250")
        writer.close()
    assert [row.raw_sha256 for row in inbound_rows(settings)] == [hashlib.sha256(raw).hexdigest()]


async def test_a_sender_gone_quiet_in_data_is_still_cut_off(bot_settings):
    settings = bot_settings(smtp={"timeout_seconds": 1})
    async with running(settings):
        reader, writer = await connect(settings.smtp.port)
        for line in (b"EHLO client.example.org", b"MAIL FROM:<quiet@example.org>", b"RCPT TO:<jubao@jiwei.example>"):
            assert (await command(reader, writer, line)).startswith(b"250")
        assert (await command(reader, writer, b"DATA")).startswith(b"354")
        writer.write(b"Subject: half\r\n\r\nhalf a messa")
        await writer.drain()
        started = asyncio.get_running_loop().time()
        await closed(reader)
        assert asyncio.get_running_loop().time() - started < 4
        writer.close()
    assert inbound_rows(settings) == []


async def test_addresses_of_one_ipv4_24_network_count_as_one_client(bot_settings):
    settings = bot_settings(smtp={"max_connections_per_client": 2})
    port = settings.smtp.port
    async with running(settings):
        held = []
        for source in ("127.0.0.2", "127.0.0.3"):
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, source_address=(source, 0))
            await client.connect()
            held.append(client)
        with pytest.raises(aiosmtplib.SMTPConnectResponseError) as refused:
            extra = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, source_address=("127.0.0.4", 0))
            await extra.connect()
        assert refused.value.code == 421
        for client in held:
            await client.quit()


async def test_the_message_rate_is_counted_per_network_too(bot_settings):
    settings = bot_settings(smtp={"max_messages_per_client_per_minute": 2})
    port = settings.smtp.port
    async with running(settings):
        for n, source in enumerate(("127.0.0.2", "127.0.0.3")):
            await aiosmtplib.send(report(f"举报{n}", ZH_REPORT + str(n)), hostname="127.0.0.1", port=port,
                                  source_address=(source, 0))
        with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
            await aiosmtplib.send(report("举报2", ZH_REPORT + "2"), hostname="127.0.0.1", port=port,
                                  source_address=("127.0.0.4", 0))
        assert refused.value.code == 451


async def test_mail_in_transit_is_bounded_across_connections(bot_settings):
    settings = bot_settings(smtp={"max_message_bytes": 150_000, "max_data_bytes_in_flight": 200_000})
    chunk = b"X" * 998 + b"\r\n"
    async with running(settings):
        sessions = []
        for n in range(2):
            reader, writer = await connect(settings.smtp.port)
            for line in (b"EHLO c.example.org", b"MAIL FROM:<a@example.org>", b"RCPT TO:<jubao@jiwei.example>"):
                assert (await command(reader, writer, line)).startswith(b"250")
            assert (await command(reader, writer, b"DATA")).startswith(b"354")
            sessions.append((reader, writer))
        first, second = sessions
        first[1].write(b"Subject: one\r\n\r\n" + chunk * 120)  # 120 KB held, under the message size
        await first[1].drain()
        await asyncio.sleep(0.3)
        second[1].write(b"Subject: two\r\n\r\n" + chunk * 120)  # would make 240 KB in all
        try:
            await second[1].drain()
        except ConnectionError:
            pass
        said = await closed(second[0])
        assert said.startswith(b"421"), said
        # The first one is not harmed: it finishes and is accepted.
        assert (await command(*first, b".")).startswith(b"250")
        first[1].close()
        second[1].close()
        await still_serving(settings.smtp.port)


def test_client_networks():
    from intake.email.smtp import client_network

    assert client_network("192.0.2.7") == client_network("192.0.2.200") == "192.0.2.0/24"
    assert client_network("192.0.3.7") != client_network("192.0.2.7")
    assert client_network("2001:db8:1:2::5") == client_network("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_network("2001:db8:1:3::5") != client_network("2001:db8:1:2::5")
    assert client_network("::ffff:192.0.2.9") == "192.0.2.0/24"
    assert client_network("fe80::1%eth0") == "fe80::/64"
    assert client_network("unknown") == "unknown"
