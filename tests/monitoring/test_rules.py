"""Notifications of key-area projects: tables read as CSV (UTF-8, GB18030), XLSX and JSON; every
cell validated, nothing of a file with a problem kept; each rule on a table written for it, at its
boundaries, including those that read the unit's earlier notifications."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import select

from config.schema import MonitoringSettings
from monitoring import columns, notifications, read, validate
from store import monitoring as store
from store.models import MonitoredRecord, Notification
from store.store import Store

AWARD = "project_id,project_name,procuring_unit,procurement_method,budget_yuan,winning_bid_yuan,bidder_count," \
        "winner,tender_days,award_date"
LAND = "parcel_id,location,area_sqm,method,appraised_yuan,deal_yuan,bidder_count,buyer,deal_date"
PAYOUT = "program,recipient_name,recipient_id_number,amount_yuan,village,payout_date"
CHANGE = "project_id,contract_yuan,change_yuan,change_reason,approved_by,change_date"
GOOD_ID, OTHER_ID = "110101199003074477", "11010519491231002X"


@pytest.fixture
def store_(store_url, tmp_path):
    opened = Store.open(store_url, tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def unit(store_):
    with store_.transaction() as session:
        return store.add_unit(session, "县交通运输局", "jiaotong@xian.example", "engineering_construction", "os:root")


def award(pid: str, method="open", budget=3_800_000, bid=3_000_000, bidders=5, winner="甲建设公司", days=21,
          on="2026-11-20") -> str:
    return f"{pid},道路工程{pid},县交通运输局,{method},{budget},{bid},{bidders},{winner},{days},{on}"


def take(store_, unit, header: str, *lines: str, settings: MonitoringSettings | None = None, inbound: int = 1,
         name: str = "notice.csv", data: bytes | None = None):
    data = data if data is not None else ("\n".join([header, *lines]) + "\n").encode("utf-8")
    with store_.transaction() as session:
        from store.models import Inbound

        arrival = Inbound(channel="email", mailbox="monitoring", raw_path="-", raw_sha256=f"{inbound:064d}",
                          raw_size=0)
        session.add(arrival)
        session.flush()
        taken = notifications.take(session, settings or MonitoringSettings(), unit, arrival.id, "通报", [
            (name, None, data)])
        return taken, {f.rule: f for f in taken.findings}


def test_the_gb_11643_check_digit():
    assert validate.id_number_ok(GOOD_ID) and validate.id_number_ok(OTHER_ID)
    assert not validate.id_number_ok(GOOD_ID[:-1] + "8")          # the check digit
    assert not validate.id_number_ok("110101199013074477")          # no 13th month
    assert not validate.id_number_ok("11010119900307447")           # too short


def test_the_type_comes_from_the_columns_or_the_subject():
    assert columns.type_of(AWARD.split(","), None) == "engineering_award"
    assert columns.type_of(PAYOUT.split(","), "whatever") == "livelihood_payout"
    assert columns.type_of(["a", "b"], "关于土地出让情况的通报") == "land_deal"
    assert columns.type_of(["a", "b"], "hello") is None
    header, example = columns.template("land_deal").splitlines()
    assert header == LAND and len(example.split(",")) == len(LAND.split(","))


def test_csv_in_gb18030_xlsx_and_json_read_alike():
    text = f"{PAYOUT}\n农村低保,王某某,{GOOD_ID},680,东关村,2026-11-10\n"
    from_gb = read.open_table(text.encode("gb18030"), "低保.csv", "text/csv")
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for line in text.splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = read.open_table(buffer.getvalue(), "低保.xlsx", None)
    from_json = read.open_table(json.dumps([dict(zip(PAYOUT.split(","), text.splitlines()[1].split(","),
                                                     strict=True))], ensure_ascii=False).encode(), "x.json", None)
    rows = [list(t.rows) for t in (from_gb, from_xlsx, from_json)]
    assert from_gb.header == from_xlsx.header == from_json.header == PAYOUT.split(",")
    assert rows[0] == rows[1] == rows[2] == [["农村低保", "王某某", GOOD_ID, "680", "东关村", "2026-11-10"]]


def test_a_formula_in_a_workbook_is_never_evaluated():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["program", "amount_yuan"])
    book.active.append(["低保", "=WEBSERVICE(\"http://evil.example/\")"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read.open_table(buffer.getvalue(), "x.xlsx", None)
    # Never computed: openpyxl has no cached value for it, so the cell reads empty.
    assert list(table.rows) == [["低保", ""]]


def test_a_file_with_problems_is_rejected_whole_with_rows_and_columns(store_, unit):
    taken, _ = take(store_, unit, PAYOUT,
                    f"农村低保,王某某,{GOOD_ID},680,东关村,2026-11-10",
                    f"农村低保,李某某,{GOOD_ID[:-1]}8,680,东关村,2026-11-10",
                    "农村低保,赵某某,,abc,东关村,2026-13-01")
    assert taken.notification.status == "rejected"
    assert taken.problems == [(3, "recipient_id_number", "not a valid identity number (length, birth date or "
                                                          "check digit)"),
                              (4, "recipient_id_number", "empty"),
                              (4, "amount_yuan", "not an amount in yuan (digits, at most two decimals)"),
                              (4, "payout_date", "not a date YYYY-MM-DD")]
    with store_.reading() as session:
        assert session.exec(select(MonitoredRecord)).all() == []     # not even the good first row
    missing, _ = take(store_, unit, "program,recipient_name,amount_yuan,village,payout_date",
                      "农村低保,王某某,680,东关村,2026-11-10", inbound=2, name="低保发放.csv")
    assert missing.notification.status == "rejected"
    assert missing.problems == [(1, "recipient_id_number", "missing column")]


def test_award_rules_at_their_boundaries(store_, unit):
    taken, found = take(store_, unit, AWARD,
                        award("A1", bidders=1),                          # E01
                        award("A2", method="invited", bidders=1),        # not E01: not open
                        award("A3", days=19),                            # E02
                        award("A4", days=20),                            # not E02
                        award("A5", budget=1_000_000, bid=1_000_001),    # E03
                        award("A6", budget=1_000_000, bid=990_000),      # E04: 1% under
                        award("A7", budget=1_000_000, bid=989_999))      # neither
    assert taken.notification.status == "checked" and taken.notification.rows == 7
    assert found["E01"].rows == [2] and found["E02"].rows == [4]
    assert found["E03"].rows == [6] and found["E04"].rows == [7]


def test_contract_splitting_and_a_dominant_winner_read_the_units_history(store_, unit):
    take(store_, unit, AWARD, award("S1", bid=2_100_000, winner="乙公司", on="2026-09-01"), inbound=1)
    _, found = take(store_, unit, AWARD, award("S2", bid=2_000_000, winner="乙公司", on="2026-11-20"), inbound=2)
    assert found["E05"].rows == [2]                      # 80 days apart, together over 4,000,000
    _, found = take(store_, unit, AWARD, award("S3", bid=2_000_000, winner="丙公司", on="2026-11-20"),
                    award("S4", bid=1_000_000, winner="丙公司", on="2026-11-21"), inbound=3)
    assert "E05" not in found                            # together 3,000,000: under the threshold
    # Five awards over twelve months: 乙 holds 4,100,000 of 7,100,000 + the new one.
    _, found = take(store_, unit, AWARD, award("S5", bid=500_000, winner="乙公司", on="2026-11-25"), inbound=4)
    assert found["E06"].rows == [2]


def test_change_and_land_rules(store_, unit):
    _, found = take(store_, unit, CHANGE, "A1,1000000,100000,增加挡土墙,局党组,2026-12-01",
                    "A2,1000000,100001,增加挡土墙,局党组,2026-12-01",
                    "A3,1000000,-150000,取消绿化,局党组,2026-12-01")
    assert found["C01"].rows == [3, 4]
    _, found = take(store_, unit, LAND, "P1,城东,1000,agreement,10000000,10000000,1,某公司,2026-11-28",
                    "P2,城东,1000,listing,10000000,9000000,2,某公司,2026-11-28",
                    "P3,城东,1000,listing,10000000,8999999,1,某公司,2026-11-28", inbound=2)
    assert found["L01"].rows == [2] and found["L02"].rows == [4] and found["L03"].rows == [4]


def test_payout_rules_twice_in_a_month_over_the_ceiling_and_to_an_official(store_, unit):
    settings = MonitoringSettings(ceilings_yuan={"农村低保": 1000})
    with store_.transaction() as session:
        store.import_officials(session, [OTHER_ID], "os:root", "officials.csv")
    _, found = take(store_, unit, PAYOUT, f"农村低保,王某某,{GOOD_ID},680,东关村,2026-11-10",
                    f"农村低保,王某某,{GOOD_ID},680,东关村,2026-12-10", settings=settings)
    assert found == {}                                   # two months: once in each
    _, found = take(store_, unit, PAYOUT, f"农村低保,王某某,{GOOD_ID},1000,东关村,2026-12-20",
                    f"农村低保,张某某,{OTHER_ID},1000.01,东关村,2026-12-20", settings=settings, inbound=2)
    assert found["P01"].rows == [2]                      # paid on 12-10 already
    assert found["P02"].rows == [3] and found["P03"].rows == [3]
    with store_.reading() as session:
        notices = session.exec(select(Notification)).all()
        stored = session.exec(select(MonitoredRecord)).all()
    assert [n.status for n in notices] == ["checked", "checked"] and len(stored) == 4
    assert all(GOOD_ID not in (r.party_key or "") for r in stored)


def test_hostile_files_are_refused_whole_and_the_reply_says_why(store_, unit, monkeypatch):
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 80_000_000)    # unpacks to far more than it is
    cases = [
        (bomb.getvalue(), "payout.xlsx", "zip bomb"),
        (b"PK\x03\x04 not really a workbook", "payout.xlsx", "not a readable XLSX workbook"),
        (b'{"rows": "nope"}', "payout.json", "JSON must be a list of objects"),
        ("program,金额\n低保,1\n".encode("utf-16"), "payout.csv", "neither UTF-8 nor GB18030"),
    ]
    for n, (data, name, reason) in enumerate(cases, start=1):
        taken, _ = take(store_, unit, "", data=data, name=name, inbound=n)
        assert taken.notification.status == "rejected" and reason in taken.reason, name
    monkeypatch.setattr(read, "MAX_ROWS", 3)
    lines = [f"农村低保,王某{n},{GOOD_ID},680,东关村,2026-11-{n + 1:02d}" for n in range(5)]
    taken, _ = take(store_, unit, PAYOUT, *lines, inbound=9)
    assert taken.notification.status == "rejected" and "more than 3 rows" in taken.reason
    with store_.reading() as session:
        assert session.exec(select(MonitoredRecord)).all() == []
