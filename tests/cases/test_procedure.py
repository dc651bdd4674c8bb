"""The case procedure's table: every move it allows is made and audited with its actor and reason,
every other one is refused as bad usage with one line naming the allowed ones; merge and assign."""

from __future__ import annotations

import os
import subprocess
import sys
from unittest.mock import patch
from datetime import UTC, datetime

import pytest
from sqlmodel import select

import bot
from cases.procedure import OUTCOME, REASON, TRANSITIONS, UNIT
from commands import case as case_command
from store import reporters
from store.models import AuditEvent, Case, CaseStatus, Deadline, Outbox
from store.store import Store
from tests.conftest import ROOT, make_settings

RECEIVED = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)   # 10:00 in Beijing, a Tuesday
# What staff give for each need of a move.
GIVEN = {REASON: ["--reason", "not_specific: no official is named"], UNIT: ["--to", "城关镇纪委"],
         OUTCOME: ["--outcome", "经核查，反映的问题属实，已立案审查。"]}


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def store(settings):
    opened = Store.open(settings.store.url, settings.store.data_dir)
    yield opened
    opened.close()


def add_case(store: Store, status: str = CaseStatus.NEW, *, notify: bool = False, language: str = "zh",
             received: datetime = RECEIVED, channel: str = "email", address: str = "citizen@example.org",
             kind: str = "report") -> str:
    """A case as filing leaves it (no classifier needed): STATUS, received at RECEIVED; NOTIFY: a
    real-name report from a reporter we can answer."""
    with store.transaction() as session:
        reporter = reporters.find_or_add(session, channel, address, None, language) if notify else None
        number = f"JB-2026-{len(session.exec(select(Case)).all()) + 1:06d}"
        session.add(Case(number=number, kind=kind, channel=channel, status=status, language=language,
                         real_name=notify, notify_reporter=notify, sender_verified=notify,
                         reporter_id=reporter.id if reporter else None, query_code_hash="x",
                         created_at=received, updated_at=received))
    return number


