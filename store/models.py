"""SQLModel tables: inbound messages, reporters, cases and their deadlines, case messages, evidence,
outbox, audit events, IMAP mailbox positions."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import date as date_type
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, DateTime, Index, Text, TypeDecorator, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from store.sealed import Sealed, SealedJSON


def utcnow() -> datetime:
    return datetime.now(UTC)


class Instant(TypeDecorator):
    """A moment in time, stored in UTC and read back with its zone on every backend.

    SQLite has no zones: without this it would keep an aware time's wall clock (a deadline at
    23:59 in Beijing would come back as 23:59 UTC) and return naive datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored as an instant: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(**kw) -> Field:
    return Field(sa_type=Instant(), **kw)


class InboundStatus(StrEnum):
    RECEIVED = "received"        # durable, waiting for the pipeline
    PROCESSING = "processing"    # claimed by a worker under a lease
    FILED = "filed"              # a new case
    FOLLOW_UP = "follow_up"      # joined an existing case
    DUPLICATE = "duplicate"      # the same message arrived before; linked, not filed again
    SCREENED = "screened"        # kept but not filed: bounce, auto-reply, spam
    QUARANTINED = "quarantined"  # failed max_attempts times; waits for `bot.py reprocess`
    MONITORED = "monitored"      # a message to the monitoring address, taken by monitoring/


class Inbound(SQLModel, table=True):
    """One arrival of one message on one channel, with its raw bytes kept on disk."""

    __tablename__ = "inbound"
    __table_args__ = (
        UniqueConstraint("channel", "mailbox", "external_id", name="uq_inbound_arrival"),
        Index("ix_inbound_status_id", "status", "id"),
        Index("ix_inbound_message_id", "message_id"),
        Index("ix_inbound_body_sha256", "body_sha256"),
        # Fair work-taking (store.turns): the next turn waiting, and a source's latest turn.
        Index("ix_inbound_status_turn", "status", "turn", "id"),
        Index("ix_inbound_source_turn", "source", "turn"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)          # email, telegram
    mailbox: str = Field(max_length=255)         # smtp, a [[mailbox]] name, a telegram bot
    external_id: str | None = Field(default=None, max_length=255)  # IMAP uidvalidity:uid, update id
    envelope_from: str | None = Field(default=None, sa_type=Sealed("inbound.envelope_from"))
    envelope_to: list[str] = Field(default_factory=list, sa_type=JSON)
    peer: str | None = Field(default=None, sa_type=Sealed("inbound.peer"))
    # Who sent it, as far as taking turns goes (a keyed hash: a client network, a mailbox, a chat),
    # and its place in that source's queue (store.turns): work is taken by turn, so one source's
    # backlog does not hold up the others.
    source: str = Field(default="", max_length=64)
    turn: int = Field(default=0, sa_type=BigInteger)
    received_at: datetime = _when(default_factory=utcnow)
    raw_path: str = Field(max_length=255)        # relative to the data directory
    raw_sha256: str = Field(max_length=64, index=True)
    raw_size: int = Field(sa_type=BigInteger)
    status: str = Field(default=InboundStatus.RECEIVED, max_length=16)
    attempts: int = 0
    lease_until: datetime | None = _when(default=None)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_type=Text)
    processed_at: datetime | None = _when(default=None)
    message_id: str | None = Field(default=None, max_length=998)
    sender: str | None = Field(default=None, sa_type=Sealed("inbound.sender"))
    # A keyed hash of the normalised sender (store.keys): "the same sender" without the address.
    sender_key: str | None = Field(default=None, max_length=64, index=True)
    subject: str | None = Field(default=None, sa_type=Sealed("inbound.subject"))
    body_sha256: str | None = Field(default=None, max_length=64)
    case_id: int | None = Field(default=None, foreign_key="case.id")
    duplicate_of: int | None = Field(default=None, foreign_key="inbound.id")
    rule_hits: list[str] = Field(default_factory=list, sa_type=JSON)
    defects: list[str] = Field(default_factory=list, sa_type=JSON)
    authenticity: dict = Field(default_factory=dict, sa_type=SealedJSON("inbound.authenticity"))


