"""An IMAP reader whose store has a full backlog leaves the rest of the mail on the server,
unflagged, and reads it once the pipeline has caught up."""

from __future__ import annotations

import time

from sqlalchemy import update
from sqlmodel import func, select

from config.schema import MailboxSettings
from intake import backlog as backlog_module
from intake.backlog import Backlog
from intake.email import imap
from intake.email.imap import Mailboxes
from store.models import Inbound, InboundStatus
from tests.imap.conftest import mailbox, new_user, report, wait_for


def stored(store) -> int:
    with store.reading() as session:
        return session.exec(select(func.count(Inbound.id))).one()


def test_a_full_backlog_leaves_mail_on_the_server_until_it_drains(dovecot, store, monkeypatch):
    monkeypatch.setattr(backlog_module, "REFRESH_SECONDS", 0.0)
    monkeypatch.setattr(imap, "BACKLOG_WAIT_SECONDS", 0.2)
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(n) for n in range(1, 6)])
    mailboxes = Mailboxes([MailboxSettings.model_validate(mailbox(dovecot, "secretary", user, batch_size=1))])
    mailboxes.start(store, backlog=Backlog(store, 2))
    try:
        wait_for(lambda: stored(store) == 2)
        time.sleep(1.0)
        assert stored(store) == 2
        flags = dovecot.flags(user)
        assert sum(1 for f in flags.values() if b"$Filed" in f) == 2
        with store.transaction() as session:
            session.exec(update(Inbound).values(status=InboundStatus.FILED))
        wait_for(lambda: stored(store) >= 4)
    finally:
        mailboxes.stop(timeout=30)
