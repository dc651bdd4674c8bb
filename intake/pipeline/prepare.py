"""Preparation: the CPU work done on a message before its transaction opens: parse, screen,
classify, evidence files, query code, DKIM."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from config.schema import Settings
from intake.channel import Channel
from intake.email.authenticity import CachingResolver
from intake.email.channel import EMAIL, Lookups
from intake.email.trust import Trust, system_spf_lookup
from intake.mime.parse import decode_message
from intake.pipeline.filing import Prepared
from intake.pipeline.screen import Envelope, screen, unread
from intake.pipeline.threads import body_fingerprint
from intake.submission import Submission
from intake.telegram.channel import TELEGRAM
from store import codes
from store.blobs import BlobStore
from store.evidence import Item, sniff

log = logging.getLogger(__name__)

CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (EMAIL, TELEGRAM)}


@dataclass(frozen=True)
class Job:
    raw_sha256: str
    channel: str
    envelope: Envelope
    # For another desk than case filing (intake.pipeline.worker.Desk): the classifier's word does
    # not decide what is kept, and its sender is verified as a filing's would be.
    for_desk: bool = False


class Preparer:
    def __init__(self, settings: Settings, blobs: BlobStore, classify: Callable[[str, str], dict],
                 dnsfunc: Callable | None, spf_lookup: Callable | None = None):
        self.settings = settings
        self.blobs = blobs
        self.classify = classify
        self.lookups = Lookups(dkim=dnsfunc, spf=spf_lookup)
        self.trust = Trust.of(settings.smtp.trusted_networks, settings.smtp.trusted_authserv_ids)

    def prepare(self, job: Job) -> Prepared:
        channel = CHANNELS[job.channel]
        raw = self.blobs.read(job.raw_sha256)
        sub = channel.parse(raw, self.blobs, self.settings.office.default_language)
        verdict = screen(sub, job.envelope, channel.rules)
        classification = self.classify(sub.subject, self._readable_text(sub)) if verdict.file else None
        items: list[Item] = []
        code = code_hash = ""
        filing = classification is not None and (job.for_desk or not sure_spam(classification, sub))
        if filing:
            items = self._evidence_items(raw, job.raw_sha256, sub, channel.raw_type)
            code = codes.new_code()
            code_hash = codes.hash_code(code)
        facts = {}
        if channel.authenticity is not None:
            # Keys are looked up only for what is filed: screened mail costs no DNS queries.
            timeout = self.settings.authenticity.dns_timeout_seconds
            facts = channel.authenticity(raw, job.envelope, self.lookups if filing else None, timeout, self.trust)
        verified = channel.verify(sub, facts, job.envelope, self.trust) if filing else None
        facts["sender_verified_by"] = verified
        return Prepared(
            sub=sub,
            verdict=verdict,
            classification=classification,
            authenticity=facts,
            items=items,
            fingerprint=body_fingerprint(sub),
            code=code,
            code_hash=code_hash,
            verified_by=verified,
        )

    def _readable_text(self, sub: Submission) -> str:
        """The text to classify: a report forwarded as an attachment has its words in there."""
        if sub.text.strip():
            return sub.text
        for attachment in sub.attachments:
            if attachment.origin == "nested-message":
                return decode_message(attachment.payload).text
        return sub.text

    def _evidence_items(self, raw: bytes, raw_sha256: str, sub: Submission, raw_type: str) -> list[Item]:
        # The raw message is item zero; its blob was written when it was accepted, and has just
        # been read whole from there: it is put again only if it does not hash to its name.
        sha256 = raw_sha256 if hashlib.sha256(raw).hexdigest() == raw_sha256 else self.blobs.put(raw)
        items = [Item(sha256, len(raw), "raw-message", raw_type, sniff(raw), None)]
        for attachment in sub.attachments:
            items.append(
                Item(
                    sha256=self.blobs.put(attachment.payload),
                    size=len(attachment.payload),
                    origin=attachment.origin,
                    declared_type=attachment.content_type,
                    sniffed_type=sniff(attachment.payload),
                    original_name=attachment.filename,
                    parent=attachment.parent + 1 if attachment.parent is not None else 0,
                )
            )
        return items


def sure_spam(classification: dict | None, sub: Submission) -> bool:
    """The classifier calls it spam with a confidence at or above the threshold calibrated with
    its model: then, and only then, its word alone screens the message out. A "spam" below it is
    filed for a person to check (hit "spam-check"): a report in a register the model never saw
    (a formal notice about an official) must not vanish from the queue. A classification that
    carries no confidence is not sure either, nor is one of a message the parser could not read
    all of (nested too deep): the classifier saw only part of it."""
    if classification is None or classification.get("kind") != "spam" or unread(sub):
        return False
    confidence, threshold = classification.get("confidence"), classification.get("spam_threshold")
    if not isinstance(confidence, (int, float)) or not isinstance(threshold, (int, float)):
        return False
    return confidence >= threshold


def default_dnsfunc(settings: Settings) -> Callable | None:
    return CachingResolver() if settings.authenticity.dkim else None


def default_spf_lookup(settings: Settings) -> Callable | None:
    return system_spf_lookup(settings.authenticity.dns_timeout_seconds) if settings.authenticity.spf else None
