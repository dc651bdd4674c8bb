"""The Store: one engine, the blob files beside it, migrations applied when it is opened, and the
audit key that signs its log (kept elsewhere: see store/signing.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from store import db, keys, migrate, sealed, signing
from store.blobs import BlobStore


@dataclass
class Store:
    engine: Engine
    data_dir: Path
    blobs: BlobStore
    signer: signing.Signer
    keyring: keys.Keyring

    @classmethod
    def open(cls, url: str, data_dir: str | Path, *, upgrade: bool = True,
             audit_key: signing.Signer | str | Path | None = None, key_file: str | Path | None = None) -> Store:
        """AUDIT_KEY: a Signer, or the key file (default keys/audit.key, made on first use);
        $INTAKE_AUDIT_KEY wins over a file. KEY_FILE: the keys that seal what is stored (default
        keys/store.key beside the data directory, made on first use); $INTAKE_STORE_KEY wins."""
        data_dir = Path(data_dir)
        keyring = keys.load(Path(key_file) if key_file else default_key_file(data_dir))
        signer = audit_key if isinstance(audit_key, signing.Signer) else signing.load(audit_key, data_dir=data_dir)
        private_folder(data_dir)
        engine = db.make_engine(url)
        sealed.attach(engine, keyring)
        if upgrade:
            migrate.upgrade(engine)
        return cls(engine=engine, data_dir=data_dir, blobs=BlobStore(data_dir / "blobs", keyring), signer=signer,
                   keyring=keyring)

    @property
    def is_postgres(self) -> bool:
        return db.is_postgres(self.engine)

    @contextlib.contextmanager
    def transaction(self, durable: bool = True) -> Iterator[Session]:
        with db.transaction(self.engine, durable) as session:
            session.info[signing.SESSION_KEY] = self.signer
            yield session

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        with db.reading(self.engine) as session:
            session.info[signing.SESSION_KEY] = self.signer
            yield session

    def close(self) -> None:
        self.engine.dispose()


def default_key_file(data_dir: Path) -> Path:
    return data_dir.parent / "keys" / "store.key"


class UnsafeFolder(Exception):
    """The data folder can be read by other users of the machine."""


def private_folder(folder: Path) -> None:
    """FOLDER, created readable by this user only; one that others may read or enter is refused,
    since what is in it would be open to them until then."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = folder.stat().st_mode & 0o777
    if mode & 0o077:
        raise UnsafeFolder(f"data folder {folder} can be read by other users (mode {mode:o}); chmod 700 it")
