"""Staff accounts and their console sessions: every query and change, each change with its audit
entry. Passwords and one-time codes are checked in console/accounts.py; here they are only kept
(an argon2id hash, a sealed secret). A session's token is never stored, only its keyed hash."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from store import audit
from store.models import CaseNote, StaffAccount, StaffSession, utcnow
from store.sealed import keyring_of

LOCK_AFTER = 5                       # failed logins in a row
LOCK_FOR = timedelta(minutes=15)


def token_hash(session: Session, token: str) -> str:
    return keyring_of(session.get_bind().dialect).lookup(f"staff-session:{token}")


def csrf_for(session: Session, token: str) -> str:
    """The CSRF token of the session whose cookie holds TOKEN: derived, so never stored."""
    return keyring_of(session.get_bind().dialect).lookup(f"staff-csrf:{token}")


def by_name(session: Session, name: str, *, lock: bool = False) -> StaffAccount | None:
    query = select(StaffAccount).where(StaffAccount.name == name)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.exec(query).one_or_none()


def every(session: Session) -> list[StaffAccount]:
    return list(session.exec(select(StaffAccount).order_by(StaffAccount.name)))


def add(session: Session, *, name: str, role: str, password_hash: str, totp_secret: str, language: str,
        actor: str) -> StaffAccount:
    account = StaffAccount(name=name, role=role, password_hash=password_hash, totp_secret=totp_secret,
                           language=language)
    session.add(account)
    session.flush()
    audit.append(session, actor=actor, action="staff.added", subject_type="staff", subject_id=account.id,
                 details={"name": name, "role": role})
    return account


def disable(session: Session, account: StaffAccount, actor: str) -> int:
    """Disable ACCOUNT and end its sessions; how many sessions ended."""
    account.disabled = True
    session.add(account)
    ended = end_sessions(session, account, utcnow())
    audit.append(session, actor=actor, action="staff.disabled", subject_type="staff", subject_id=account.id,
                 details={"name": account.name, "sessions_ended": ended})
    return ended


def reset_code(session: Session, account: StaffAccount, totp_secret: str, actor: str) -> None:
    """A new one-time-code secret (a lost phone): its sessions end, the lock is lifted."""
    account.totp_secret = totp_secret
    account.last_code_step = 0
    account.failed_logins = 0
    account.locked_until = None
    session.add(account)
    end_sessions(session, account, utcnow())
    audit.append(session, actor=actor, action="staff.code_reset", subject_type="staff", subject_id=account.id,
                 details={"name": account.name})


def login_failed(session: Session, account: StaffAccount | None, name: str, reason: str, peer: str,
                 now: datetime) -> bool:
    """A failed login as NAME; True when it locked the account."""
    locked = False
    if account is not None:
        account.failed_logins += 1
        if account.failed_logins >= LOCK_AFTER and not is_locked(account, now):
            account.locked_until = now + LOCK_FOR
            locked = True
        session.add(account)
    # The name typed is kept only when it is an account's: a password typed into the name field
    # must not end up in the log.
    audit.append(session, actor="console", action="staff.login_failed", subject_type="staff",
                 subject_id=account.id if account else "-",
                 details={"name": account.name if account else None, "reason": reason, "peer": peer,
                          "locked": locked})
    return locked


def is_locked(account: StaffAccount, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def logged_in(session: Session, account: StaffAccount, token: str, code_step: int, peer: str,
              now: datetime) -> StaffSession:
    account.failed_logins = 0
    account.locked_until = None
    account.last_code_step = code_step
    session.add(account)
    row = StaffSession(token_hash=token_hash(session, token), account_id=account.id, created_at=now, seen_at=now)
    session.add(row)
    session.flush()
    audit.append(session, actor=f"staff:{account.name}", action="staff.login", subject_type="staff",
                 subject_id=account.id, details={"peer": peer, "session": row.id})
    return row


def session_of(session: Session, token: str) -> tuple[StaffSession, StaffAccount] | None:
    found = session.exec(select(StaffSession, StaffAccount).join(StaffAccount)
                         .where(StaffSession.token_hash == token_hash(session, token))).one_or_none()
    return (found[0], found[1]) if found else None


def seen(session: Session, row: StaffSession, now: datetime) -> None:
    row.seen_at = now
    session.add(row)


def end(session: Session, row: StaffSession, account: StaffAccount, why: str, now: datetime) -> None:
    row.ended_at = now
    session.add(row)
    audit.append(session, actor=f"staff:{account.name}", action="staff.logout", subject_type="staff",
                 subject_id=account.id, details={"session": row.id, "why": why})


def end_sessions(session: Session, account: StaffAccount, now: datetime) -> int:
    rows = list(session.exec(select(StaffSession).where(StaffSession.account_id == account.id,
                                                        StaffSession.ended_at.is_(None))))
    for row in rows:
        row.ended_at = now
        session.add(row)
    return len(rows)


def set_language(session: Session, name: str, language: str) -> None:
    account = by_name(session, name)
    account.language = language
    session.add(account)


def notes(session: Session, case_id: int) -> list[CaseNote]:
    return list(session.exec(select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)))


def add_note(session: Session, case_id: int, number: str, author: str, text: str) -> CaseNote:
    note = CaseNote(case_id=case_id, author=author, text=text)
    session.add(note)
    session.flush()
    # The note's text is sealed in its row; the log says only that it was written.
    audit.append(session, actor=author, action="case.note", subject_type="case", subject_id=case_id,
                 details={"number": number, "note": note.id})
    return note
