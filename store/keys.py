"""The store's keys, kept outside the data directory: AEAD keys (with ids, so that a rotation can
re-wrap what older keys sealed) and a lookup key for keyed hashes of reporters' addresses.

The key file is JSON, `{"lookup": B64, "current": KID, "keys": {KID: B64, ...}}`, created with mode
0600 (its folder 0700) the first time a store is opened; `INTAKE_STORE_KEY` may hold the same JSON
instead, and then no file is read or written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENV = "INTAKE_STORE_KEY"
NONCE_BYTES = 12


class KeyProblem(Exception):
    """The key material is missing, unreadable or does not open what it should."""


@dataclass
class Keyring:
    lookup_key: bytes
    current: str
    keys: dict[str, bytes]
    path: Path | None = None
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    # -- sealing ------------------------------------------------------------------------------

    def seal(self, plaintext: bytes, context: bytes = b"") -> tuple[str, bytes]:
        """(key id, nonce + ciphertext) of PLAINTEXT under the current key; CONTEXT is bound to it
        (a value sealed for one column does not open in another)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return self.current, nonce + self._cipher(self.current).encrypt(nonce, plaintext, context)

    def open(self, key_id: str, sealed: bytes, context: bytes = b"") -> bytes:
        if key_id not in self.keys:
            raise KeyProblem(f"sealed under key {key_id!r}, which the key file does not hold")
        try:
            return self._cipher(key_id).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
        except InvalidTag:
            raise KeyProblem(f"a value sealed under key {key_id!r} does not open: altered, or another key") from None

    def _cipher(self, key_id: str) -> AESGCM:
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            cipher = self._ciphers[key_id] = AESGCM(self.keys[key_id])
        return cipher

    # -- keyed hashes ---------------------------------------------------------------------------

    def lookup(self, value: str) -> str:
        """A keyed hash of VALUE: equal values give equal hashes, and without the key the hash
        tells nothing (a dictionary of addresses cannot be run against it)."""
        return hmac.new(self.lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    # -- the file -------------------------------------------------------------------------------

    def with_new_key(self) -> Keyring:
        """A keyring whose current key is new; older keys stay until what they sealed is re-wrapped."""
        key_id = secrets.token_hex(4)
        return Keyring(self.lookup_key, key_id, {**self.keys, key_id: AESGCM.generate_key(256)}, self.path)

    def only_current(self) -> Keyring:
        return Keyring(self.lookup_key, self.current, {self.current: self.keys[self.current]}, self.path)

    def to_json(self) -> str:
        return json.dumps({"lookup": _b64(self.lookup_key), "current": self.current,
                           "keys": {kid: _b64(key) for kid, key in self.keys.items()}})

    def save(self) -> None:
        if self.path is None:
            raise KeyProblem(f"the keys come from ${ENV}; change that variable instead")
        write_private(self.path, self.to_json().encode())


def load(path: Path) -> Keyring:
    """The keyring from $INTAKE_STORE_KEY, else from PATH, which is created on first use."""
    text = os.environ.get(ENV)
    if text:
        return _parse(text, f"${ENV}", None)
    path = Path(path)
    if not path.exists():
        key_id = secrets.token_hex(4)
        fresh = Keyring(secrets.token_bytes(32), key_id, {key_id: AESGCM.generate_key(256)}, path)
        write_private(path, fresh.to_json().encode(), exclusive=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyProblem(f"key file {path} is readable by others (mode {mode:o}); chmod 600 it")
    return _parse(path.read_text(), str(path), path)


def _parse(text: str, where: str, path: Path | None) -> Keyring:
    try:
        doc = json.loads(text)
        keys = {str(kid): base64.b64decode(key, validate=True) for kid, key in doc["keys"].items()}
        ring = Keyring(base64.b64decode(doc["lookup"], validate=True), str(doc["current"]), keys, path)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyProblem(f"{where} is not a key file of this store ({type(exc).__name__}: {exc})") from None
    if ring.current not in ring.keys or any(len(key) != 32 for key in (*keys.values(), ring.lookup_key)):
        raise KeyProblem(f"{where} is not a key file of this store (bad key lengths or current key)")
    return ring


def write_private(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write DATA to PATH readable by this user only, replacing it whole (temp file, fsync, rename)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if exclusive and path.exists():
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if exclusive:
            # Two processes starting at once: the first key file made is the one both use.
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
