"""A real Dovecot for the IMAP tests (one per session, a private one for tests that stop it), mailbox
users created per test, and the IMAP readers running against a real store with or without the bot.
"""

from __future__ import annotations

import contextlib
import itertools
import time
import uuid
from email.message import EmailMessage

import pytest

from intake.email.imap import Mailboxes
from store.store import Store
from tests.conftest import IN_CI, verified_by_border
from tests.imap import dovecot as dovecot_module
from tests.imap.dovecot import PASSWORD, Dovecot

PASSWORD_ENV = "INTAKE_TEST_IMAP_PASSWORD"


def _require_dovecot() -> None:
    problem = dovecot_module.missing()
    if problem:
        if IN_CI:
            pytest.fail(f"Dovecot is needed under CI=true: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def dovecot():
    """One Dovecot for the session, with IMAP+STARTTLS and IMAPS; each test uses its own users."""
    _require_dovecot()
    server = Dovecot(tls=True)
    server.start()
    yield server
    server.close()


@pytest.fixture
def private_dovecot():
    """A Dovecot of the test's own, for tests that stop, restart or renumber it."""
    _require_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _imap_password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)


_users = itertools.count(1)


def new_user(server: Dovecot, role: str) -> str:
    return server.add_user(f"{role}{next(_users)}-{uuid.uuid4().hex[:6]}")


def mailbox(server: Dovecot, name: str, user: str, **overrides) -> dict:
    """One [[mailbox]] table for USER on SERVER (plain IMAP on loopback unless overridden)."""
    return {
        "name": name,
        "address": f"{name}@jiwei.example",
        "host": "127.0.0.1",
        "port": server.port,
        "tls": "none",
        "username": user,
        "password_env": PASSWORD_ENV,
        "folder": "INBOX",
        "after": "flag",
        "poll_seconds": 30,
        "batch_size": 50,
        "idle": True,
        **overrides,
    }


def report(n: int, sender: str | None = None, message_id: str | None = None, to: str = "jubao@jiwei.example") -> bytes:
    """A citizen's report, distinct per N, as it would sit in the mailbox: delivered there by the
    office's border server, which checked the sender's DKIM signature."""
    mail = EmailMessage()
    sender = sender or f"reporter{n}@example.org"
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = f"举报第{n}号：村干部侵占危房改造补助款"
    mail["Message-ID"] = message_id or f"<imap-{n}-{uuid.uuid4().hex[:8]}@example.org>"
    mail.set_content(f"第{n}封举报：村委会主任王某把{n}户村民的危房改造补助款扣下，每户扣了{n * 100 + 3}元，"
                     "已经两年了，请领导调查。")
    return verified_by_border(bytes(mail), sender)


@contextlib.contextmanager
def reading(store: Store, settings_list, on_accepted=lambda: None):
    """The IMAP readers alone (no pipeline) on STORE, stopped and joined at the end."""
    from config.schema import MailboxSettings

    mailboxes = Mailboxes([MailboxSettings.model_validate(m) for m in settings_list])
    mailboxes.start(store, on_accepted)
    try:
        yield mailboxes
    finally:
        mailboxes.stop(timeout=30)
        assert not any(r.is_alive() for r in mailboxes.readers), "a reader did not stop"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05):
    """Blocking: poll PREDICATE until it returns something true, and return that."""
    end = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        time.sleep(interval)
