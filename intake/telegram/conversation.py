"""The Telegram conversation as a state diagram (conversation.mmd beside this file): one
short async function per step, each returning the next state.

A turn is one incoming message. Its content is committed by the step (draft text, fetched file,
filing); the chat's new state and the replies are committed after it; only then are the replies
sent. A turn replayed after a crash repeats the replies it had committed and changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import Message, Update

from intake.telegram import drafts
from intake.telegram import files as telegram_files
from intake.telegram.turn import LANGUAGE_BUTTONS, Desk, State, Turn
from responders.telegram_texts import chat_text

Step = Callable[[Turn, Desk], Awaitable[State]]


# -- the steps ------------------------------------------------------------------------------------

async def start(turn: Turn, desk: Desk) -> State:
    office = desk.settings.office
    turn.say("start", keyboard="language", office_name=office.name, office_name_en=office.name_en)
    return turn.state


async def show_help(turn: Turn, desk: Desk) -> State:
    turn.say("help", unknown=False)
    return turn.state


async def not_understood(turn: Turn, desk: Desk) -> State:
    turn.say("help", unknown=True)
    return turn.state


async def choose_language(turn: Turn, desk: Desk) -> State:
    turn.chat.language = turn.input if turn.input in ("zh", "en") else LANGUAGE_BUTTONS[turn.message.text.strip()]
    turn.say("language_set", keyboard="none")
    return turn.state


async def status(turn: Turn, desk: Desk) -> State:
    case = await desk.look_up(turn, usage="status_usage")
    if case is not None:
        turn.say("status", **case.words(turn.chat.language, desk.settings.office.timezone))
    return turn.state


async def begin_report(turn: Turn, desk: Desk) -> State:
    await desk.open(turn, "report")
    turn.say("report_started")
    return State.WRITING


async def begin_addition(turn: Turn, desk: Desk) -> State:
    case = await desk.look_up(turn, usage="add_usage")
    if case is None:
        return State.IDLE
    await desk.open(turn, "add", case.number)
    turn.say("add_started", case_number=case.number)
    return State.ADDING


async def take_text(turn: Turn, desk: Desk) -> State:
    await desk.keep(turn)
    turn.say("noted_text")
    return turn.state


async def take_file(turn: Turn, desk: Desk) -> State:
    incoming = telegram_files.carried(turn.message)
    fetched = await telegram_files.fetch(desk.bot, desk.store.blobs, incoming, turn.update_id)
    if fetched.refusal is not None:
        turn.say(fetched.refusal, size_mb=f"{fetched.size / 2**20:.1f}" if fetched.size else None,
                 limit_mb=telegram_files.DOWNLOAD_LIMIT // 2**20, email=desk.settings.smtp.accept_for[0],
                 case_number=turn.draft.case_number)
        return turn.state
    draft = await desk.keep(turn, fetched.attachment)
    turn.say("noted_file", files=draft.files)
    return State.ADDING if turn.state == State.ADDING else State.ATTACHING


async def finish(turn: Turn, desk: Desk) -> State:
    draft = turn.draft
    if draft.mode == "report" and draft.texts == 0 and draft.status == "open":
        turn.say("need_text")
        return turn.state
    if draft.mode == "add" and draft.texts + draft.files == 0 and draft.status == "open":
        turn.say("nothing_added")
        return turn.state
    await desk.file(turn)
    turn.say("filed" if draft.mode == "report" else "added")
    return State.IDLE


async def cancel(turn: Turn, desk: Desk) -> State:
    if turn.draft is None:
        turn.say("nothing_open")
        return State.IDLE
    await desk.drop(turn)
    turn.say("cancelled")
    return State.IDLE


async def nothing_open(turn: Turn, desk: Desk) -> State:
    turn.say("nothing_open")
    return State.IDLE


async def busy(turn: Turn, desk: Desk) -> State:
    turn.say("busy")
    return turn.state


async def unsupported(turn: Turn, desk: Desk) -> State:
    turn.say("unsupported")
    return turn.state


# -- which step takes which input in which state ---------------------------------------------------

ANYTIME: dict[str, Step] = {
    "start": start, "help": show_help, "zh": choose_language, "en": choose_language,
    "language": choose_language, "status": status, "cancel": cancel, "command": not_understood,
}
DRAFTING: dict[str, Step] = {
    "report": busy, "add": busy, "done": finish, "text": take_text, "file": take_file, "other": unsupported,
}
STEPS: dict[State, dict[str, Step]] = {
    State.IDLE: {"report": begin_report, "add": begin_addition, "done": nothing_open,
                 "text": not_understood, "file": not_understood, "other": not_understood},
    State.WRITING: DRAFTING,
    State.ATTACHING: DRAFTING,
    State.ADDING: DRAFTING,
}
COMMANDS = {"start", "help", "zh", "en", "status", "cancel", "report", "add", "done"}


def classify(message: Message) -> tuple[str, list[str]]:
    """(input, arguments): what kind of input a message is, for the table above."""
    text = (message.text or "").strip()
    if text.startswith("/"):
        word, *args = text.split()
        name = word[1:].split("@", 1)[0].lower()
        return (name if name in COMMANDS else "command"), args
    if text in LANGUAGE_BUTTONS:
        return "language", []
    if text:
        return "text", []
    if telegram_files.carried(message) is not None:
        return "file", []
    return "other", []


class Conversation:
    """Runs each message through its step; see the module docstring for the order of commits."""

    def __init__(self, desk: Desk):
        self.desk = desk

    async def handle(self, update: Update, raw: dict) -> None:
        message = update.message
        if message is None:
            return  # only messages are asked for; anything else has nothing for us
        chat_id = message.chat.id
        if not self.desk.bucket.take(chat_id):
            await self._refuse(message, "rate_limited")
            return
        if message.chat.type != "private":
            await self._refuse(message, "private_only")
            return
        chat, draft = await asyncio.to_thread(drafts.load_chat, self.desk.store, chat_id, self._language(message))
        if update.update_id <= chat.last_update_id:
            if update.update_id == chat.last_update_id:
                await self.desk.send(chat_id, chat.last_replies)
            return
        if chat.state != State.IDLE and draft is None:
            chat.state = State.IDLE  # the draft went missing: start over rather than stay stuck
        kind, args = classify(message)
        turn = Turn(update.update_id, raw, message, chat, draft, kind, args)
        step = ANYTIME.get(kind) or STEPS[turn.state][kind]
        chat.state = await step(turn, self.desk)
        await asyncio.to_thread(drafts.save_chat, self.desk.store, chat, update.update_id, turn.replies)
        await self.desk.send(chat_id, turn.replies)

    async def _refuse(self, message: Message, name: str) -> None:
        """Say that the message is not taken: too fast (said once a minute at most), or not private."""
        if name == "rate_limited" and not self.desk.bucket.should_warn(message.chat.id):
            return
        chat, _ = await asyncio.to_thread(drafts.load_chat, self.desk.store, message.chat.id, self._language(message))
        await self.desk.send(message.chat.id, [{"text": chat_text(name, chat.language)}])

    def _language(self, message: Message) -> str:
        code = (message.from_user.language_code or "") if message.from_user else ""
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
        return self.desk.settings.office.default_language
