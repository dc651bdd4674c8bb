"""The console's application: routes, templates, sign-in and sign-out. Pages that show cases are
console/pages.py's; what a role may do is console/roles.py's; sessions, CSRF and headers are
console/guard.py's. Handlers are plain functions: Starlette runs them in its thread pool, where
the store's sessions belong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from config.schema import Settings
from console import accounts, guard, pages, roles
from console.words import value_words, words
from store import models, staff
from store.store import Store

HERE = Path(__file__).parent


class Console:
    """What every handler needs: the store, the settings, the clock, the templates."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self.store = store
        # Read through the module, so that a test (or libfaketime) moving the clock is seen here.
        self.clock = clock or (lambda: models.utcnow())
        # Everything from outside (subjects, bodies, file names) is escaped: never trusted as HTML.
        self.templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True))
        zone = ZoneInfo(settings.office.timezone)
        self.templates.env.filters["local"] = lambda moment, fmt="%Y-%m-%d %H:%M": (
            moment.astimezone(zone).strftime(fmt) if moment else "")
        self.slower = guard.Slower(self.clock)

    def render(self, request: Request, name: str, viewer: guard.Viewer | None, status_code: int = 200,
               language: str | None = None, **context) -> Response:
        language = viewer.language if viewer else (language or self.settings.console.language)
        return self.templates.TemplateResponse(
            request, name, {"w": words(language), "v": value_words(language), "lang": language, "viewer": viewer,
                            "roles": roles, "zone": self.settings.office.timezone, **context},
            status_code=status_code)

    def signed_in(self, request: Request) -> guard.Viewer:
        """The request's account; without one, a redirect to the sign-in page."""
        found = guard.viewer(self.store, request, self.clock())
        if found is None:
            raise HTTPException(303, headers={"location": "/login"})
        return found

    async def checked_form(self, request: Request, viewer: guard.Viewer):
        """The posted form, when it carries the session's CSRF token; else 403."""
        form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
        if not guard.same(form.get("csrf_token"), viewer.csrf):
            raise HTTPException(403)
        return form

    def set_cookie(self, request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")


def make_app(settings: Settings, store: Store, clock: Callable[[], datetime] | None = None) -> Starlette:
    console = Console(settings, store, clock)

    def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    def login_form(request: Request) -> Response:
        return _login_page(console, request)

    async def login(request: Request) -> Response:
        address = guard.peer(request)
        if console.slower.refused(address):
            return _login_page(console, request, error="slowed", status_code=429,
                               headers={"retry-after": str(int(guard.SLOW_FOR.total_seconds()))})
        form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
        cookie = request.cookies.get(guard.LOGIN_COOKIE, "")
        with store.reading() as session:
            expected = staff.csrf_for(session, f"login:{cookie}") if cookie else ""
        if not cookie or not guard.same(form.get("csrf_token"), expected):
            raise HTTPException(403)
        return await _sign_in(console, request, str(form.get("username", ""))[:64],
                              str(form.get("password", ""))[:1024], str(form.get("code", ""))[:16], address)

    async def logout(request: Request) -> Response:
        viewer = console.signed_in(request)
        await console.checked_form(request, viewer)
        token = request.cookies.get(guard.COOKIE, "")
        with store.transaction() as session:
            found = staff.session_of(session, token)
            if found is not None and found[0].ended_at is None:
                staff.end(session, found[0], found[1], "signed out", console.clock())
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(guard.COOKIE, path="/")
        return response

    def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (301, 302, 303, 307):
            return Response(status_code=exc.status_code, headers=exc.headers)
        key = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "forbidden")
        return console.render(request, "error.html", None, status_code=exc.status_code, message=key)

    routes = [
        Route("/healthz", healthz),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        *pages.routes(console),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.add_middleware(guard.SecurityHeaders)
    return app


def _login_page(console: Console, request: Request, error: str | None = None, status_code: int = 200,
                headers: dict | None = None) -> Response:
    cookie = request.cookies.get(guard.LOGIN_COOKIE)
    if not cookie or len(cookie) > 100:
        cookie = guard.new_token()
    with console.store.reading() as session:
        token = staff.csrf_for(session, f"login:{cookie}")
    response = console.render(request, "login.html", None, status_code=status_code, csrf=token, error=error)
    console.set_cookie(request, response, guard.LOGIN_COOKIE, cookie, max_age=3600)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


async def _sign_in(console: Console, request: Request, name: str, password: str, code: str, address: str) -> Response:
    now = console.clock()
    with console.store.reading() as session:
        account = staff.by_name(session, name)
    # The password is checked even for a name nobody has, so the answer takes as long either way.
    password_right = await run_in_threadpool(accounts.password_ok, account.password_hash if account else None,
                                             password)
    reason = ("unknown" if account is None else "disabled" if account.disabled
              else "locked" if staff.is_locked(account, now) else "password" if not password_right else None)
    step = None
    if reason is None:
        step = accounts.code_step(account.totp_secret, code, now, account.last_code_step)
        if step is None:
            reason = "code"
    with console.store.transaction() as session:
        current = staff.by_name(session, name, lock=True) if account else None
        if reason is None and (current.disabled or step <= current.last_code_step):
            reason = "code"      # the same code, used by a second sign-in at the same moment
        if reason is not None:
            staff.login_failed(session, current, name, reason, address, now)
        else:
            token = guard.new_token()
            staff.logged_in(session, current, token, step, address, now)
    if reason is not None:
        console.slower.failed(address)
        return _login_page(console, request, error="login_failed", status_code=401)
    response = RedirectResponse(roles.home(account.role), status_code=303)
    console.set_cookie(request, response, guard.COOKIE, token, max_age=int(guard.LONGEST.total_seconds()))
    response.delete_cookie(guard.LOGIN_COOKIE, path="/")
    return response
