"""Engine and sessions: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("reading", default=False)
_durable: contextvars.ContextVar[bool] = contextvars.ContextVar("durable", default=True)


class WriterLock:
    """SQLite writers take turns here, threads of one process through a lock and processes
    through flock(2), rather than in SQLite's busy handler, which sleeps in growing steps (up to
    100 ms) while it waits and so wastes most of a contended second."""

    def __init__(self, path: Path | None):
        self._threads = threading.RLock()
        self._depth = 0
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600) if path else None

    def __enter__(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


_write_locks: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; a plain postgresql:// URL would ask for psycopg2.
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # SQLite gives its -wal and -shm files the database file's mode: made 0600 here, all three
        # are this user's alone whatever the umask.
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # The driver's own transaction handling is turned off so that BEGIN IMMEDIATE below is the
        # only one: a write lock taken at the start means a transaction never fails half-way when
        # another writer committed first (SQLite's busy-snapshot error).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        # Deleted content is overwritten, not left in free pages for a reader of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # FULL makes the commit itself durable; NORMAL leaves it to the next FULL commit (or a
        # checkpoint), which in WAL mode can lose it to a power cut but never to a crash of ours.
        connection.exec_driver_sql(f"PRAGMA synchronous={'FULL' if _durable.get() else 'NORMAL'}")
        connection.exec_driver_sql("BEGIN" if _reading.get() else "BEGIN IMMEDIATE")

    _write_locks[engine] = WriterLock(Path(f"{database}.writer-lock") if database and database != ":memory:" else None)
    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextlib.contextmanager
def transaction(engine: Engine, durable: bool = True) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any exception.

    A durable commit is on disk when this returns. Work that can simply be done again after a
    power cut (claims, filings of messages whose raw bytes are durable) may pass durable=False,
    provided a durable commit comes before anything leaves the system: the WAL is written in
    order, so that commit makes every earlier one durable too.
    """
    marker = _durable.set(durable)
    try:
        with _write_locks.get(engine, contextlib.nullcontext()):
            with Session(engine, expire_on_commit=False) as session:
                with session.begin():
                    if not durable and engine.dialect.name == "postgresql":
                        session.exec(text("SET LOCAL synchronous_commit TO OFF"))
                    yield session
    finally:
        _durable.reset(marker)


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads only: on SQLite it takes no write lock and waits for no writer."""
    marker = _reading.set(True)
    try:
        with Session(engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
                # Nothing may be written here: flushing pending changes would be a write
                # that the caller did not mean.
                if session.new or session.dirty or session.deleted:
                    raise RuntimeError("a reading session was asked to write")
    finally:
        _reading.reset(marker)


def serialise(session: Session, key: str) -> None:
    """Transactions that name the same KEY take turns until they end. On SQLite every write
    transaction already does; on PostgreSQL an advisory lock makes them."""
    if is_postgres(session.get_bind()):
        session.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))
