"""Threading: is a message a follow-up of an existing case, or the same message arriving again?"""

from __future__ import annotations

import hashlib
import re

from sqlmodel import Session

from intake.submission import Submission
from store import cases, codes, inbound, outbox, reporters
from store.models import Case

_CODE = re.compile(r"(?<![A-Z0-9])([A-Z0-9]{5}-?[A-Z0-9]{5})(?![A-Z0-9])")


def case_number_pattern(prefix: str) -> re.Pattern:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}-(\d{{4}})-(\d{{6}})(?!\d)", re.I)


def body_fingerprint(sub: Submission) -> str:
    """Equal for the same message delivered twice, whatever the transport headers say."""
    digest = hashlib.sha256()
    digest.update(sub.subject.strip().encode("utf-8", "replace"))
    digest.update(b"\0")
    digest.update(" ".join(sub.text.split()).encode("utf-8", "replace"))
    for attachment in sub.attachments:
        digest.update(b"\0")
        digest.update(hashlib.sha256(attachment.payload).digest())
    return digest.hexdigest()


def thread_case(session: Session, sub: Submission, channel: str, prefix: str, sender_key: str | None,
                verified: bool) -> Case | None:
    """The case this message follows up, only by proof: the channel proved it (Telegram /add), it
    replies to one of our answers (whose Message-ID only the recipient saw), or it names the case
    number together with the case's query code, or comes from the reporter's own address with the
    sender VERIFIED. A case number alone proves nothing (anyone can copy one), and neither does a
    From header: an unverified message always opens a case of its own, and tells its sender
    nothing about anyone else's case.
    """
    if sub.proven_case:
        case = cases.by_number(session, sub.proven_case)
        if case is not None:
            return case
    references = [ref for ref in [sub.in_reply_to, *sub.references] if ref]
    if references:
        answered = outbox.case_answered(session, references)
        if answered is not None:
            return cases.get(session, answered)
        if verified and sender_key:
            own_earlier = inbound.case_of_own_message(session, references, sender_key)
            if own_earlier is not None:
                return cases.get(session, own_earlier)
    pattern = case_number_pattern(prefix)
    numbers = {f"{prefix}-{y}-{n}" for y, n in pattern.findall(f"{sub.subject}\n{sub.text[:20000]}")}
    for number in sorted(numbers):
        case = cases.by_number(session, number)
        if case is None:
            continue
        reporter = reporters.get(session, case.reporter_id)
        if verified and reporter is not None and reporter.channel == channel and sender_key \
                and reporter.address_key == reporters.address_key(session, channel, reply_address(sub) or ""):
            return case
        if _carries_code(sub, case):
            return case
    return None


def _carries_code(sub: Submission, case: Case) -> bool:
    text = f"{sub.subject}\n{sub.text[:20000]}".upper()
    return any(codes.check_code(candidate, case.query_code_hash) for candidate in sorted(set(_CODE.findall(text)))[:5])


def reply_address(sub: Submission) -> str | None:
    """Where an answer goes: Reply-To when it is in the sender's own domain, else the sender (a
    Reply-To elsewhere would let a sender have our answers delivered to a third party)."""
    address = sub.sender
    if sub.reply_to and (not sub.sender or _domain(sub.reply_to) == _domain(sub.sender)):
        address = sub.reply_to
    return address.lower() if address else None


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()
