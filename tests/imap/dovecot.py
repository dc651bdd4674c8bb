"""A real Dovecot for the tests and the IMAP benchmark: a generated standalone config in a
temporary folder, IMAP (and optionally IMAPS/STARTTLS) on loopback ports, mail delivered by APPEND.

Started as root, so: login processes run as `dovenull`, mail belongs to the unprivileged `dovecot`
user, and the folder is world-traversable for Dovecot's own processes. Any user name logs in with
PASSWORD (a static passdb): a passwd-file is re-read at most once a second, so users added on the
fly by the tests would sometimes be refused.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from imapclient import IMAPClient

MAIL_USER = "dovecot"
LOGIN_USER = "dovenull"
PASSWORD = "s3cret-Passw0rd"


def missing() -> str | None:
    """Why Dovecot cannot be started here, or None."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "starting Dovecot with its own users needs root"
    for user in (MAIL_USER, LOGIN_USER):
        try:
            pwd.getpwnam(user)
        except KeyError:
            return f"user {user!r} is missing (it comes with the dovecot-core package)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


class Dovecot:
    """One Dovecot instance, started and stopped as a process group of its own."""

    def __init__(self, root: Path | None = None, *, tls: bool = False):
        self.root = Path(root or tempfile.mkdtemp(prefix="dovecot-"))
        self._own_root = root is None
        self.tls = tls
        self.port = _free_port()                     # plain IMAP, with STARTTLS when tls is on
        self.tls_port = _free_port() if tls else 0   # implicit TLS
        self.conf = self.root / "dovecot.conf"
        self.mail = self.root / "mail"
        self.log = self.root / "dovecot.log"
        self.cert = self.root / "cert.pem"
        self.key = self.root / "key.pem"
        self.process: subprocess.Popen | None = None
        self._prepare()

    # -- set-up --------------------------------------------------------------------------------

    def _prepare(self) -> None:
        owner = pwd.getpwnam(MAIL_USER)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)   # mkdtemp makes it 0700; Dovecot's own users must get in
        for name in ("run", "state"):
            (self.root / name).mkdir(exist_ok=True)
        self.mail.mkdir(exist_ok=True)
        os.chown(self.mail, owner.pw_uid, owner.pw_gid)
        if self.tls:
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-keyout", str(self.key), "-out", str(self.cert), "-subj", "/CN=127.0.0.1",
                 "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                check=True, capture_output=True,
            )
        self.conf.write_text(self._config(owner.pw_uid, owner.pw_gid))

    def _config(self, uid: int, gid: int) -> str:
        ssl_lines = (
            f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{self.key}\nssl_min_protocol = TLSv1.2\n"
            if self.tls else "ssl = no\n"
        )
        return f"""\
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = dovecot-test-{self.port}
log_path = {self.log}
protocols = imap
listen = 127.0.0.1
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {LOGIN_USER}
default_internal_user = {MAIL_USER}
default_internal_group = {MAIL_USER}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{self.mail}/%u
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"""

    def add_user(self, name: str) -> str:
        """A mailbox user (created by Dovecot at first login; every name has PASSWORD)."""
        return name

    # -- life cycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 20) -> None:
        log = open(self.root / "foreground.log", "ab")
        # A process group of its own, so that stopping it takes its children down too.
        self.process = subprocess.Popen(["dovecot", "-c", str(self.conf), "-F"], stdout=log, stderr=log,
                                        start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the master and every process it started at once, as `systemctl stop` does: IMAP
        processes outlive a master stopped alone, and their clients would not notice the restart."""
        if self.process is None:
            return
        group, master = self.process.pid, self.process
        self.process = None
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if master.poll() is not None and not _group_alive(group):
                    return
                time.sleep(0.02)
        master.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, size: int = 3000) -> str:
        text = ""
        for path in (self.log, self.root / "foreground.log"):
            if path.exists():
                text += path.read_text(errors="replace")[-size:]
        return text

    # -- mail ----------------------------------------------------------------------------------

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.tls:
            context.load_verify_locations(self.cert)
        return context

    @contextlib.contextmanager
    def client(self, user: str, password: str = PASSWORD) -> Iterator[IMAPClient]:
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=30)
        try:
            client.login(user, password)
            yield client
        finally:
            with contextlib.suppress(Exception):   # the server may be gone already; nothing to keep
                client.logout()

    def append(self, user: str, messages: Iterable[bytes], folder: str = "INBOX", chunk: int = 100) -> None:
        """Deliver MESSAGES as a mail server's delivery agent would leave them: unread, in order."""
        with self.client(user) as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            batch: list[bytes] = []
            for raw in messages:
                batch.append(raw)
                if len(batch) >= chunk:
                    client.multiappend(folder, batch)
                    batch = []
            if batch:
                client.multiappend(folder, batch)

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            return {uid: data[b"FLAGS"] for uid, data in client.fetch(uids, ["FLAGS"]).items()} if uids else {}

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        with self.client(user) as client:
            return client.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]

    def maildir(self, user: str, folder: str = "INBOX") -> Path:
        base = self.mail / user
        return base if folder == "INBOX" else base / f".{folder}"

    def forget_uids(self, user: str, folder: str = "INBOX") -> None:
        """While stopped: drop the UID list and indexes, so the folder comes back with a new
        UIDVALIDITY and renumbered messages (flags and keywords live in the file names and stay)."""
        assert self.process is None, "stop Dovecot first"
        directory = self.maildir(user, folder)
        for path in directory.iterdir():
            if path.name == "dovecot-uidlist" or path.name.startswith("dovecot.index"):
                path.unlink()
        for path in (self.mail / user).glob("dovecot.list.index*"):
            path.unlink()
