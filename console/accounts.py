"""Staff credentials: argon2id password hashes and time-based one-time codes (RFC 6238)."""

from __future__ import annotations

from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ISSUER = "Report intake"
HASHER = PasswordHasher()        # argon2id with the library's current recommended parameters
# A hash to check against when no account has the name typed, so a wrong name takes as long as
# a wrong password and the timing does not tell which names exist.
_DUMMY = HASHER.hash("no such account")
MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_ok(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"a password of at least {MIN_PASSWORD} characters"
    return None


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_uri(secret: str, name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)


def code_step(secret: str, code: str, now: datetime, last_step: int) -> int | None:
    """The time step CODE belongs to (this one or the one either side, for clock drift), if it is
    right and newer than LAST_STEP: a code seen once is not taken again."""
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if candidate > last_step and pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None
