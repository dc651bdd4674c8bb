"""The console on a real store: accounts made as `bot.py user add` makes them, reports filed by
the real pipeline, and an HTTP client that signs in with a password and a one-time code."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage

import pyotp
import pytest
from starlette.testclient import TestClient

from commands.ingest import ingest_one
from console import accounts
from console.app import make_app
from store import models, staff
from store.models import Case
from tests.conftest import verified_by_border

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The console's clock, moved by the test."""

    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def console(pipeline, clock):
    """(app, store, settings) on the pipeline's store."""
    return make_app(pipeline.settings, pipeline.store, clock=clock), pipeline.store, pipeline.settings


def add_account(store, name: str, role: str, language: str = "zh") -> str:
    """An account as `bot.py user add` makes it; returns its one-time-code secret."""
    secret = accounts.new_secret()
    with store.transaction() as session:
        staff.add(session, name=name, role=role, password_hash=accounts.hash_password(PASSWORD), totp_secret=secret,
                  language=language, actor="root")
    return secret


def code(secret: str, at: datetime, steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(at) + steps)


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


def sign_in(app, store, clock, name: str, role: str, language: str = "zh") -> tuple[TestClient, str]:
    """A client signed in as a new account NAME in ROLE; returns it and the session's CSRF token."""
    secret = add_account(store, name, role, language)
    client = TestClient(app, follow_redirects=False)
    form = client.get("/login")
    answer = client.post("/login", data={"username": name, "password": PASSWORD, "code": code(secret, clock.now),
                                         "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    return client, csrf_of(page.text)


def report(n: int = 1, subject: str | None = None, body: str | None = None, sender: str | None = None) -> bytes:
    mail = EmailMessage()
    sender = sender or f"zhang.san{n}@example.org"
    mail["From"] = f"张三 <{sender}>"
    mail["To"] = "jubao@jiwei.example"
    mail["Subject"] = subject or f"实名举报县交通局局长李某受贿（{n}）"
    mail["Message-ID"] = f"<console-{n}@example.org>"
    mail.set_content(body or f"我是张三，身份证号码110101199001011234，电话13800138000。我实名举报县交通局局长李某"
                             f"收受工程老板{n}0万元，违规把道路工程交给没有资质的公司。")
    mail.add_attachment(b"%PDF-1.4 receipt " + str(n).encode(), maintype="application", subtype="pdf",
                        filename="收据.pdf")
    return verified_by_border(bytes(mail), sender)


def file_report(pipeline, *args, **kw) -> Case:
    ingest_one(pipeline, report(*args, **kw))
    with pipeline.store.reading() as session:
        from sqlmodel import select

        return session.exec(select(Case).order_by(Case.id.desc())).first()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


__all__ = ["models"]


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """argon2id with the smallest cost in tests that make many accounts: the parameters differ,
    the code that hashes and checks does not (the command-line tests use the real ones)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
