"""Query codes: given once to the reporter, stored only as a salted scrypt hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# No 0/O, 1/I/L: the code is read off a screen and typed back in.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# The codes carry about 50 bits of chance, far beyond a password's, so a light scrypt already
# makes guessing one from a stolen hash hopeless: at 0.5 ms a try, 2**49 tries are some 9,000
# years of one core. A heavier one slowed every filing (2**10 was an eighth of a filing's CPU).
# Hashes made with other costs still check: each names its own.
_N, _R, _P = 2**8, 8, 1


def new_code() -> str:
    """Ten characters (about 50 bits), shown as XXXXX-XXXXX."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in ALPHABET)


def hash_code(code: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(normalise(code), salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def check_code(code: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = _scrypt(normalise(code), base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _scrypt(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(code.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
