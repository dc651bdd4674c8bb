"""The IMAP readers against a real Dovecot and a real store (no pipeline): what is stored, when the
server is told, and how the readers ride out restarts, renumbered folders and failing storage."""

from __future__ import annotations

import email
import logging
import threading
import time

import pytest
from sqlmodel import select

from config import ConfigError
from config.schema import MailboxSettings
from intake.email.imap import Mailboxes
from intake.email.imap_cursor import load
from intake.email.imap_session import MailboxSession
from store.models import Inbound
from tests.imap.conftest import mailbox, new_user, reading, report, wait_for
from tests.imap.dovecot import PASSWORD

SEEN, FILED = b"\\Seen", b"$Filed"


def rows(store) -> list[Inbound]:
    with store.transaction() as session:
        return list(session.exec(select(Inbound).order_by(Inbound.id)).all())


def filed_on_server(flags: dict) -> bool:
    return bool(flags) and all(SEEN in f and FILED in f for f in flags.values())


def test_new_mail_is_stored_then_flagged_and_the_position_kept(dovecot, store):
    user = new_user(dovecot, "secretary")
    sent = [report(n) for n in range(1, 4)]
    dovecot.append(user, sent)
    uidvalidity = dovecot.uidvalidity(user)
    with reading(store, [mailbox(dovecot, "secretary", user)]):
        wait_for(lambda: filed_on_server(dovecot.flags(user)) and len(dovecot.flags(user)) == 3)
    stored = rows(store)
    assert [(r.channel, r.mailbox, r.external_id) for r in stored] == [
        ("email", "secretary", f"{uidvalidity}:{uid}") for uid in (1, 2, 3)
    ]
    assert [r.envelope_to for r in stored] == [["secretary@jiwei.example"]] * 3
    for row, raw in zip(stored, sent, strict=True):
        kept = store.blobs.read(row.raw_sha256)
        assert kept.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert load(store, "secretary") == (uidvalidity, 3)


def test_two_mailboxes_are_read_at_once_each_under_its_own_name(dovecot, store):
    secretary, clean = new_user(dovecot, "secretary"), new_user(dovecot, "clean")
    dovecot.append(secretary, [report(n) for n in range(1, 3)])
    dovecot.append(clean, [report(n) for n in range(3, 6)])
    settings = [mailbox(dovecot, "secretary", secretary), mailbox(dovecot, "clean", clean)]
    with reading(store, settings) as mailboxes:
        wait_for(lambda: len(rows(store)) == 5)
        assert len(mailboxes.readers) == 2
        dovecot.append(clean, [report(6)])
        wait_for(lambda: len(rows(store)) == 6)
    by_mailbox = sorted((r.mailbox, r.external_id.split(":")[1]) for r in rows(store))
    assert by_mailbox == [("clean", "1"), ("clean", "2"), ("clean", "3"), ("clean", "4"),
                          ("secretary", "1"), ("secretary", "2")]
    assert filed_on_server(dovecot.flags(secretary)) and filed_on_server(dovecot.flags(clean))


def test_mail_arriving_while_the_reader_idles_is_stored_well_before_the_poll_interval(dovecot, store, caplog):
    caplog.set_level(logging.DEBUG, logger="intake.email.imap_session")
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(1)])
    with reading(store, [mailbox(dovecot, "secretary", user, poll_seconds=60)]):
        wait_for(lambda: len(rows(store)) == 1)
        wait_for(lambda: any("waiting in IDLE" in r.getMessage() for r in caplog.records))
        started = time.monotonic()
        dovecot.append(user, [report(2)])
        wait_for(lambda: len(rows(store)) == 2, timeout=20)
        assert time.monotonic() - started < 5
        # Stopping does not wait for the IDLE to run out.
        started = time.monotonic()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("tls", ["none", "implicit", "starttls"])
def test_mail_that_arrives_between_the_last_search_and_idle_wakes_the_reader(dovecot, monkeypatch, tls):
    # The server announces it with its very first words in IDLE, in the same packet as
    # "+ idling", so that the client reads them into its buffer before anyone polls the socket.
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(1)])
    where = {"port": dovecot.tls_port, "host": "localhost"} if tls == "implicit" else {}
    settings = MailboxSettings.model_validate(mailbox(dovecot, "secretary", user, tls=tls, poll_seconds=20, **where))
    session = MailboxSession.open(settings, PASSWORD)
    try:
        assert len(session.uids_after(0)) == 1
        dovecot.append(user, [report(2)])
        started = time.monotonic()
        session.wait(threading.Event(), settings.poll_seconds)
        assert time.monotonic() - started < 5
        assert len(session.uids_after(0)) == 2
    finally:
        session.close()


def test_mailbox_without_idle_is_polled(dovecot, store, caplog):
    caplog.set_level(logging.DEBUG, logger="intake.email.imap_session")
    user = new_user(dovecot, "clean")
    with reading(store, [mailbox(dovecot, "clean", user, idle=False, poll_seconds=0.5)]):
        time.sleep(0.3)
        dovecot.append(user, [report(1)])
        wait_for(lambda: len(rows(store)) == 1, timeout=10)
    assert not any("waiting in IDLE" in r.getMessage() for r in caplog.records)


