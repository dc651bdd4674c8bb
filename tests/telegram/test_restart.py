"""A bot killed mid-conversation (even mid-download) and restarted loses no committed message and
files nothing twice: `python bot.py run` in a subprocess, SIGKILLed, against the stand-in API."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from store.models import InboundStatus
from tests.conftest import ROOT, make_settings
from tests.telegram.conftest import telegram_section
from tests.telegram.helpers import (acknowledgement, blob_bytes, cases, confirmed, drafts, evidence, inbound,
                                    sha256, texts, until_text)

CHAT = 5590001
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"photo before the first kill" * 200 + b"\xff\xd9"
SCAN = b"%PDF-1.4\n" + b"scan fetched while the bot was killed " * 3000 + b"\n%%EOF\n"
TEXTS = ["县自然资源局副局长王某在土地出让中为开发商压低底价，", "收受开发商送的一套房产。", "开发商是某某置业公司。"]


def bot_env(tmp_path, store_url, api, model_dir) -> dict:
    env = {**os.environ, "INTAKE_STORE__URL": store_url, "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"),
           "INTAKE_SMTP__ENABLED": "false", "INTAKE_OUTBOUND__ENABLED": "false",
           "INTAKE_OUTBOUND__RETRY_BASE_SECONDS": "0.2", "INTAKE_CLASSIFIER__MODEL_DIR": str(model_dir),
           "INTAKE_TELEGRAM_TOKEN": api.token}
    for key, value in telegram_section(api).items():
        env[f"INTAKE_TELEGRAM__{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


class Bot:
    """`python bot.py run` as an operator runs it."""

    def __init__(self, env: dict, log_path):
        self.env, self.log_path, self.process = env, log_path, None

    async def start(self, api) -> None:
        polls = api.calls["getUpdates"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "bot.py", "run"], cwd=ROOT, env=self.env,
                                            stdout=log, stderr=log)
        while api.calls["getUpdates"] == polls:
            assert self.process.poll() is None, "the bot exited:\n" + self.log()
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_killed_mid_conversation_and_mid_download_nothing_is_lost_or_filed_twice(
    tmp_path, store_url, api, model_dir
):
    bot = Bot(bot_env(tmp_path, store_url, api, model_dir), tmp_path / "bot.log")
    settings_dir = tmp_path / "data"
    try:
        await bot.start(api)
        api.text(CHAT, "/report")
        api.text(CHAT, TEXTS[0])
        photo = api.photo(CHAT, PHOTO)
        await confirmed(api, photo)
        bot.kill()                                       # 1: between messages of one draft

        api.text(CHAT, TEXTS[1])                         # sent while the bot is down
        api.download_gate = threading.Event()
        scan = api.document(CHAT, SCAN, "扫描件.pdf", "application/pdf")
        downloads = api.downloads_started
        await bot.start(api)
        while api.downloads_started == downloads:        # the scan's download has begun…
            await asyncio.sleep(0.05)
        bot.kill()                                       # 2: …and the bot dies in the middle of it
        api.download_gate.set()

        await bot.start(api)
        await confirmed(api, scan)
        api.text(CHAT, TEXTS[2])
        api.text(CHAT, "/done")
        # started, noted, photo, noted, scan, noted, filed: one answer each, none lost to the kills
        received = await until_text(api, CHAT, "已提交登记")
        assert len([text for text in received if "查询码：" not in text]) == 7, received
        bot.kill()                                       # 3: right after filing, likely before the answer

        await bot.start(api)
        await texts(api, CHAT, 8)
        await asyncio.sleep(2.0)                         # room for a second acknowledgement to show up
    finally:
        bot.stop()
    assert bot.process.returncode is not None
    settings = make_settings(tmp_path, store_url)
    acks = [text for text in api.texts_to(CHAT) if "查询码：" in text]
    assert len(acks) == 1, api.texts_to(CHAT)
    case_number, _ = acknowledgement(acks)
    case, = cases(settings)
    assert case.number == case_number
    row, = inbound(settings)
    assert row.status == InboundStatus.FILED
    draft, = drafts(settings)
    assert draft.status == "filed" and draft.inbound_id == row.id
    items = evidence(settings, case.id)
    assert [(item.origin, item.sha256) for item in items[1:]] == [
        ("telegram-photo", sha256(PHOTO)), ("telegram-document", sha256(SCAN))]
    raw = json.loads(blob_bytes(settings, items[0].sha256))
    kept = [u["message"].get("text") for u in raw["updates"] if u["message"].get("text")]
    assert kept == TEXTS, "every committed message once, in order"
    assert not list((settings_dir / "blobs").rglob(".tmp-*")), "no torn file from the killed download"
