"""Evidence bundles: a zip anyone can check with `sha256sum -c SHA256SUMS`, with manifest and custody log.

manifest.json names every file with its SHA-256 (and those of SHA256SUMS and custody.jsonl) and the
audit head at export; it is signed with the audit key (manifest.sig, raw Ed25519, checked against
public-key.pem), so a bundle rebuilt with other files and fresh sums shows. README.txt says how.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from datetime import UTC
from pathlib import Path

from sqlmodel import Session, or_, select

from store import audit, signing
from store.blobs import BlobStore
from store.models import AuditEvent, Case, Evidence


def export(session: Session, blobs: BlobStore, case: Case, out: Path, actor: str) -> list[Evidence]:
    """Write the bundle of CASE to OUT (atomically) and record the export in the audit log."""
    items = list(session.exec(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.item)).all())
    for item in items:
        problem = blobs.check(item.sha256)
        if problem:
            raise ValueError(f"evidence item {item.item} cannot be exported: {problem}")
    signer = signing.of(session)
    exported = audit.append(session, actor=actor, action="evidence.exported", subject_type="case",
                            subject_id=case.id,
                            details={"number": case.number, "items": [i.item for i in items], "file": out.name})
    session.flush()
    custody = _custody(session, case, items)
    custody_text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in custody)
    sums = "".join(f"{i.sha256}  files/{i.stored_name}\n" for i in items)
    # The export's own entry is the head at export: `audit verify --head` later proves the log
    # still extends it.
    head = audit.Head(exported.id, exported.hash, exported.signature, exported.key_id)
    manifest = {
        "case": case.number,
        "exported_at": _iso(exported.at),
        "audit_head": {"entry": head.entry, "hash": head.hash, "signature": head.signature,
                       "key_id": head.key_id, "head": str(head)},
        "key_id": signer.key_id,
        "sha256sums_sha256": _sha256(sums),
        "custody_sha256": _sha256(custody_text),
        "items": [
            {
                "item": i.item,
                "file": f"files/{i.stored_name}",
                "original_name": i.original_name,
                "origin": i.origin,
                "size": i.size,
                "declared_type": i.declared_type,
                "sniffed_type": i.sniffed_type,
                "sha256": i.sha256,
                "source": i.source,
                "acquired_at": _iso(i.acquired_at),
                "parent_item": _parent_item(items, i),
            }
            for i in items
        ],
    }
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for item in items:
                bundle.writestr(f"files/{item.stored_name}", blobs.read(item.sha256))
            bundle.writestr("manifest.json", manifest_bytes)
            bundle.writestr("manifest.sig", signer.sign(manifest_bytes))
            bundle.writestr("public-key.pem", signer.public_pem())
            bundle.writestr("custody.jsonl", custody_text)
            bundle.writestr("SHA256SUMS", sums)
            bundle.writestr("README.txt", _readme(case.number, signer.key_id))
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return items


def _custody(session: Session, case: Case, items: list[Evidence]) -> list[dict]:
    ids = [str(i.id) for i in items]
    events = session.exec(
        select(AuditEvent)
        .where(or_((AuditEvent.subject_type == "case") & (AuditEvent.subject_id == str(case.id)),
                   (AuditEvent.subject_type == "evidence") & (AuditEvent.subject_id.in_(ids))))
        .order_by(AuditEvent.id)
    ).all()
    return [
        {"id": e.id, "at": _iso(e.at), "actor": e.actor, "action": e.action, "subject_type": e.subject_type,
         "subject_id": e.subject_id, "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash,
         "signature": e.signature, "key_id": e.key_id}
        for e in events
    ]


def _parent_item(items: list[Evidence], item: Evidence) -> int | None:
    for other in items:
        if other.id == item.parent_id:
            return other.item
    return None


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _readme(number: str, key_id: str) -> str:
    return f"""Evidence bundle of case {number}.

1. The files: sha256sum -c SHA256SUMS
2. The manifest (which holds the SHA-256 of every file, of SHA256SUMS and of custody.jsonl, and the
   audit head at export) is signed with the office's audit key (Ed25519):
     openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig
   or: python3 -c "from cryptography.hazmat.primitives.serialization import load_pem_public_key as k; k(open('public-key.pem','rb').read()).verify(open('manifest.sig','rb').read(), open('manifest.json','rb').read()); print('Signature Verified Successfully')"
3. public-key.pem must be the office's key, id {key_id} (the first 16 hex digits of the SHA-256 of the raw key):
     openssl pkey -pubin -in public-key.pem -outform DER | tail -c 32 | sha256sum | cut -c1-16
   Each entry of custody.jsonl carries the signature of its hash by that key, too.
"""