class Reporter(SQLModel, table=True):
    """Who reported, by channel address; kept apart from cases so identity is shown only on need."""

    __tablename__ = "reporter"
    __table_args__ = (UniqueConstraint("channel", "address_key", name="uq_reporter_address_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    address: str = Field(sa_type=Sealed("reporter.address"))   # email address or Telegram chat id
    address_key: str | None = Field(default=None, max_length=64)   # keyed hash of the normalised address
    display_name: str | None = Field(default=None, sa_type=Sealed("reporter.display_name"))
    language: str = Field(default="zh", max_length=8)
    created_at: datetime = _when(default_factory=utcnow)


class CaseStatus(StrEnum):
    """Where a case stands; the moves between them are cases/procedure.py's TRANSITIONS."""

    NEW = "new"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    TRANSFERRED = "transferred"  # down to a lower-level unit, tracked until it reports back
    FORWARDED = "forwarded"      # up to a higher-level body
    MERGED = "merged"            # into another case (merged_into)
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    CLOSED = "closed"
    REFERRED = "referred"        # outside the office's remit; the reporter was told where to go
    ANSWERED = "answered"        # an inquiry, answered

    @classmethod
    def open_ones(cls) -> tuple[str, ...]:
        """What staff still have to act on: the default queue."""
        return (cls.NEW, cls.ACCEPTED, cls.INVESTIGATING, cls.TRANSFERRED, cls.CONCLUDED)


class Case(SQLModel, table=True):
    """A matter for staff: one report (or inquiry, or referral) and everything that follows it."""

    __tablename__ = "case"
    __table_args__ = (
        # The queue's order, so a page of it is read in order instead of sorting every open case.
        Index("ix_case_queue_order", "priority", text("(due_at IS NULL)"), "due_at", "created_at", "id"),
        # The queue's counts per filter come from these alone, without reading the cases.
        *(Index(f"ix_case_{name}_status", name, "status") for name in ("kind", "area", "violation", "channel")),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=32)
    area: str | None = Field(default=None, max_length=32)
    violation: str | None = Field(default=None, max_length=32)
    priority: int = 4
    real_name: bool = False
    language: str = Field(default="zh", max_length=8)
    channel: str = Field(max_length=16)
    status: str = Field(default=CaseStatus.NEW, max_length=16)
    subject: str = Field(default="", sa_type=Sealed("case.subject"))
    entities: list[dict] = Field(default_factory=list, sa_type=SealedJSON("case.entities"))
    # The sender of the first message was verified (DKIM, SPF, a trusted server or network).
    sender_verified: bool = Field(default=False)
    reporter_id: int | None = Field(default=None, foreign_key="reporter.id")
    query_code_hash: str = Field(max_length=255)
    assignee: str | None = Field(default=None, max_length=255)
    outcome: str | None = Field(default=None, sa_type=Text)   # what the reporter is told
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)
    # The nearest deadline not yet met (store.deadlines keeps it in step): the queue sorts by it.
    due_at: datetime | None = _when(default=None)
    # A real-name report whose reporter we can answer: it is sent notices and owed them in time.
    notify_reporter: bool = Field(default=False)
    routed_to: str | None = Field(default=None, max_length=255)   # the unit it was transferred/forwarded to
    merged_into: int | None = Field(default=None, foreign_key="case.id")
    conclusion: str | None = Field(default=None, sa_type=Text)    # internal; never sent
    accepted_at: datetime | None = _when(default=None)
    concluded_at: datetime | None = _when(default=None)
    confidence: float | None = None   # the classifier's probability of the kind it chose
    # the classifier's word that its labels should be checked before anyone acts on them alone
    review: bool = Field(default=False)


class DeadlineState(StrEnum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"          # still owed, and late


class Deadline(SQLModel, table=True):
    """One clock of a case's procedure (cases/deadlines.py KINDS): counted in working days from
    STARTED_AT, due at the end of a local day, settled by an audit event (closed_event)."""

    __tablename__ = "deadline"
    __table_args__ = (UniqueConstraint("case_id", "kind", name="uq_deadline_case_kind"),
                      Index("ix_deadline_state_due", "state", "due_at"))

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    kind: str = Field(max_length=32)             # acceptance_notice, routing, result_notice, ...
    started_at: datetime = _when()               # receipt, the transfer, the conclusion, ...
    working_days: int
    due_at: datetime = _when()
    # False: a day counted over lies in a year whose official calendar nobody has loaded yet.
    calendar_confirmed: bool = Field(default=True)
    state: str = Field(default=DeadlineState.OPEN, max_length=16)
    opened_event: int | None = None              # the audit entry (its number) that opened it
    closed_at: datetime | None = _when(default=None)
    closed_event: int | None = None              # the audit entry that settled it
    closed_by: str | None = Field(default=None, max_length=64)   # that entry's action, e.g. reply.sent
    created_at: datetime = _when(default_factory=utcnow)


class CaseMessage(SQLModel, table=True):
    """A message of a case: the report itself, a follow-up, or a further arrival of either."""

    __tablename__ = "case_message"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    inbound_id: int = Field(foreign_key="inbound.id", index=True)
    role: str = Field(max_length=16)             # report, follow_up
    subject: str = Field(default="", sa_type=Sealed("case_message.subject"))
    text: str = Field(default="", sa_type=Sealed("case_message.text"))
    created_at: datetime = _when(default_factory=utcnow)


class CaseOfficial(SQLModel, table=True):
    """An official a case names, as a keyed hash (store.related; the keys come from classifier.officials):
    reports about the same official are found without the name being stored in plain text."""

    __tablename__ = "case_official"
    __table_args__ = (UniqueConstraint("case_id", "official_key", name="uq_case_official"),
                      Index("ix_case_official_key", "official_key"))

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    official_key: str = Field(max_length=64)
    created_at: datetime = _when(default_factory=utcnow)


class CaseLink(SQLModel, table=True):
    """Two cases about the same official; every link is kept both ways, one row from each side."""

    __tablename__ = "case_link"
    __table_args__ = (UniqueConstraint("case_id", "related_id", name="uq_case_link"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    related_id: int = Field(foreign_key="case.id")
    reason: str = Field(max_length=16)           # repeat (within twelve months), same_official
    created_at: datetime = _when(default_factory=utcnow)


class Evidence(SQLModel, table=True):
    """One evidence item: a content-addressed file with where and when it was acquired."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("case_id", "item", name="uq_evidence_item"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    item: int                                   # 0 is the raw report message itself
    inbound_id: int | None = Field(default=None, foreign_key="inbound.id")
    parent_id: int | None = Field(default=None, foreign_key="evidence.id")
    origin: str = Field(max_length=32)          # raw-message, attachment, inline, nested-message, ...
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_type=BigInteger)
    declared_type: str | None = Field(default=None, max_length=255)
    sniffed_type: str | None = Field(default=None, max_length=255)
    original_name: str | None = Field(default=None, sa_type=Sealed("evidence.original_name"))
    stored_name: str = Field(sa_type=Sealed("evidence.stored_name"))
    source: str = Field(sa_type=Text)           # channel, mailbox and message id it came from
    acquired_at: datetime = _when(default_factory=utcnow)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Outbox(SQLModel, table=True):
    """An answer waiting to be delivered: it is queued with the filing, never sent inline."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_recipient_key", "channel", "recipient_key", "created_at"),
                      Index("ix_outbox_status_turn", "status", "turn", "id"),
                      Index("ix_outbox_source_turn", "source", "turn"),
                      # the hourly answer caps count what was queued in the last hour at every filing
                      Index("ix_outbox_created_at", "created_at"),
                      Index("ix_outbox_inbound_source", "inbound_source", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    purpose: str = Field(max_length=32)          # acknowledgement, inquiry_answer, referral, ...
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inbound.id")
    # The answered message's source (store.turns), for the hourly cap on answers to one source.
    inbound_source: str | None = Field(default=None, max_length=64)
    recipient: str = Field(sa_type=Sealed("outbox.recipient"))
    recipient_key: str | None = Field(default=None, max_length=64)   # keyed hash, for the caps
    # The recipient's source (a keyed hash of the mail domain or the chat) and turn: answers are
    # sent in turns across sources, as messages are taken (store.turns).
    source: str = Field(default="", max_length=64)
    turn: int = Field(default=0, sa_type=BigInteger)
    language: str = Field(default="zh", max_length=8)
    subject: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    secret: str | None = Field(default=None, sa_type=Sealed("outbox.secret"))   # erased once delivered
    message_id: str = Field(max_length=255, unique=True)
    in_reply_to: str | None = Field(default=None, max_length=998)
    references: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _when(default_factory=utcnow)
    lease_until: datetime | None = _when(default=None)
    claimed_by: str | None = Field(default=None, max_length=64)
    # A relay's refusal often repeats the recipient's address: sealed like the address.
    last_error: str | None = Field(default=None, sa_type=Sealed("outbox.last_error"))
    created_at: datetime = _when(default_factory=utcnow)
    sent_at: datetime | None = _when(default=None)


class AuditEvent(SQLModel, table=True):
    """One entry of the append-only audit log; each carries the hash of the one before, and a
    signature over its own hash by the audit key named by key_id (see store/signing.py)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(default_factory=utcnow)
    actor: str = Field(max_length=255)
    action: str = Field(max_length=64)
    subject_type: str = Field(max_length=32)
    subject_id: str = Field(max_length=64)
    details: dict = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    # Ed25519 over the hash (hex); empty only on entries written before signing began.
    signature: str | None = Field(default=None, max_length=128)
    key_id: str | None = Field(default=None, max_length=16)


class Counter(SQLModel, table=True):
    """Named sequences (case numbers per year) and single-row locks (the audit chain's head)."""

    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=64)
    value: int = 0
    text: str = Field(default="", max_length=64)


class MailboxState(SQLModel, table=True):
    """How far an IMAP mailbox has been read: UIDs up to last_uid under uidvalidity are durable."""

    __tablename__ = "mailbox_state"

    name: str = Field(primary_key=True, max_length=255)   # the [[mailbox]] name
    # UIDVALIDITY and UIDs are unsigned 32-bit numbers: too big for a signed INTEGER.
    uidvalidity: int = Field(sa_type=BigInteger)
    last_uid: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = _when(default_factory=utcnow)


class TelegramDraft(SQLModel, table=True):
    """A report (or an addition to a case) being written in a Telegram chat, kept message by message
    until /done files it as one inbound message; emptied once filed or cancelled."""

    __tablename__ = "telegram_draft"
    __table_args__ = (UniqueConstraint("chat_key", "opened_by", name="uq_telegram_draft_opened"),)

    id: int | None = Field(default=None, primary_key=True)
    # The chat as a keyed pseudonym (store.telegram.chat_key), for look-ups; the id itself, sealed.
    chat_key: int = Field(sa_type=BigInteger, index=True)
    chat_id: int = Field(sa_type=SealedJSON("telegram_draft.chat_id"))
    mode: str = Field(max_length=16)                 # report, add
    case_number: str | None = Field(default=None, max_length=32)   # the case an addition is for
    language: str = Field(default="zh", max_length=8)
    status: str = Field(default="open", max_length=16)            # open, filed, cancelled
    opened_by: int = Field(sa_type=BigInteger)       # the update that opened it: reopening is idempotent
    updates: list[dict] = Field(default_factory=list, sa_type=SealedJSON("telegram_draft.updates"))  # as sent
    attachments: list[dict] = Field(default_factory=list, sa_type=SealedJSON("telegram_draft.attachments"))
    inbound_id: int | None = Field(default=None, foreign_key="inbound.id")
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)


class TelegramChat(SQLModel, table=True):
    """Where one chat's conversation stands, and the last update it took (and what it answered)."""

    __tablename__ = "telegram_chat"

    chat_key: int = Field(sa_type=BigInteger, primary_key=True)   # a keyed pseudonym of the chat id
    language: str = Field(default="zh", max_length=8)
    state: str = Field(default="idle", max_length=16)
    draft_id: int | None = Field(default=None, foreign_key="telegram_draft.id")
    last_update_id: int = Field(default=0, sa_type=BigInteger)
    last_replies: list[dict] = Field(default_factory=list, sa_type=SealedJSON("telegram_chat.last_replies"))
    updated_at: datetime = _when(default_factory=utcnow)


class TelegramOffset(SQLModel, table=True):
    """The last update confirmed per bot: polling resumes right after it."""

    __tablename__ = "telegram_offset"

    bot_id: int = Field(sa_type=BigInteger, primary_key=True)
    update_id: int = Field(sa_type=BigInteger)
    updated_at: datetime = _when(default_factory=utcnow)


class CalendarYear(SQLModel, table=True):
    """A year of the PRC working calendar imported with `bot.py calendar import` (public holidays
    and make-up working days as the State Council published them); it replaces what the
    chinesecalendar package says about that year. Re-importing a year replaces its row."""

    __tablename__ = "calendar_year"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    holidays: list[str] = Field(default_factory=list, sa_type=JSON)   # ISO dates, sorted
    workdays: list[str] = Field(default_factory=list, sa_type=JSON)   # make-up working days, ISO, sorted
    source: str = Field(max_length=255)          # the notice the file cites, else the file's name
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64)           # of the imported file's bytes
    imported_at: datetime = _when(default_factory=utcnow)
    imported_by: str = Field(max_length=255)


class StaffRole(StrEnum):
    CLERK = "clerk"                  # the queue and case contents, labels, assignment, merge; never the reporter
    INVESTIGATOR = "investigator"    # the cases assigned to the account, their evidence, notes
    SUPERVISOR = "supervisor"        # every case, the decisions, the reporter's identity with a reason
    AUDITOR = "auditor"              # the audit log; no case content
    ADMIN = "admin"                  # accounts; no case content


class StaffAccount(SQLModel, table=True):
    """A member of staff who signs in to the console: a password (argon2id) and a one-time code."""

    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    totp_secret: str = Field(sa_type=Sealed("staff_account.totp_secret"))
    language: str = Field(default="zh", max_length=8)
    disabled: bool = False
    failed_logins: int = 0                       # in a row; five lock the account
    locked_until: datetime | None = _when(default=None)
    last_code_step: int = 0                      # the last one-time code's time step: a code works once
    created_at: datetime = _when(default_factory=utcnow)


class StaffSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the store only its hash."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    account_id: int = Field(foreign_key="staff_account.id", index=True)
    created_at: datetime = _when(default_factory=utcnow)
    seen_at: datetime = _when(default_factory=utcnow)
    ended_at: datetime | None = _when(default=None)   # signed out, timed out or revoked


class CaseNote(SQLModel, table=True):
    """A note staff wrote on a case."""

    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    author: str = Field(max_length=255)
    text: str = Field(sa_type=Sealed("case_note.text"))
    created_at: datetime = _when(default_factory=utcnow)


class CaseTerm(SQLModel, table=True):
    """What a search may find a case by (an official's name, body or post, classifier.officials
    search_terms), as a keyed hash: the index never holds a name in plain text."""

    __tablename__ = "case_term"
    __table_args__ = (UniqueConstraint("case_id", "term_key", name="uq_case_term"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    term_key: str = Field(max_length=64, index=True)


class MonitoredUnit(SQLModel, table=True):
    """A government unit that notifies the office of its key-area projects, by email from ADDRESS."""

    __tablename__ = "monitored_unit"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255, unique=True)
    address: str = Field(sa_type=Sealed("monitored_unit.address"))
    address_key: str = Field(max_length=64, unique=True)     # keyed hash of the normalised address
    area: str = Field(max_length=32)
    disabled: bool = False
    created_at: datetime = _when(default_factory=utcnow)


class NotificationStatus(StrEnum):
    CHECKED = "checked"          # read, validated and checked by the rules
    REJECTED = "rejected"        # errors in it: answered with them, nothing of it used
    REFUSED = "refused"          # not from a registered unit


class Notification(SQLModel, table=True):
    """One notification email to the monitoring address, as it was taken."""

    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inbound.id", unique=True)
    unit_id: int | None = Field(default=None, foreign_key="monitored_unit.id", index=True)
    kind: str | None = Field(default=None, max_length=32)     # engineering_award, land_deal, ...
    status: str = Field(max_length=16)
    rows: int = 0
    problems: list[dict] = Field(default_factory=list, sa_type=JSON)   # {row, column, what}: no cell values
    problem_count: int = 0
    received_at: datetime = _when(default_factory=utcnow)


class MonitoredRecord(SQLModel, table=True):
    """One row of a checked notification. The columns the rules compare are typed; the whole row
    is kept sealed (a payout names a person)."""

    __tablename__ = "monitored_record"
    __table_args__ = (Index("ix_monitored_record_unit_kind", "unit_id", "kind", "day"),
                      Index("ix_monitored_record_party", "kind", "party_key"))

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    unit_id: int = Field(foreign_key="monitored_unit.id")
    kind: str = Field(max_length=32)
    row: int                                      # its row in the file, the header being row 1
    ref: str = Field(max_length=255)              # project_id, parcel_id, or the programme
    party_key: str | None = Field(default=None, max_length=64)   # keyed hash: winner, buyer, recipient's ID
    method: str | None = Field(default=None, max_length=32)
    amount_fen: int | None = Field(default=None, sa_type=BigInteger)   # the bid, deal, change or payout
    base_fen: int | None = Field(default=None, sa_type=BigInteger)     # the budget, appraisal or contract
    bidders: int | None = None
    days: int | None = None                       # the tender period
    day: date_type                                # the award, change, deal or payout date
    month: str = Field(max_length=7)              # its YYYY-MM, which the payout rules group by
    values: dict = Field(default_factory=dict, sa_type=SealedJSON("monitored_record.values"))


class WarningStatus(StrEnum):
    OPEN = "open"
    RECTIFIED = "rectified"      # the unit reported its rectification; staff decide
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ESCALATED = "escalated"      # a case for staff


class EarlyWarning(SQLModel, table=True):
    """An early warning to a unit: the findings, and a rectification deadline in working days."""

    __tablename__ = "early_warning"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    unit_id: int = Field(foreign_key="monitored_unit.id", index=True)
    notification_id: int = Field(foreign_key="notification.id")
    status: str = Field(default=WarningStatus.OPEN, max_length=16)
    findings: list[dict] = Field(default_factory=list, sa_type=JSON)    # {rule, rows, text}: no personal data
    due_at: datetime = _when()
    calendar_confirmed: bool = True
    message_id: str | None = Field(default=None, max_length=998)        # of the warning we sent
    rectified_inbound_id: int | None = Field(default=None, foreign_key="inbound.id")
    case_id: int | None = Field(default=None, foreign_key="case.id")
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)


class OfficialEntry(SQLModel, table=True):
    """A person on the officials list the office imports: only the keyed hash of the ID number."""

    __tablename__ = "official_entry"

    id: int | None = Field(default=None, primary_key=True)
    id_key: str = Field(max_length=64, unique=True)
    imported_at: datetime = _when(default_factory=utcnow)
