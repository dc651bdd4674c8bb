"""Shared fixtures: settings in a temporary folder, stores on SQLite and PostgreSQL, free ports."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP

from config.schema import Settings
from tests.running import Relay

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("INTAKE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
# A `bot.py run` started by a test serves its console on a port of its own: tests run two at a time.
os.environ.setdefault("INTAKE_CONSOLE__PORT", "0")


BORDER = "mx.jiwei.example"


def verified_by_border(raw: bytes, sender: str) -> bytes:
    """RAW as the office's border server hands it on after DKIM passed for SENDER's domain."""
    domain = sender.rpartition("@")[2]
    trace = (f"Received: from mail.{domain} by {BORDER} with ESMTPS; Fri, 4 Dec 2026 09:00:00 +0800\r\n"
             f"Authentication-Results: {BORDER}; dkim=pass header.d={domain}\r\n")
    return trace.encode() + raw


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def corpus_dir() -> Path | None:
    for candidate in (os.environ.get("INTAKE_EMAIL_CORPUS"), ROOT.parent / "shared/corpora/email",
                      Path("/work/shared/corpora/email")):
        if candidate and Path(candidate, "manifest.tsv").is_file():
            return Path(candidate)
    return None


def _postgres_available() -> str | None:
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure means "not here"; the reason is shown in the skip
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _postgres_available()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL must be reachable at {PG_ADMIN_URL} under CI=true: {problem}")
        pytest.skip(f"no PostgreSQL at {PG_ADMIN_URL}: {problem}")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url):
    """A URL whose connections live in a fresh schema of their own, dropped afterwards."""
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(postgres_admin_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    yield f"{postgres_admin_url}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_url, tmp_path):
    """A fresh store (migrated, with its keys) on each database, closed at the end."""
    from store.store import Store

    opened = Store.open(store_url, tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The trained classifier (trained once for the whole run if data/model has none)."""
    import classifier

    directory = ROOT / "data" / "model"
    # data/ as the bot makes it (0700), so that `make run` after `make test` finds it acceptable.
    directory.parent.mkdir(mode=0o700, exist_ok=True)
    classifier.load(directory, train_if_missing=True)
    return directory


@pytest.fixture(scope="session")
def classify(model_dir):
    """The classifier's classify function, loaded once for the whole run."""
    from intake.pipeline.start import load_classifier

    return load_classifier(Settings.model_validate({"classifier": {"model_dir": str(model_dir)}}))


@pytest.fixture
def pipeline(tmp_path, store_url, classify):
    """The real pipeline on a fresh store, without DNS (tests that need DKIM pass their resolver)."""
    from intake.pipeline.worker import Pipeline
    from store.store import Store

    settings = make_settings(tmp_path, store_url)
    store = Store.open(settings.store.url, settings.store.data_dir)
    yield Pipeline(store=store, settings=settings, classify=classify, dnsfunc=None)
    store.close()


@pytest.fixture
async def relay():
    """A capturing SMTP server standing in for the office's outgoing relay."""
    capture = Relay(port=free_port())
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(capture, enable_SMTPUTF8=True), "127.0.0.1", capture.port)
    yield capture
    server.close()
    await server.wait_closed()


@pytest.fixture
def bot_settings(tmp_path, store_url, relay, model_dir):
    def build(**sections):
        smtp = {"port": free_port(), **sections.pop("smtp", {})}
        outbound = {"port": relay.port, "retry_base_seconds": 0.2, **sections.pop("outbound", {})}
        return make_settings(tmp_path, store_url, smtp=smtp, outbound=outbound, **sections)

    return build


def make_settings(tmp_path: Path, store_url: str | None = None, **sections) -> Settings:
    """Settings for one test: defaults, the store in TMP_PATH, and SECTIONS merged over them."""
    data = {
        "store": {"url": store_url or f"sqlite:///{tmp_path / 'intake.db'}", "data_dir": str(tmp_path / "data")},
        "classifier": {"model_dir": str(ROOT / "data" / "model")},
        # The office's border server, whose Authentication-Results the bot believes (see
        # verified_by_border); mail without them is from an unverified sender.
        "smtp": {"port": 0, "trusted_authserv_ids": [BORDER]},
        "outbound": {"port": 9, "retry_base_seconds": 0.2},
        # Classify in the test's own process: a worker process per test would load spaCy each time.
        "pipeline": {"processes": 0},
        # The console has tests of its own; the others need no web server.
        "console": {"enabled": False, "port": 0},
    }
    for section, values in sections.items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    return Settings.model_validate(data)
