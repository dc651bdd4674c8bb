"""The email channel as the pipeline sees it: RFC 5322 bytes, the mail rules, DKIM and SPF, and
whether the sender is believed (intake.email.trust)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from intake.channel import Channel
from intake.email.authenticity import examine
from intake.email.parse import parse_message
from intake.email.trust import SpfLookup, Trust, check_spf, verified_by
from intake.pipeline.screen import RULES, Envelope
from intake.submission import Submission


@dataclass(frozen=True)
class Lookups:
    """DNS, injectable: DKIM's key lookup (dkimpy's dnsfunc) and SPF's (pyspf's answers)."""

    dkim: Callable | None
    spf: SpfLookup | None


def authenticity(raw: bytes, envelope: Envelope, lookups: Lookups | None, timeout: float, trust: Trust) -> dict:
    facts = examine(raw, lookups.dkim if lookups else None, timeout)
    # SPF costs DNS queries: not asked for a client trusted already (the office's own relay).
    if not trust.trusts_client(envelope.client):
        found = check_spf(envelope.client, envelope.sender, None, lookups.spf if lookups else None, timeout)
        if found is not None:
            facts["spf"] = found
    return facts


def verify(sub: Submission, facts: dict, envelope: Envelope, trust: Trust) -> str | None:
    return verified_by(sub.sender, facts, envelope.client, trust)


EMAIL = Channel(
    name="email",
    raw_type="message/rfc822",
    parse=lambda raw, blobs, language: parse_message(raw, default_language=language),
    rules=RULES,
    verify=verify,
    authenticity=authenticity,
)
