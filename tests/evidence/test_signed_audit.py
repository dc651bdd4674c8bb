"""A signed audit log: an insider who swaps an evidence file and rebuilds the hash chain is caught,
a head recorded elsewhere proves the log still extends it, bundles carry a signed manifest, and
the key is made on first use, outside the data folder, readable by the bot's user only."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from sqlalchemy import delete, update
from sqlmodel import select

from commands.context import open_store
from commands.ingest import ingest_one
from config.schema import Settings
from store import audit, signing
from store.audit import GENESIS, HEAD, entry_hash
from store.models import AuditEvent, Case, Counter, Evidence, InboundStatus
from store.store import Store
from tests.conftest import ROOT, make_settings
from tests.evidence.test_custody import RAW, exported as export_unpacked

HEAD_LINE = re.compile(r"^(\d+):([0-9a-f]{64}):([0-9a-f]{128})$")


@pytest.fixture
def pipeline(tmp_path, store_url, classify):
    """The real pipeline on a fresh store that signs with a key of this test's own."""
    from intake.pipeline.worker import Pipeline

    settings = make_settings(tmp_path, store_url, store={"audit_key_file": str(tmp_path / "keys" / "audit.key")})
    store = open_store(settings)
    yield Pipeline(store=store, settings=settings, classify=classify, dnsfunc=None)
    store.close()


def filed_case(pipeline) -> Case:
    assert ingest_one(pipeline, RAW) == InboundStatus.FILED
    with pipeline.store.reading() as session:
        return session.exec(select(Case)).one()


def bot(settings, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != signing.ENV_KEY} | {
        "INTAKE_STORE__URL": settings.store.url, "INTAKE_STORE__DATA_DIR": str(settings.store.data_dir),
        "INTAKE_STORE__AUDIT_KEY_FILE": str(settings.store.audit_key_file)}
    return subprocess.run([sys.executable, "bot.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def rebuild_chain(store: Store, sign=None) -> None:
    """What an insider with the database does: every prev_hash and hash recomputed exactly as
    store/audit.py computes them, written with plain SQL, and the head moved to the new end.
    SIGN(hash) gives the signature columns to write, if the insider touches them at all."""
    with store.transaction() as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        entries = [SimpleNamespace(id=r.id, at=r.at, actor=r.actor, action=r.action, subject_type=r.subject_type,
                                   subject_id=r.subject_id, details=r.details, hash=r.hash) for r in rows]
        previous = GENESIS
        for entry in entries:
            entry.prev_hash = previous
            rebuilt = entry_hash(entry)
            if rebuilt != entry.hash:
                values = {"prev_hash": previous, "hash": rebuilt} | (sign(rebuilt) if sign else {})
                session.exec(update(AuditEvent).where(AuditEvent.id == entry.id).values(**values))
            previous = rebuilt
        session.exec(update(Counter).where(Counter.name == HEAD).values(text=previous))


def swap_evidence(store: Store, case: Case) -> int:
    """Replace item 1's file by another document, and its row and acquisition entry to match.
    Returns the id of the acquisition entry, the first one the rebuild changes."""
    forged = b"%PDF-1.4\n% a different document, planted later\n%%EOF\n"
    with store.transaction() as session:
        pdf = session.exec(select(Evidence).where(Evidence.case_id == case.id, Evidence.item == 1)).one()
        acquired = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.acquired",
                                                         AuditEvent.subject_id == str(pdf.id))).one()
        original = store.blobs.path(pdf.sha256)
        sha256 = store.blobs.put(forged)
        original.unlink()
        session.exec(update(Evidence).where(Evidence.id == pdf.id).values(sha256=sha256, size=len(forged)))
        details = dict(acquired.details, sha256=sha256, size=len(forged))
        session.exec(update(AuditEvent).where(AuditEvent.id == acquired.id).values(details=details))
    return acquired.id


def attackers_signature(kind: str, ours: str):
    """How the insider treats the signature columns of the entries he rebuilt."""
    key = Ed25519PrivateKey.generate()
    theirs = signing.key_id(key.public_key())
    return {
        "left as they were": None,
        "cleared": lambda _hash: {"signature": None, "key_id": None},
        "signed with his own key": lambda h: {"signature": key.sign(h.encode()).hex(), "key_id": theirs},
        "signed with his own key under our key id": lambda h: {"signature": key.sign(h.encode()).hex(),
                                                               "key_id": ours},
    }[kind]


@pytest.mark.parametrize("signatures", ["left as they were", "cleared", "signed with his own key",
                                        "signed with his own key under our key id"])
