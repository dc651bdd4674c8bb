"""Answers about a case: the words a reporter reads for a status or a date, the template context
every answer shares, and the one function that queues an answer for a case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from config.schema import Settings
from responders.outbox import queue_reply
from store.models import Case, Outbox

STATUS_WORDS = {
    "zh": {"new": "已登记，待办理", "accepted": "已受理", "not_accepted": "不予受理", "transferred": "已转办",
           "forwarded": "已转送上级机关", "merged": "已并案办理", "investigating": "办理中", "concluded": "已办结",
           "closed": "已办结", "referred": "已告知其他途径", "answered": "已答复"},
    "en": {"new": "registered, awaiting handling", "accepted": "accepted", "not_accepted": "not accepted",
           "transferred": "transferred", "forwarded": "forwarded to a higher-level body",
           "merged": "handled together with another case", "investigating": "being handled",
           "concluded": "concluded", "closed": "closed", "referred": "referred elsewhere", "answered": "answered"},
}


def status_words(status: str, language: str) -> str:
    return STATUS_WORDS.get(language, STATUS_WORDS["zh"]).get(status, status)


def day_words(moment: datetime, language: str, timezone: str) -> str:
    """The office's local date of MOMENT as a reporter writes it: 2026年3月1日, 1 March 2026."""
    day = moment.astimezone(ZoneInfo(timezone)).date()
    return f"{day.day} {day:%B %Y}" if language == "en" else f"{day.year}年{day.month}月{day.day}日"


def answer_context(settings: Settings, case: Case, language: str, received: datetime | None = None,
                   extra: dict | None = None) -> dict:
    """What an answer's template about CASE is rendered with."""
    office = settings.office
    return {
        "case_number": case.number,
        "office_name": office.name,
        "office_name_en": office.name_en,
        "received": day_words(received or case.created_at, language, office.timezone),
        **(extra or {}),
    }


def queue_case_answer(session: Session, settings: Settings, case: Case, purpose: str, *, channel: str,
                      recipient: str, language: str, received: datetime | None = None, extra: dict | None = None,
                      inbound_id: int | None = None, in_reply_to: str | None = None,
                      references: Sequence[str] = (), query_code: str | None = None) -> Outbox:
    """Queue the answer PURPOSE about CASE, in the caller's transaction. RECEIVED: the arrival the
    answer is about (the case's first by default)."""
    context = answer_context(settings, case, language, received, extra)
    return queue_reply(
        session,
        channel=channel,
        purpose=purpose,
        recipient=recipient,
        language=language,
        context=context,
        domain=settings.outbound.from_address.partition("@")[2],
        case_id=case.id,
        inbound_id=inbound_id,
        in_reply_to=in_reply_to,
        references=list(references),
        query_code=query_code,
    )
