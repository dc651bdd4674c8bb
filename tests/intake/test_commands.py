"""The staff's command line: queue, case show, set-status with an outcome, quarantine and reprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from commands.context import actor
from commands.ingest import ingest_one
from store.models import AuditEvent, Case, Inbound, InboundStatus, Outbox
from tests.conftest import ROOT, verified_by_border


def bot(settings, *args) -> subprocess.CompletedProcess:
    env = os.environ | {
        "INTAKE_STORE__URL": settings.store.url,
        "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir),
        "INTAKE_CLASSIFIER__MODEL_DIR": str(settings.classifier.model_dir),
        "INTAKE_PIPELINE__PROCESSES": "0",
    }
    return subprocess.run([sys.executable, "bot.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def mail(sender: str, subject: str, body: str, n: int) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<cmd-{n}@example.org>"
    message.set_content(body)
    return verified_by_border(message.as_bytes(), sender)


URGENT = "县国土局局长正在连夜销毁账本，还威胁举报人。他收受开发商贿赂300万元，准备下周出逃国外。"
MINOR = "镇政府办公室的干部上班时间经常玩手机游戏，群众去办事没人理。"
# A real-name report: its reporter is owed the acceptance notice, so it has a deadline from filing.
SIGNED = URGENT + "举报人王强，电话13907311234。"


def test_queue_lists_the_most_urgent_first_with_filters_and_json(pipeline):
    ingest_one(pipeline, mail("a@example.org", "反映干部上班玩游戏", MINOR, 1))
    ingest_one(pipeline, mail("b@example.org", "紧急举报国土局长受贿", URGENT, 2))
    result = bot(pipeline.settings, "queue", "--json")
    assert result.returncode == 0, result.stderr
    queue = json.loads(result.stdout)
    assert [c["priority"] for c in queue] == sorted(c["priority"] for c in queue)
    assert queue[0]["subject"] == "紧急举报国土局长受贿" and queue[0]["priority"] == 1
    table = bot(pipeline.settings, "queue")
    assert table.stdout.index("紧急举报国土局长受贿") < table.stdout.index("反映干部上班玩游戏")
    only_land = json.loads(bot(pipeline.settings, "queue", "--json", "--area", "land_mineral").stdout)
    assert [c["subject"] for c in only_land] == ["紧急举报国土局长受贿"]


def test_case_show_lists_messages_and_evidence_and_hides_the_reporter_unless_asked(pipeline):
    ingest_one(pipeline, mail("secret.reporter@example.org", "紧急举报", URGENT, 3))
    with pipeline.store.reading() as session:
        case = session.exec(select(Case)).one()
    shown = bot(pipeline.settings, "case", "show", case.number)
    assert shown.returncode == 0, shown.stderr
    assert "secret.reporter@example.org" not in shown.stdout
    assert "evidence (1 items)" in shown.stdout and "message/rfc822" in shown.stdout
    unexplained = bot(pipeline.settings, "case", "show", case.number, "--json", "--reveal-reporter")
    assert unexplained.returncode == 2 and "needs --reason" in unexplained.stderr
    assert "secret.reporter@example.org" not in unexplained.stdout
    revealed = json.loads(bot(pipeline.settings, "case", "show", case.number, "--json", "--reveal-reporter",
                              "--reason", "核实线索需联系举报人").stdout)
    assert revealed["reporter"]["address"] == "secret.reporter@example.org"
    assert len(revealed["evidence"][0]["sha256"]) == 64
    with pipeline.store.reading() as session:
        actions = [(e.actor, e.action) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert (actor(), "case.viewed") in actions and (actor(), "reporter.revealed") in actions
    with pipeline.store.reading() as session:
        revealing = session.exec(select(AuditEvent).where(AuditEvent.action == "reporter.revealed")).one()
    assert revealing.details["reason"] == "核实线索需联系举报人"


def test_the_deadline_is_the_end_of_a_local_working_day_everywhere_it_is_shown(pipeline):
    ingest_one(pipeline, mail("c@example.org", "紧急举报", SIGNED, 4))
    [entry] = json.loads(bot(pipeline.settings, "queue", "--json").stdout)
    due = datetime.fromisoformat(entry["due_at"])
    local = due.astimezone(ZoneInfo(pipeline.settings.office.timezone))
    assert due.utcoffset() == timedelta(0) and local.time() == time(23, 59, 59)
    assert local.date() > datetime.fromisoformat(entry["created_at"]).date()
    assert f"due: {local:%Y-%m-%d}" in bot(pipeline.settings, "case", "show", entry["number"]).stdout
    assert f"{local:%Y-%m-%d}" in bot(pipeline.settings, "queue").stdout


def test_an_outcome_set_by_staff_is_queued_for_the_reporter_threaded_to_the_report(pipeline):
    ingest_one(pipeline, mail("villager@example.org", "举报", SIGNED, 4))
    with pipeline.store.reading() as session:
        case = session.exec(select(Case)).one()
    for argv in (["accepted"], ["investigating"]):
        assert bot(pipeline.settings, "case", "set-status", case.number, *argv).returncode == 0
    result = bot(pipeline.settings, "case", "set-status", case.number, "concluded", "--reason", "属实", "--outcome",
                 "经核查，反映的问题属实，已对相关人员立案审查。")
    assert result.returncode == 0, result.stderr
    with pipeline.store.reading() as session:
        notice = session.exec(select(Outbox).where(Outbox.purpose == "outcome")).one()
        case = session.get(Case, case.id)
        *_, changed = session.exec(select(AuditEvent).where(AuditEvent.action == "case.status")
                                   .order_by(AuditEvent.id)).all()
    assert case.status == "concluded" and notice.recipient == "villager@example.org"
    assert "立案审查" in notice.body and case.number in notice.subject
    assert notice.in_reply_to == "cmd-4@example.org"
    assert changed.actor == actor() and changed.details["to"] == "concluded"


def test_an_unknown_status_is_bad_usage(pipeline):
    ingest_one(pipeline, mail("x@example.org", "举报", URGENT, 5))
    result = bot(pipeline.settings, "case", "set-status", "JB-2026-000001", "vanished")
    assert result.returncode == 2 and "unknown status" in result.stderr


def test_a_failing_message_is_retried_then_quarantined_listed_and_reprocessed(pipeline, monkeypatch):
    def broken(subject, text):
        raise RuntimeError("classifier exploded")

    monkeypatch.setattr(pipeline.preparer, "classify", broken)
    status = ingest_one(pipeline, mail("y@example.org", "举报", URGENT, 6))
    assert status == InboundStatus.QUARANTINED
    with pipeline.store.reading() as session:
        row = session.exec(select(Inbound)).one()
    assert row.attempts == pipeline.settings.pipeline.max_attempts and "classifier exploded" in row.last_error
    failed = json.loads(bot(pipeline.settings, "queue", "--failed", "--json").stdout)
    assert [f["id"] for f in failed] == [row.id] and "classifier exploded" in failed[0]["error"]
    again = bot(pipeline.settings, "reprocess", str(row.id))
    assert again.returncode == 0, again.stderr
    assert f"{row.id}: filed" in again.stdout
    assert json.loads(bot(pipeline.settings, "queue", "--failed", "--json").stdout) == []


def test_automatic_answers_to_one_sender_are_capped_per_day(pipeline):
    cap = pipeline.settings.pipeline.replies_per_sender_per_day
    for n in range(cap + 2):
        ingest_one(pipeline, mail("flood@example.org", f"举报{n}", f"第{n}件事：{URGENT}", 100 + n))
    with pipeline.store.reading() as session:
        answers = [row for row in session.exec(select(Outbox)) if row.recipient == "flood@example.org"]
        capped = [row for row in session.exec(select(Inbound)) if "reply-cap" in row.rule_hits]
        cases = session.exec(select(Case)).all()
    assert len(answers) == cap and len(cases) == cap + 2 and len(capped) == 2


@pytest.mark.parametrize("argv", [["case", "show", "JB-2026-999999"], ["evidence", "export", "NOPE", "--out", "x.zip"]])
def test_an_unknown_case_is_a_clear_one_line_error(pipeline, argv):
    result = bot(pipeline.settings, *argv)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "no case" in result.stderr


@pytest.mark.parametrize(("argv", "said"), [
    (["--area", "land"], "unknown area 'land'; one of: engineering_construction, land_mineral"),
    (["--status", "open"], "unknown status 'open'; one of: new, accepted"),
    (["--priority", "0"], "priority 0 is not between 1 and 4"),
])
def test_a_misspelt_queue_filter_is_bad_usage_not_an_empty_queue(tmp_path, argv, said):
    env = os.environ | {"INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'intake.db'}"}
    result = subprocess.run([sys.executable, "bot.py", "queue", *argv], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"bot.py: {said}") and result.stderr.count("\n") == 1


def test_bad_configuration_stops_with_one_line_and_exit_code_2(tmp_path):
    env = os.environ | {"INTAKE_SMTP__PORT": "not-a-port"}
    result = subprocess.run([sys.executable, "bot.py", "queue"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == "bot.py: setting smtp.port: Input should be a valid integer, unable to parse string as an integer"
