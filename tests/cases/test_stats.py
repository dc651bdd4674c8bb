"""`bot.py stats`: the same numbers as the queue, groups, date filters, CSV, and median working
days to acceptance and conclusion counted on the PRC calendar from the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from cases.calendar import WorkCalendar
from cases.stats import Scope, figures, working_days, working_days_each
from store import audit
from store.models import Case, utcnow
from tests.cases.test_related import bot, file

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar("Asia/Shanghai")

ROADS = "县交通局局长张某在道路招标中收受施工方好处费50万元，请组织调查。"
SUBSIDY = "村支书周某把全村的低保金截留了十几万元，发给村民的只有一半。"
LAND = "实名举报：县国土局局长王某收受开发商贿赂300万元，违规审批土地。举报人李明，电话13812345678。"
BANQUET = "镇党委书记刘某用公款大吃大喝，经常安排下属去高档酒店宴请。"


def local(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def test_working_days_are_counted_on_the_prc_calendar_as_deadlines_are():
    # Received the Tuesday before National Day 2026: the 15th working day after is 26 October.
    received = local("2026-09-29")
    assert working_days(CALENDAR, received, local("2026-10-26", 9)) == 15
    assert CALENDAR.local_date(CALENDAR.add_working_days(received, 15)) == local("2026-10-26").date()
    assert working_days(CALENDAR, received, local("2026-09-29", 18)) == 0      # the same day
    assert working_days(CALENDAR, received, local("2026-10-08")) == 2          # 30 Sep, then the 8th
    # Local days: 23:30 UTC on 28 September is already the 29th in Beijing.
    assert working_days_each(CALENDAR, [(datetime(2026, 9, 28, 23, 30, tzinfo=UTC), local("2026-09-30")),
                                        (local("2026-03-02"), local("2026-03-30"))]) == [1, 20]


def test_stats_json_agrees_with_queue_json(pipeline):
    cases = [file(pipeline, f"s{n}@example.org", text, 100 + n)
             for n, text in enumerate((ROADS, SUBSIDY, LAND, BANQUET, ROADS + "另外还有违规吃喝问题。"))]
    now = utcnow()
    with pipeline.store.transaction() as session:
        # One late, one finished: neither the queue nor stats may count a closed case as open.
        session.exec(update(Case).where(Case.id == cases[0].id).values(due_at=now - timedelta(days=2)))
        session.exec(update(Case).where(Case.id == cases[1].id).values(status="closed"))
    accepted = bot(pipeline.settings, "case", "set-status", cases[2].number, "accepted")
    assert accepted.returncode == 0, accepted.stderr

    queue = json.loads(bot(pipeline.settings, "queue", "--json").stdout)
    stats = json.loads(bot(pipeline.settings, "stats", "--json", "--by", "area").stdout)
    assert stats["total"] == 5 and stats["open"] == len(queue) == 4
    assert stats["overdue"] == sum(datetime.fromisoformat(c["due_at"]) < now for c in queue if c["due_at"]) == 1
    assert stats["real_name"] == sum(c.real_name for c in cases)
    assert stats["accepted"] == 1 and stats["median_working_days_to_acceptance"] == 0
    for group in stats["groups"]:
        if group["group"] is None:
            continue
        in_queue = json.loads(bot(pipeline.settings, "queue", "--json", "--area", group["group"]).stdout)
        assert group["open"] == len(in_queue), group
    assert sum(g["total"] for g in stats["groups"]) == 5
    # The queue's filters mean the same in stats.
    roads = json.loads(bot(pipeline.settings, "queue", "--json", "--priority", "2").stdout)
    assert json.loads(bot(pipeline.settings, "stats", "--json", "--priority", "2").stdout)["open"] == len(roads)


@pytest.fixture
def spring(pipeline, monkeypatch):
    """Four reports received in January, February and March 2026 (local days), two accepted and one
    concluded at known moments: status changes as the audit log records them."""
    received = [local("2026-01-15"), local("2026-02-10"), local("2026-03-02"), local("2026-03-09")]
    cases = [file(pipeline, f"m{n}@example.org", text, 200 + n)
             for n, text in enumerate((ROADS, LAND, SUBSIDY, BANQUET))]
    changes = [(2, "accepted", local("2026-03-05")), (3, "accepted", local("2026-03-16")),
               (2, "investigating", local("2026-03-06")), (2, "concluded", local("2026-03-30"))]
    with pipeline.store.transaction() as session:
        for case, moment in zip(cases, received, strict=True):
            session.exec(update(Case).where(Case.id == case.id).values(created_at=moment))
    for n, status, moment in changes:
        monkeypatch.setattr("store.audit.utcnow", lambda moment=moment: moment)
        with pipeline.store.transaction() as session:
            case = session.get(Case, cases[n].id)
            audit.append(session, actor="staff:li", action="case.status", subject_type="case", subject_id=case.id,
                         details={"number": case.number, "from": case.status, "to": status})
            case.status = status
            session.add(case)
    monkeypatch.undo()
    return cases


def test_stats_by_month_with_medians_in_working_days(pipeline, spring):
    with pipeline.store.reading() as session:
        data = figures(session, CALENDAR, Scope(), now=utcnow(), by="month")
    assert [(g["group"], g["total"]) for g in data["groups"]] == [("2026-01", 1), ("2026-02", 1), ("2026-03", 2)]
    march = data["groups"][2]
    # 2 March -> 5 March: 3 working days; 9 March -> 16 March: 5; 2 March -> 30 March: 20.
    assert march["accepted"] == 2 and march["median_working_days_to_acceptance"] == 4
    assert march["concluded"] == 1 and march["median_working_days_to_conclusion"] == 20
    assert data["median_working_days_to_acceptance"] == 4 and data["total"] == 4
    assert data["real_name"] == 1 and data["real_name_share"] == 0.25 and data["groups"][1]["real_name_share"] == 1
    assert data["groups"][0]["median_working_days_to_acceptance"] is None


def test_stats_date_filters_are_local_days_both_ends_included(pipeline, spring):
    def stats(*args):
        result = bot(pipeline.settings, "stats", "--json", *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert stats("--from", "2026-02-10", "--to", "2026-03-02")["total"] == 2
    assert stats("--from", "2026-03-01")["total"] == 2
    assert stats("--to", "2026-01-15")["total"] == 1
    by_status = stats("--by", "status")["groups"]
    assert {g["group"]: g["total"] for g in by_status} == {"new": 2, "accepted": 1, "concluded": 1}
    bad = bot(pipeline.settings, "stats", "--from", "2026-13-01")
    assert bad.returncode == 2 and "--from" in bad.stderr
    backwards = bot(pipeline.settings, "stats", "--from", "2026-03-01", "--to", "2026-02-01")
    assert backwards.returncode == 2 and "after" in backwards.stderr


def test_stats_csv_has_a_header_a_line_per_group_and_one_for_all(pipeline, spring):
    result = bot(pipeline.settings, "stats", "--csv", "--by", "month")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["month", "total", "open", "overdue", "real_name", "real_name_share", "accepted",
                             "median_working_days_to_acceptance", "concluded", "median_working_days_to_conclusion"]
    assert [(r["month"], r["total"]) for r in rows] == [("2026-01", "1"), ("2026-02", "1"), ("2026-03", "2"),
                                                        ("all", "4")]
    assert rows[2]["median_working_days_to_conclusion"] == "20" and rows[0]["median_working_days_to_acceptance"] == ""
    table = bot(pipeline.settings, "stats", "--by", "month")
    assert table.returncode == 0 and "2026-03" in table.stdout and "to acceptance" in table.stdout
