"""What staff see in a terminal is safe to see: a subject, body or file name from outside cannot set
the window title, clear the screen or reorder a file name; `--json` still carries the exact text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email.message import EmailMessage

from sqlmodel import select

from commands.ingest import ingest_one
from commands.table import clip, render, width
from store.models import Case, InboundStatus
from tests.conftest import ROOT

TITLE = "\x1b]0;pwned\x07"    # OSC 0: sets the terminal's window title
CLEAR = "\x1b[2J"            # CSI 2J: clears the screen
RLO = "\u202e"               # right-to-left override: "report\u202efdp.exe" reads "reportexe.pdf"
SUBJECT = f"举报{TITLE}局长{CLEAR}受贿{RLO}gpj.exe"
BODY = f"县交通局局长张某收受施工方好处费50万元。{TITLE}\n第二行{CLEAR}证据见附件{RLO}。"
FILENAME = f"账本{RLO}fdp.exe{TITLE}"
RAW = ("\x1b", "\x07", RLO)
VISIBLE = ("\\x1b]0;pwned\\x07", "\\x1b[2J", "<U+202E>")


def bot(settings, *args) -> subprocess.CompletedProcess:
    env = os.environ | {
        "INTAKE_STORE__URL": settings.store.url,
        "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir),
        "INTAKE_CLASSIFIER__MODEL_DIR": str(settings.classifier.model_dir),
        "INTAKE_PIPELINE__PROCESSES": "0",
    }
    result = subprocess.run([sys.executable, "bot.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def hostile(n: int, auto_reply: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = f"citizen{n}@example.org"
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = SUBJECT
    message["Message-ID"] = f"<hostile-{n}@example.org>"
    if auto_reply:
        message["Auto-Submitted"] = "auto-replied"
    message.set_content(BODY)
    message.add_attachment(b"%PDF-1.4 ledger", maintype="application", subtype="octet-stream", filename=FILENAME)
    return message.as_bytes()


def assert_escaped(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the terminal"
    for visible in VISIBLE:
        assert visible in text, f"{visible} is not shown"


def test_case_show_escapes_subject_body_and_file_name_and_json_keeps_them_exact(pipeline):
    assert ingest_one(pipeline, hostile(1)) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        case = session.exec(select(Case)).one()
    shown = bot(pipeline.settings, "case", "show", case.number).stdout
    assert_escaped(shown)
    # The body keeps its own line break; the escapes stay on the lines they belong to.
    assert "第二行\\x1b[2J证据见附件<U+202E>。" in shown.splitlines()
    assert "账本<U+202E>fdp.exe\\x1b]0;pwned\\x07" in shown

    printed = bot(pipeline.settings, "case", "show", case.number, "--json").stdout
    for raw in RAW:
        assert raw not in printed  # \u escapes in the JSON text, the same string once read
    data = json.loads(printed)
    assert data["subject"] == SUBJECT and data["messages"][0]["subject"] == SUBJECT
    assert BODY in data["messages"][0]["text"]
    assert FILENAME in [item["name"] for item in data["evidence"]]


def test_queue_and_screened_queue_escape_subjects(pipeline):
    assert ingest_one(pipeline, hostile(2)) == InboundStatus.FILED
    assert ingest_one(pipeline, hostile(3, auto_reply=True)) == InboundStatus.SCREENED
    queue = bot(pipeline.settings, "queue").stdout
    screened = bot(pipeline.settings, "queue", "--screened").stdout
    for text in (queue, screened):
        for raw in RAW:
            assert raw not in text
        assert "\\x1b]0;pwned\\x07" in text  # the start of the subject, before the cell is clipped
    assert json.loads(bot(pipeline.settings, "queue", "--json").stdout)[0]["subject"] == SUBJECT
    assert json.loads(bot(pipeline.settings, "queue", "--screened", "--json").stdout)[0]["subject"] == SUBJECT


def test_a_table_lines_up_with_chinese_text_and_escapes_and_never_cuts_an_escape():
    rows = [["1", clip(f"举报{RLO}局长", 40), "x"], ["2", clip("ab\x1b[2J", 40), "y"], ["3", "中文\u200b", "z"]]
    table = render(["n", "subject", "c"], rows).splitlines()
    assert "\u200b" not in "\n".join(table) and "<U+200B>" in table[4]
    # The third column starts at the same display column on every line.
    starts = {width(line[: line.rindex(" ") + 1]) for line in table[2:]}
    assert len(starts) == 1, table
    clipped = clip("a" * 10 + "\x1b[2J" + "b" * 10, 14)
    assert clipped == "a" * 10 + "…"  # "\x1b" is one unit: kept whole or not at all
    assert clip("第一行\n\t第二行\r第三行", 40) == "第一行 第二行 第三行"


def test_ingest_names_a_hostile_file_name_escaped(tmp_path, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"notes{RLO}dm.exe\x1b[2J").write_text("# not mail\n")
    shown = bot(pipeline.settings, "ingest", "--no-progress", str(folder)).stdout
    assert "\x1b" not in shown and RLO not in shown
    assert "notes<U+202E>dm.exe\\x1b[2J" in shown
    data = json.loads(bot(pipeline.settings, "ingest", "--json", str(folder)).stdout)
    assert data["skipped_files"] == [str(folder / f"notes{RLO}dm.exe\x1b[2J")]