def test_storage_failure_leaves_the_message_unmarked_and_it_is_read_again(dovecot, store, monkeypatch):
    import intake.email.imap

    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(1), report(2)])
    real_accept = intake.email.imap.accept
    seen_at_failure = []

    def failing(store_, raw, arrival):
        if len(seen_at_failure) < 2:
            seen_at_failure.append(dovecot.flags(user))
            raise OSError(28, "No space left on device")
        return real_accept(store_, raw, arrival)

    monkeypatch.setattr(intake.email.imap, "accept", failing)
    with reading(store, [mailbox(dovecot, "secretary", user)]):
        wait_for(lambda: filed_on_server(dovecot.flags(user)), timeout=20)
    assert len(seen_at_failure) == 2
    for flags in seen_at_failure:
        assert not any(SEEN in f or FILED in f for f in flags.values()), "marked before it was stored"
    assert [r.external_id.split(":")[1] for r in rows(store)] == ["1", "2"]


def test_connection_lost_between_storing_and_marking_stores_nothing_twice(dovecot, store, monkeypatch):
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(1), report(2)])
    real_mark = MailboxSession.mark
    calls = []

    def dying(self, uids):
        calls.append(list(uids))
        if len(calls) == 1:
            self.client.shutdown()   # as if the server went away right after our commit
            raise OSError(104, "Connection reset by peer")
        return real_mark(self, uids)

    monkeypatch.setattr(MailboxSession, "mark", dying)
    announced = []
    with reading(store, [mailbox(dovecot, "secretary", user)], on_accepted=lambda: announced.append(1)):
        wait_for(lambda: filed_on_server(dovecot.flags(user)), timeout=20)
    assert calls[0] == [1, 2] and calls[1] == [1, 2]
    assert len(rows(store)) == 2
    assert len(announced) == 2   # the second reading found them stored already


def test_dovecot_restart_mid_run_the_reader_reconnects_and_goes_on(private_dovecot, store, caplog):
    server = private_dovecot
    user = new_user(server, "secretary")
    server.append(user, [report(1), report(2)])
    with reading(store, [mailbox(server, "secretary", user)]):
        wait_for(lambda: len(rows(store)) == 2)
        server.stop()
        time.sleep(1.5)   # the reader finds the server gone and retries meanwhile
        server.start()
        server.append(user, [report(3), report(4)])
        wait_for(lambda: len(rows(store)) == 4, timeout=30)
        wait_for(lambda: filed_on_server(server.flags(user)))
    assert [r.external_id.split(":")[1] for r in rows(store)] == ["1", "2", "3", "4"]
    assert any("reconnecting in" in r.getMessage() for r in caplog.records)


def test_folder_recreated_under_a_new_uidvalidity_is_read_from_its_first_message(dovecot, store):
    user = new_user(dovecot, "clean")
    dovecot.append(user, [report(n) for n in range(1, 4)], folder="Reports")
    old = dovecot.uidvalidity(user, "Reports")
    with reading(store, [mailbox(dovecot, "clean", user, folder="Reports")]):
        wait_for(lambda: len(rows(store)) == 3)
        with dovecot.client(user) as client:
            client.delete_folder("Reports")
            time.sleep(1.1)   # Dovecot derives UIDVALIDITY from the clock
            client.create_folder("Reports")
        # New UIDs 1 and 2, below the 3 already read under the old UIDVALIDITY: not skipped.
        dovecot.append(user, [report(4), report(5)], folder="Reports")
        wait_for(lambda: len(rows(store)) == 5, timeout=30)
    new = dovecot.uidvalidity(user, "Reports")
    assert new != old
    assert [r.external_id for r in rows(store)] == [f"{old}:1", f"{old}:2", f"{old}:3", f"{new}:1", f"{new}:2"]
    assert load(store, "clean") == (new, 2)


def test_renumbered_while_down_mail_already_filed_is_not_read_again(private_dovecot, store):
    server = private_dovecot
    user = new_user(server, "secretary")
    sent = [report(n) for n in range(1, 6)]
    server.append(user, sent[:3])
    settings = [mailbox(server, "secretary", user)]
    with reading(store, settings):
        wait_for(lambda: filed_on_server(server.flags(user)))
    old = server.uidvalidity(user)
    server.stop()
    server.forget_uids(user)
    server.start()
    server.append(user, sent[3:])
    new = server.uidvalidity(user)
    assert new != old
    with reading(store, settings):
        wait_for(lambda: len(server.flags(user)) == 5 and filed_on_server(server.flags(user)), timeout=30)
        wait_for(lambda: load(store, "secretary") == (new, 5))
    stored = rows(store)
    assert [r.external_id for r in stored[:3]] == [f"{old}:1", f"{old}:2", f"{old}:3"]
    # Only the two new messages were read again (Dovecot renumbers in its own order).
    assert len(stored) == 5 and all(r.external_id.startswith(f"{new}:") for r in stored[3:])
    assert sorted(_message_id(store, r) for r in stored[3:]) == sorted(_message_id_of(raw) for raw in sent[3:])


