"""`bot.py console`: the staff console alone, on [console] host and port."""

from __future__ import annotations

import asyncio
import logging

from commands.context import open_store
from config.schema import Settings

log = logging.getLogger(__name__)


def main(settings: Settings, args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = open_store(settings)
    try:
        asyncio.run(serve(settings, store))
    finally:
        store.close()
    return 0


async def serve(settings: Settings, store, stop: asyncio.Event | None = None) -> None:
    """Serve the console until STOP is set (or, without one, until interrupted)."""
    import uvicorn

    from console.app import make_app

    # No access log: a URL names a case, and the log is not the place for it.
    config = uvicorn.Config(make_app(settings, store), host=settings.console.host, port=settings.console.port,
                            access_log=False, log_level="warning", lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    if stop is None:
        await server.serve()
        return
    task = asyncio.create_task(_beside(server, settings))
    await stop.wait()
    server.should_exit = True
    await task


async def _beside(server, settings: Settings) -> None:
    """The console beside the listeners: if it cannot start (its port taken, say), that is said
    loudly and reports keep coming in; uvicorn would otherwise end the whole process."""
    try:
        await server.serve()
    except SystemExit:
        log.error("the staff console could not listen on %s:%s; the intake goes on without it",
                  settings.console.host, settings.console.port)
