"""What a step of the Telegram conversation works with: the turn (one incoming message, its chat and
draft, the replies it will send) and the desk (the store, the bot, the settings, the limits)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from telegram import KeyboardButton, LinkPreviewOptions, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import TelegramError

from config.schema import Settings
from intake.telegram import cases as telegram_cases
from intake.telegram import drafts
from intake.telegram.drafts import ChatView, DraftView
from intake.telegram.limits import MessageBucket, WrongCodes
from responders.telegram_errors import unreachable
from responders.telegram_texts import chat_text
from store.store import Store

log = logging.getLogger(__name__)
LANGUAGE_BUTTONS = {"中文": "zh", "English": "en"}
KEYBOARDS = {
    "language": ReplyKeyboardMarkup([[KeyboardButton(name) for name in LANGUAGE_BUTTONS]],
                                    resize_keyboard=True, one_time_keyboard=True),
    "none": ReplyKeyboardRemove(),
}
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class State(StrEnum):
    IDLE = "idle"            # nothing in progress
    WRITING = "writing"      # a report: text so far
    ATTACHING = "attaching"  # a report: files have come too
    ADDING = "adding"        # material for an existing case


@dataclass
class Turn:
    """One incoming message on its way through a step."""

    update_id: int
    raw: dict                 # the update as Telegram sent it
    message: Message
    chat: ChatView
    draft: DraftView | None
    input: str                # a command name, "language", "text", "file" or "other"
    args: list[str]
    replies: list[dict] = field(default_factory=list)

    @property
    def state(self) -> State:
        return State(self.chat.state)

    def say(self, name: str, keyboard: str | None = None, **context) -> None:
        self.replies.append({"text": chat_text(name, self.chat.language, **context), "keyboard": keyboard})


@dataclass
class Desk:
    """What the steps work with: the store, the bot, the settings and the per-chat limits."""

    store: Store
    bot: object
    settings: Settings
    bucket: MessageBucket
    wrong_codes: WrongCodes
    on_accepted: Callable[[], None]

    async def look_up(self, turn: Turn, usage: str) -> telegram_cases.CaseView | None:
        """The case named by the turn's CASE CODE arguments; otherwise the turn says why not."""
        if len(turn.args) != 2:
            turn.say(usage, example=f"{self.settings.office.case_prefix}-{date.today().year}-000123")
            return None
        if self.wrong_codes.blocked(turn.chat.chat_id):
            turn.say("too_many_tries")
            return None
        found = await asyncio.to_thread(telegram_cases.find, self.store, *turn.args)
        if found is None:
            tries = self.wrong_codes.failed(turn.chat.chat_id)
            log.warning("update %s: no case matches the number and code given (%d wrong in the window)",
                        turn.update_id, tries)
            turn.say("no_match")
        return found

    async def keep(self, turn: Turn, attachment: dict | None = None) -> DraftView:
        turn.draft = await asyncio.to_thread(drafts.add_content, self.store, turn.draft.id, turn.raw, attachment)
        return turn.draft

    async def open(self, turn: Turn, mode: str, case_number: str | None = None) -> None:
        turn.draft = await asyncio.to_thread(drafts.open_draft, self.store, turn.chat.chat_id, mode,
                                             turn.chat.language, turn.update_id, case_number)
        turn.chat.draft_id = turn.draft.id

    async def file(self, turn: Turn) -> None:
        inbound_id = await asyncio.to_thread(drafts.file_draft, self.store, turn.draft.id)
        log.info("telegram draft %s filed as inbound %s", turn.draft.id, inbound_id)
        turn.chat.draft_id = None
        self.on_accepted()

    async def drop(self, turn: Turn) -> None:
        await asyncio.to_thread(drafts.cancel_draft, self.store, turn.draft.id)
        turn.chat.draft_id = None

    async def send(self, chat_id: int, replies: list[dict]) -> None:
        for reply in replies:
            try:
                await self.bot.send_message(chat_id, reply["text"], reply_markup=KEYBOARDS.get(reply.get("keyboard")),
                                            link_preview_options=NO_PREVIEW)
            except TelegramError as exc:
                if not unreachable(exc):
                    raise  # the update is tried again, and the reply with it
                log.info("update reply dropped: the chat cannot be reached (%s)", exc)
                return
