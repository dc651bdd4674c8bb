"""`bot.py run`: every enabled listener, the pipeline workers, the outbox senders, the deadline
scheduler and the staff console on one loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from functools import partial

from cases import deadlines
from commands.context import desks, open_store
from config import ConfigError
from config.schema import Settings
from intake.backlog import Backlog
from intake.email import imap, smtp
from intake.pipeline.start import make_pipeline
from intake.telegram import listener as telegram
from monitoring import escalate
from responders.senders import outbox_senders
from store import claims

log = logging.getLogger("bot")


def main(settings: Settings, args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # aiosmtpd logs every SMTP command at INFO: under a flood that is most of the listener's work,
    # and it would put senders' addresses into the log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(settings))
    except ConfigError as exc:
        print(f"bot.py: {exc}", file=sys.stderr)
        return 2
    return 0


async def serve(settings: Settings, stop: asyncio.Event | None = None, ready: asyncio.Event | None = None,
                **pipeline_options) -> None:
    """Run until STOP is set (by default: until SIGINT or SIGTERM). PIPELINE_OPTIONS go to the
    Pipeline (e.g. the DNS lookups `dnsfunc` and `spf_lookup`, which tests bring)."""
    mailboxes = imap.Mailboxes(settings.mailbox)  # a missing password variable stops start-up here
    telegram_token = telegram.configured_token(settings)  # so does Telegram switched on without a token
    loop = asyncio.get_running_loop()
    if stop is None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    store = await asyncio.to_thread(open_store, settings)
    released = await asyncio.to_thread(claims.release_dead_claims, store)
    if released:
        log.info("took back %d messages left half-done by a previous run", released)
    incoming, outgoing = asyncio.Event(), asyncio.Event()
    # Past [pipeline] max_backlog unfiled messages the listeners take no more for now.
    backlog = Backlog(store, settings.pipeline.max_backlog)
    pipeline = await asyncio.to_thread(
        make_pipeline, settings, store, pooled=True, on_filed=lambda: loop.call_soon_threadsafe(outgoing.set),
        desks=desks(settings, store), **pipeline_options
    )
    if pipeline.pool is not None:
        await pipeline.pool.warm(loop)
    tasks = [asyncio.create_task(pipeline.run(stop, incoming)) for _ in range(settings.pipeline.workers)]
    channel = None
    if telegram_token:
        channel = telegram.TelegramChannel(settings, store, telegram_token, on_accepted=incoming.set,
                                           backlog=backlog)
    for sender in outbox_senders(settings, store, telegram_bot=channel.bot if channel else None):
        if channel is not None and sender.channel == "telegram":
            # It delivers through the channel's bot, so it runs while that bot runs.
            channel.alongside.append(partial(sender.run, stop, outgoing))
        else:
            tasks.append(asyncio.create_task(sender.run(stop, outgoing)))
    if channel is not None:
        tasks.append(asyncio.create_task(channel.run(stop)))
    # Marks late deadlines and queues the office's daily digest (then wakes the senders).
    tasks.append(asyncio.create_task(deadlines.run(store, settings, stop, on_queued=outgoing.set)))
    # Turns early warnings past their deadline into cases for staff.
    tasks.append(asyncio.create_task(escalate.run(store, settings, stop)))
    tasks.append(asyncio.create_task(backlog.watch(stop)))
    server = None
    if settings.smtp.enabled:
        # The monitoring address is the listener's too: units notify by mail like reporters do.
        accept = [*settings.smtp.accept_for, *([] if settings.monitoring.address in settings.smtp.accept_for
                                                else [settings.monitoring.address])]
        server = await smtp.start(store, settings.smtp.model_copy(update={"accept_for": accept}),
                                  on_accepted=incoming.set, backlog=backlog)
        log.info("SMTP listener on %s:%s for %s", settings.smtp.host, settings.smtp.port, ", ".join(accept))
    mailboxes.start(store, on_accepted=lambda: loop.call_soon_threadsafe(incoming.set), backlog=backlog)
    if settings.console.enabled:
        from commands import console

        tasks.append(asyncio.create_task(console.serve(settings, store, stop)))
        log.info("staff console on http://%s:%s/", settings.console.host, settings.console.port)
    log.info("ready")
    if ready is not None:
        ready.set()
    await stop.wait()
    log.info("stopping")
    if server is not None:
        server.close()
        await server.wait_closed()
    await asyncio.to_thread(mailboxes.stop)
    await asyncio.gather(*tasks)
    if pipeline.pool is not None:
        await asyncio.to_thread(pipeline.pool.close)
    store.close()
