"""The office's daily digest of deadlines: what falls due within a few working days and what is
late, as an email to [office] staff_address. It names cases, kinds and dates only: never a
reporter, and nothing a report says."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from config.schema import Settings
from responders.answers import status_words
from responders.outbox import queue_reply
from store.models import Case, Deadline, Outbox

KIND_WORDS = {
    "zh": {"acceptance_notice": "告知受理情况", "routing": "转办转送", "result_notice": "告知处理结果",
           "transfer_reply": "承办单位反馈", "investigation": "办理期限（内部）"},
    "en": {"acceptance_notice": "acceptance notice", "routing": "routing", "result_notice": "result notice",
           "transfer_reply": "transfer reply", "investigation": "investigation target"},
}


def kind_words(kind: str, language: str) -> str:
    return KIND_WORDS.get(language, KIND_WORDS["zh"]).get(kind, kind)


def queue_digest(session: Session, settings: Settings, *, day: date, within: int,
                 soon: list[tuple[Deadline, Case]], late: list[tuple[Deadline, Case]]) -> Outbox:
    office = settings.office
    language = office.default_language
    zone = ZoneInfo(office.timezone)

    def items(pairs):
        return [{"number": case.number, "kind": kind_words(deadline.kind, language),
                 "due": f"{deadline.due_at.astimezone(zone):%Y-%m-%d}", "confirmed": deadline.calendar_confirmed,
                 "status": status_words(case.status, language), "priority": case.priority}
                for deadline, case in pairs]

    context = {"office_name": office.name, "office_name_en": office.name_en, "day": day.isoformat(),
               "within": within, "soon": items(soon), "late": items(late)}
    return queue_reply(session, channel="email", purpose="digest", recipient=office.staff_address,
                       language=language, context=context, domain=settings.outbound.from_address.partition("@")[2])