def test_a_swapped_evidence_file_with_a_recomputed_chain_fails_audit_verify(pipeline, signatures):
    case = filed_case(pipeline)
    first_changed = swap_evidence(pipeline.store, case)
    rebuild_chain(pipeline.store, attackers_signature(signatures, pipeline.store.signer.key_id))
    result = bot(pipeline.settings, "audit", "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"first problem: audit entry {first_changed}:" in lines[0]
    # The rebuild itself is faithful: hashes, the head and the evidence records all agree, so
    # only the signatures give it away (as they did not exist before, the old check passed).
    assert all(re.search(r"sign|trusted audit key", line) for line in lines), lines


def test_audit_head_then_verify_head_passes_unchanged_and_after_more_entries(pipeline):
    case = filed_case(pipeline)
    printed = bot(pipeline.settings, "audit", "head")
    assert printed.returncode == 0, printed.stderr
    recorded = printed.stdout.strip()
    match = HEAD_LINE.match(recorded)
    assert match, recorded
    as_json = json.loads(bot(pipeline.settings, "audit", "head", "--json").stdout)
    assert as_json["head"] == recorded and as_json["entry"] == int(match[1]) and as_json["hash"] == match[2]
    assert as_json["key_id"] == pipeline.store.signer.key_id
    assert bot(pipeline.settings, "audit", "verify", "--head", recorded).returncode == 0

    assert bot(pipeline.settings, "evidence", "confirm", case.number, "1", "2").returncode == 0
    later = bot(pipeline.settings, "audit", "head").stdout.strip()
    assert int(HEAD_LINE.match(later)[1]) == int(match[1]) + 2
    for value in (recorded, f"{match[1]}:{match[2]}"):
        result = bot(pipeline.settings, "audit", "verify", "--head", value)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"extends the recorded head, entry {match[1]}" in result.stdout


def test_verify_head_fails_when_the_chain_before_it_is_rebuilt_even_with_our_key(pipeline):
    case = filed_case(pipeline)
    recorded = bot(pipeline.settings, "audit", "head").stdout.strip()
    entry = int(HEAD_LINE.match(recorded)[1])
    assert bot(pipeline.settings, "evidence", "confirm", case.number).returncode == 0
    first_changed = swap_evidence(pipeline.store, case)
    assert first_changed < entry
    # The worst case: the insider holds the key too, and re-signs every rebuilt entry.
    signer = pipeline.store.signer
    rebuild_chain(pipeline.store, lambda h: {"signature": signer.sign(h.encode()).hex(), "key_id": signer.key_id})
    assert bot(pipeline.settings, "audit", "verify").returncode == 0  # only the recorded head shows it
    result = bot(pipeline.settings, "audit", "verify", "--head", recorded)
    assert result.returncode == 1
    assert f"first problem: audit entry {entry}:" in result.stdout.splitlines()[0]
    assert "rebuilt" in result.stdout.splitlines()[0]


def test_verify_head_fails_when_the_log_is_cut_back_before_the_head(pipeline):
    case = filed_case(pipeline)
    with pipeline.store.reading() as session:
        kept = audit.head(session)
    assert bot(pipeline.settings, "evidence", "confirm", case.number).returncode == 0
    recorded = bot(pipeline.settings, "audit", "head").stdout.strip()
    with pipeline.store.transaction() as session:
        session.exec(delete(AuditEvent).where(AuditEvent.id > kept.entry))
        session.exec(update(Counter).where(Counter.name == HEAD).values(value=kept.entry, text=kept.hash))
    assert bot(pipeline.settings, "audit", "verify").returncode == 0  # what is left is intact and signed
    result = bot(pipeline.settings, "audit", "verify", "--head", recorded)
    assert result.returncode == 1
    assert "missing" in result.stdout.splitlines()[0]


def test_verify_head_refuses_a_head_whose_signature_is_not_ours(pipeline):
    filed_case(pipeline)
    entry, hash_, _ = HEAD_LINE.match(bot(pipeline.settings, "audit", "head").stdout.strip()).groups()
    forged = f"{entry}:{hash_}:{Ed25519PrivateKey.generate().sign(hash_.encode()).hex()}"
    result = bot(pipeline.settings, "audit", "verify", "--head", forged)
    assert result.returncode == 1 and "not made by a trusted audit key" in result.stdout
    assert bot(pipeline.settings, "audit", "verify", "--head", "12:not-a-hash").returncode == 2


def test_the_bundle_manifest_is_signed_and_verifies_with_the_shipped_public_key(pipeline, tmp_path):
    case = filed_case(pipeline)
    unpacked, _ = export_unpacked(pipeline, case, tmp_path, run=bot)

    manifest_bytes = (unpacked / "manifest.json").read_bytes()
    signature = (unpacked / "manifest.sig").read_bytes()
    public = serialization.load_pem_public_key((unpacked / "public-key.pem").read_bytes())
    public.verify(signature, manifest_bytes)  # raises if not
    manifest = json.loads(manifest_bytes)
    assert manifest["key_id"] == signing.key_id(public) == pipeline.store.signer.key_id
    assert manifest["key_id"] in (unpacked / "README.txt").read_text()
    assert manifest["sha256sums_sha256"] == hashlib.sha256((unpacked / "SHA256SUMS").read_bytes()).hexdigest()
    assert manifest["custody_sha256"] == hashlib.sha256((unpacked / "custody.jsonl").read_bytes()).hexdigest()
    # The head at export is the export's own entry, and it can be checked later.
    with pipeline.store.reading() as session:
        exported = session.exec(select(AuditEvent).where(AuditEvent.action == "evidence.exported")).one()
    assert manifest["audit_head"]["head"] == f"{exported.id}:{exported.hash}:{exported.signature}"
    assert bot(pipeline.settings, "audit", "verify", "--head", manifest["audit_head"]["head"]).returncode == 0

    openssl = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin",
               "-in", "manifest.json", "-sigfile", "manifest.sig"]
    assert " ".join(openssl) in (unpacked / "README.txt").read_text()
    if shutil.which("openssl"):
        done = subprocess.run(openssl, cwd=unpacked, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    altered = manifest_bytes.replace(manifest["items"][1]["sha256"].encode(), b"0" * 64)
    assert altered != manifest_bytes
    with pytest.raises(InvalidSignature):
        public.verify(signature, altered)
    (unpacked / "manifest.json").write_bytes(altered)
    if shutil.which("openssl"):
        assert subprocess.run(openssl, cwd=unpacked, capture_output=True).returncode != 0


def test_a_store_opened_with_no_key_file_makes_one_0600_outside_the_data_dir(store_url, tmp_path, monkeypatch):
    monkeypatch.delenv(signing.ENV_KEY, raising=False)
    monkeypatch.chdir(tmp_path)  # the default, keys/audit.key, is relative to the working directory
    store = Store.open(store_url, tmp_path / "data")
    try:
        key_file = tmp_path / "keys" / "audit.key"
        assert key_file.is_file() and not key_file.resolve().is_relative_to((tmp_path / "data").resolve())
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        assert store.signer.key_id == signing.load(key_file).key_id  # the same key is read back
        with store.transaction() as session:
            event = audit.append(session, actor="system", action="x", subject_type="case", subject_id=1)
        assert event.key_id == store.signer.key_id and len(event.signature) == 128
        with store.reading() as session:
            assert list(audit.check_chain(session)) == []
        # The private key is nowhere in the data folder or the database.
        raw = store.signer.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                 serialization.NoEncryption())
        for path in (tmp_path / "data").rglob("*"):
            assert not path.is_file() or raw not in path.read_bytes()
    finally:
        store.close()