def cli(settings, capsys, *argv: str, login: str = "zhang") -> tuple[int, str, str]:
    """ARGV through bot.py's own parser and command, in this process, on SETTINGS, as if the OS
    account LOGIN ran it."""
    args = bot.build_parser().parse_args(list(argv))
    with patch("commands.context.login_name", return_value=login):
        code = case_command.main(settings, args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def case_row(store: Store, number: str) -> Case:
    with store.reading() as session:
        return session.exec(select(Case).where(Case.number == number)).one()


def audit_of(store: Store, action: str = "case.status") -> list[AuditEvent]:
    with store.reading() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def argv_for(number: str, before: str, after: str, into: str | None = None) -> list[str]:
    if after == CaseStatus.MERGED:
        return ["case", "merge", number, into, "--reason", "the same matter as " + into]
    argv = ["case", "set-status", number, after]
    for need in sorted(TRANSITIONS[before][after].needs):
        argv += GIVEN[need]
    return argv


ALLOWED = [(before, after) for before, moves in TRANSITIONS.items() for after in moves]


@pytest.mark.parametrize(("before", "after"), ALLOWED, ids=[f"{b}->{a}" for b, a in ALLOWED])
def test_every_move_the_table_allows_is_made_and_audited_with_actor_and_reason(settings, store, capsys, before, after):
    number = add_case(store, before, notify=True)
    into = add_case(store) if after == CaseStatus.MERGED else None
    code, out, err = cli(settings, capsys, *argv_for(number, before, after, into))
    assert code == 0, err
    assert out.startswith(f"{number}: {before} -> {after}")
    case = case_row(store, number)
    assert case.status == after
    event, = audit_of(store)
    assert event.actor == "os:zhang" and event.details["from"] == before and event.details["to"] == after
    needs = TRANSITIONS[before][after].needs
    if REASON in needs or after == CaseStatus.MERGED:
        assert event.details["reason"]
    if UNIT in needs:
        assert case.routed_to == "城关镇纪委" and event.details["unit"] == "城关镇纪委"
    if OUTCOME in needs:
        assert case.outcome and case.conclusion == GIVEN[REASON][1] and case.concluded_at is not None
    if after == CaseStatus.MERGED:
        assert case.merged_into == case_row(store, into).id and event.details["merged_into"] == into
    notice = TRANSITIONS[before][after].notice
    with store.reading() as session:
        purposes = [row.purpose for row in session.exec(select(Outbox))]
    assert purposes == ([notice] if notice else [])


def test_every_move_not_in_the_table_is_refused_with_one_line_naming_the_allowed_ones(settings, store, capsys):
    wrong = []
    for before in CaseStatus:
        number = add_case(store, before)
        for after in CaseStatus:
            if after in TRANSITIONS.get(before, {}):
                continue
            code, out, err = cli(settings, capsys, "case", "set-status", number, after, "--reason", "x")
            allowed = TRANSITIONS.get(before)
            said = (f"from {before} it may go to: {', '.join(allowed)}" if allowed else "which is final")
            if not (code == 2 and out == "" and err.count("\n") == 1 and said in err):
                wrong.append(f"{before}->{after}: {code} {err!r}")
        assert case_row(store, number).status == before
    assert wrong == []
    assert audit_of(store) == []


@pytest.mark.parametrize(("status", "argv", "said"), [
    ("new", ["not_accepted"], "needs --reason"),
    ("new", ["not_accepted", "--reason", "I do not like it"], "the category one of: outside_remit, not_specific"),
    ("new", ["transferred"], "needs --to"),
    ("new", ["forwarded", "--to", "  "], "needs --to"),
    ("investigating", ["concluded", "--reason", "属实"], "needs --outcome"),
    ("investigating", ["concluded", "--outcome", "属实"], "needs --reason"),
    ("new", ["accepted", "--to", "县纪委"], "--to does not go with accepted; it is for: forwarded, transferred"),
    ("new", ["accepted", "--outcome", "属实"], "--outcome does not go with accepted; it is for: concluded"),
    ("new", ["merged"], "merged needs the case it joins: bot.py case merge"),
    ("new", ["vanished"], "unknown status 'vanished'; one of: new, accepted, not_accepted"),
    ("answered", ["new"], "needs --reason"),
])
def test_a_move_missing_what_it_needs_is_bad_usage_in_one_line(settings, store, capsys, status, argv, said):
    number = add_case(store, status)
    code, out, err = cli(settings, capsys, "case", "set-status", number, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and said in err, err
    assert case_row(store, number).status == status and audit_of(store) == []


def test_merging_into_itself_or_into_a_merged_case_is_refused(settings, store, capsys):
    first, second, third = add_case(store), add_case(store), add_case(store)
    code, _, err = cli(settings, capsys, "case", "merge", first, first)
    assert code == 2 and "cannot be merged into itself" in err
    assert cli(settings, capsys, "case", "merge", second, third)[0] == 0
    code, _, err = cli(settings, capsys, "case", "merge", first, second)
    assert code == 2 and f"{second} was itself merged into another case" in err
    code, _, err = cli(settings, capsys, "case", "merge", first, "JB-2026-999999")
    assert code == 1 and "no case JB-2026-999999" in err


def test_merging_settles_the_acceptance_notice_without_telling_anyone(settings, store, capsys):
    from cases import deadlines
    from store import audit

    number, into = add_case(store, notify=True), add_case(store)
    with store.transaction() as session:
        case = session.exec(select(Case).where(Case.number == number)).one()
        filed = audit.append(session, actor="system", action="case.filed", subject_type="case", subject_id=case.id)
        deadlines.for_new_case(session, settings, deadlines.calendar_for(session, settings), case, filed)
    assert cli(settings, capsys, "case", "merge", number, into)[0] == 0
    with store.reading() as session:
        deadline, = session.exec(select(Deadline))
        assert session.exec(select(Outbox)).all() == []
    assert deadline.state == "done" and deadline.closed_by == "case.status"
    assert case_row(store, number).due_at is None


def test_assigning_a_case_is_audited_and_leaves_its_status(settings, store, capsys):
    number = add_case(store)
    code, out, _ = cli(settings, capsys, "case", "assign", number, "li.si")
    assert code == 0 and out.strip() == f"{number}: assigned to li.si"
    code, out, _ = cli(settings, capsys, "case", "assign", number, "wang.wu", login="chief")
    assert out.strip() == f"{number}: assigned to wang.wu (was li.si)"
    case = case_row(store, number)
    assert case.assignee == "wang.wu" and case.status == "new"
    events = audit_of(store, "case.assigned")
    assert [(e.actor, e.details["from"], e.details["to"]) for e in events] == [
        ("os:zhang", None, "li.si"), ("os:chief", "li.si", "wang.wu")]


def test_bot_py_refuses_a_wrong_move_with_exit_2_and_one_line(settings, store):
    number = add_case(store)
    env = os.environ | {"INTAKE_STORE__URL": settings.store.url, "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir)}
    done = subprocess.run([sys.executable, "bot.py", "case", "set-status", number, "concluded", "--reason", "x",
                           "--outcome", "y"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"bot.py: {number} cannot go from new to concluded; from new it may go to: "
                           "accepted, not_accepted, transferred, forwarded, merged\n")
