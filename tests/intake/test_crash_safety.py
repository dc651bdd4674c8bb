"""Nothing accepted is lost, nothing is filed or answered twice: the bot is killed mid-stream."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlmodel import func, select

from store.models import Case, Inbound, InboundStatus
from store.store import Store
from tests.conftest import ROOT, free_port

TOTAL = 200
KILL_AFTER = (50, 120)


def start_bot(env: dict, log) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "bot.py", "run"], cwd=ROOT, env=env, stdout=log, stderr=log)


async def wait_listening(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        assert process.poll() is None, "the bot exited during start-up"
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


def message(n: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"reporter{n}@example.org"
    mail["To"] = "jubao@jiwei.example"
    mail["Subject"] = f"举报第{n}号：村干部侵占补助款"
    mail["Message-ID"] = f"<crash-{n}@example.org>"
    mail.set_content(f"第{n}封举报：村委会主任把{n}户村民的危房改造补助款扣下，每户扣了{n * 100}元。")
    return mail


async def send_until_accepted(n: int, port: int) -> None:
    """As a sending MTA does: on a refused connection or a temporary error, try again."""
    while True:
        try:
            await aiosmtplib.send(message(n), hostname="127.0.0.1", port=port, timeout=10)
            return
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
            await asyncio.sleep(0.2)


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_killed_twice_mid_stream_every_message_is_filed_and_acknowledged_once(
    tmp_path, store_url, relay, model_dir
):
    port = free_port()
    env = os.environ | {
        "INTAKE_STORE__URL": store_url,
        "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"),
        "INTAKE_SMTP__PORT": str(port),
        "INTAKE_OUTBOUND__PORT": str(relay.port),
        "INTAKE_OUTBOUND__RETRY_BASE_SECONDS": "0.2",
        "INTAKE_CLASSIFIER__MODEL_DIR": str(model_dir),
        "INTAKE_PIPELINE__REPLIES_PER_SENDER_PER_DAY": "10",
        # every message comes from the test's one client, and every one is to be acknowledged
        "INTAKE_PIPELINE__REPLIES_PER_SOURCE_PER_HOUR": str(TOTAL),
    }
    kills = 0
    orphans: set[int] = set()
    with open(tmp_path / "bot.log", "ab") as log:
        bot = start_bot(env, log)
        try:
            await wait_listening(port, bot)
            for n in range(1, TOTAL + 1):
                if n in KILL_AFTER:
                    orphans |= descendants(bot.pid)
                    bot.send_signal(signal.SIGKILL)
                    bot.wait()
                    kills += 1
                    # Restarted at once; messages sent before it listens again are retried.
                    bot = start_bot(env, log)
                await send_until_accepted(n, port)
            await _settle(tmp_path, store_url, relay)
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
    assert kills == 2
    # The killed bots' worker processes noticed and ended; none is left holding memory.
    assert orphans and not {pid for pid in orphans if _alive(pid)}
    store = Store.open(store_url, tmp_path / "data", upgrade=False)
    with store.transaction() as session:
        case_count = session.exec(select(func.count(Case.id))).one()
        statuses = Counter(session.exec(select(Inbound.status)).all())
    store.close()
    assert case_count == TOTAL
    assert statuses[InboundStatus.FILED] == TOTAL
    assert set(statuses) <= {InboundStatus.FILED, InboundStatus.DUPLICATE}

    per_recipient = Counter(rcpt[0] for rcpt, _ in relay.messages)
    message_ids = Counter(answer["Message-ID"] for _, answer in relay.messages)
    assert len(message_ids) == TOTAL, "every report gets exactly one acknowledgement"
    assert set(per_recipient) == {f"reporter{n}@example.org" for n in range(1, TOTAL + 1)}
    # An answer in flight when the process dies may reach the relay twice, with the same
    # Message-ID (so the reader's client shows it once); at most one per kill.
    assert len(relay.messages) - TOTAL <= kills


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            for child in map(int, handle.read().split()):
                found |= {child} | descendants(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


async def _settle(tmp_path, store_url, relay, timeout: float = 180) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while len({a["Message-ID"] for _, a in relay.messages}) < TOTAL:
        assert asyncio.get_running_loop().time() < deadline, (
            f"only {len(relay.messages)} acknowledgements; bot log:\n" + (tmp_path / "bot.log").read_text()[-3000:]
        )
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # room for a late second delivery to show up