def test_the_key_from_the_environment_wins_and_no_file_is_made(tmp_path):
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    signer = signing.load(tmp_path / "keys" / "audit.key", environ={signing.ENV_KEY: base64.b64encode(raw).decode()})
    assert signer.key_id == signing.key_id(key.public_key())
    assert not (tmp_path / "keys").exists()
    with pytest.raises(signing.AuditKeyError):
        signing.load(tmp_path / "k", environ={signing.ENV_KEY: base64.b64encode(b"short").decode()})


def test_the_key_file_setting_must_lie_outside_the_data_dir(tmp_path):
    inside = {"data_dir": str(tmp_path / "data"), "audit_key_file": str(tmp_path / "data" / "audit.key")}
    with pytest.raises(ValidationError, match="audit_key_file"):
        Settings.model_validate({"store": inside})
    with pytest.raises(ValidationError, match="extra"):
        Settings.model_validate({"store": {"audit_key": "x"}})
    assert Settings().store.audit_key_file == Path("keys/audit.key")


def test_entries_signed_before_a_key_rotation_verify_while_the_old_public_key_is_trusted(store_url, tmp_path):
    keys = tmp_path / "keys"
    old = signing.load(keys / "audit.key")
    store = Store.open(store_url, tmp_path / "data", audit_key=old)
    with store.transaction() as session:
        audit.append(session, actor="system", action="x", subject_type="case", subject_id=1)
    store.close()
    # Rotation: the old private key goes, its public half stays beside the new key as a .pub file.
    (keys / "audit.key").rename(tmp_path / "retired.key")
    (keys / "2025.pub").write_bytes(old.public_pem())
    store = Store.open(store_url, tmp_path / "data", audit_key=keys / "audit.key")
    try:
        assert store.signer.key_id != old.key_id and old.key_id in store.signer.trusted
        with store.transaction() as session:
            audit.append(session, actor="system", action="y", subject_type="case", subject_id=1)
        with store.reading() as session:
            assert list(audit.check_chain(session)) == []
    finally:
        store.close()
    (keys / "2025.pub").unlink()
    store = Store.open(store_url, tmp_path / "data", audit_key=keys / "audit.key")
    try:
        with store.reading() as session:
            found = list(audit.check_chain(session))
        assert [p.event_id for p in found] == [1] and "not a trusted audit key" in found[0].reason
    finally:
        store.close()
