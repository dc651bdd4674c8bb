"""Evidence that holds up: item zero is the raw message, exports verify with sha256sum, and any
change to a stored file, an evidence record or an audit entry is found and named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from email.message import EmailMessage

from sqlalchemy import update
from sqlmodel import select

from commands.context import actor
from commands.ingest import ingest_one
from store.integrity import problems
from store.models import AuditEvent, Case, Evidence, InboundStatus
from tests.conftest import ROOT

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 16


def report_with_attachments(sender="whistle@example.org") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "jubao@jiwei.example"
    message["Subject"] = "举报县国土局副局长收受开发商贿赂"
    message["Message-ID"] = "<evidence-1@example.org>"
    message.set_content("县国土局副局长赵某收受开发商现金80万元，帮助其违规取得土地。转账记录和照片见附件。")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="转账记录.pdf")
    message.add_attachment(PNG, maintype="image", subtype="jpeg", filename="现场照片.jpg")
    return message.as_bytes()


RAW = report_with_attachments()


def filed_case(pipeline) -> Case:
    assert ingest_one(pipeline, RAW) == InboundStatus.FILED
    with pipeline.store.transaction() as session:
        return session.exec(select(Case)).one()


def evidence_of(pipeline, case: Case) -> list[Evidence]:
    with pipeline.store.transaction() as session:
        return list(session.exec(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.item)).all())


def bot(settings, *args) -> subprocess.CompletedProcess:
    env = os.environ | {"INTAKE_STORE__URL": settings.store.url, "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir)}
    return subprocess.run([sys.executable, "bot.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_raw_message_is_item_zero_and_each_attachment_has_hash_sniffed_type_and_safe_name(pipeline):
    case = filed_case(pipeline)
    items = evidence_of(pipeline, case)
    assert [i.item for i in items] == [0, 1, 2]
    raw = items[0]
    assert raw.origin == "raw-message" and raw.declared_type == "message/rfc822"
    assert pipeline.store.blobs.read(raw.sha256) == RAW
    pdf, picture = items[1], items[2]
    assert pdf.original_name == "转账记录.pdf" and pdf.sniffed_type == "application/pdf"
    assert picture.declared_type == "image/jpeg" and picture.sniffed_type == "image/png"  # the bytes tell
    assert pipeline.store.blobs.read(pdf.sha256) == PDF
    assert all(i.stored_name.isascii() and "/" not in i.stored_name for i in items)
    assert pdf.parent_id == raw.id


def exported(pipeline, case, tmp_path, run=None) -> tuple[Path, subprocess.CompletedProcess]:
    """CASE exported with `bot.py evidence export` (through RUN, default `bot`), unpacked; and
    what `sha256sum -c` said of it."""
    out = tmp_path / "bundle.zip"
    result = (run or bot)(pipeline.settings, "evidence", "export", case.number, "--out", str(out))
    assert result.returncode == 0, result.stderr
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(out) as bundle:
        bundle.extractall(unpacked)
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return unpacked, check


def test_export_bundle_verifies_with_sha256sum(pipeline, tmp_path):
    case = filed_case(pipeline)
    unpacked, check = exported(pipeline, case, tmp_path)
    assert {"manifest.json", "SHA256SUMS", "custody.jsonl"} <= {path.name for path in unpacked.iterdir()}
    assert check.stdout.count(": OK") == 3
    custody = [json.loads(line) for line in (unpacked / "custody.jsonl").read_text().splitlines()]
    actions = [entry["action"] for entry in custody]
    assert actions.count("evidence.acquired") == 3 and actions[-1] == "evidence.exported"
    manifest = json.loads((unpacked / "manifest.json").read_text())
    assert [item["original_name"] for item in manifest["items"]] == [None, "转账记录.pdf", "现场照片.jpg"]


def test_audit_verify_passes_on_an_untouched_store(pipeline):
    filed_case(pipeline)
    result = bot(pipeline.settings, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_changed_byte_in_a_stored_file_fails_audit_verify_and_names_the_item(pipeline):
    case = filed_case(pipeline)
    pdf = evidence_of(pipeline, case)[1]
    path = pipeline.store.blobs.path(pdf.sha256)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[10] ^= 1
    path.write_bytes(bytes(data))
    result = bot(pipeline.settings, "audit", "verify")
    assert result.returncode == 1
    assert f"evidence {pdf.id} (case {case.id} item 1)" in result.stdout


def test_one_changed_field_of_one_audit_row_fails_audit_verify_and_names_it(pipeline):
    filed_case(pipeline)
    with pipeline.store.transaction() as session:
        target = session.exec(select(AuditEvent).where(AuditEvent.action == "case.filed")).one()
        session.exec(update(AuditEvent).where(AuditEvent.id == target.id).values(actor="someone-else"))
    result = bot(pipeline.settings, "audit", "verify")
    assert result.returncode == 1
    assert f"audit entry {target.id}:" in result.stdout.splitlines()[0]


def test_an_evidence_record_changed_to_match_a_swapped_file_is_caught(pipeline):
    case = filed_case(pipeline)
    pdf = evidence_of(pipeline, case)[1]
    forged = pipeline.store.blobs.put(b"%PDF-1.4 a different document")
    with pipeline.store.transaction() as session:
        session.exec(update(Evidence).where(Evidence.id == pdf.id).values(sha256=forged))
        found = list(problems(session, pipeline.store.blobs))
    assert any(f"evidence {pdf.id}" in p and "sha256" in p for p in found)


def test_staff_confirmation_is_recorded_in_the_custody_trail(pipeline):
    case = filed_case(pipeline)
    result = bot(pipeline.settings, "evidence", "confirm", case.number, "1", "2")
    assert result.returncode == 0, result.stderr
    with pipeline.store.transaction() as session:
        confirmed = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.confirmed")).all()
    assert [(e.actor, e.details["item"]) for e in confirmed] == [(actor(), 1), (actor(), 2)]


def test_a_forwarded_message_and_its_attachment_become_items_of_their_own(pipeline):
    inner = EmailMessage()
    inner["From"] = "clerk@example.gov.cn"
    inner["To"] = "boss@example.gov.cn"
    inner["Subject"] = "账目"
    inner.set_content("附件是这个月的真实账目。")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="真实账目.pdf")
    outer = EmailMessage()
    outer["From"] = "insider@example.org"
    outer["To"] = "jubao@jiwei.example"
    outer["Subject"] = "举报财政所长做假账，转发内部邮件为证"
    outer["Message-ID"] = "<forward-1@example.org>"
    outer.set_content("财政所所长指使会计做两套账，套取扶贫资金40万元。内部邮件转发如下。")
    outer.add_attachment(inner)
    assert ingest_one(pipeline, outer.as_bytes()) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        case = session.exec(select(Case)).one()
    items = evidence_of(pipeline, case)
    by_origin = {i.origin: i for i in items}
    assert [i.origin for i in items] == ["raw-message", "nested-message", "nested-attachment"]
    assert by_origin["nested-message"].parent_id == by_origin["raw-message"].id
    assert by_origin["nested-attachment"].parent_id == by_origin["nested-message"].id
    assert by_origin["nested-attachment"].original_name == "真实账目.pdf"
    assert pipeline.store.blobs.read(by_origin["nested-attachment"].sha256) == PDF
