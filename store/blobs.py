"""Content-addressed files (SHA-256): raw messages and evidence, written once, never changed."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path


class BlobStore:
    """Files named by their SHA-256 under ROOT/ab/abcdef…; a blob is durable once put() returns."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def relative(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        return self.root / self.relative(sha256)

    def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.exists() and target.stat().st_size == len(data):
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target, fsync, then rename: a crash leaves either no file or a whole
        # one, never a torn blob under a name that claims a hash it does not have.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, stat.S_IRUSR | stat.S_IRGRP)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)
        return sha256

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def check(self, sha256: str) -> str | None:
        """None when the blob is present and hashes to its name, else what is wrong with it."""
        target = self.path(sha256)
        try:
            digest = hashlib.sha256()
            with open(target, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        except FileNotFoundError:
            return f"missing file {target}"
        except OSError as exc:
            return f"unreadable file {target}: {exc.strerror}"
        if digest.hexdigest() != sha256:
            return f"file {target} hashes to {digest.hexdigest()}"
        return None


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
