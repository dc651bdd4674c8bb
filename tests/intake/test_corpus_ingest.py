"""Every message of the shared email corpus goes through `bot.py ingest` without a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlmodel import select

from store.models import Inbound, InboundStatus
from store.store import Store
from tests.conftest import IN_CI, ROOT, corpus_dir

CORPUS = corpus_dir()


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(CORPUS is None and not IN_CI, reason="the shared email corpus is not on this machine")
def test_whole_corpus_is_ingested_each_message_filed_or_screened_with_defects_recorded(tmp_path, model_dir):
    assert CORPUS is not None, "CI must have the shared email corpus"
    env = os.environ | {
        "INTAKE_STORE__URL": f"sqlite:///{tmp_path / 'intake.db'}",
        "INTAKE_STORE__DATA_DIR": str(tmp_path / "data"),
        "INTAKE_CLASSIFIER__MODEL_DIR": str(model_dir),
        # No DNS lookups for the corpus's many signatures: this is about surviving the input.
        "INTAKE_AUTHENTICITY__DKIM": "false",
    }
    result = subprocess.run([sys.executable, "bot.py", "ingest", str(CORPUS), "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=880)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    files = [line.split("\t")[0] for line in (CORPUS / "manifest.tsv").read_text().splitlines()[1:]]
    assert summary["messages"] >= len(files)  # mbox files hold several
    assert summary["quarantined"] == 0
    assert summary["filed"] + summary["follow_ups"] + summary["duplicates"] + summary["screened"] == summary["messages"]

    store = Store.open(env["INTAKE_STORE__URL"], tmp_path / "data", upgrade=False)
    with store.transaction() as session:
        rows = session.exec(select(Inbound)).all()
    store.close()
    statuses = Counter(row.status for row in rows)
    assert set(statuses) <= {InboundStatus.FILED, InboundStatus.SCREENED, InboundStatus.DUPLICATE,
                             InboundStatus.FOLLOW_UP}
    assert statuses[InboundStatus.SCREENED] > 0 and statuses[InboundStatus.FILED] > 0
    # Broken mail is kept with what was wrong with it.
    with_defects = [row for row in rows if row.defects]
    assert len(with_defects) > len(rows) // 10
    assert any("close-boundary-not-found" in row.defects or "boundary-recovered" in row.defects for row in rows)
