"""Screening: small yes/no rules over a parsed message, and one table saying what a hit means.

A hit either keeps the message out of the case files (bounces, auto-replies, loops, spam: kept and
marked, never deleted) or files it without an automatic answer (lists, bulk mail, null sender).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from intake.submission import Submission


class Effect(StrEnum):
    SCREEN = "screen"   # not filed, no answer
    SILENT = "silent"   # filed, no answer


@dataclass(frozen=True)
class Envelope:
    sender: str | None          # SMTP MAIL FROM; "" or "<>" is the null sender, None when unknown
    own_addresses: frozenset[str]
    client: str | None = None   # the SMTP client's address, when the message came straight from it


@dataclass(frozen=True)
class Verdict:
    file: bool
    reply: bool
    hits: tuple[str, ...]


GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|no-?reply|bounces?)([+@-]|$)", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*[\[(]?\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|autoreply|vacation|"
    r"abwesenheit|automatyczna odpowied|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|"
    r"automatisch antwoord|autosvar|automaattinen vastaus|自动回复|自動回覆|自動回復|自动答复|休假|外出)",
    re.I,
)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver(able|ed)|delivery (status notification|failure|has failed)|returned mail|"
    r"mail delivery failed|failure notice|系统退信|退信|投递失败|未送达)",
    re.I,
)


def _header(sub: Submission, name: str) -> list[str]:
    return [value for key, value in sub.headers if key == name]


def _first(sub: Submission, name: str) -> str:
    values = _header(sub, name)
    return values[0].strip().lower() if values else ""


def null_sender(sub: Submission, env: Envelope) -> bool:
    if env.sender is not None:
        # aiosmtpd hands the null sender over as the literal "<>"
        return env.sender.strip() in ("", "<>")
    # Mail fetched from a mailbox has no envelope; the delivering server recorded it here.
    return _first(sub, "return-path") == "<>"


def mailer_daemon(sub: Submission, env: Envelope) -> bool:
    return bool(sub.sender) and bool(_DAEMONS.match(sub.sender))


def delivery_report(sub: Submission, env: Envelope) -> bool:
    if sub.content_type == "multipart/report":
        return True
    return any(a.content_type in ("message/delivery-status", "message/disposition-notification") for a in sub.attachments)


def bounce_subject(sub: Submission, env: Envelope) -> bool:
    return bool(_BOUNCE_SUBJECT.search(sub.subject)) and (mailer_daemon(sub, env) or null_sender(sub, env))


def auto_submitted(sub: Submission, env: Envelope) -> bool:
    value = _first(sub, "auto-submitted")
    return bool(value) and value != "no"


def auto_reply_headers(sub: Submission, env: Envelope) -> bool:
    if _header(sub, "x-autoreply") or _header(sub, "x-autorespond") or _header(sub, "x-autoreply-from"):
        return True
    return _first(sub, "x-auto-response-suppress") in ("all", "oof") and bool(_AUTO_SUBJECT.match(sub.subject))


def auto_reply_subject(sub: Submission, env: Envelope) -> bool:
    return bool(_AUTO_SUBJECT.match(sub.subject))


def mailing_list(sub: Submission, env: Envelope) -> bool:
    return any(_header(sub, name) for name in ("list-id", "list-unsubscribe", "list-post", "x-mailing-list"))


def bulk(sub: Submission, env: Envelope) -> bool:
    return _first(sub, "precedence") in ("bulk", "junk", "list")


def own_address(sub: Submission, env: Envelope) -> bool:
    return (sub.sender or "") in env.own_addresses


def loop_header(sub: Submission, env: Envelope) -> bool:
    return any(addr in value.lower() for value in _header(sub, "x-loop") for addr in env.own_addresses)


# Postfix's hopcount_limit: a message that has passed this many servers is going round in a loop.
MAX_HOPS = 50


def too_many_hops(sub: Submission, env: Envelope) -> bool:
    return len(_header(sub, "received")) >= MAX_HOPS


def spam_flag(sub: Submission, env: Envelope) -> bool:
    if _first(sub, "x-spam-flag").startswith("yes"):
        return True
    if _first(sub, "x-spam-status").startswith("yes"):
        return True
    return GTUBE in sub.text or GTUBE in sub.subject


# Defects by which the parser says part of the message could not be read (too deep, too many
# parts, a failed parse): what it got out is not all there is.
UNREAD_DEFECTS = frozenset({"nesting-too-deep", "too-many-parts", "stdlib-parse-failed", "internal-error"})


def unread(sub: Submission) -> bool:
    return any(defect.split(":", 1)[0] in UNREAD_DEFECTS for defect in sub.defects)


def empty(sub: Submission, env: Envelope) -> bool:
    # a message whose content could not all be read is not empty: a person has to look at it
    return not sub.subject.strip() and not sub.text.strip() and not sub.attachments and not unread(sub)


def no_return_address(sub: Submission, env: Envelope) -> bool:
    return not (sub.reply_to or sub.sender)


Rule = Callable[[Submission, Envelope], bool]

# Order matters only for the record: every rule is evaluated and all hits are kept.
RULES: tuple[tuple[str, Rule, Effect], ...] = (
    ("own-address", own_address, Effect.SCREEN),
    ("loop-header", loop_header, Effect.SCREEN),
    ("delivery-report", delivery_report, Effect.SCREEN),
    ("mailer-daemon", mailer_daemon, Effect.SCREEN),
    ("bounce-subject", bounce_subject, Effect.SCREEN),
    ("auto-submitted", auto_submitted, Effect.SCREEN),
    ("auto-reply-headers", auto_reply_headers, Effect.SCREEN),
    ("auto-reply-subject", auto_reply_subject, Effect.SCREEN),
    ("spam-flag", spam_flag, Effect.SCREEN),
    ("empty", empty, Effect.SCREEN),
    # Filed all the same (a report may be caught in someone else's loop), but answering would feed it.
    ("too-many-hops", too_many_hops, Effect.SILENT),
    ("null-sender", null_sender, Effect.SILENT),
    ("mailing-list", mailing_list, Effect.SILENT),
    ("bulk", bulk, Effect.SILENT),
    ("no-return-address", no_return_address, Effect.SILENT),
)


# A chat message has no headers, envelope or bounce to read, and its first line is no subject: the
# rules about those would only misfire on it (a report may well begin with "外出" or "休假").
CHAT_RULES = tuple(rule for rule in RULES if rule[0] in ("spam-flag", "no-return-address"))


def screen(sub: Submission, env: Envelope, rules: tuple[tuple[str, Rule, Effect], ...] = RULES) -> Verdict:
    hits = [(name, effect) for name, rule, effect in rules if rule(sub, env)]
    effects = {effect for _, effect in hits}
    return Verdict(
        file=Effect.SCREEN not in effects,
        reply=not effects,
        hits=tuple(name for name, _ in hits),
    )
