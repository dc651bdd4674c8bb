"""One IMAP connection to one mailbox: TLS, login, the watched folder, and the few commands intake
needs (new UIDs, flags, bodies, marking, waiting in IDLE). Connection state only; what happens to
each message is decided in intake/email/imap.py.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time

from imapclient import DELETED, SEEN, IMAPClient, SocketTimeout

from config.schema import MailboxSettings
from net.tls import client_context

log = logging.getLogger(__name__)

FILED = b"$Filed"                   # our keyword: this message is in the store
IDLE_RENEW_SECONDS = 29 * 60        # RFC 2177: a server may drop a client idling for 30 minutes
STOP_CHECK_SECONDS = 0.5            # how soon a waiting reader notices it is asked to stop
TIMEOUTS = SocketTimeout(connect=15, read=120)


class MailboxSession:
    """A logged-in connection with the mailbox's folder selected read-write."""

    def __init__(self, client: IMAPClient, settings: MailboxSettings, uidvalidity: int):
        self.client = client
        self.settings = settings
        self.uidvalidity = uidvalidity
        self.move_to = settings.after[len("move:"):] if settings.after.startswith("move:") else None
        self.can_idle = settings.idle and client.has_capability("IDLE")
        self.can_move = client.has_capability("MOVE")
        self.can_uid_expunge = client.has_capability("UIDPLUS")

    @classmethod
    def open(cls, settings: MailboxSettings, password: str) -> MailboxSession:
        client = _connect(settings)
        try:
            client.login(settings.username, password)
            selected = client.select_folder(settings.folder)
            session = cls(client, settings, int(selected[b"UIDVALIDITY"]))
            if session.move_to and not client.folder_exists(session.move_to):
                log.info("mailbox %s: creating folder %s for filed mail", settings.name, session.move_to)
                client.create_folder(session.move_to)
        except BaseException:
            _drop(client, settings.name)
            raise
        return session

    # -- reading -------------------------------------------------------------------------------

    def uids_after(self, last_uid: int) -> list[int]:
        # "UID n:*" always matches the newest message, even when its UID is below n.
        return sorted(uid for uid in self.client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)

    def unfiled(self, uids: list[int]) -> set[int]:
        """Those of UIDS still in the folder and not yet carrying $Filed."""
        return self._search(uids, "UNKEYWORD", FILED)

    def filed_but_kept(self, uids: list[int]) -> set[int]:
        """Those of UIDS marked filed but still here, neither moved nor deleted (move mode)."""
        return self._search(uids, "KEYWORD", FILED, "UNDELETED")

    def still_there(self, uid: int) -> bool:
        return bool(self._search([uid]))

    def bodies(self, uids: list[int]) -> dict[int, bytes]:
        # BODY.PEEK: reading does not set \Seen; that happens only once the message is stored.
        fetched = self.client.fetch(uids, ["BODY.PEEK[]"])
        # A FETCH the server volunteers (another client changed flags) is keyed by sequence
        # number and never carries a body, so only entries with a body are taken.
        return {uid: data[b"BODY[]"] for uid, data in fetched.items()
                if uid in uids and data.get(b"BODY[]") is not None}

    def _search(self, uids: list[int], *criteria) -> set[int]:
        # SEARCH rather than FETCH FLAGS: search results are UIDs, whereas a FETCH response the
        # server sends unasked is keyed by sequence number and could pass for another message.
        found = self.client.search(["UID", uid_set(uids), *criteria])
        return set(found) & set(uids)

    # -- marking -------------------------------------------------------------------------------

    def mark(self, uids: list[int]) -> None:
        """Say on the server that UIDS are filed: \\Seen and $Filed, then moved if so configured."""
        self.client.add_flags(uids, [SEEN, FILED], silent=True)
        if self.move_to is None:
            return
        if self.can_move:
            self.client.move(uids, self.move_to)
            return
        self.client.copy(uids, self.move_to)
        self.client.add_flags(uids, [DELETED], silent=True)
        if self.can_uid_expunge:
            self.client.uid_expunge(uids)
        else:
            # A plain EXPUNGE would also remove what someone else marked deleted; leave ours
            # marked (they carry $Filed, so they are not read again).
            log.warning("mailbox %s: server has neither MOVE nor UIDPLUS; filed messages stay in %s "
                        "marked \\Deleted", self.settings.name, self.settings.folder)

    # -- waiting -------------------------------------------------------------------------------

    def wait(self, stop: threading.Event, seconds: float) -> None:
        """Until the folder may have news (IDLE), SECONDS pass, or STOP is set."""
        if not self.can_idle:
            self._sleep(stop, seconds)
            return
        deadline = time.monotonic() + min(seconds, IDLE_RENEW_SECONDS)
        self.client.idle()
        log.debug("mailbox %s: waiting in IDLE", self.settings.name)
        # Mail that came after our last search is announced at once: then look at the folder now.
        news = self._news_already_read()
        while not news and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            step = min(left, STOP_CHECK_SECONDS)
            started = time.monotonic()
            responses = self.client.idle_check(timeout=step)
            if any(not (r and r[0] == b"OK") for r in responses):
                break   # EXISTS, EXPUNGE, BYE...: look at the folder (or find the connection gone)
            if not responses and time.monotonic() - started < step / 2:
                # Woken with nothing to read: the server closed the connection. DONE will tell.
                break
        self.client.idle_done()

    def _news_already_read(self) -> bool:
        """Whether the server's first words in IDLE hold news (EXISTS, EXPUNGE...).

        A server announces mail that arrived since our last command right after "+ idling",
        often in the same packet; imaplib's buffered reader then takes both off the socket at
        once, and idle_check(), which polls the socket, would not see the news until the next
        packet: up to a whole poll interval later. So look into that buffer, without blocking.
        """
        sock = self.client.socket()
        timeout = sock.gettimeout()
        sock.settimeout(0)
        try:
            pending = self.client._imap.file.peek(1)
        except (BlockingIOError, ssl.SSLWantReadError):
            return False
        finally:
            sock.settimeout(timeout)
        return any(line and not line.startswith(b"* OK") for line in pending.split(b"\r\n"))

    def _sleep(self, stop: threading.Event, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if stop.wait(min(left, IDLE_RENEW_SECONDS)):
                return
            if deadline - time.monotonic() > 0:
                self.client.noop()   # a long poll interval must not let the server log us out

    def close(self) -> None:
        _drop(self.client, self.settings.name)


def uid_set(uids: list[int]) -> str:
    """1,2,3,5 as "1:3,5": a backlog's long runs of UIDs stay a short command."""
    runs: list[list[int]] = []
    for uid in sorted(uids):
        if runs and uid == runs[-1][1] + 1:
            runs[-1][1] = uid
        else:
            runs.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in runs)


def _connect(settings: MailboxSettings) -> IMAPClient:
    if settings.tls == "implicit":
        return IMAPClient(settings.host, settings.port, ssl=True, ssl_context=client_context(), timeout=TIMEOUTS)
    client = IMAPClient(settings.host, settings.port, ssl=False, timeout=TIMEOUTS)
    if settings.tls == "starttls":
        try:
            # Raises when the server does not offer STARTTLS: never fall back to plain text.
            client.starttls(client_context())
        except BaseException:
            _drop(client, settings.name)
            raise
    return client


def _drop(client: IMAPClient, name: str) -> None:
    try:
        client.logout()
    except Exception as exc:  # the connection is often dead already when we get here
        log.info("mailbox %s: logout did not complete (%s: %s); closing the socket", name, type(exc).__name__, exc)
        try:
            client.shutdown()
        except Exception:
            log.debug("mailbox %s: socket already closed", name, exc_info=True)
