"""The Telegram channel: a python-telegram-bot Application on the bot's own event loop, fed by our
own getUpdates loop so that an update is confirmed (the offset moved past it) only after what it
brought is committed; the last confirmed update id is kept in the store, so a restart resumes
exactly there. The outbox sender for Telegram runs beside it on the same bot (`alongside`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import InterfaceError, OperationalError
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest

from config import ConfigError
from config.schema import Settings
from intake.backlog import UNLIMITED, Backlog
from intake.telegram import drafts
from intake.telegram import offset as update_offset
from intake.telegram.conversation import Conversation
from intake.telegram.limits import MessageBucket, WrongCodes
from intake.telegram.turn import LANGUAGE_BUTTONS, Desk
from net.backoff import Backoff
from responders.telegram_errors import retry_after
from store.store import Store

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message"]
# How often a channel held back by a full backlog looks again.
BACKLOG_WAIT_SECONDS = 2.0
TRIES = 3   # an update that fails this often for a reason other than the network is set aside

# httpx logs every request URL at INFO, and the bot token is part of each URL.
logging.getLogger("httpx").setLevel(logging.WARNING)


def configured_token(settings: Settings) -> str | None:
    """The bot token when the channel is on; a channel switched on without one stops start-up."""
    if not settings.telegram.enabled:
        return None
    token = os.environ.get(settings.telegram.token_env, "").strip()
    if not token:
        raise ConfigError(f"setting telegram.enabled: true, but ${settings.telegram.token_env} holds no bot token")
    return token


class RawUpdatesBot(ExtBot):
    """An ExtBot whose getUpdates answers with the JSON objects as Telegram sent them: they are the
    raw record of what the reporter sent, kept as received."""

    async def get_raw_updates(self, offset: int | None, timeout: int) -> list[dict]:
        data = {"offset": offset, "timeout": timeout, "limit": 100, "allowed_updates": ALLOWED_UPDATES}
        return await self._post("getUpdates", data, read_timeout=timeout + 10.0)


class TelegramChannel:
    def __init__(self, settings: Settings, store: Store, token: str, on_accepted=lambda: None,
                 backlog: Backlog = UNLIMITED):
        self.settings = settings
        self.store = store
        self.backlog = backlog
        self.requests = (HTTPXRequest(connection_pool_size=1, read_timeout=10.0),
                         HTTPXRequest(connection_pool_size=8, read_timeout=30.0))
        self.bot = RawUpdatesBot(token, base_url=settings.telegram.base_url,
                                 base_file_url=settings.telegram.base_file_url,
                                 get_updates_request=self.requests[0], request=self.requests[1])
        self.application: Application = ApplicationBuilder().bot(self.bot).updater(None).job_queue(None).build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.conversation = Conversation(Desk(
            store=store, bot=self.bot, settings=settings,
            bucket=MessageBucket(settings.telegram.messages_per_minute), wrong_codes=WrongCodes(),
            on_accepted=on_accepted,
        ))
        # Coroutine functions started once the bot is up, e.g. the outbox sender's run.
        self.alongside: list[Callable[[], Awaitable[None]]] = []
        self.raw: dict[int, dict] = {}
        self.handled: set[int] = set()
        self.errors: dict[int, BaseException] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until STOP; Telegram being away at start-up only delays the channel. What needs
        the bot running (the outbox sender for Telegram, see `alongside`) runs beside the polling,
        and ends before the bot stops."""
        if not await self._initialize(stop):
            await asyncio.gather(*(request.shutdown() for request in self.requests))
            return
        try:
            await self.application.start()
            log.info("Telegram bot @%s polling", self.bot.username)
            await asyncio.gather(self.poll(stop), *(start() for start in self.alongside))
        finally:
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()

    async def _initialize(self, stop: asyncio.Event) -> bool:
        backoff = Backoff(base=1.0, cap=60.0)
        while not stop.is_set():
            try:
                await self.application.initialize()   # getMe: the token is checked here
                # Updates are polled: a webhook left from another set-up would make every poll fail.
                await self.bot.delete_webhook(drop_pending_updates=False)
                return True
            except TelegramError as exc:
                log.error("Telegram: cannot start the bot (%s: %s); trying again", type(exc).__name__, exc)
                await _pause(stop, backoff.next())
        return False

    # -- updates ----------------------------------------------------------------------------------

    async def poll(self, stop: asyncio.Event) -> None:
        offset = await self._stored_offset(stop)
        trouble = Backoff(base=1.0, cap=60.0)
        while not stop.is_set():
            if self.backlog.full():
                # Updates not fetched wait at Telegram (for a day): the pipeline catches up first.
                await _pause(stop, BACKLOG_WAIT_SECONDS)
                continue
            updates = await self._fetch(offset, stop, trouble)
            for raw in updates or ():
                if stop.is_set():
                    break
                try:
                    if not await self.take(raw, stop):
                        break
                except Exception:
                    # The store is away (it keeps the offset too): fetch from the same offset again.
                    log.exception("update %s could not be recorded; fetching it again", raw["update_id"])
                    await _pause(stop, trouble.next())
                    break
                offset = raw["update_id"] + 1

    async def _stored_offset(self, stop: asyncio.Event) -> int | None:
        trouble = Backoff(base=1.0, cap=60.0)
        while not stop.is_set():
            try:
                return await asyncio.to_thread(update_offset.next_offset, self.store, self.bot.id)
            except Exception:
                log.exception("cannot read the Telegram offset from the store; trying again")
                await _pause(stop, trouble.next())
        return None

    async def _fetch(self, offset: int | None, stop: asyncio.Event, trouble: Backoff) -> list[dict] | None:
        """The next updates from OFFSET on; None when stopping, [] after a failure (and a pause)."""
        timeout = self.settings.telegram.poll_timeout_seconds
        fetch = asyncio.ensure_future(self.bot.get_raw_updates(offset, timeout))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            # Nothing fetched in this call was processed, so nothing is lost: the updates come
            # again after the restart, from the stored offset.
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetch
            return None
        try:
            updates = fetch.result()
        except TelegramError as exc:
            # Among them Conflict: another process polls this bot, or a webhook is set.
            log.warning("Telegram getUpdates failed (%s: %s); trying again", type(exc).__name__, exc)
            await _pause(stop, trouble.next())
            return []
        except Exception:
            log.exception("Telegram getUpdates failed; trying again")
            await _pause(stop, trouble.next())
            return []
        trouble.reset()
        if not updates and timeout == 0:
            await _pause(stop, 1.0)   # short polling: ask again in a moment, not at once
        return updates

    async def take(self, raw: dict, stop: asyncio.Event) -> bool:
        """Process RAW until its content is committed, then confirm it; False when stopped first."""
        update_id = raw["update_id"]
        backoff = Backoff(base=1.0, cap=60.0)
        failures = 0
        while True:
            error = await self._process(raw)
            if error is None:
                break
            failures += 1
            if not _transient(error) and failures >= TRIES:
                await self._set_aside(raw)
                break
            wait = retry_after(error).total_seconds() if isinstance(error, RetryAfter) else backoff.next()
            if await _pause(stop, wait):
                return False
        await asyncio.to_thread(update_offset.confirm, self.store, self.bot.id, update_id)
        return True

    async def _process(self, raw: dict) -> BaseException | None:
        update_id = raw["update_id"]
        self.raw[update_id] = raw
        try:
            await self.application.process_update(Update.de_json(raw, self.bot))
        except Exception as exc:   # the update could not even be read; it is tried again, then set aside
            log.exception("update %s could not be processed", update_id)
            self.errors[update_id] = exc
        finally:
            self.raw.pop(update_id, None)
        if update_id in self.handled:
            self.handled.discard(update_id)
            return None
        return self.errors.pop(update_id, None) or RuntimeError(f"update {update_id} was not handled")

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.conversation.handle(update, self.raw[update.update_id])
        self.handled.add(update.update_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log first, with the traceback; the update is then tried again (see take())."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=context.error)
        if update_id is not None:
            self.errors[update_id] = context.error

    async def _set_aside(self, raw: dict) -> None:
        """An update that keeps failing: a message with content is filed on its own, as received;
        a command carries no report (and /add or /status a query code), so it is only logged."""
        message = raw.get("message") or {}
        text = (message.get("text") or "").strip()
        if not message.get("chat") or text.startswith("/") or text in LANGUAGE_BUTTONS:
            log.error("update %s failed %d times and is skipped (no report content in it)", raw["update_id"], TRIES)
            return
        inbound_id = await asyncio.to_thread(drafts.set_aside, self.store, raw, self.settings.office.default_language)
        log.error("update %s failed %d times; filed on its own as inbound %s", raw["update_id"], TRIES, inbound_id)
        self.conversation.desk.on_accepted()


def _transient(error: BaseException) -> bool:
    """Trouble that passes (network, Telegram, database away): wait and try the same update again."""
    if isinstance(error, BadRequest):
        return False
    return isinstance(error, (NetworkError, RetryAfter, OperationalError, InterfaceError, OSError))


async def _pause(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep SECONDS unless STOP comes first; True when stopping."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
