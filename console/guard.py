"""What stands between the open network and the console's pages: security headers on every
answer, the signed-in account of a request (server-side sessions with idle and absolute limits),
CSRF checks on every change, and slowing an address that keeps failing to sign in."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from store import staff
from store.store import Store

COOKIE = "intake_session"
LOGIN_COOKIE = "intake_login"
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=12)
SLOW_AFTER = 5                       # failed logins from one address ...
SLOW_FOR = timedelta(minutes=15)     # ... refuse it this long
TRACKED_ADDRESSES = 10_000           # bounded: a flood of addresses forgets the oldest

HEADERS = {
    # No script runs but files of our own origin; nothing frames the console.
    "content-security-policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: HEADERS on every HTTP answer (a page may not weaken them)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True)
class Viewer:
    """The account a request comes from, and its session's CSRF token."""

    name: str
    role: str
    language: str
    csrf: str

    @property
    def actor(self) -> str:
        return f"staff:{self.name}"


def viewer(store: Store, request: Request, now: datetime) -> Viewer | None:
    """The signed-in account of REQUEST, or None (no cookie, an ended, idle or too old session, a
    disabled account). A session past a limit is ended here, with its audit entry."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 200:
        return None
    with store.transaction() as session:
        found = staff.session_of(session, token)
        if found is None:
            return None
        row, account = found
        if row.ended_at is not None:
            return None
        why = ("disabled" if account.disabled else "idle" if now - row.seen_at > IDLE
               else "expired" if now - row.created_at > LONGEST else None)
        if why:
            staff.end(session, row, account, why, now)
            return None
        staff.seen(session, row, now)
        return Viewer(name=account.name, role=account.role, language=account.language,
                      csrf=staff.csrf_for(session, token))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(given.encode(), expected.encode())


def peer(request: Request) -> str:
    return request.client.host if request.client else "-"


class Slower:
    """Addresses that failed to sign in SLOW_AFTER times within SLOW_FOR are refused until
    SLOW_FOR has passed since the last failure. Kept in memory, bounded."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self.failures: OrderedDict[str, list[datetime]] = OrderedDict()
        self.lock = threading.Lock()

    def _recent(self, address: str, now: datetime) -> list[datetime]:
        kept = [at for at in self.failures.get(address, []) if now - at < SLOW_FOR]
        if kept:
            self.failures[address] = kept
        else:
            self.failures.pop(address, None)
        return kept

    def refused(self, address: str) -> bool:
        with self.lock:
            return len(self._recent(address, self.clock())) >= SLOW_AFTER

    def failed(self, address: str) -> None:
        with self.lock:
            now = self.clock()
            self.failures[address] = [*self._recent(address, now), now][-SLOW_AFTER:]
            self.failures.move_to_end(address)
            while len(self.failures) > TRACKED_ADDRESSES:
                self.failures.popitem(last=False)
