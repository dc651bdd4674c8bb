"""Whether an email's sender is who the From header says: the bot answers automatically only a
sender it has reason to believe, because an answer to a forged From would go to someone who
never wrote (backscatter), and a forged follow-up must not join another person's case.

Reasons, any one of which suffices:
- `dkim`: a DKIM signature that verified, by the From domain (or a parent of it);
- `spf`: SPF passing for the SMTP client and an envelope sender of the From domain;
- `authserv`: the topmost Authentication-Results, added by a server named in
  `[smtp] trusted_authserv_ids`, says dkim, spf (aligned as above) or dmarc passed for it;
- `network`: the message came straight from a client in `[smtp] trusted_networks`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import authres
import spf

log = logging.getLogger(__name__)

# (name, qtype) -> [((name, qtype), value), ...], as pyspf's own DNS lookup answers.
SpfLookup = Callable[[str, str], list]


@dataclass(frozen=True)
class Trust:
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    authserv_ids: frozenset[str]

    @classmethod
    def of(cls, networks: Sequence[str], authserv_ids: Sequence[str]) -> Trust:
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks),
                   frozenset(a.lower() for a in authserv_ids))

    def trusts_client(self, client: str | None) -> bool:
        address = _ip(client)
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks if network.version == address.version)


def verified_by(from_address: str | None, facts: dict, client: str | None, trust: Trust) -> str | None:
    """The first reason to believe FROM_ADDRESS sent the message, or None (see the module)."""
    domain = _domain(from_address)
    if not domain:
        return None
    dkim = facts.get("dkim") or {}
    if any(entry.get("result") == "pass" and aligned(domain, entry.get("domain")) for entry in dkim.get("signatures", [])):
        return "dkim"
    found_spf = facts.get("spf") or {}
    if found_spf.get("result") == "pass" and aligned(domain, found_spf.get("domain")):
        return "spf"
    if _authserv_pass(domain, facts.get("authentication_results") or [], trust.authserv_ids):
        return "authserv"
    if client is not None and trust.trusts_client(client):
        return "network"
    return None


def aligned(from_domain: str, other: str | None) -> bool:
    """Relaxed alignment without a public-suffix list: the same domain, or FROM_DOMAIN under it
    (mail.example.org signed by example.org); never the other way round."""
    if not other:
        return False
    other = other.strip().lower().rstrip(".")
    return from_domain == other or from_domain.endswith("." + other)


def _authserv_pass(domain: str, results: list[str], trusted: frozenset[str]) -> bool:
    # Only the topmost header: our border server adds it above whatever the sender wrote, and a
    # server that is trusted removes forged ones bearing its id (RFC 8601 section 5).
    if not results or not trusted:
        return False
    try:
        header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {results[0]}")
    except Exception as exc:  # authres raises its own and stdlib errors on malformed input
        log.info("unreadable Authentication-Results (%s: %s); not trusted", type(exc).__name__, exc)
        return False
    if (header.authserv_id or "").lower() not in trusted:
        return False
    for result in header.results:
        if result.result != "pass":
            continue
        if result.method == "dkim" and aligned(domain, _prop(result, "header", "d")):
            return True
        if result.method == "spf" and aligned(domain, _domain(_prop(result, "smtp", "mailfrom"))):
            return True
        if result.method == "dmarc" and aligned(domain, _prop(result, "header", "from")):
            return True
    return False


def _prop(result, ptype: str, name: str) -> str | None:
    for prop in result.properties:
        if prop.type == ptype and prop.name == name:
            return str(prop.value)
    return None


def check_spf(client: str | None, mail_from: str | None, helo: str | None, lookup: SpfLookup | None,
              timeout: float) -> dict | None:
    """SPF for a message received straight from CLIENT; None when there is nothing to check."""
    if lookup is None or _ip(client) is None or not mail_from or mail_from in ("<>", ""):
        return None
    mail_from = mail_from.strip("<>")
    query = _Query(lookup, i=client, s=mail_from, h=helo or "unknown", querytime=timeout)
    try:
        result, _, explanation = query.check()
    except Exception as exc:  # pyspf's own errors and a failing lookup alike: not checked
        return {"result": "temperror", "domain": _domain(mail_from), "reason": f"{type(exc).__name__}: {exc}"[:300]}
    return {"result": result, "domain": _domain(mail_from), "reason": str(explanation)[:300]}


class _Query(spf.query):
    """pyspf's check with the DNS lookup given, not the module's resolver: tests and an office
    bring their own (DNS is not reachable everywhere)."""

    def __init__(self, lookup: SpfLookup, **kwargs):
        super().__init__(**kwargs)
        self._lookup = lookup

    def dns(self, name, qtype, cnames=None, ignore_void=False):
        name = str(name).rstrip(".").lower()
        if not name or any(not 0 < len(label) < 64 for label in name.split(".")):
            return []
        cached = self.cache.get((name, qtype))
        if cached:
            return cached
        for key, value in self._lookup(name, qtype):
            self.cache.setdefault((key[0].lower(), key[1]), []).append(value)
        result = self.cache.get((name, qtype), [])
        if not result and not ignore_void:
            self.void_lookups += 1
            if self.void_lookups > spf.MAX_VOID_LOOKUPS:
                raise spf.PermError(f"Void lookup limit of {spf.MAX_VOID_LOOKUPS} exceeded")
        return result


def system_spf_lookup(timeout: float) -> SpfLookup:
    def lookup(name: str, qtype: str) -> list:
        return spf.DNSLookup(name, qtype, True, timeout)

    return lookup


def _ip(value: str | None):
    try:
        return ipaddress.ip_address((value or "").strip("[]"))
    except ValueError:
        return None


def _domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rpartition("@")[2].strip().strip(">").lower().rstrip(".") or None
