"""IMAP intake: one thread per configured mailbox reads new mail into the store, in UID order.

For each message, in this order and no other: accept() makes the raw bytes and the arrival durable
(external id "UIDVALIDITY:UID"); then the message is marked on the server (\\Seen and $Filed, or
moved); then the stored position advances past it. A crash between any two steps makes the reader
fetch the message again: accept() knows it (created=False), it is marked, nothing is filed twice.
A network error or a server restart is logged and the reader reconnects after a backoff.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping

from config import ConfigError
from config.schema import MailboxSettings
from intake.accept import Arrival, accept
from intake.backlog import UNLIMITED, Backlog
from intake.email import imap_cursor
from intake.email.imap_cursor import Cursor
from intake.email.imap_session import MailboxSession
from net.backoff import Backoff
from store.store import Store

log = logging.getLogger(__name__)
# How often a reader held back by a full backlog looks again (short: a server's idle timeout is minutes).
BACKLOG_WAIT_SECONDS = 5.0


class NotStored(Exception):
    """A new message could not be fetched or made durable; it stays unmarked and is read again."""


class MailboxReader(threading.Thread):
    """Reads one mailbox until STOP is set; never raises, whatever the server or the store do."""

    def __init__(self, settings: MailboxSettings, password: str, store: Store, stop: threading.Event,
                 on_accepted: Callable[[], None] = lambda: None, backlog: Backlog = UNLIMITED):
        super().__init__(name=f"imap-{settings.name}", daemon=True)
        self.settings = settings
        self.password = password
        self.store = store
        self.stop = stop
        self.on_accepted = on_accepted
        self.backlog = backlog
        self.backoff = Backoff()

    def run(self) -> None:
        name = self.settings.name
        while not self.stop.is_set():
            try:
                self._connected()
            except Exception as exc:  # network, server or store: log, wait, start over
                delay = self.backoff.next()
                log.warning("mailbox %s: %s: %s; reconnecting in %.1f s", name, type(exc).__name__, exc, delay,
                            exc_info=True)
                self.stop.wait(delay)
        log.info("mailbox %s: stopped", name)

    def _connected(self) -> None:
        settings = self.settings
        session = MailboxSession.open(settings, self.password)
        try:
            cursor = imap_cursor.begin(self.store, settings.name, session.uidvalidity)
            log.info("mailbox %s: %s@%s:%s/%s, UIDVALIDITY %s, read up to UID %s, %s", settings.name,
                     settings.username, settings.host, settings.port, settings.folder, cursor.uidvalidity,
                     cursor.last_uid, "IDLE" if session.can_idle else f"polling every {settings.poll_seconds:g} s")
            while not self.stop.is_set():
                cursor, held_back = self._drain(session, cursor)
                self.backoff.reset()
                if held_back:
                    # Mail left unread stays on the server and IDLE would not wake for it again:
                    # look again soon, even if the backlog has drained since it was counted.
                    self.stop.wait(min(settings.poll_seconds, BACKLOG_WAIT_SECONDS))
                elif not self.stop.is_set():
                    session.wait(self.stop, settings.poll_seconds)
        finally:
            session.close()

    def _drain(self, session: MailboxSession, cursor: Cursor) -> tuple[Cursor, bool]:
        """Read what is new; the cursor, and True when a full backlog left some of it unread."""
        # Until a search finds nothing new: the server announces mail that arrives meanwhile in
        # the replies to our own commands, where imapclient does not show it, and not again in
        # the IDLE that follows; only a search run last, right before IDLE, closes that gap.
        while not self.stop.is_set():
            uids = session.uids_after(cursor.last_uid)
            if not uids:
                break
            log.info("mailbox %s: %d new messages after UID %s", self.settings.name, len(uids), cursor.last_uid)
            size = self.settings.batch_size
            # One batch in memory at a time, however long the backlog.
            for start in range(0, len(uids), size):
                if self.stop.is_set():
                    break
                if self.backlog.full():
                    log.info("mailbox %s: the backlog is full; the rest stays on the server for now",
                             self.settings.name)
                    return cursor, True
                cursor = self._batch(session, cursor, uids[start:start + size])
        return cursor, False

    def _batch(self, session: MailboxSession, cursor: Cursor, uids: list[int]) -> Cursor:
        # Not in `fresh`: expunged meanwhile, or carrying $Filed (stored before a renumbering,
        # or by another reader of this mailbox). Either way there is nothing to store.
        fresh = session.unfiled(uids)
        bodies = session.bodies(sorted(fresh)) if fresh else {}
        accepted: list[int] = []
        done_up_to = cursor.last_uid
        problem: tuple[int, Exception | None] | None = None
        for uid in uids:
            if self.stop.is_set():
                break
            if uid in fresh:
                raw = bodies.pop(uid, None)
                if raw is None:
                    if session.still_there(uid):
                        problem = (uid, None)
                        break
                    done_up_to = uid   # expunged between the search and the fetch
                    continue
                try:
                    _, created = accept(self.store, raw, self._arrival(cursor, uid))
                except Exception as exc:
                    problem = (uid, exc)
                    break
                accepted.append(uid)
                if created:
                    self.on_accepted()
            done_up_to = uid
        # Stored before but still in the folder (a stop between storing and moving): move them now.
        leftovers = session.filed_but_kept([u for u in uids if u <= done_up_to]) if session.move_to else set()
        if accepted or leftovers:
            session.mark(sorted({*accepted, *leftovers}))
        if done_up_to > cursor.last_uid:
            cursor = imap_cursor.advance(self.store, self.settings.name, cursor, done_up_to)
        if problem is not None:
            uid, cause = problem
            if cause is None:
                raise NotStored(f"the server returned no body for UID {uid}")
            raise NotStored(f"message UID {uid} could not be stored: {cause}") from cause
        return cursor

    def _arrival(self, cursor: Cursor, uid: int) -> Arrival:
        return Arrival(
            channel="email",
            mailbox=self.settings.name,
            external_id=f"{cursor.uidvalidity}:{uid}",
            envelope_to=[self.settings.address.lower()],
            peer=self.settings.host,
        )


class Mailboxes:
    """The readers of every [[mailbox]]; built at start-up so a missing password stops it at once."""

    def __init__(self, settings: list[MailboxSettings], environ: Mapping[str, str] | None = None):
        environ = os.environ if environ is None else environ
        twice = [name for name, count in Counter(m.name for m in settings).items() if count > 1]
        if twice:
            raise ConfigError(f"setting mailbox: the name {twice[0]!r} is used by more than one mailbox")
        for mailbox in settings:
            if mailbox.after == f"move:{mailbox.folder}":
                raise ConfigError(f"setting mailbox {mailbox.name}: after moves filed mail into the folder it reads")
        self.settings = settings
        self.passwords = {m.name: _password(m, environ) for m in settings}
        self.stop_event = threading.Event()
        self.readers: list[MailboxReader] = []

    def start(self, store: Store, on_accepted: Callable[[], None] = lambda: None,
              backlog: Backlog = UNLIMITED) -> None:
        for mailbox in self.settings:
            if mailbox.tls == "none" and mailbox.host not in ("127.0.0.1", "::1", "localhost"):
                log.warning("mailbox %s: tls = \"none\": the password goes to %s in clear text",
                            mailbox.name, mailbox.host)
            reader = MailboxReader(mailbox, self.passwords[mailbox.name], store, self.stop_event, on_accepted,
                                   backlog)
            reader.start()
            self.readers.append(reader)

    def stop(self, timeout: float = 30) -> None:
        """Ask every reader to stop and wait for them (blocking: call it off the event loop)."""
        self.stop_event.set()
        for reader in self.readers:
            reader.join(timeout)
            if reader.is_alive():
                log.error("mailbox %s: reader did not stop within %g s", reader.settings.name, timeout)


def _password(mailbox: MailboxSettings, environ: Mapping[str, str]) -> str:
    value = environ.get(mailbox.password_env)
    if not value:
        raise ConfigError(f"setting mailbox {mailbox.name}: password_env names {mailbox.password_env}, "
                          "which is not set in the environment")
    return value
