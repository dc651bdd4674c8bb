"""`bot.py unit add|list|disable|template` and `bot.py monitoring officials import`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlmodel import select

from monitoring.columns import TYPES
from store import monitoring
from store.models import AuditEvent, MonitoredUnit, OfficialEntry
from store.store import Store
from tests.conftest import ROOT, make_settings


def bot(settings, *args) -> subprocess.CompletedProcess:
    env = os.environ | {"INTAKE_STORE__URL": settings.store.url, "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir)}
    return subprocess.run([sys.executable, "bot.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


def test_a_unit_is_registered_found_by_its_address_listed_and_disabled(settings):
    added = bot(settings, "unit", "add", "县交通运输局", "--address", "JiaoTong+notices@Xian.example",
                "--area", "engineering_construction")
    assert added.returncode == 0, added.stderr
    again = bot(settings, "unit", "add", "别的局", "--address", "jiaotong@xian.example", "--area", "other")
    assert again.returncode == 1
    assert bot(settings, "unit", "add", "x", "--address", "not an address", "--area", "other").returncode == 2
    assert bot(settings, "unit", "add", "x", "--address", "a@b.example", "--area", "space").returncode == 2
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.reading() as session:
            assert monitoring.unit_at(session, "jiaotong@xian.example").name == "县交通运输局"
            assert monitoring.unit_at(session, "someone@xian.example") is None
        with store.engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT address FROM monitored_unit").scalar()
        assert "xian.example" not in stored                       # sealed at rest
        assert "县交通运输局" in bot(settings, "unit", "list").stdout
        assert bot(settings, "unit", "disable", "县交通运输局").returncode == 0
        with store.reading() as session:
            assert monitoring.unit_at(session, "jiaotong@xian.example") is None
            actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions == ["unit.added", "unit.disabled"]
    finally:
        store.close()


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_each_template_has_every_column_and_an_example_that_validates(settings, kind):
    from monitoring import read, validate

    printed = bot(settings, "unit", "template", kind)
    assert printed.returncode == 0
    table = read.open_table(printed.stdout.encode(), "t.csv", None)
    problems = validate.Problems()
    rows = list(validate.records(kind, table.header, table.rows, problems))
    assert problems.count == 0 and len(rows) == 1
    assert table.header == [c.name for c in TYPES[kind]]


def test_the_officials_list_keeps_only_keyed_hashes_and_refuses_bad_numbers(settings, tmp_path):
    good = tmp_path / "officials.txt"
    good.write_text("# officials\n110101199003074477\n11010519491231002X\n", encoding="utf-8")
    assert bot(settings, "monitoring", "officials", "import", str(good)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,id_number\n张某,110101199003074478\n", encoding="utf-8")
    refused = bot(settings, "monitoring", "officials", "import", str(bad))
    assert refused.returncode == 2 and "entries 1" in refused.stderr
    store = Store.open(settings.store.url, settings.store.data_dir)
    try:
        with store.reading() as session:
            keys = [e.id_key for e in session.exec(select(OfficialEntry))]
            units = session.exec(select(MonitoredUnit)).all()
    finally:
        store.close()
    assert len(keys) == 2 and not any("1101" in k for k in keys) and units == []
