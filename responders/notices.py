"""Notices to a reporter about the procedure of his case (accepted, not accepted, transferred, the
result), through the channel the report came by, in the caller's transaction. They never quote
the report; their subjects are neutral, whatever the notice says."""

from __future__ import annotations

from sqlmodel import Session

from config.schema import Settings
from responders.answers import answer_context, queue_case_answer
from responders.render import render
from store import inbound, reporters
from store.models import Case, Outbox

# Why a report is not accepted, as the reporter reads it; the office's own note stays internal.
NOT_ACCEPTED_REASONS = {
    "zh": {
        "outside_remit": "反映的问题不属于纪检监察机关的受理范围",
        "not_specific": "反映的问题不具体，缺乏可查性",
        "already_handled": "反映的问题已经依规依纪依法处理，且未提供新的事实或证据",
        "other_procedure": "反映的问题应当通过诉讼、仲裁、行政复议等法定途径解决",
    },
    "en": {
        "outside_remit": "the matter is outside the remit of discipline inspection and supervision bodies",
        "not_specific": "the report does not give facts specific enough to be checked",
        "already_handled": "the matter has already been dealt with, and no new facts or evidence were given",
        "other_procedure": "the matter is for a court, arbitration or administrative review",
    },
}
NOT_ACCEPTED_CATEGORIES = tuple(NOT_ACCEPTED_REASONS["en"])


def queue_notice(session: Session, settings: Settings, case: Case, purpose: str, *,
                 category: str | None = None) -> Outbox | None:
    """Queue notice PURPOSE (acceptance, not_accepted, transferred, outcome) to CASE's reporter;
    None when there is nobody to tell. CATEGORY: why it was not accepted."""
    reporter = reporters.get(session, case.reporter_id)
    if reporter is None:
        return None
    language = _language(case)
    extra = _extra(case, purpose, category, language)
    first = inbound.first_of_case(session, case.id)
    return queue_case_answer(session, settings, case, purpose, channel=reporter.channel, recipient=reporter.address,
                             language=language, extra=extra,
                             in_reply_to=first.message_id if first else None)


def _language(case: Case) -> str:
    return case.language if case.language in NOT_ACCEPTED_REASONS else "zh"


def _extra(case: Case, purpose: str, category: str | None, language: str) -> dict:
    if purpose == "not_accepted":
        return {"reason": NOT_ACCEPTED_REASONS[language][category]}
    if purpose == "transferred":
        return {"unit": case.routed_to, "forwarded": case.status == "forwarded"}
    if purpose == "outcome":
        return {"outcome": case.outcome}
    return {}


def notice_text(settings: Settings, case: Case, purpose: str, category: str | None = None) -> str:
    """The notice PURPOSE about CASE as its reporter would read it (subject, blank line, body);
    nothing is queued."""
    language = _language(case)
    context = answer_context(settings, case, language, extra=_extra(case, purpose, category, language))
    subject, body = render(purpose, language, context, case.channel)
    return f"{subject}\n\n{body}"
