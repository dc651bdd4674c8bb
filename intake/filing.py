"""Filing: a new case, or a follow-up joining one, with evidence, audit entries and the answer,
all written in the caller's single transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from config.schema import Settings
from intake.deadlines import WorkCalendar
from intake.followup import reply_address
from intake.parse import Submission
from intake.screen import Verdict
from responders.outbox import queue_reply, replies_today
from store import audit, evidence
from store.models import Case, CaseMessage, CaseStatus, Inbound, Reporter, utcnow
from store.sequence import case_number

STATUS_BY_KIND = {"report": CaseStatus.NEW, "inquiry": CaseStatus.ANSWERED, "non_jurisdiction": CaseStatus.REFERRED}
ANSWER_BY_KIND = {"report": "acknowledgement", "inquiry": "inquiry_answer", "non_jurisdiction": "referral"}
STATUS_WORDS = {
    "zh": {"new": "已登记，待办理", "assigned": "已分办", "investigating": "办理中", "transferred": "已转办",
           "referred": "已告知其他途径", "answered": "已答复", "concluded": "已办结", "closed": "已办结"},
    "en": {"new": "registered, awaiting handling", "assigned": "assigned", "investigating": "being handled",
           "transferred": "transferred", "referred": "referred elsewhere", "answered": "answered",
           "concluded": "concluded", "closed": "closed"},
}


@dataclass(frozen=True)
class Prepared:
    """What is worked out before the transaction opens: none of it needs the database."""

    sub: Submission
    verdict: Verdict
    classification: dict | None
    authenticity: dict
    items: list[evidence.Item]
    fingerprint: str
    code: str
    code_hash: str


class Filer:
    def __init__(self, settings: Settings, calendar: WorkCalendar):
        self.settings = settings
        self.office = settings.office
        self.calendar = calendar
        self.domain = settings.outbound.from_address.partition("@")[2]

    def new_case(self, session: Session, row: Inbound, prep: Prepared) -> Case:
        result = prep.classification
        sub = prep.sub
        language = result.get("language") or sub.language
        reporter = self._reporter(session, row.channel, sub, language)
        received = row.received_at
        kind = result["kind"]
        real_name = bool(result.get("real_name"))
        case = Case(
            number=case_number(session, self.office.case_prefix, self.calendar.local_date(received).year),
            kind=kind,
            area=result.get("area") if kind == "report" else None,
            violation=result.get("violation") if kind == "report" else None,
            priority=int(result.get("priority") or 4),
            real_name=real_name,
            language=language,
            channel=row.channel,
            status=STATUS_BY_KIND.get(kind, CaseStatus.NEW),
            subject=sub.subject[:1000],
            entities=list(result.get("entities") or [])[:200],
            reporter_id=reporter.id if reporter else None,
            query_code_hash=prep.code_hash,
            created_at=received,
            updated_at=utcnow(),
            due_at=self.calendar.add_working_days(received, self.office.acceptance_working_days)
            if kind == "report"
            else None,
        )
        session.add(case)
        session.flush()
        self._attach(session, case, row, prep, role="report")
        audit.append(
            session,
            actor="system",
            action="case.filed",
            subject_type="case",
            subject_id=case.id,
            details={"number": case.number, "inbound_id": row.id, "kind": kind, "area": case.area,
                     "violation": case.violation, "priority": case.priority, "rule_hits": list(row.rule_hits)},
        )
        context = self._context(case, received, language) | {
            "real_name": real_name,
            "acceptance_due": self._date(case.due_at, language) if case.due_at else "",
        }
        self._answer(session, row, prep, case, ANSWER_BY_KIND.get(kind, "acknowledgement"), language, context,
                     query_code=prep.code)
        return case

    def follow_up(self, session: Session, row: Inbound, prep: Prepared, case: Case) -> None:
        items = self._attach(session, case, row, prep, role="follow_up")
        case.updated_at = utcnow()
        session.add(case)
        audit.append(
            session,
            actor="system",
            action="case.follow_up",
            subject_type="case",
            subject_id=case.id,
            details={"number": case.number, "inbound_id": row.id, "evidence_items": len(items)},
        )
        language = case.language
        context = self._context(case, row.received_at, language) | {
            "items": max(len(items) - 1, 0),
            "status": STATUS_WORDS.get(language, STATUS_WORDS["zh"]).get(case.status, case.status),
        }
        self._answer(session, row, prep, case, "follow_up", language, context)

    def _attach(self, session: Session, case: Case, row: Inbound, prep: Prepared, role: str) -> list:
        sub = prep.sub
        session.add(CaseMessage(case_id=case.id, inbound_id=row.id, role=role, subject=sub.subject, text=sub.text))
        row.case_id = case.id
        source = f"{row.channel}:{row.mailbox}:inbound/{row.id}"
        if sub.message_id:
            source += f":<{sub.message_id}>"
        return evidence.add_items(session, case_id=case.id, inbound_id=row.id, items=prep.items, source=source)

    def _reporter(self, session: Session, channel: str, sub: Submission, language: str) -> Reporter | None:
        address = reply_address(sub)
        if not address:
            return None
        reporter = session.exec(
            select(Reporter).where(Reporter.channel == channel, Reporter.address == address)
        ).one_or_none()
        if reporter is None:
            reporter = Reporter(channel=channel, address=address, display_name=sub.sender_name or None,
                                language=language)
            session.add(reporter)
            session.flush()
        return reporter

    def _answer(self, session, row: Inbound, prep: Prepared, case: Case, purpose: str, language: str,
                context: dict, query_code: str | None = None) -> None:
        recipient = reply_address(prep.sub)
        if not prep.verdict.reply or not recipient:
            return
        cap = self.settings.pipeline.replies_per_sender_per_day
        if replies_today(session, row.channel, recipient) >= cap:
            row.rule_hits = [*row.rule_hits, "reply-cap"]
            return
        queue_reply(
            session,
            channel=row.channel,
            purpose=purpose,
            recipient=recipient,
            language=language,
            context=context,
            domain=self.domain,
            case_id=case.id,
            inbound_id=row.id,
            in_reply_to=prep.sub.message_id,
            references=list(prep.sub.references),
            query_code=query_code,
        )

    def _context(self, case: Case, received: datetime, language: str) -> dict:
        return {
            "case_number": case.number,
            "office_name": self.office.name,
            "office_name_en": self.office.name_en,
            "received": self._date(received, language),
        }

    def _date(self, moment: datetime, language: str) -> str:
        day = self.calendar.local_date(moment)
        if language == "en":
            return f"{day.day} {day:%B %Y}"
        return f"{day.year}年{day.month}月{day.day}日"
