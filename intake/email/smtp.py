"""The SMTP listener: accepts mail for our mailbox addresses only, and answers 250 only once the
message is durable (raw bytes fsynced, row committed); 451 on any storage failure.

The handler is thin on purpose: no parsing or classification happens before the answer.
LimitedSMTP keeps one client, or one network, from holding the listener's slots or its memory.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from collections.abc import Callable

from aiosmtpd.smtp import SMTP, Envelope, Session

from config.schema import SmtpSettings
from intake.accept import Arrival, GroupAcceptor
from intake.backlog import UNLIMITED, Backlog
from intake.email.trust import Trust
from net.bucket import TokenBucket
from net.tls import server_context
from store.store import Store

log = logging.getLogger(__name__)

# RFC 5321 allows 512 bytes and some more for extension parameters; longer is no real client.
COMMAND_LINE_BYTES = 4096
# Commands that change nothing: they do not count as activity against the idle timeout.
IDLE_COMMANDS = frozenset({"NOOP", "RSET", "HELP", "VRFY", "EXPN"})
LINGER_SECONDS = 2.0


class Handler:
    def __init__(self, store: Store, settings: SmtpSettings, on_accepted: Callable[[], None] = lambda: None,
                 backlog: Backlog = UNLIMITED):
        self.acceptor = GroupAcceptor(store)
        self.backlog = backlog
        self.accept_for = frozenset(settings.accept_for)
        self.max_recipients = settings.max_recipients
        self.on_accepted = on_accepted
        self.rates = TokenBucket(settings.max_messages_per_client_per_minute)
        self.trust = Trust.of(settings.trusted_networks, ())

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        # A temporary refusal: a real sender's queue tries again later, so nothing is lost, while
        # one source cannot fill the queue with thousands of cases in a minute.
        if not self.rates.take(client_network(_peer_host(session.peer))):
            return "451 4.7.1 Too many messages from your network, please try again later"
        if self.backlog.full():
            # Asked before the message is sent, so a flood costs neither bandwidth nor disk.
            return "451 4.3.1 Too many messages waiting to be filed, please try again later"
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
        peer = _peer_host(session.peer)
        arrival = Arrival(
            channel="email",
            mailbox="smtp",
            envelope_from=envelope.mail_from,
            envelope_to=[address.lower() for address in envelope.rcpt_tos],
            peer=peer,
            source=self.source(peer, envelope.mail_from),
        )
        try:
            inbound_id = await self.acceptor.accept(raw, arrival)
        except Exception:
            # The sender keeps the message and tries again later; nothing is lost.
            log.exception("could not store a message from %s", arrival.peer)
            return "451 4.3.0 Temporary storage failure, please try again later"
        self.on_accepted()
        return f"250 2.0.0 Accepted as {inbound_id}"

    def source(self, peer: str, mail_from: str | None) -> str:
        """Whose turn a message takes (store.turns): the client's network; for a relay of ours
        (a trusted network, which passes on everyone's mail) also the sender's domain. An
        untrusted client names any domain it likes, so there the network alone counts: a flood
        cannot split itself into many sources."""
        source = f"smtp|{client_network(peer)}"
        if self.trust.trusts_client(peer):
            source += "|" + (mail_from or "").rpartition("@")[2].lower()
        return source

    async def handle_exception(self, error: Exception) -> str:
        # aiosmtpd's own answer is a 500 carrying the exception's text: a permanent refusal for
        # what is our fault, and our internals shown to anyone who connects.
        log.error("SMTP session error", exc_info=error)
        return "451 4.3.0 Temporary failure, please try again later"


class ConnectionLimits:
    """What all sessions together may hold: connections in all and per client network, and the
    bytes of mail being received at this moment (DATA lines may be long, so memory is bounded by
    this sum, not by the number of connections)."""

    def __init__(self, total: int, per_client: int, data_bytes: int):
        self.total = total
        self.per_client = per_client
        self.max_data_bytes = data_bytes
        self.open: Counter[str] = Counter()
        self.held = 0

    def admit(self, network: str) -> bool:
        if sum(self.open.values()) >= self.total or self.open[network] >= self.per_client:
            return False
        self.open[network] += 1
        return True

    def release(self, network: str) -> None:
        self.open[network] -= 1
        if self.open[network] <= 0:
            del self.open[network]


class LimitedSMTP(SMTP):
    """aiosmtpd's SMTP with what it lacks against a client that holds or bloats a session.

    Enforced where bytes arrive (data_received), before the stream reader buffers them: command
    lines of at most COMMAND_LINE_BYTES, at most `max_commands` lines per session, mail in transit
    within the server-wide budget. A session ends after `max_session_seconds` whatever it does.
    Between commands the idle timeout runs from the last command that moved things on (NOOP and
    the like do not); in DATA it runs from the last bytes received, so a slow but steady sender
    is not cut off.
    """

    def __init__(self, handler: Handler, limits: ConnectionLimits, *, max_commands: int,
                 max_session_seconds: float, **kwargs):
        # RFC 5321 lines end at 1,000 bytes, but real clients send longer ones in DATA (unwrapped
        # HTML, base64 on one line, bare LF line ends) and a 500 would bounce a report for good:
        # a DATA line may be as long as a whole message. Command lines keep a short limit, so a
        # client cannot make the reader hold megabytes between commands. (Set before SMTP's
        # __init__, which sizes its stream reader by it; switched around DATA.)
        self.data_line_limit = max(SMTP.line_length_limit, (kwargs.get("data_size_limit") or 0) + 2)
        self.line_length_limit = COMMAND_LINE_BYTES
        super().__init__(handler, **kwargs)
        self.limits = limits
        self.max_commands = max_commands
        self.max_session_seconds = max_session_seconds
        self._admitted: str | None = None
        self._refused = False
        self._lines = 0          # command lines received in this session
        self._partial = 0        # bytes of the command line not yet ended
        self._in_data = False
        self._held = 0           # DATA bytes of this session counted in limits.held
        self._progress_at = 0.0
        self._expiry: asyncio.TimerHandle | None = None
        self._discarding = False
        self._linger: asyncio.TimerHandle | None = None
        self._smtp_methods = {name: self._watched(name, method) for name, method in self._smtp_methods.items()}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.transport is None and not self._refused and self._admitted is None
        if first:
            network = client_network(_peer_host(transport.get_extra_info("peername")))
            if self.limits.admit(network):
                self._admitted = network
                self._expiry = self.loop.call_later(self.max_session_seconds, self._expire)
            else:
                self._refused = True
        super().connection_made(transport)   # also after STARTTLS, with the TLS transport
        self._progress_at = self.loop.time()

    async def _handle_client(self) -> None:
        if self._refused:
            await self.push("421 4.7.0 Too many connections from your network, try again later")
            self.transport.close()
            return
        await super()._handle_client()

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        if self._in_data:
            # Bytes arriving are progress: the idle timeout starts again (an idle sender is still cut).
            self._reset_timeout()
            # Counted up to one message's size: past it, aiosmtpd discards what comes (552).
            counted = max(min(len(data), (self.data_size_limit or self.data_line_limit) - self._held), 0)
            self._held += counted
            self.limits.held += counted
            if self.limits.held > self.limits.max_data_bytes:
                return self._close("421 4.3.2 Too much mail in transit, try again later")
        else:
            self._lines += data.count(b"\n")
            if self._lines > self.max_commands:
                return self._close("421 4.7.0 Too many commands in one session, closing")
            if self._line_too_long(data):
                return self._close("500 5.5.2 Command line too long, closing")
        super().data_received(data)

    def _line_too_long(self, data: bytes) -> bool:
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            if self._partial + end - start > COMMAND_LINE_BYTES:
                return True
            self._partial, start = 0, end + 1
        self._partial += len(data) - start
        return self._partial > COMMAND_LINE_BYTES

    def _watched(self, name: str, method):
        async def watched(arg):
            if name in IDLE_COMMANDS:
                # aiosmtpd has just restarted the idle timeout; a command that moves nothing on
                # gets only what was left of it, so a NOOP loop cannot hold the connection.
                self._reset_timeout(max(self._progress_at + self._timeout_duration - self.loop.time(), 0.001))
            else:
                self._progress_at = self.loop.time()
            if name == "DATA":
                await self._data(method, arg)
            else:
                await method(arg)
        return watched

    async def _data(self, method, arg) -> None:
        self._set_line_limit(self.data_line_limit)
        self._in_data, self._partial = True, 0
        try:
            await method(arg)
        finally:
            self._in_data, self._partial = False, 0
            self._release_held()
            self._set_line_limit(COMMAND_LINE_BYTES)
            self._progress_at = self.loop.time()

    def _set_line_limit(self, limit: int) -> None:
        # aiosmtpd checks joined DATA lines against line_length_limit; the stream reader refuses
        # longer lines and pauses reading at twice its limit (StreamReader has no public setter).
        self.line_length_limit = limit
        self._reader._limit = limit

    def _release_held(self) -> None:
        self.limits.held -= self._held
        self._held = 0

    def _expire(self) -> None:
        self._close("421 4.4.2 Session lasted too long, closing")

    def _close(self, reply: str) -> None:
        """Say REPLY and end the session. Closing a socket with unread input makes the kernel send
        a reset, which can destroy the reply on its way: so the sending side is shut first, what
        still comes is read and dropped, and the connection closed LINGER_SECONDS later."""
        transport = self.transport
        if transport is None or transport.is_closing() or self._discarding:
            return
        log.info("%s: %s", _peer_host(self.session.peer if self.session else None), reply)
        self._discarding = True
        self._release_held()   # what this session received is dropped; others may use the room
        transport.write(reply.encode("ascii") + b"\r\n")
        if not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        if not transport.is_reading():
            transport.resume_reading()   # the stream reader paused it; nothing is fed to it now
        self._linger = self.loop.call_later(LINGER_SECONDS, transport.close)

    def connection_lost(self, error: Exception | None) -> None:
        if self._admitted is not None:
            self.limits.release(self._admitted)
            self._admitted = None
        for handle in (self._expiry, self._linger):
            if handle is not None:
                handle.cancel()
        self._release_held()
        super().connection_lost(error)


def client_network(host: str) -> str:
    """The network a client's address belongs to, as far as limits go: an IPv4 /24 or an IPv6 /64
    (what one customer usually gets), an IPv4-mapped IPv6 address as its IPv4 address."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _peer_host(peer) -> str:
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "unknown")


async def start(store: Store, settings: SmtpSettings, on_accepted: Callable[[], None] = lambda: None,
                backlog: Backlog = UNLIMITED) -> asyncio.Server:
    """Listen on the bot's own event loop (not in a Controller thread)."""
    handler = Handler(store, settings, on_accepted, backlog)
    limits = ConnectionLimits(settings.max_connections, settings.max_connections_per_client,
                              settings.max_data_bytes_in_flight)
    context = server_context(settings.tls_cert_file, settings.tls_key_file)

    def factory() -> LimitedSMTP:
        return LimitedSMTP(
            handler,
            limits,
            max_commands=settings.max_commands_per_session,
            max_session_seconds=settings.max_session_seconds,
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
