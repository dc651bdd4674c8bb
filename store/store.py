"""The Store: one engine, the blob files beside it, migrations applied when it is opened."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from store import db, migrate
from store.blobs import BlobStore


@dataclass
class Store:
    engine: Engine
    data_dir: Path
    blobs: BlobStore

    @classmethod
    def open(cls, url: str, data_dir: str | Path, *, upgrade: bool = True) -> Store:
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        engine = db.make_engine(url)
        if upgrade:
            migrate.upgrade(engine)
        return cls(engine=engine, data_dir=data_dir, blobs=BlobStore(data_dir / "blobs"))

    @property
    def is_postgres(self) -> bool:
        return db.is_postgres(self.engine)

    @contextlib.contextmanager
    def transaction(self, durable: bool = True) -> Iterator[Session]:
        with db.transaction(self.engine, durable) as session:
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        with db.reading(self.engine) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
