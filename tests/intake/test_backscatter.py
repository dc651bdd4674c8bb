"""The bot cannot be turned against third parties: it answers automatically only a sender it has
reason to believe, never the null sender or itself, never an address hidden in a display name, and
no more often than the caps allow, however the address is spelt. Through real SMTP on loopback,
with loopback NOT trusted, as a client on the internet would be."""

from __future__ import annotations

import asyncio
import smtplib

import aiosmtplib
import pytest

from config.schema import Settings
from store.models import Case, Inbound, InboundStatus, Outbox
from tests.conftest import BORDER, verified_by_border
from tests.intake.test_smtp_intake import ZH_REPORT, report, rows, wait_until
from tests.running import running

UNTRUSTED_LOOPBACK = {"trusted_networks": ["192.0.2.0/24"], "trusted_authserv_ids": [BORDER]}


def settings_for(bot_settings, **pipeline):
    return bot_settings(smtp=UNTRUSTED_LOOPBACK, pipeline={"processes": 0, **pipeline})


async def send(settings, message, sender: str | None = None, verified_for: str | None = None) -> None:
    raw = message.as_bytes()
    if verified_for:
        raw = verified_by_border(raw, verified_for)

    def deliver():
        # smtplib, not aiosmtplib: only it sends the null sender ("" or "<>") as MAIL FROM:<>.
        with smtplib.SMTP("127.0.0.1", settings.smtp.port, timeout=30) as client:
            client.sendmail(sender if sender is not None else "citizen@example.org", ["jubao@jiwei.example"], raw)

    await asyncio.to_thread(deliver)


async def settled(settings, count: int) -> list[Inbound]:
    done = (InboundStatus.FILED, InboundStatus.FOLLOW_UP, InboundStatus.SCREENED, InboundStatus.DUPLICATE)
    return await wait_until(lambda: (found := rows(settings, Inbound)) and len(found) == count
                            and all(r.status in done for r in found) and found, 60)


async def test_forty_forged_senders_from_one_client_get_no_answer_and_are_filed_marked(bot_settings, relay):
    settings = settings_for(bot_settings)
    async with running(settings):
        for n in range(40):
            await send(settings, report(f"举报{n}", f"第{n}件：{ZH_REPORT}", sender=f"victim{n}@example.net"))
        arrivals = await settled(settings, 40)
        await asyncio.sleep(1.0)
    assert relay.messages == []
    assert rows(settings, Outbox) == []
    assert all(r.status == InboundStatus.FILED and "sender-not-verified" in r.rule_hits for r in arrivals)
    assert all(not case.sender_verified for case in rows(settings, Case))


async def test_plus_tags_and_case_do_not_multiply_the_daily_cap(bot_settings, relay):
    settings = settings_for(bot_settings, replies_per_sender_per_day=3)
    async with running(settings):
        for n, address in enumerate(["victim@example.org", "Victim+1@example.org", "victim+2@EXAMPLE.org",
                                     "victim+3@example.org", "victim+4@example.org"]):
            await send(settings, report(f"举报{n}", f"第{n}件：{ZH_REPORT}", sender=address), verified_for=address)
        await settled(settings, 5)
        await relay.wait_for(3)
        await asyncio.sleep(1.0)
    assert len(relay.messages) == 3
    capped = [r for r in rows(settings, Inbound) if "reply-cap" in r.rule_hits]
    assert len(capped) == 2


# the hour's answers in all, and those to what came from one source (the test's one SMTP client):
# a flood from one place cannot spend the answers others are owed
@pytest.mark.parametrize("cap,hit", [("replies_per_hour", "reply-global-cap"),
                                     ("replies_per_source_per_hour", "reply-source-cap")])
async def test_an_hourly_cap_stops_a_flood_of_answers(bot_settings, relay, cap, hit):
    settings = settings_for(bot_settings, **{cap: 2})
    async with running(settings):
        for n in range(4):
            address = f"person{n}@example.org"
            await send(settings, report(f"举报{n}", f"第{n}件：{ZH_REPORT}", sender=address), verified_for=address)
        await settled(settings, 4)
        await relay.wait_for(2)
        await asyncio.sleep(1.0)
    assert len(relay.messages) == 2
    assert len([r for r in rows(settings, Inbound) if hit in r.rule_hits]) == 2


async def test_the_null_sender_is_never_answered(bot_settings, relay):
    settings = settings_for(bot_settings)
    async with running(settings):
        await send(settings, report("举报", ZH_REPORT), sender="", verified_for="citizen@example.org")
        await send(settings, report("举报2", ZH_REPORT), sender="<>", verified_for="citizen@example.org")
        arrivals = await settled(settings, 2)
        await asyncio.sleep(1.0)
    assert relay.messages == []
    assert all(r.status == InboundStatus.FILED and "null-sender" in r.rule_hits for r in arrivals)