def test_filed_mail_is_moved_to_the_configured_folder(dovecot, store):
    user = new_user(dovecot, "clean")
    dovecot.append(user, [report(n) for n in range(1, 4)])
    with reading(store, [mailbox(dovecot, "clean", user, after="move:Filed")]):
        wait_for(lambda: len(dovecot.flags(user, "Filed")) == 3 if _exists(dovecot, user, "Filed") else False)
    assert dovecot.flags(user) == {}
    assert filed_on_server(dovecot.flags(user, "Filed"))
    assert len(rows(store)) == 3


def test_without_move_support_filed_mail_is_copied_and_expunged(dovecot, store, monkeypatch):
    real_init = MailboxSession.__init__

    def without_move(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self.can_move = False

    monkeypatch.setattr(MailboxSession, "__init__", without_move)
    user = new_user(dovecot, "clean")
    dovecot.append(user, [report(n) for n in range(1, 3)])
    with reading(store, [mailbox(dovecot, "clean", user, after="move:Done")]):
        wait_for(lambda: dovecot.flags(user) == {} and _exists(dovecot, user, "Done"))
    assert filed_on_server(dovecot.flags(user, "Done")) and len(dovecot.flags(user, "Done")) == 2


def test_backlog_is_read_one_batch_at_a_time(dovecot, store, monkeypatch):
    sizes = []
    real_bodies = MailboxSession.bodies

    def counting(self, uids):
        sizes.append(len(uids))
        return real_bodies(self, uids)

    monkeypatch.setattr(MailboxSession, "bodies", counting)
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(n) for n in range(1, 31)])
    with reading(store, [mailbox(dovecot, "secretary", user, batch_size=7)]):
        wait_for(lambda: len(rows(store)) == 30)
    assert sizes == [7, 7, 7, 7, 2]


def test_implicit_tls_and_starttls_mailboxes_are_read(dovecot, store, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))   # the office's own CA, as an admin adds it
    implicit, starttls = new_user(dovecot, "secretary"), new_user(dovecot, "clean")
    dovecot.append(implicit, [report(1)])
    dovecot.append(starttls, [report(2)])
    settings = [
        mailbox(dovecot, "secretary", implicit, tls="implicit", port=dovecot.tls_port, host="localhost"),
        mailbox(dovecot, "clean", starttls, tls="starttls", host="127.0.0.1"),
    ]
    with reading(store, settings):
        wait_for(lambda: len(rows(store)) == 2)
    assert sorted(r.mailbox for r in rows(store)) == ["clean", "secretary"]


def test_untrusted_certificate_is_refused_and_nothing_is_read(dovecot, store, caplog):
    user = new_user(dovecot, "secretary")
    dovecot.append(user, [report(1)])
    with reading(store, [mailbox(dovecot, "secretary", user, tls="starttls")]):
        wait_for(lambda: any("CERTIFICATE_VERIFY_FAILED" in r.getMessage() for r in caplog.records))
    assert rows(store) == []
    assert not any(SEEN in f for f in dovecot.flags(user).values())


def test_missing_password_variable_is_a_one_line_configuration_error(monkeypatch):
    monkeypatch.delenv("INTAKE_MAILBOX_SECRETARY_PASSWORD", raising=False)
    settings = MailboxSettings(name="secretary", address="shuji@jiwei.example", username="shuji",
                               password_env="INTAKE_MAILBOX_SECRETARY_PASSWORD")
    with pytest.raises(ConfigError) as error:
        Mailboxes([settings])
    assert "INTAKE_MAILBOX_SECRETARY_PASSWORD" in str(error.value) and "\n" not in str(error.value)


def test_two_mailboxes_with_one_name_are_a_configuration_error(monkeypatch):
    monkeypatch.setenv("P", "x")
    one = MailboxSettings(name="secretary", address="a@jiwei.example", username="a", password_env="P")
    with pytest.raises(ConfigError, match="secretary"):
        Mailboxes([one, one])


def _message_id_of(raw: bytes) -> str:
    return email.message_from_bytes(raw)["Message-ID"]


def _message_id(store, row: Inbound) -> str:
    return _message_id_of(store.blobs.read(row.raw_sha256))


def _exists(server, user, folder) -> bool:
    with server.client(user) as client:
        return client.folder_exists(folder)




def test_moving_filed_mail_into_the_folder_it_came_from_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("P", "x")
    looping = MailboxSettings(name="clean", address="a@jiwei.example", username="a", password_env="P",
                              folder="Reports", after="move:Reports")
    with pytest.raises(ConfigError, match="clean"):
        Mailboxes([looping])
