"""Threading: is a message a follow-up of an existing case, or the same message arriving again?"""

from __future__ import annotations

import hashlib
import re

from sqlmodel import Session, select

from intake.parse import Submission
from intake.telegram_parse import ADD_CASE_HEADER
from store import codes
from store.models import Case, Inbound, InboundStatus, Outbox, Reporter

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


def earlier_arrival(session: Session, inbound: Inbound, sub: Submission, fingerprint: str) -> Inbound | None:
    """The first arrival of this same message from the same sender, already filed or threaded."""
    if not sub.sender:
        return None
    done = (InboundStatus.FILED, InboundStatus.FOLLOW_UP)
    query = select(Inbound).where(Inbound.id != inbound.id, Inbound.sender == sub.sender, Inbound.status.in_(done))
    if sub.message_id:
        same_id = session.exec(query.where(Inbound.message_id == sub.message_id).order_by(Inbound.id)).first()
        if same_id is not None:
            return same_id
    return session.exec(query.where(Inbound.body_sha256 == fingerprint).order_by(Inbound.id)).first()


def thread_case(session: Session, sub: Submission, channel: str, prefix: str) -> Case | None:
    """The case this message follows up, by its threading headers, or by case number and proof.

    A case number alone proves nothing (anyone can copy one into a subject): it must come from the
    reporter's own address, or together with the case's query code.
    """
    if channel == "telegram":
        # The bot took this material after /add with the right query code (see telegram_parse).
        number = next((value for name, value in sub.headers if name == ADD_CASE_HEADER), None)
        if number:
            case = session.exec(select(Case).where(Case.number == number)).one_or_none()
            if case is not None:
                return case
    references = [ref for ref in [sub.in_reply_to, *sub.references] if ref]
    if references:
        answered = session.exec(
            select(Outbox.case_id).where(Outbox.message_id.in_(references), Outbox.case_id.is_not(None))
        ).first()
        if answered is not None:
            return session.get(Case, answered)
        if sub.sender:
            own_earlier = session.exec(
                select(Inbound.case_id).where(
                    Inbound.message_id.in_(references), Inbound.sender == sub.sender, Inbound.case_id.is_not(None)
                )
            ).first()
            if own_earlier is not None:
                return session.get(Case, own_earlier)
    pattern = case_number_pattern(prefix)
    numbers = {f"{prefix}-{y}-{n}" for y, n in pattern.findall(f"{sub.subject}\n{sub.text[:20000]}")}
    for number in sorted(numbers):
        case = session.exec(select(Case).where(Case.number == number)).one_or_none()
        if case is None:
            continue
        reporter = session.get(Reporter, case.reporter_id) if case.reporter_id else None
        if reporter is not None and reporter.channel == channel and reporter.address == reply_address(sub):
            return case
        if _carries_code(sub, case):
            return case
    return None


def _carries_code(sub: Submission, case: Case) -> bool:
    text = f"{sub.subject}\n{sub.text[:20000]}".upper()
    return any(codes.check_code(candidate, case.query_code_hash) for candidate in sorted(set(_CODE.findall(text)))[:5])


def reply_address(sub: Submission) -> str | None:
    address = sub.reply_to or sub.sender
    return address.lower() if address else None
