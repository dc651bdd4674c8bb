"""Draft storage of the Telegram channel: where each chat's conversation stands and the report it is
writing, committed message by message (idempotent by update id, so a replayed update changes
nothing), and filing: a draft becomes ONE inbound message through accept()."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from intake.accept import Arrival, accept
from intake.telegram.parse import FORMAT
from store import telegram as telegram_store
from store.models import TelegramDraft
from store.store import Store

CHANNEL = MAILBOX = "telegram"


@dataclass
class ChatView:
    """A chat as a turn of the conversation sees it and changes it; saved after the turn."""

    chat_id: int
    language: str
    state: str = "idle"
    draft_id: int | None = None
    last_update_id: int = 0
    last_replies: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class DraftView:
    id: int
    mode: str                 # report, add
    case_number: str | None
    status: str               # open, filed, cancelled
    update_ids: frozenset[int]
    texts: int                # messages with text or a caption
    files: int


def load_chat(store: Store, chat_id: int, language: str) -> tuple[ChatView, DraftView | None]:
    """The chat (LANGUAGE is its language when it is new) and its draft, if one is in progress."""
    with store.transaction() as session:
        row = telegram_store.find_chat(session, chat_id)
        if row is None:
            return ChatView(chat_id, language), None
        chat = ChatView(chat_id, row.language, row.state, row.draft_id, row.last_update_id, list(row.last_replies))
        draft = telegram_store.find_draft(session, row.draft_id) if row.draft_id else None
        return chat, _view(draft) if draft is not None else None


def save_chat(store: Store, chat: ChatView, update_id: int, replies: list[dict]) -> None:
    """The turn's end: the chat's state and what it was answered, so a replay answers the same."""
    with store.transaction() as session:
        telegram_store.save_chat(session, chat.chat_id, language=chat.language, state=chat.state,
                                 draft_id=chat.draft_id, update_id=update_id, replies=replies)


def open_draft(store: Store, chat_id: int, mode: str, language: str, update_id: int,
               case_number: str | None = None) -> DraftView:
    """A new draft, or the one this same update opened before a crash."""
    with store.transaction() as session:
        return _view(telegram_store.open_draft(session, chat_id, mode, language, update_id, case_number))


def add_content(store: Store, draft_id: int, update: dict, attachment: dict | None = None) -> DraftView:
    """Keep one message (and the file fetched for it) in the draft, once."""
    with store.transaction() as session:
        return _view(telegram_store.add_to_draft(session, draft_id, update, attachment))


def file_draft(store: Store, draft_id: int) -> int:
    """Hand the draft in as one inbound message; filing it again gives the same message."""
    with store.transaction() as session:
        draft = telegram_store.find_draft(session, draft_id)
        if draft.status == "filed":
            return draft.inbound_id
        record = {"format": FORMAT, "kind": draft.mode, "draft_id": draft.id, "chat_id": draft.chat_id,
                  "case_number": draft.case_number, "language": draft.language,
                  "opened_at": draft.created_at.isoformat(), "updates": draft.updates,
                  "attachments": draft.attachments}
    arrival = Arrival(CHANNEL, MAILBOX, external_id=f"draft:{draft_id}", source=f"{CHANNEL}|{draft.chat_id}")
    inbound_id, _ = accept(store, _dump(record), arrival)
    with store.transaction() as session:
        telegram_store.mark_filed(session, draft_id, inbound_id)
    return inbound_id


def cancel_draft(store: Store, draft_id: int) -> None:
    """The reporter withdrew it before filing: nothing of it is kept."""
    with store.transaction() as session:
        telegram_store.cancel_draft(session, draft_id)


def set_aside(store: Store, update: dict, language: str) -> int:
    """File one update on its own, as received, when it cannot go through the conversation."""
    chat_id = update["message"]["chat"]["id"]
    record = {"format": FORMAT, "kind": "update", "update_id": update["update_id"], "chat_id": chat_id,
              "case_number": None, "language": language, "updates": [update], "attachments": []}
    arrival = Arrival(CHANNEL, MAILBOX, external_id=f"update:{update['update_id']}", source=f"{CHANNEL}|{chat_id}")
    inbound_id, _ = accept(store, _dump(record), arrival)
    return inbound_id


def _dump(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")


def _view(draft: TelegramDraft) -> DraftView:
    messages = [update.get("message") or {} for update in draft.updates]
    return DraftView(
        id=draft.id,
        mode=draft.mode,
        case_number=draft.case_number,
        status=draft.status,
        update_ids=frozenset(telegram_store.update_ids(draft)),
        texts=sum(1 for m in messages if (m.get("text") or m.get("caption") or "").strip()),
        files=len(draft.attachments),
    )
