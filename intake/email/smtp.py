"""The SMTP listener: accepts mail for our mailbox addresses only, and answers 250 only once the
message is durable (raw bytes fsynced, row committed); 451 on any storage failure.

The handler is thin on purpose: no parsing or classification happens before the answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable

from aiosmtpd.smtp import SMTP, Envelope, Session

from config.schema import SmtpSettings
from intake.accept import Arrival, GroupAcceptor
from net.bucket import TokenBucket
from net.tls import server_context
from store.store import Store

log = logging.getLogger(__name__)


class Handler:
    def __init__(self, store: Store, settings: SmtpSettings, on_accepted: Callable[[], None] = lambda: None):
        self.acceptor = GroupAcceptor(store)
        self.accept_for = frozenset(settings.accept_for)
        self.max_recipients = settings.max_recipients
        self.on_accepted = on_accepted
        self.rates = TokenBucket(settings.max_messages_per_client_per_minute)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        # A temporary refusal: a real sender's queue tries again later, so nothing is lost, while
        # one source cannot fill the queue with thousands of cases in a minute.
        if not self.rates.take(_peer_host(session.peer)):
            return "451 4.7.1 Too many messages from your address, please try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        if address.lower() not in self.accept_for:
            # Also the answer to any attempt at relaying: we deliver only to ourselves.
            return "550 5.1.1 No such mailbox here"
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        arrival = Arrival(
            channel="email",
            mailbox="smtp",
            envelope_from=envelope.mail_from,
            envelope_to=[address.lower() for address in envelope.rcpt_tos],
            peer=_peer_host(session.peer),
        )
        try:
            inbound_id = await self.acceptor.accept(raw, arrival)
        except Exception:
            # The sender keeps the message and tries again later; nothing is lost.
            log.exception("could not store a message from %s", arrival.peer)
            return "451 4.3.0 Temporary storage failure, please try again later"
        self.on_accepted()
        return f"250 2.0.0 Accepted as {inbound_id}"


class ConnectionLimits:
    """How many connections are open, in all and per client address."""

    def __init__(self, total: int, per_client: int):
        self.total = total
        self.per_client = per_client
        self.open: Counter[str] = Counter()

    def admit(self, host: str) -> bool:
        if sum(self.open.values()) >= self.total or self.open[host] >= self.per_client:
            return False
        self.open[host] += 1
        return True

    def release(self, host: str) -> None:
        self.open[host] -= 1
        if self.open[host] <= 0:
            del self.open[host]


class LimitedSMTP(SMTP):
    """aiosmtpd's SMTP, refusing with 421 a client over its connection limit."""

    def __init__(self, handler: Handler, limits: ConnectionLimits, **kwargs):
        # RFC 5321 lines end at 1,000 bytes, but real clients send longer ones (unwrapped HTML,
        # base64 on one line, bare LF line ends) and a 500 would bounce a report for good. A line
        # may be as long as a whole message; what one connection can make us hold stays bounded
        # by the SIZE limit, as it already is for the DATA it collects. (Set before SMTP's
        # __init__, which sizes its stream reader by it.)
        self.line_length_limit = max(SMTP.line_length_limit, (kwargs.get("data_size_limit") or 0) + 2)
        super().__init__(handler, **kwargs)
        self.limits = limits
        self._admitted_host: str | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None and not self._refused and self._admitted_host is None:
            host = _peer_host(transport.get_extra_info("peername"))
            if self.limits.admit(host):
                self._admitted_host = host
            else:
                self._refused = True
        super().connection_made(transport)

    async def _handle_client(self) -> None:
        if self._refused:
            await self.push("421 4.7.0 Too many connections from your address, try again later")
            self.transport.close()
            return
        await super()._handle_client()

    def connection_lost(self, error: Exception | None) -> None:
        if self._admitted_host is not None:
            self.limits.release(self._admitted_host)
            self._admitted_host = None
        super().connection_lost(error)


def _peer_host(peer) -> str:
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "unknown")


async def start(store: Store, settings: SmtpSettings, on_accepted: Callable[[], None] = lambda: None) -> asyncio.Server:
    """Listen on the bot's own event loop (not in a Controller thread)."""
    handler = Handler(store, settings, on_accepted)
    limits = ConnectionLimits(settings.max_connections, settings.max_connections_per_client)
    context = server_context(settings.tls_cert_file, settings.tls_key_file)

    def factory() -> LimitedSMTP:
        return LimitedSMTP(
            handler,
            limits,
            data_size_limit=settings.max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=settings.hostname,
            ident="ESMTP",
            tls_context=context,
            timeout=settings.timeout_seconds,
        )

    loop = asyncio.get_running_loop()
    return await loop.create_server(factory, host=settings.host, port=settings.port)
