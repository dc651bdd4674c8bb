"""`bot.py user add|list|disable|reset-2fa`: the console's staff accounts, run by whoever
administers the server. A new account's password comes from $INTAKE_PASSWORD or a prompt; its
one-time-code enrolment URI is printed once, for the person's authenticator app."""

from __future__ import annotations

import getpass
import os

from commands.context import actor, fail, open_store
from commands.table import out, render, safe
from config.schema import Settings
from console import accounts
from store import models, staff
from store.models import StaffRole


def main(settings: Settings, args) -> int:
    store = open_store(settings)
    try:
        if args.user_command == "add":
            return add(store, args)
        if args.user_command == "list":
            return listing(store)
        with store.transaction() as session:
            account = staff.by_name(session, args.name, lock=True)
            if account is None:
                return fail(safe(f"no account {args.name}"))
            if args.user_command == "disable":
                ended = staff.disable(session, account, actor(args))
                out(f"{account.name}: disabled; {ended} session(s) ended")
                return 0
            secret = accounts.new_secret()
            staff.reset_code(session, account, secret, actor(args))
        out(f"{args.name}: a new one-time-code secret; enrol it now (it is not shown again):")
        print(accounts.enrolment_uri(secret, args.name))
        return 0
    finally:
        store.close()


def _password() -> str | None:
    password = os.environ.get("INTAKE_PASSWORD")
    if password is not None:
        return password
    try:
        first = getpass.getpass("password: ")
        again = getpass.getpass("again: ")
    except EOFError:
        return None
    return first if first == again else None


def add(store, args) -> int:
    name = args.name
    if not (1 <= len(name) <= 64) or not all(ch.isalnum() or ch in "._-" for ch in name):
        return fail("a name of 1 to 64 letters, digits, '.', '_' or '-'", 2)
    if args.role not in tuple(StaffRole):
        return fail(f"unknown role {args.role!r}; one of: {', '.join(StaffRole)}", 2)
    password = _password()
    if password is None:
        return fail("no password: set INTAKE_PASSWORD or type the same one twice", 2)
    problem = accounts.password_problem(password)
    if problem:
        return fail(f"the password is too weak: {problem}", 2)
    secret = accounts.new_secret()
    with store.transaction() as session:
        if staff.by_name(session, name) is not None:
            return fail(safe(f"there is already an account {name}"))
        staff.add(session, name=name, role=args.role, password_hash=accounts.hash_password(password),
                  totp_secret=secret, language=args.language, actor=actor(args))
    out(f"{name}: added as {args.role}; enrol the one-time code now (it is not shown again):")
    print(accounts.enrolment_uri(secret, name))
    return 0


def listing(store) -> int:
    now = models.utcnow()
    with store.reading() as session:
        rows = [[a.name, a.role, a.language,
                 "disabled" if a.disabled else "locked" if staff.is_locked(a, now) else "active"]
                for a in staff.every(session)]
    print(render(["name", "role", "language", "state"], rows))
    return 0
