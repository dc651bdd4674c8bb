"""`bot.py user add|list|disable|reset-2fa` as an administrator runs them, and the console served by
`bot.py run` beside the listeners."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import httpx2
import pyotp
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from commands.context import actor
from console.app import make_app
from store.models import AuditEvent, StaffAccount
from store.store import Store
from tests.conftest import ROOT, free_port, make_settings
from tests.console.conftest import PASSWORD, csrf_of
from tests.running import running


def user(settings, *args, password: str | None = PASSWORD) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INTAKE_PASSWORD"} | {
        "INTAKE_STORE__URL": settings.store.url,
        "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir),
    }
    if password is not None:
        env["INTAKE_PASSWORD"] = password
    return subprocess.run([sys.executable, "bot.py", "user", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def settings(tmp_path, store_url):
    return make_settings(tmp_path, store_url)


def secret_of(printed: str) -> str:
    uri = next(line for line in printed.splitlines() if line.startswith("otpauth://"))
    assert urlparse(uri).netloc == "totp"
    return parse_qs(urlparse(uri).query)["secret"][0]


def test_an_account_is_added_with_a_hashed_password_and_an_enrolment_uri_shown_once(settings):
    added = user(settings, "add", "li", "--role", "clerk")
    assert added.returncode == 0, added.stderr
    secret = secret_of(added.stdout)
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.reading() as session:
            account = session.exec(select(StaffAccount)).one()
            entry = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.added")).one()
        with store.engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT password_hash, totp_secret FROM staff_account").one()
    finally:
        store.close()
    assert account.role == "clerk" and account.totp_secret == secret
    assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    assert secret not in stored[1]                       # the secret is sealed at rest
    assert entry.actor == actor() and entry.details == {"name": "li", "role": "clerk"}
    listed = user(settings, "list")
    assert "li" in listed.stdout and "clerk" in listed.stdout and "otpauth" not in listed.stdout


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("args", "password", "problem"), [
    (("add", "li", "--role", "boss"), PASSWORD, "unknown role"),
    (("add", "li", "--role", "clerk"), "short", "too weak"),
    (("add", "li", "--role", "clerk"), None, "no password"),
    (("add", "li<script>", "--role", "clerk"), PASSWORD, "a name of"),
])
def test_bad_accounts_are_refused_as_bad_usage(settings, args, password, problem):
    refused = user(settings, *args, password=password)
    assert refused.returncode == 2 and problem in refused.stderr and "otpauth" not in refused.stdout


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_disabled_account_cannot_sign_in_and_a_reset_code_replaces_the_old(settings):
    secret = secret_of(user(settings, "add", "li", "--role", "clerk").stdout)
    assert user(settings, "add", "li", "--role", "clerk").returncode == 1
    reset = user(settings, "reset-2fa", "li")
    assert reset.returncode == 0
    new_secret = secret_of(reset.stdout)
    assert new_secret != secret
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        client = TestClient(make_app(settings, store), follow_redirects=False)

        def attempt(code: str) -> int:
            token = csrf_of(client.get("/login").text)
            return client.post("/login", data={"username": "li", "password": PASSWORD, "code": code,
                                               "csrf_token": token}).status_code

        old = pyotp.TOTP(secret).now()
        if old != pyotp.TOTP(new_secret).now():
            assert attempt(old) == 401
        assert attempt(pyotp.TOTP(new_secret).now()) == 303
        assert user(settings, "disable", "li").returncode == 0
        assert client.get("/").status_code == 303        # its session ended with it
        assert attempt(pyotp.TOTP(new_secret).now()) == 401
    finally:
        store.close()
    assert "disabled" in user(settings, "list").stdout
    assert user(settings, "disable", "nobody").returncode == 1


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_bot_run_serves_the_console(tmp_path, store_url):
    port = free_port()
    settings = make_settings(tmp_path, store_url, smtp={"enabled": False}, outbound={"enabled": False},
                             console={"enabled": True, "port": port})
    async with running(settings):
        async with httpx2.AsyncClient() as client:
            for _ in range(100):
                try:
                    answer = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx2.ConnectError:
                    await asyncio.sleep(0.1)
            login = await client.get(f"http://127.0.0.1:{port}/login")
    assert answer.text == "ok" and "csrf_token" in login.text
    assert "server" not in answer.headers


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_labels_corrected_on_the_command_line_and_in_the_console_are_exported_for_training(pipeline, tmp_path,
                                                                                         monkeypatch):
    import json

    from tests.console.conftest import file_report
    from tests.intake.test_commands import bot

    case = file_report(pipeline, 1)
    corrected = "personnel" if case.violation != "personnel" else "bribery"
    assert bot(pipeline.settings, "case", "set-labels", case.number, "--violation", "nonsense").returncode == 2
    changed = bot(pipeline.settings, "case", "set-labels", case.number, "--violation", corrected, "--priority", "1")
    assert changed.returncode == 0 and f"violation {case.violation} -> {corrected}" in changed.stdout
    out = tmp_path / "corrections.jsonl"
    exported = bot(pipeline.settings, "corrections", "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    line, = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert line["id"] == case.number and line["violation"] == corrected and line["priority"] == 1
    assert line["classifier"] == {"violation": case.violation, "priority": case.priority}
    assert line["corrected_by"] == [actor()] and "李某" in line["text"]
    assert set(line) >= {"id", "lang", "subject", "text", "kind", "area", "violation", "priority", "real_name"}
    assert oct(out.stat().st_mode & 0o777) == "0o600"

    # the current model scored on them, apart from the corpus
    scored = bot(pipeline.settings, "evaluate", "--corrections")
    assert scored.returncode == 0, scored.stderr
    assert "corrections split: 1 messages" in scored.stdout and "test split" not in scored.stdout

    # `train --with-corrections` hands them to the classifier's training in the corpus format
    from types import SimpleNamespace

    import commands.model

    handed = {}
    monkeypatch.setattr(commands.model.cli, "train", lambda model_dir, corrections=None: handed.update(rows=corrections) or 0)
    assert commands.model.train(pipeline.settings, SimpleNamespace(with_corrections=True)) == 0
    row, = handed["rows"]
    assert (row["id"], row["violation"], row["priority"]) == (case.number, corrected, 1)
    assert set(row) == {"id", "lang", "subject", "text", "kind", "area", "violation", "priority", "real_name"}
    assert commands.model.train(pipeline.settings, SimpleNamespace(with_corrections=False)) == 0
    assert handed["rows"] is None


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_a_console_that_cannot_listen_does_not_stop_the_intake(tmp_path, store_url, caplog):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        smtp_port = free_port()
        settings = make_settings(tmp_path, store_url, smtp={"enabled": True, "port": smtp_port},
                                 outbound={"enabled": False}, console={"enabled": True, "port": port})
        async with running(settings):
            await asyncio.sleep(0.5)
            _, writer = await asyncio.open_connection("127.0.0.1", smtp_port)   # still taking mail
            writer.close()
            await writer.wait_closed()
    assert "the staff console could not listen" in caplog.text
