"""Content-addressed files (SHA-256 of the plaintext): raw messages and evidence, written once,
never changed, and sealed (AES-GCM) on disk, so that only the bot reads them.

On disk a blob is `IB1` + key id length + key id + nonce + ciphertext; the SHA-256 of the plaintext
is its name and is bound into the seal, so a file moved under another name does not open. A file
without the magic (written before sealing began) is read as it is, and re-sealed by rotation.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from store.keys import KeyProblem, Keyring

MAGIC = b"IB1"


class BlobStore:
    """Files named by their SHA-256 under ROOT/ab/abcdef…; a blob is durable once put() returns."""

    def __init__(self, root: Path, keyring: Keyring):
        self.root = Path(root)
        self.keyring = keyring

    def relative(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256}"

    def path(self, sha256: str) -> Path:
        return self.root / self.relative(sha256)

    def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.exists() and self.check(sha256) is None:
            return sha256
        self._write(target, self._seal(sha256, data))
        return sha256

    def read(self, sha256: str) -> bytes:
        return self._open(sha256, self.path(sha256).read_bytes())

    def check(self, sha256: str) -> str | None:
        """None when the blob is present, opens, and hashes to its name, else what is wrong with it."""
        target = self.path(sha256)
        try:
            data = self.read(sha256)
        except FileNotFoundError:
            return f"missing file {target}"
        except OSError as exc:
            return f"unreadable file {target}: {exc.strerror}"
        except KeyProblem as exc:
            return f"file {target} does not open: {exc}"
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            return f"file {target} hashes to {digest}"
        return None

    def sealed_under(self, sha256: str) -> str | None:
        """The key id the blob is sealed under (None: not sealed)."""
        with open(self.path(sha256), "rb") as handle:
            head = handle.read(len(MAGIC) + 1 + 255)
        if not head.startswith(MAGIC):
            return None
        length = head[len(MAGIC)]
        return head[len(MAGIC) + 1:len(MAGIC) + 1 + length].decode("ascii")

    def reseal(self, sha256: str) -> None:
        """Seal the blob again under the current key (after a rotation)."""
        self._write(self.path(sha256), self._seal(sha256, self.read(sha256)))

    def names(self):
        """Every blob's name."""
        for path in self.root.glob("??/*"):
            if not path.name.startswith("."):
                yield path.name

    def _seal(self, sha256: str, data: bytes) -> bytes:
        key_id, sealed = self.keyring.seal(data, sha256.encode())
        encoded = key_id.encode("ascii")
        return MAGIC + bytes([len(encoded)]) + encoded + sealed

    def _open(self, sha256: str, stored: bytes) -> bytes:
        if not stored.startswith(MAGIC):
            return stored
        length = stored[len(MAGIC)]
        start = len(MAGIC) + 1
        key_id = stored[start:start + length].decode("ascii", "replace")
        return self.keyring.open(key_id, stored[start + length:], sha256.encode())

    def _write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Write beside the target, fsync, then rename: a crash leaves either no file or a whole
        # one, never a torn blob under a name that claims a hash it does not have.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o400)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