async def test_the_bot_never_answers_its_own_addresses_whichever_header_names_them(bot_settings, relay):
    settings = settings_for(bot_settings)
    async with running(settings):
        # A Reply-To in another domain than From is not followed: the answer goes to From.
        await send(settings, report("举报", ZH_REPORT, sender="citizen@example.org", Reply_To="jubao@jiwei.example"),
                   verified_for="citizen@example.org")
        # Within the office's own domain, Reply-To is followed, and then names ourselves.
        await send(settings, report("举报2", ZH_REPORT, sender="clerk@jiwei.example", Reply_To="lianzheng@jiwei.example"),
                   verified_for="clerk@jiwei.example")
        arrivals = await settled(settings, 2)
        await relay.wait_for(1)
        await asyncio.sleep(1.0)
    assert [recipients for recipients, _ in relay.messages] == [["citizen@example.org"]]
    assert "reply-to-own-address" in arrivals[1].rule_hits


async def test_an_address_inside_an_encoded_display_name_is_never_answered(bot_settings, relay):
    settings = settings_for(bot_settings)
    raw = (b"From: =?utf-8?q?Li_Ming_<victim@example.net>?= <real@example.org>\r\n"
           b"To: jubao@jiwei.example\r\nSubject: =?utf-8?b?5Li+5oql?=\r\nMessage-ID: <dn-1@example.org>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + ZH_REPORT.encode())
    async with running(settings):
        await aiosmtplib.send(verified_by_border(raw, "real@example.org"), sender="real@example.org",
                              recipients=["jubao@jiwei.example"], hostname="127.0.0.1", port=settings.smtp.port)
        await settled(settings, 1)
        await relay.wait_for(1)
    assert [recipients for recipients, _ in relay.messages] == [["real@example.org"]]


def spf_records(allowed: str):
    records = {("example.org", "TXT"): [(("example.org", "TXT"), (f"v=spf1 ip4:{allowed} -all".encode(),))]}
    return lambda name, qtype: records.get((name, qtype), [])


async def test_spf_passing_for_an_aligned_envelope_sender_is_believed(bot_settings, relay):
    settings = settings_for(bot_settings)
    async with running(settings, spf_lookup=spf_records("127.0.0.1")):
        await send(settings, report("举报", ZH_REPORT, sender="citizen@example.org"), sender="citizen@example.org")
        arrival, = await settled(settings, 1)
        await relay.wait_for(1)
    assert arrival.authenticity["spf"]["result"] == "pass"
    assert arrival.authenticity["sender_verified_by"] == "spf"


async def test_spf_failing_leaves_the_sender_unverified(bot_settings, relay):
    settings = settings_for(bot_settings)
    async with running(settings, spf_lookup=spf_records("192.0.2.1")):
        await send(settings, report("举报", ZH_REPORT, sender="citizen@example.org"), sender="citizen@example.org")
        arrival, = await settled(settings, 1)
        await asyncio.sleep(1.0)
    assert relay.messages == [] and arrival.authenticity["spf"]["result"] == "fail"
    assert "sender-not-verified" in arrival.rule_hits


async def test_a_forged_authentication_results_below_the_borders_own_is_not_believed(bot_settings, relay):
    settings = settings_for(bot_settings)
    message = report("举报", ZH_REPORT, sender="citizen@example.org")
    raw = (f"Authentication-Results: {BORDER}; dkim=none\r\n"
           f"Authentication-Results: {BORDER}; dkim=pass header.d=example.org\r\n").encode() + message.as_bytes()
    async with running(settings):
        await aiosmtplib.send(raw, sender="citizen@example.org", recipients=["jubao@jiwei.example"],
                              hostname="127.0.0.1", port=settings.smtp.port)
        arrival, = await settled(settings, 1)
        await asyncio.sleep(1.0)
    assert relay.messages == [] and "sender-not-verified" in arrival.rule_hits


async def test_mail_from_a_trusted_network_is_answered(bot_settings, relay):
    settings = bot_settings(smtp={"trusted_networks": ["127.0.0.0/8"]}, pipeline={"processes": 0})
    async with running(settings):
        await send(settings, report("举报", ZH_REPORT, sender="citizen@example.org"))
        arrival, = await settled(settings, 1)
        await relay.wait_for(1)
    assert arrival.authenticity["sender_verified_by"] == "network"
    assert rows(settings, Case)[0].sender_verified


def test_the_settings_refuse_a_network_that_is_not_one():
    with pytest.raises(ValueError, match="not a network"):
        Settings.model_validate({"smtp": {"trusted_networks": ["localhost"]}})


