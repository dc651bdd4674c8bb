"""Telegram rows: each chat's conversation state, the drafts written in chats, and the last update
confirmed per bot. Every function works inside the caller's transaction."""

from __future__ import annotations

from sqlmodel import Session, select

from store.models import TelegramChat, TelegramDraft, TelegramOffset, utcnow
from store.sealed import keyring_of


def chat_key(session: Session, chat_id: int) -> int:
    """The chat as a keyed pseudonym: rows are found by it, and a reader of the database cannot
    tell which Telegram chat (which person) they belong to."""
    digest = keyring_of(session.get_bind().dialect).lookup(f"telegram-chat:{chat_id}")
    return int(digest[:15], 16)


def find_chat(session: Session, chat_id: int) -> TelegramChat | None:
    return session.get(TelegramChat, chat_key(session, chat_id))


def save_chat(session: Session, chat_id: int, *, language: str, state: str, draft_id: int | None,
              update_id: int, replies: list[dict]) -> None:
    """Write where the chat stands; its last update id never moves backwards."""
    key = chat_key(session, chat_id)
    row = session.get(TelegramChat, key) or TelegramChat(chat_key=key)
    row.language = language
    row.state = state
    row.draft_id = draft_id
    row.last_update_id = max(row.last_update_id or 0, update_id)
    row.last_replies = replies
    row.updated_at = utcnow()
    session.add(row)


def find_draft(session: Session, draft_id: int) -> TelegramDraft | None:
    return session.get(TelegramDraft, draft_id)


def open_draft(session: Session, chat_id: int, mode: str, language: str, update_id: int,
               case_number: str | None = None) -> TelegramDraft:
    """A new draft, or the one update UPDATE_ID of the chat opened already."""
    key = chat_key(session, chat_id)
    draft = session.exec(
        select(TelegramDraft).where(TelegramDraft.chat_key == key, TelegramDraft.opened_by == update_id)
    ).one_or_none()
    if draft is None:
        draft = TelegramDraft(chat_key=key, chat_id=chat_id, mode=mode, case_number=case_number, language=language,
                              opened_by=update_id)
        session.add(draft)
        session.flush()
    return draft


def add_to_draft(session: Session, draft_id: int, update: dict, attachment: dict | None = None) -> TelegramDraft:
    """Keep UPDATE (and its file) in the draft while it is open, unless the draft has it already."""
    draft = session.exec(select(TelegramDraft).where(TelegramDraft.id == draft_id).with_for_update()).one()
    if draft.status == "open" and update["update_id"] not in update_ids(draft):
        # New lists, not appends: the JSON columns notice assignment only.
        draft.updates = [*draft.updates, update]
        if attachment is not None:
            draft.attachments = [*draft.attachments, attachment]
        draft.updated_at = utcnow()
        session.add(draft)
    return draft


def mark_filed(session: Session, draft_id: int, inbound_id: int) -> None:
    draft = session.get(TelegramDraft, draft_id)
    # The content now lives in the inbound record alone; no second copy stays behind.
    draft.status, draft.inbound_id = "filed", inbound_id
    draft.updates, draft.attachments = [], []
    draft.updated_at = utcnow()
    session.add(draft)


def cancel_draft(session: Session, draft_id: int) -> None:
    """Empty a draft that is still open; a filed or cancelled one stays as it is."""
    draft = session.get(TelegramDraft, draft_id)
    if draft.status == "open":
        draft.status = "cancelled"
        draft.updates, draft.attachments = [], []
        draft.updated_at = utcnow()
        session.add(draft)


def update_ids(draft: TelegramDraft) -> set[int]:
    return {update["update_id"] for update in draft.updates}


def last_confirmed(session: Session, bot_id: int) -> int | None:
    """The last update id confirmed for the bot, None before the first."""
    row = session.get(TelegramOffset, bot_id)
    return row.update_id if row is not None else None


def record_confirmed(session: Session, bot_id: int, update_id: int) -> None:
    """Record UPDATE_ID as confirmed; the offset never moves backwards."""
    row = session.get(TelegramOffset, bot_id)
    if row is None:
        session.add(TelegramOffset(bot_id=bot_id, update_id=update_id))
    elif update_id > row.update_id:
        row.update_id = update_id
        row.updated_at = utcnow()
        session.add(row)
