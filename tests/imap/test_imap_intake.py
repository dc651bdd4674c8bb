"""Citizens' mail in the office's two IMAP mailboxes becomes cases through the running bot (real
Dovecot, real store, real pipeline): both mailboxes read at once, a report sent to both filed once,
a restart of the mail server ridden out, a renumbered folder filed without repeats, a backlog of
1,000 messages all filed once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter

import pytest

from store.models import InboundStatus
from tests.conftest import ROOT
from tests.imap.conftest import mailbox, new_user, report
from tests.running import running
from tests.intake.test_smtp_intake import cases, inbound_rows, wait_until

FINAL = {InboundStatus.FILED, InboundStatus.FOLLOW_UP, InboundStatus.DUPLICATE, InboundStatus.SCREENED,
         InboundStatus.QUARANTINED}


def imap_only(bot_settings, *mailboxes, **sections):  # noqa: F811  (the fixture's value)
    return bot_settings(smtp={"enabled": False}, mailbox=list(mailboxes), **sections)


def settled(settings, count: int):
    rows = inbound_rows(settings)
    return rows if len(rows) == count and all(r.status in FINAL for r in rows) else None


def marked_on_server(server, user, count: int, folder: str = "INBOX") -> bool:
    flags = server.flags(user, folder)
    return len(flags) == count and all(b"\\Seen" in f and b"$Filed" in f for f in flags.values())


async def test_reports_in_both_mailboxes_are_filed_acknowledged_and_marked(dovecot, bot_settings, relay):
    secretary, clean = new_user(dovecot, "secretary"), new_user(dovecot, "clean")
    dovecot.append(secretary, [report(1), report(2)])
    dovecot.append(clean, [report(3)])
    settings = imap_only(bot_settings, mailbox(dovecot, "secretary", secretary), mailbox(dovecot, "clean", clean))
    async with running(settings):
        await asyncio.to_thread(dovecot.append, clean, [report(4)])
        answers = await relay.wait_for(4)
        await wait_until(lambda: marked_on_server(dovecot, secretary, 2) and marked_on_server(dovecot, clean, 2))
    filed = cases(settings)
    assert len(filed) == 4 and {c.channel for c in filed} == {"email"}
    rows = inbound_rows(settings)
    assert Counter(r.mailbox for r in rows) == {"secretary": 2, "clean": 2}
    assert all(r.status == InboundStatus.FILED for r in rows)
    assert sorted(rcpt[0] for rcpt, _ in answers) == [f"reporter{n}@example.org" for n in range(1, 5)]


async def test_same_report_in_both_mailboxes_is_filed_once_and_linked_to_both_arrivals(dovecot, bot_settings,
                                                                                        relay):
    secretary, clean = new_user(dovecot, "secretary"), new_user(dovecot, "clean")
    # One message addressed to both mailboxes (one Message-ID), and one report the citizen sent
    # twice, separately (two Message-IDs, the same text).
    both = report(1, to="shuji@jiwei.example, lianzheng@jiwei.example")
    twice_a = report(2, message_id="<twice-a@example.org>")
    twice_b = report(2, message_id="<twice-b@example.org>")
    dovecot.append(secretary, [both, twice_a])
    dovecot.append(clean, [both, twice_b])
    settings = imap_only(bot_settings, mailbox(dovecot, "secretary", secretary), mailbox(dovecot, "clean", clean))
    async with running(settings):
        rows = await wait_until(lambda: settled(settings, 4))
        await relay.wait_for(2)
        await asyncio.sleep(0.5)   # room for a wrong third acknowledgement to show up
    filed = cases(settings)
    assert len(filed) == 2
    assert len(relay.messages) == 2
    assert Counter(r.status for r in rows) == {InboundStatus.FILED: 2, InboundStatus.DUPLICATE: 2}
    for duplicate in (r for r in rows if r.status == InboundStatus.DUPLICATE):
        first = next(r for r in rows if r.id == duplicate.duplicate_of)
        assert first.status == InboundStatus.FILED and first.mailbox != duplicate.mailbox
        assert duplicate.case_id == first.case_id
    assert {frozenset(r.mailbox for r in rows if r.case_id == c.id) for c in filed} == {
        frozenset({"secretary", "clean"})}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_mail_server_restart_mid_run_the_bot_reconnects_and_files_what_follows(private_dovecot,
                                                                                     bot_settings, relay):
    server = private_dovecot
    user = new_user(server, "secretary")
    server.append(user, [report(1), report(2)])
    settings = imap_only(bot_settings, mailbox(server, "secretary", user))
    async with running(settings):
        await wait_until(lambda: settled(settings, 2))
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(1.5)
        await asyncio.to_thread(server.start)
        await asyncio.to_thread(server.append, user, [report(3), report(4)])
        await wait_until(lambda: settled(settings, 4), timeout=60)
        await wait_until(lambda: marked_on_server(server, user, 4))
    assert len(cases(settings)) == 4
    assert [r.status for r in inbound_rows(settings)] == [InboundStatus.FILED] * 4


async def test_folder_recreated_with_restored_mail_files_new_reports_and_nothing_twice(dovecot, bot_settings,
                                                                                        relay):
    user = new_user(dovecot, "clean")
    first = [report(n) for n in range(1, 4)]
    dovecot.append(user, first, folder="Reports")
    old = dovecot.uidvalidity(user, "Reports")
    settings = imap_only(bot_settings, mailbox(dovecot, "clean", user, folder="Reports"))
    async with running(settings):
        await wait_until(lambda: settled(settings, 3))

        def recreate():
            with dovecot.client(user) as client:
                client.delete_folder("Reports")
                time.sleep(1.1)   # Dovecot derives UIDVALIDITY from the clock
                client.create_folder("Reports")
            # Restored from a backup without their flags, then two new reports: new UIDs 1..5,
            # partly below the 3 already read under the old UIDVALIDITY.
            dovecot.append(user, [*first, report(4), report(5)], folder="Reports")

        await asyncio.to_thread(recreate)
        rows = await wait_until(lambda: settled(settings, 8), timeout=60)
        await relay.wait_for(5)
        await asyncio.sleep(0.5)
    assert dovecot.uidvalidity(user, "Reports") != old
    assert len(cases(settings)) == 5
    assert len(relay.messages) == 5
    assert Counter(r.status for r in rows) == {InboundStatus.FILED: 5, InboundStatus.DUPLICATE: 3}
    assert all(r.duplicate_of <= 3 for r in rows if r.status == InboundStatus.DUPLICATE)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_backlog_of_a_thousand_messages_is_all_filed_once(dovecot, bot_settings, relay):
    total = 1000
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(n) for n in range(1, total + 1)])
    settings = imap_only(bot_settings, mailbox(dovecot, "secretary", user, batch_size=50),
                         outbound={"enabled": False})
    started = time.monotonic()
    async with running(settings):
        rows = await wait_until(lambda: settled(settings, total), timeout=540)
        elapsed = time.monotonic() - started
        await wait_until(lambda: marked_on_server(dovecot, user, total))
    print(f"\n{total} messages from IMAP filed in {elapsed:.1f} s")
    assert len({r.external_id for r in rows}) == total
    assert Counter(r.status for r in rows) == {InboundStatus.FILED: total}
    assert len(cases(settings)) == total


def test_bot_refuses_to_start_without_a_mailbox_password(tmp_path):
    secretary = {"name": "secretary", "address": "shuji@jiwei.example", "host": "127.0.0.1", "port": 993,
                 "username": "shuji", "password_env": "INTAKE_MAILBOX_SECRETARY_PASSWORD"}
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_MAILBOX_SECRETARY_PASSWORD"} | {
        "INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'intake.db'}",
        "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"),
        "INTAKE_MAILBOX": json.dumps([secretary]),
    }
    result = subprocess.run([sys.executable, "bot.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bot.py: setting mailbox secretary: password_env names INTAKE_MAILBOX_SECRETARY_PASSWORD, "
        "which is not set in the environment"
    ]
