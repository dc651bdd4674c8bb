"""Filing: a new case, or a follow-up joining one, with evidence, audit entries and the answer,
all written in the caller's single transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cases import deadlines
from cases.calendar import WorkCalendar
from cases.related import link_new_case
from classifier.officials import official_keys
from config.schema import Settings
from intake.pipeline.screen import Verdict
from intake.pipeline.threads import reply_address
from intake.submission import Submission
from responders.answers import day_words, queue_case_answer, status_words
from store import audit, cases, evidence, outbox, reporters, search
from store.models import AuditEvent, Case, CaseMessage, CaseStatus, Inbound, Reporter, utcnow
from store.sequence import case_number

STATUS_BY_KIND = {"report": CaseStatus.NEW, "inquiry": CaseStatus.ANSWERED, "non_jurisdiction": CaseStatus.REFERRED}
ANSWER_BY_KIND = {"report": "acknowledgement", "inquiry": "inquiry_answer", "non_jurisdiction": "referral"}


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
    # Why the sender is believed (intake.email.trust), None when it is not: then nothing is
    # answered automatically and no earlier case is joined on the strength of the address.
    verified_by: str | None = None


class Filer:
    def __init__(self, settings: Settings, calendar: WorkCalendar):
        self.settings = settings
        self.office = settings.office
        self.calendar = calendar
        self.own = frozenset(reporters.normalised(address) for address in settings.own_addresses())

    def new_case(self, session: Session, row: Inbound, prep: Prepared) -> Case:
        result = prep.classification
        sub = prep.sub
        language = result.get("language") or sub.language
        reporter = self._reporter(session, row.channel, sub, language)
        received = row.received_at
        kind = result["kind"]
        real_name = bool(result.get("real_name"))
        recipient = reply_address(sub)
        # Notices (and the deadlines for them) are owed to a real-name reporter we can answer.
        notify = real_name and bool(recipient) and prep.verdict.reply and self._cannot_answer(recipient, prep) is None
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
            sender_verified=prep.verified_by is not None,
            query_code_hash=prep.code_hash,
            created_at=received,
            updated_at=utcnow(),
            notify_reporter=notify,
            confidence=_confidence(result.get("confidence")),
            review=_review(result),
        )
        session.add(case)
        session.flush()
        self._attach(session, case, row, prep, role="report")
        filed = _audit(session, case, "case.filed", row, kind=kind, area=case.area, violation=case.violation,
                       priority=case.priority, rule_hits=list(row.rule_hits))
        # In the same transaction as the case: its clocks start with its receipt.
        opened = []
        if case.status == CaseStatus.NEW:
            calendar = deadlines.calendar_for(session, self.settings, self.calendar)
            opened = deadlines.for_new_case(session, self.settings, calendar, case, filed)
        acceptance = next((d for d in opened if d.kind == "acceptance_notice"), None)
        # Repeat reports about the same official; entity offsets point into subject, newline, text.
        text = f"{sub.subject or ''}\n{sub.text or ''}"
        keys = official_keys(case.entities or [], text)
        link_new_case(session, case, keys.index, keys.probe)
        search.index(session, case.id, keys.terms)
        extra = {
            "real_name": real_name,
            "acceptance_due": day_words(acceptance.due_at, language, self.office.timezone) if acceptance else "",
            "acceptance_days": self.settings.procedure.acceptance_notice_days,
        }
        self._answer(session, row, prep, case, ANSWER_BY_KIND.get(kind, "acknowledgement"), language, extra,
                     query_code=prep.code)
        return case

    def follow_up(self, session: Session, row: Inbound, prep: Prepared, case: Case) -> None:
        cases.touch(session, case)   # before the evidence is audited: store.cases.hold's lock order
        items = self._attach(session, case, row, prep, role="follow_up")
        _audit(session, case, "case.follow_up", row, evidence_items=len(items))
        language = case.language
        extra = {"items": max(len(items) - 1, 0), "status": status_words(case.status, language)}
        self._answer(session, row, prep, case, "follow_up", language, extra)

    def _attach(self, session: Session, case: Case, row: Inbound, prep: Prepared, role: str) -> list:
        sub = prep.sub
        session.add(CaseMessage(case_id=case.id, inbound_id=row.id, role=role, subject=sub.subject, text=sub.text))
        row.case_id = case.id
        source = f"{row.channel}:{row.mailbox}:inbound/{row.id}"
        if sub.message_id:
            source += f":<{sub.message_id}>"
        return evidence.add_items(session, case_id=case.id, inbound_id=row.id, items=prep.items, source=source,
                                  new_case=role == "report")

    def _reporter(self, session: Session, channel: str, sub: Submission, language: str) -> Reporter | None:
        address = reply_address(sub)
        if not address:
            return None
        return reporters.find_or_add(session, channel, address, sub.sender_name or None, language)

    def _answer(self, session, row: Inbound, prep: Prepared, case: Case, purpose: str, language: str,
                extra: dict, query_code: str | None = None) -> None:
        recipient = reply_address(prep.sub)
        if not prep.verdict.reply or not recipient:
            return
        refusal = self._cannot_answer(recipient, prep) or self._over_cap(session, row, recipient)
        if refusal:
            row.rule_hits = [*row.rule_hits, refusal]
            return
        queue_case_answer(
            session, self.settings, case, purpose,
            channel=row.channel,
            recipient=recipient,
            language=language,
            received=row.received_at,
            extra=extra,
            inbound_id=row.id,
            in_reply_to=prep.sub.message_id,
            references=prep.sub.references,
            query_code=query_code,
        )

    def _cannot_answer(self, recipient: str, prep: Prepared) -> str | None:
        """Why nothing may ever go to RECIPIENT, or None: the bot must never answer someone who did
        not write, or mail itself."""
        if recipient in ("<>", "") or reporters.normalised(recipient) in self.own:
            return "reply-to-own-address"
        if prep.verified_by is None:
            return "sender-not-verified"
        return None

    def _over_cap(self, session: Session, row: Inbound, recipient: str) -> str | None:
        """Why no automatic answer may go to RECIPIENT now: the bot must not become a mail cannon."""
        pipeline = self.settings.pipeline
        to_sender, in_hour, from_source = outbox.answer_counts(session, utcnow(), row.channel, recipient, row.source)
        if to_sender >= pipeline.replies_per_sender_per_day:
            return "reply-cap"
        if in_hour >= pipeline.replies_per_hour:
            return "reply-global-cap"
        if from_source >= pipeline.replies_per_source_per_hour:
            return "reply-source-cap"
        return None


def _audit(session: Session, case: Case, action: str, row: Inbound, **details) -> AuditEvent:
    return audit.append(session, actor="system", action=action, subject_type="case", subject_id=case.id,
                        details={"number": case.number, "inbound_id": row.id, **details})


def _review(result: dict) -> bool:
    """The classifier asked for a person's check; so does a result without that word (a classifier
    that failed, a message that could not be read)."""
    value = result.get("review")
    return value if isinstance(value, bool) else True


def _confidence(value) -> float | None:
    """The classifier's probability of the kind, when it gave one (a message it could not read
    has none: the console lists it among those to check)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
