"""The bot running in the test's event loop, and a capturing SMTP relay standing in for the real one."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
from dataclasses import dataclass, field

from commands.run import serve


@dataclass
class Relay:
    """An SMTP server that keeps what it is given, as the office's outgoing relay would take it."""

    port: int
    messages: list = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        self.arrived.set()
        return "250 2.0.0 OK"

    async def wait_for(self, count: int, timeout: float = 30) -> list:
        async def enough():
            while len(self.messages) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)
        return self.messages


@contextlib.asynccontextmanager
async def running(settings, **pipeline_options):
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, stop=stop, ready=ready, **pipeline_options))
    waiter = asyncio.create_task(ready.wait())
    done, _ = await asyncio.wait({task, waiter}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        task.result()  # raises what went wrong at start-up
    try:
        yield settings
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
