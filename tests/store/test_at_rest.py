"""What the bot stores is unreadable to anyone but the bot: nothing under the data folder shows a
reporter's address, name or query code, files and folders are the bot's user's alone, and the keys
live outside it and can be rotated."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import aiosmtplib
import pytest
from sqlmodel import select

from store import telegram as telegram_store
from store.models import Case, Outbox, OutboxStatus, Reporter
from store.store import Store, UnsafeFolder
from tests.conftest import ROOT, free_port, make_settings
from tests.intake.test_smtp_intake import ZH_REPORT, report, wait_until
from tests.running import running

ADDRESS = "chen.guoqiang.whistle@example.org"
NAME = "陈国强Whistle"
CHAT = 987654321987


def every_file(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def found_in(folder: Path, needles: list[str]) -> list[str]:
    """Which NEEDLES occur in which file under FOLDER, in UTF-8, UTF-16 or as they are."""
    hits = []
    for path in every_file(folder):
        data = path.read_bytes()
        for needle in needles:
            forms = {needle.encode("utf-8"), needle.encode("utf-16-le"), needle.lower().encode("utf-8")}
            if any(form in data for form in forms):
                hits.append(f"{needle!r} in {path}")
    return hits


def settings_in(tmp_path: Path, **sections):
    data = tmp_path / "data"
    # The default layout: the database inside the data folder, so every byte is under it.
    return make_settings(tmp_path, f"sqlite:///{data / 'intake.db'}", **sections)


async def test_no_address_name_or_query_code_is_readable_in_the_data_folder(tmp_path, relay):
    relay_port = relay.port
    settings = settings_in(tmp_path, smtp={"port": free_port()}, outbound={"port": free_port()})
    async with running(settings):
        for n in range(2):
            message = report(f"举报{n}", ZH_REPORT, sender=f"{NAME} <{ADDRESS}>")
            await aiosmtplib.send(message, hostname="127.0.0.1", port=settings.smtp.port)

        def waiting():
            return len([r for r in outbox_rows(settings) if r.secret]) == 2

        await wait_until(waiting, 60)
    codes = [row.secret for row in outbox_rows(settings)]
    # Answers waiting (the relay is away): the codes sit in the outbox, sealed.
    assert found_in(tmp_path / "data", [ADDRESS, NAME, "陈国强", "13907311234", *codes]) == []
    sending = settings.model_copy(update={"outbound": settings.outbound.model_copy(update={"port": relay_port})})
    async with running(sending):
        await relay.wait_for(2, 60)
        await wait_until(lambda: all(r.status == OutboxStatus.SENT for r in outbox_rows(sending)), 60)
    sent_bodies = [message.get_content() for _, message in relay.messages]
    assert all(any(code in body for body in sent_bodies) for code in codes), "the reporter got the codes"
    assert found_in(tmp_path / "data", [ADDRESS, NAME, "陈国强", "13907311234", *codes]) == []
    # The bot itself reads them back.
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.reading() as session:
            reporter = session.exec(select(Reporter)).one()
            assert reporter.address == ADDRESS and reporter.display_name == NAME
            assert len(session.exec(select(Case)).all()) == 2
    finally:
        store.close()


def outbox_rows(settings) -> list[Outbox]:
    store = Store.open(settings.store.url, settings.store.data_dir, upgrade=False)
    try:
        with store.reading() as session:
            return list(session.exec(select(Outbox).order_by(Outbox.id)))
    finally:
        store.close()


def test_telegram_chats_and_drafts_are_sealed(tmp_path):
    settings = settings_in(tmp_path)
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.transaction() as session:
            telegram_store.save_chat(session, CHAT, language="zh", state="writing", draft_id=None, update_id=7,
                                     replies=[{"text": "查询码：ABCDE-FGHJK"}])
            draft = telegram_store.open_draft(session, CHAT, "report", "zh", 7)
            telegram_store.add_to_draft(session, draft.id, {"update_id": 7, "message": {
                "chat": {"id": CHAT}, "from": {"id": CHAT, "first_name": NAME}, "text": ZH_REPORT}})
        with store.reading() as session:
            assert telegram_store.find_chat(session, CHAT).state == "writing"
            assert telegram_store.find_draft(session, draft.id).chat_id == CHAT
    finally:
        store.close()
    assert found_in(tmp_path / "data", [str(CHAT), NAME, "ABCDE-FGHJK", "陈国强"]) == []


def test_files_and_folders_are_the_bots_alone_and_the_keys_live_outside_the_data_folder(tmp_path):
    env = os.environ | {"INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'data' / 'intake.db'}",
                        "INTAKE_STORE__DATA_DIR": str(tmp_path / "data")}
    # Under the ordinary umask of a login shell.
    done = subprocess.run(["sh", "-c", f"umask 022 && exec {sys.executable} bot.py queue"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    for path in every_file(tmp_path / "data"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    key = tmp_path / "keys" / "store.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700


def test_run_refuses_a_data_folder_that_others_can_read(tmp_path):
    (tmp_path / "data").mkdir(mode=0o755)
    (tmp_path / "data").chmod(0o755)
    env = os.environ | {"INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'data' / 'intake.db'}",
                        "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"), "INTAKE_SMTP__PORT": str(free_port())}
    done = subprocess.run([sys.executable, "bot.py", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path / "data") in lines[0] and "other users" in lines[0]
    assert not (tmp_path / "data" / "intake.db").exists(), "nothing is written into it"
    with pytest.raises(UnsafeFolder):
        Store.open(f"sqlite:///{tmp_path / 'x.db'}", tmp_path / "data")


def test_keys_rotate_re_wraps_everything_and_drops_the_old_key(pipeline):
    from commands.ingest import ingest_one
    from store.rewrap import rotate
    from tests.intake.test_threading import mail

    ingest_one(pipeline, mail(ADDRESS, "举报", ZH_REPORT, "rot-1@example.org", attachment=b"ledger"))
    store = pipeline.store
    old = store.keyring.current
    rotate(store, "test", say=lambda line: None)
    assert store.keyring.current != old and list(store.keyring.keys) == [store.keyring.current]
    reopened = Store.open(pipeline.settings.store.url, pipeline.settings.store.data_dir)
    try:
        assert list(reopened.keyring.keys) == [store.keyring.current]
        with reopened.reading() as session:
            assert session.exec(select(Reporter)).one().address == ADDRESS
        assert all(reopened.blobs.sealed_under(name) == store.keyring.current for name in reopened.blobs.names())
        assert all(reopened.blobs.check(name) is None for name in reopened.blobs.names())
    finally:
        reopened.close()
