"""Authenticity metadata kept with each inbound email: its Received chain, the receiving server's
Authentication-Results, and DKIM signatures verified with dkimpy at the time of receipt.

The DNS lookup is a parameter (dkimpy's `dnsfunc`), so tests sign and verify with their own key
and an office can point it at its own resolver.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from email import policy
from email.parser import BytesHeaderParser

import dkim
import dkim.dnsplug

log = logging.getLogger(__name__)
# dkimpy reports every failed signature at ERROR level; here a bad signature is data, not an error.
_quiet = logging.getLogger("intake.email.authenticity.dkimpy")
_quiet.setLevel(logging.CRITICAL)

DnsFunc = Callable[..., bytes | None]
MAX_SIGNATURES = 5


class CachingResolver:
    """dkimpy's DNS lookup with a small time-limited cache, so a flood from one domain asks once."""

    def __init__(self, lookup: DnsFunc = dkim.dnsplug.get_txt, ttl_seconds: float = 600, size: int = 1000):
        self.lookup = lookup
        self.ttl = ttl_seconds
        self.size = size
        self._cache: dict[bytes, tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, name: bytes, timeout: float = 5) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(name)
            if hit and now - hit[0] < self.ttl:
                return hit[1]
        value = self.lookup(name, timeout=timeout)
        with self._lock:
            if len(self._cache) >= self.size:
                self._cache.clear()
            self._cache[name] = (now, value)
        return value


def examine(raw: bytes, dnsfunc: DnsFunc | None, timeout: float = 3.0) -> dict:
    """The trace and authentication facts of RAW; DKIM is skipped when DNSFUNC is None."""
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    received = [" ".join(str(value).split()) for value in headers.get_all("Received", [])]
    results = [" ".join(str(value).split()) for value in headers.get_all("Authentication-Results", [])]
    signatures = len(headers.get_all("DKIM-Signature", []))
    facts = {"received": received[:50], "authentication_results": results[:10]}
    if dnsfunc is None:
        facts["dkim"] = {"verdict": "not-checked", "signatures": []}
        return facts
    checked = [_verify_one(raw, index, dnsfunc, timeout) for index in range(min(signatures, MAX_SIGNATURES))]
    facts["dkim"] = {"verdict": _verdict(checked), "signatures": checked}
    return facts


def _verify_one(raw: bytes, index: int, dnsfunc: DnsFunc, timeout: float) -> dict:
    unreachable: list[str] = []

    def lookup(name: bytes, timeout: float = timeout) -> bytes | None:
        try:
            return dnsfunc(name, timeout=timeout)
        except dkim.DnsTimeoutError as exc:
            unreachable.append(str(exc))
            raise
        except Exception as exc:  # any resolver failure means "could not ask", not "no key"
            unreachable.append(f"{type(exc).__name__}: {exc}")
            raise dkim.DnsTimeoutError(str(exc)) from exc

    signer = dkim.DKIM(raw, logger=_quiet, timeout=timeout)
    entry = {"domain": None, "selector": None, "result": "fail", "reason": ""}
    try:
        ok = signer.verify(idx=index, dnsfunc=lookup)
    except dkim.DKIMException as exc:
        ok = False
        entry["reason"] = f"{type(exc).__name__}: {exc}"[:300]
    entry["domain"] = _text(getattr(signer, "domain", None))
    entry["selector"] = _text(getattr(signer, "selector", None))
    if ok:
        entry["result"] = "pass"
    elif unreachable:
        entry["result"] = "temperror"
        entry["reason"] = unreachable[0][:300]
    return entry


def _verdict(checked: list[dict]) -> str:
    results = {entry["result"] for entry in checked}
    if not checked:
        return "none"
    if "pass" in results:
        return "pass"
    if "temperror" in results:
        return "temperror"
    return "fail"


def _text(value) -> str | None:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value
