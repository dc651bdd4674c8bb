"""The audit key: an Ed25519 key kept outside the database and the data folder, which signs every
audit entry's hash and every evidence bundle's manifest.

A hash chain alone can be rebuilt by whoever can write the database; a signature cannot be made
without this key. The key comes from $INTAKE_AUDIT_KEY (base64 of the raw 32 bytes) when set, else
from a PEM file that is created on first use (0600, in a folder created 0700). Public keys of
retired keys, as PEM files named *.pub beside the key file, are trusted too, so entries signed
before a rotation still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# The same default as [store] audit_key_file: the store may not import the settings.
DEFAULT_KEY_FILE = Path("keys/audit.key")
ENV_KEY = "INTAKE_AUDIT_KEY"
# Where a session finds the signer of the store that opened it.
SESSION_KEY = "audit_signer"


class AuditKeyError(ValueError):
    """The audit key cannot be read, made or used; the message is one line saying why."""


def key_id(public: Ed25519PublicKey) -> str:
    """First 8 bytes (16 hex digits) of the SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class Signer:
    """Signs with the current key; checks signatures against it and every trusted retired key."""

    private: Ed25519PrivateKey
    retired: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)

    @cached_property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @cached_property
    def key_id(self) -> str:
        return key_id(self.public)

    @cached_property
    def trusted(self) -> dict[str, Ed25519PublicKey]:
        return {**self.retired, self.key_id: self.public}

    def public_pem(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def problem(self, data: bytes, signature: str | None, signed_by: str | None) -> str | None:
        """None when SIGNATURE (hex) over DATA was made by the key SIGNED_BY names and we trust it."""
        if not signature:
            return "it is not signed"
        public = self.trusted.get(signed_by or "")
        if public is None:
            return f"it is signed by key {signed_by!r}, which is not a trusted audit key"
        if not verifies(public, data, signature):
            return "its signature does not verify (entry rewritten or signed with another key)"
        return None

    def made_by_trusted_key(self, data: bytes, signature: str) -> bool:
        return any(verifies(public, data, signature) for public in self.trusted.values())


def verifies(public: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        public.verify(bytes.fromhex(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def load(path: str | Path | None = None, *, data_dir: str | Path | None = None,
         environ: Mapping[str, str] | None = None) -> Signer:
    """The signer from $INTAKE_AUDIT_KEY, else from PATH (default keys/audit.key), made if missing."""
    environ = os.environ if environ is None else environ
    path = Path(path or DEFAULT_KEY_FILE)
    if data_dir is not None and _inside(path, Path(data_dir)):
        # Whoever can write the data folder must not be able to read the key that vouches for it.
        raise AuditKeyError(f"audit key file {path} must not be inside the data folder {data_dir}")
    if environ.get(ENV_KEY):
        private = _from_environment(environ[ENV_KEY])
    else:
        private = _from_file(path)
    return Signer(private, _retired(path.parent, key_id(private.public_key())))


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _from_environment(value: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuditKeyError(f"{ENV_KEY}: not base64") from None
    if len(raw) != 32:
        raise AuditKeyError(f"{ENV_KEY}: must be the 32 raw bytes of an Ed25519 private key, base64-encoded")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _from_file(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        _create(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"audit key file {path}: cannot be read: {exc.strerror}") from None
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise AuditKeyError(f"audit key file {path}: not an unencrypted PEM private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditKeyError(f"audit key file {path}: not an Ed25519 key")
    return private


def _create(path: Path) -> None:
    """A new key at PATH, whole or not at all; when several processes race, the first one wins."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is narrowed by the umask, never widened
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".audit-key-")  # mkstemp makes it 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            # link(2), unlike rename, fails when the name exists: a key another process made a
            # moment ago is kept, so every process signs with the same key.
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        Path(temporary).unlink(missing_ok=True)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _retired(folder: Path, current: str) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for candidate in sorted(folder.glob("*.pub")) if folder.is_dir() else ():
        try:
            public = serialization.load_pem_public_key(candidate.read_bytes())
        except (OSError, ValueError):
            raise AuditKeyError(f"trusted audit key {candidate}: not a PEM public key") from None
        if not isinstance(public, Ed25519PublicKey):
            raise AuditKeyError(f"trusted audit key {candidate}: not an Ed25519 key")
        if key_id(public) != current:
            keys[key_id(public)] = public
    return keys


def of(session) -> Signer:
    """The signer of the store whose session this is (Store.transaction and Store.reading put it there)."""
    signer = session.info.get(SESSION_KEY)
    if signer is None:
        # Fail closed: an entry written without a signature would read as a forgery later.
        raise RuntimeError("this session carries no audit key; open it with Store.transaction() or Store.reading()")
    return signer
