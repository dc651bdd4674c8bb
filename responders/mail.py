"""Building an answer as an email: threading headers, Auto-Submitted, no way to inject headers."""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from responders.outbox import QUERY_CODE_MARK
from store.models import Outbox, utcnow

_ADDRESS = re.compile(r"^[^\s@<>,;:\"()\[\]\\]+@[^\s@<>,;:\"()\[\]\\]+$")


class UnsendableAddress(ValueError):
    """The recipient is not one plain address, so nothing is sent to it."""


def build(row: Outbox, from_address: str, from_name: str) -> EmailMessage:
    if not _ADDRESS.match(row.recipient or ""):
        raise UnsendableAddress(f"not a single plain address: {row.recipient!r}")
    # policy.SMTP refuses CR and LF in any header value, which is what makes injection impossible
    # even for values that came from a received message.
    message = EmailMessage(policy=policy.SMTP)
    local, _, domain = from_address.partition("@")
    message["From"] = Address(display_name=from_name, username=local, domain=domain)
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{row.message_id}>"
    if row.in_reply_to:
        message["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        message["References"] = " ".join(f"<{ref}>" for ref in row.references)
    message["Auto-Submitted"] = "auto-replied"
    # Asks Exchange and similar servers not to send their own automatic replies back to us.
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(body_text(row), charset="utf-8", cte="quoted-printable")
    return message


def body_text(row: Outbox) -> str:
    if QUERY_CODE_MARK in row.body:
        if not row.secret:
            raise ValueError(f"outbox {row.id}: the query code was erased before delivery")
        return row.body.replace(QUERY_CODE_MARK, row.secret)
    return row.body
