"""Working days on the PRC calendar: the package's years, years imported with `bot.py calendar
import`, the office's own days, and years nobody has loaded (weekends only, marked unconfirmed).
Every moment is passed in: nothing here reads the clock or sleeps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from cases import calendar_file
from cases.calendar import IMPORT, PACKAGE, SETTINGS, WorkCalendar, YearDays
from commands.context import actor
from store import calendars
from store.models import AuditEvent, CalendarYear
from store.store import Store
from tests.conftest import ROOT, make_settings

BEIJING = ZoneInfo("Asia/Shanghai")

# A MADE-UP 2027 schedule for these tests only: the State Council's real one is not in our data.
# New Year's Day off Friday 1 January (with the weekend), a spring holiday 5-11 February, and two
# make-up working days: Sunday 31 January and Saturday 20 February.
TEST_2027 = {
    "year": 2027,
    "source": "test fixture, not an official schedule",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-05", "2027-02-06", "2027-02-07",
                 "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"],
    "workdays": ["2027-01-31", "2027-02-20"],
}


def beijing(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), BEIJING)


def bot(settings, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = os.environ | {
        "INTAKE_STORE__URL": settings.store.url,
        "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir),
    } | (env or {})
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run([sys.executable, "bot.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def settings(tmp_path, store_url):
    return make_settings(tmp_path, store_url)


@pytest.fixture
def store(settings):
    opened = Store.open(settings.store.url, settings.store.data_dir)
    yield opened
    opened.close()


def loaded(store, office_holidays=(), office_workdays=()) -> WorkCalendar:
    with store.reading() as session:
        return WorkCalendar("Asia/Shanghai", office_holidays, office_workdays).loaded(session)


def write(path, content) -> str:
    if isinstance(content, dict):
        content = json.dumps(content)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


# -- the package's years ---------------------------------------------------------------------------


def test_a_report_received_on_29_september_2026_is_due_for_acceptance_on_26_october():
    work = WorkCalendar("Asia/Shanghai")
    # 01:30 in Beijing on the 29th is still the 28th in UTC: the office's day counts.
    received = datetime(2026, 9, 28, 17, 30, tzinfo=UTC)
    due = work.due(received, 15)
    # Over the National Day week (1-7 October off), with Saturday 10 October a make-up working day.
    assert due.at == end_of(date(2026, 10, 26)) and due.day == date(2026, 10, 26)
    assert due.calendar_confirmed and due.unconfirmed_years == ()
    assert work.add_working_days(received, 15) == due.at            # the old call, same answer
    # A minute before midnight in Beijing is the same day; midnight is the next one.
    assert work.due(datetime(2026, 9, 29, 15, 59, tzinfo=UTC), 15).day == date(2026, 10, 26)
    assert work.due(datetime(2026, 9, 29, 16, 0, tzinfo=UTC), 15).day == date(2026, 10, 27)
    # The due moment is the end of the local day, whatever zone the caller reads it in.
    assert due.at.astimezone(UTC) == datetime(2026, 10, 26, 15, 59, 59, tzinfo=UTC)


def test_working_days_between_is_the_inverse_of_the_clock():
    work = WorkCalendar("Asia/Shanghai")
    received = beijing(2026, 9, 29)
    for n in (0, 1, 5, 15, 30):
        assert work.working_days_between(received, work.add_working_days(received, n)) == n
    assert work.working_days_between(received, beijing(2026, 10, 7)) == 1     # only the 30th worked
    assert work.due(received, 0).at == end_of(date(2026, 9, 29))
    with pytest.raises(ValueError):
        work.due(received, -1)


def test_the_offices_own_days_from_settings_still_apply():
    # Saturday 3 October made a working day by the office, 4 January 2027 a day off.
    work = WorkCalendar("Asia/Shanghai", holidays=[date(2027, 1, 4)], workdays=[date(2026, 10, 3)])
    assert work.due(beijing(2026, 9, 29), 15).day == date(2026, 10, 23)
    assert not work.is_workday(date(2027, 1, 4))
    # A settings day does not confirm a year: 2027 is still not loaded.
    due = work.due(beijing(2026, 12, 28), 15)
    assert due.day == date(2027, 1, 19) and not due.calendar_confirmed
    assert [(d.day, d.kind, d.source) for d in work.days_off(2027)] == [(date(2027, 1, 4), "holiday", SETTINGS)]


# -- a year nobody has loaded ----------------------------------------------------------------------


def test_across_the_2027_new_year_without_an_import_the_clock_counts_weekends_only_and_says_so():
    work = WorkCalendar("Asia/Shanghai")
    assert work.source(2026) == PACKAGE and work.source(2027) is None
    received = beijing(2026, 12, 28)
    due = work.due(received, 15)
    # 1 January 2027 counted as a working day: the date comes out early, never late.
    assert due.day == date(2027, 1, 18)
    assert not due.calendar_confirmed and due.unconfirmed_years == (2027,)
    # Only the days counted over matter: up to 31 December all of them are in 2026.
    assert work.due(received, 3).day == date(2026, 12, 31) and work.due(received, 3).calendar_confirmed
    assert not work.due(received, 4).calendar_confirmed


# -- imported years, through the command line ------------------------------------------------------


def test_after_importing_2027_the_new_year_deadline_is_confirmed_and_correct(settings, store, tmp_path):
    before = loaded(store).due(beijing(2026, 12, 28), 15)
    assert not before.calendar_confirmed

    done = bot(settings, "calendar", "import", write(tmp_path / "prc-2027.json", TEST_2027))
    assert done.returncode == 0, done.stderr
    assert "calendar 2027: imported 10 holidays, 2 make-up working days" in done.stdout

    work = loaded(store)
    assert work.source(2027) == IMPORT
    after = work.due(beijing(2026, 12, 28), 15)
    assert after.day == date(2027, 1, 19) and after.calendar_confirmed and after.unconfirmed_years == ()
    assert after.at >= before.at, "the conservative date was not later than the true one"
    with store.reading() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.subject_type == "calendar_year")).all()
    assert (event.actor, event.action, event.subject_id) == (actor(), "calendar.imported", "2027")
    assert event.details["sha256"] and event.details["holidays"][0] == "2027-01-01"


def test_imported_make_up_working_days_count(settings, store, tmp_path):
    assert bot(settings, "calendar", "import", write(tmp_path / "2027.json", TEST_2027)).returncode == 0
    work = loaded(store)
    friday = beijing(2027, 1, 29)
    # Sunday 31 January is a make-up working day: one working day after Friday the 29th.
    assert work.is_workday(date(2027, 1, 31)) and not work.is_workday(date(2027, 1, 30))
    assert work.due(friday, 1).day == date(2027, 1, 31)
    # 5 working days: 31 Jan, 1-4 Feb; then 5-11 Feb off; Saturday 20 February works.
    assert work.due(friday, 5).day == date(2027, 2, 4)
    assert work.due(friday, 6).day == date(2027, 2, 12)
    assert work.due(beijing(2027, 2, 19), 1).day == date(2027, 2, 20)
    # Without the import the same count has no make-up day to use (and says it is unconfirmed):
    # an early make-up day is the one thing weekends-only counting cannot know.
    bare = WorkCalendar("Asia/Shanghai").due(friday, 1)
    assert bare.day == date(2027, 2, 1) and not bare.calendar_confirmed
    # The office's settings win over the import, both ways.
    own = loaded(store, office_holidays=[date(2027, 1, 31)], office_workdays=[date(2027, 1, 30)])
    assert own.due(friday, 1).day == date(2027, 1, 30) and own.due(friday, 2).day == date(2027, 2, 1)


def test_re_import_replaces_the_year_and_is_audited_by_the_login_name(settings, store, tmp_path):
    first = write(tmp_path / "first.json", TEST_2027)
    # The plain-text form: one DATE,kind per line; 1 January off, Saturday 9 January a make-up day.
    second = write(tmp_path / "second.csv", "# corrected test schedule\ndate,kind\n"
                                            "2027-01-01,holiday\n2027-01-09,workday\n")
    assert bot(settings, "calendar", "import", first).returncode == 0
    # Whatever the environment says, the OS account that runs the command acts.
    done = bot(settings, "calendar", "import", second, env={"INTAKE_ACTOR": "staff:someone", "USER": "someone"})
    assert done.returncode == 0, done.stderr
    assert "replaced the earlier import" in done.stdout

    with store.reading() as session:
        [row] = calendars.imported(session)
        events = session.exec(select(AuditEvent).where(AuditEvent.subject_type == "calendar_year")
                              .order_by(AuditEvent.id)).all()
    assert (row.year, row.holidays, row.workdays, row.file_name) == (2027, ["2027-01-01"], ["2027-01-09"],
                                                                      "second.csv")
    assert row.imported_by == actor()
    assert [e.action for e in events] == ["calendar.imported", "calendar.replaced"]
    replaced = events[1].details["replaced"]
    assert replaced["file_name"] == "first.json" and replaced["imported_by"] == actor()
    assert "2027-02-05" in replaced["holidays_removed"] and replaced["workdays_removed"] == ["2027-01-31",
                                                                                            "2027-02-20"]
    work = loaded(store)
    assert work.is_workday(date(2027, 2, 8))                    # the spring holiday is gone
    assert work.is_workday(date(2027, 1, 9)) and not work.is_workday(date(2027, 1, 31))

    # The same days again change nothing and record nothing; the chain still verifies.
    again = bot(settings, "calendar", "import", second)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    with store.reading() as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.subject_type == "calendar_year")).all()) == 2
    verified = bot(settings, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


BAD_FILES = {
    "bad date": ("bad-date.json", {**TEST_2027, "holidays": ["2027-01-01", "2027-02-30"]},
                 "holidays[1]: '2027-02-30' is not a date (YYYY-MM-DD)"),
    "outside the year": ("outside.csv", "2027-01-01,holiday\n2028-01-03,holiday\n",
                         "line 2: 2028-01-03 is outside 2027"),
    "both": ("both.json", {**TEST_2027, "workdays": ["2027-01-02", "2027-01-31"]},
             "2027-01-02 is both a holiday and a make-up working day"),
    "unreadable": ("missing.json", None, "cannot read calendar file"),
    "not UTF-8": ("gbk.csv", "2027-01-01,元旦\n".encode("gbk"), "not UTF-8 text"),
}


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("problem", sorted(BAD_FILES))
def test_a_bad_calendar_file_exits_2_with_one_line_and_stores_nothing(settings, tmp_path, problem):
    name, content, message = BAD_FILES[problem]
    path = tmp_path / name if content is None else write(tmp_path / name, content)
    done = bot(settings, "calendar", "import", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bot.py: ") and message in lines[0], done.stderr
    # Refused before the store was opened: no database even.
    assert not (tmp_path / "intake.db").exists()
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.reading() as session:
            assert session.exec(select(CalendarYear)).all() == []
            assert session.exec(select(AuditEvent)).all() == []
    finally:
        store.close()


@pytest.mark.parametrize("content, message", [
    ({**TEST_2027, "workdays": ["2027-03-01"]}, "make-up working day 2027-03-01 is a Monday"),
    ({**TEST_2027, "holidays": ["2027-01-02", "2027-01-03"]}, "no holiday of 2027 falls on a weekday"),
    ({**TEST_2027, "holiday": []}, "unknown key 'holiday'"),
    ({**TEST_2027, "year": "2027"}, "\"year\" must be a number"),
    ({"year": 2027, "workdays": []}, "\"holidays\" is missing"),
    ('{"year": 2027, "holidays": ["2027-01-01",]}', "line 1: not valid JSON"),
    ("2027-01-01,holiday\n2027-01-02;holiday\n", "line 2: expected DATE,holiday or DATE,workday"),
    ("2027-01-01,holiday\n2027-01-09,make-up\n", "line 2: kind must be holiday or workday"),
    ("2027/01/01,holiday\n", "line 1: '2027/01/01' is not a date"),
    ("# nothing but a comment\n\n", "no dates in it"),
    (b"", "empty"),
])
def test_the_file_is_checked_before_anything_is_stored(content, message):
    data = json.dumps(content).encode() if isinstance(content, dict) else (
        content if isinstance(content, bytes) else content.encode())
    with pytest.raises(calendar_file.CalendarFileError) as raised:
        calendar_file.parse(data, "schedule.txt")
    text = str(raised.value)
    assert text.startswith("calendar file schedule.txt: ") and message in text and "\n" not in text


def test_both_file_forms_read_the_same_schedule():
    lines = "\ufeff# the test schedule as lines\nDate,Kind\n" + "".join(
        f" {day} , holiday\n" for day in TEST_2027["holidays"]) + "\n2027-02-20,WORKDAY\n2027-01-31,workday\n"
    from_lines = calendar_file.parse(lines.encode(), "2027.csv")
    from_json = calendar_file.parse(json.dumps(TEST_2027).encode(), "2027.json")
    assert (from_lines.year, from_lines.holidays, from_lines.workdays) == (
        from_json.year, from_json.holidays, from_json.workdays)
    assert from_json.workdays == (date(2027, 1, 31), date(2027, 2, 20))
    assert from_json.source == TEST_2027["source"] and from_lines.source == "2027.csv"
    assert len(from_json.sha256) == 64 and from_json.sha256 != from_lines.sha256


# -- calendar show ---------------------------------------------------------------------------------


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_calendar_show_2026_shows_the_packages_days(settings):
    shown = bot(settings, "calendar", "show", "2026")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("2026: confirmed: the chinesecalendar package")
    assert "2026-10-01 Thu  holiday" in shown.stdout and "National Day" in shown.stdout
    assert "2026-10-10 Sat  make-up working day  package" in shown.stdout
    data = json.loads(bot(settings, "calendar", "show", "2026", "--json").stdout)
    assert data["year"] == 2026 and data["confirmed"] is True and data["source"] == "package"
    assert data["import"] is None
    days = {d["date"]: d for d in data["days"]}
    assert days["2026-10-01"]["kind"] == "holiday" and days["2026-10-01"]["source"] == "package"
    assert days["2026-10-10"]["kind"] == "workday" and days["2026-09-20"]["kind"] == "workday"
    assert all(d["source"] == "package" for d in data["days"])


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_calendar_show_2027_says_unconfirmed_until_imported_and_names_each_source(settings, tmp_path):
    env = {"INTAKE_OFFICE__HOLIDAYS": '["2027-03-08"]'}
    before = bot(settings, "calendar", "show", "2027", env=env)
    assert before.returncode == 0, before.stderr
    assert before.stdout.startswith("2027: NOT CONFIRMED") and "weekends only" in before.stdout
    assert "2027-03-08 Mon  holiday              settings" in before.stdout
    assert bot(settings, "calendar", "import", write(tmp_path / "t.json", TEST_2027)).returncode == 0
    after = json.loads(bot(settings, "calendar", "show", "2027", "--json", env=env).stdout)
    assert after["confirmed"] is True and after["source"] == "import"
    assert after["import"]["imported_by"] == actor() and after["import"]["file_name"] == "t.json"
    sources = {d["date"]: (d["kind"], d["source"]) for d in after["days"]}
    assert sources["2027-01-01"] == ("holiday", "import") and sources["2027-01-31"] == ("workday", "import")
    assert sources["2027-03-08"] == ("holiday", "settings")


def test_imported_years_are_passed_in_not_looked_up():
    spring = YearDays(2027, frozenset({date(2027, 2, 8)}), frozenset({date(2027, 2, 6)}))
    base = WorkCalendar("Asia/Shanghai")
    work = base.with_years([spring])
    assert work.is_confirmed(2027) and not base.is_confirmed(2027)
    assert work.is_workday(date(2027, 2, 6)) and not work.is_workday(date(2027, 2, 8))
    # An import replaces the package's year too.
    override = base.with_years({2026: YearDays(2026, frozenset({date(2026, 3, 2)}), frozenset())})
    assert override.source(2026) == IMPORT and override.is_workday(date(2026, 10, 1))
