"""Queueing answers: an outbox row written in the same transaction as the change it answers."""

from __future__ import annotations

import re
import uuid

from sqlmodel import Session

from responders.render import render
from store import outbox
from store.models import Outbox

# Stands in the stored body for the query code, which is kept apart (Outbox.secret) and erased
# once the answer has been delivered: a code at rest in plain text would defeat its hashing.
QUERY_CODE_MARK = "⟦query-code⟧"
# RFC 5322 msg-id without its brackets: dot-atom-text "@" (dot-atom-text or no-fold-literal).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_MESSAGE_ID = re.compile(rf"{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[\x21-\x5a\x5e-\x7e]*\])", re.ASCII)
MAX_MESSAGE_ID_CHARS = 250


def valid_message_id(value: str | None) -> bool:
    """Message ids from mail we received go into our headers: only the strict RFC 5322 form does,
    bounded, without "=?" (a mail library may decode an encoded word into a line break)."""
    return (isinstance(value, str) and len(value) <= MAX_MESSAGE_ID_CHARS and "=?" not in value
            and _MESSAGE_ID.fullmatch(value) is not None)


def queue_reply(
    session: Session,
    *,
    channel: str,
    purpose: str,
    recipient: str,
    language: str,
    context: dict,
    domain: str,
    case_id: int | None = None,
    inbound_id: int | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    query_code: str | None = None,
) -> Outbox:
    subject, body = render(purpose, language, {**context, "query_code": QUERY_CODE_MARK}, channel)
    thread = [ref for ref in (references or []) if valid_message_id(ref)]
    parent = in_reply_to if valid_message_id(in_reply_to) else None
    if parent and parent not in thread:
        thread.append(parent)
    row = Outbox(
        channel=channel,
        purpose=purpose,
        case_id=case_id,
        inbound_id=inbound_id,
        recipient=recipient,
        language=language,
        subject=subject,
        body=body,
        secret=query_code,
        message_id=f"{uuid.uuid4().hex}@{domain}",
        in_reply_to=parent,
        references=thread[-20:],
    )
    return outbox.add(session, row)
