"""Evidence bundles: a zip anyone can check with `sha256sum -c SHA256SUMS`, with manifest and custody log."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from datetime import UTC
from pathlib import Path

from sqlmodel import Session, or_, select

from store import audit
from store.blobs import BlobStore
from store.models import AuditEvent, Case, Evidence


def export(session: Session, blobs: BlobStore, case: Case, out: Path, actor: str) -> list[Evidence]:
    """Write the bundle of CASE to OUT (atomically) and record the export in the audit log."""
    items = list(session.exec(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.item)).all())
    for item in items:
        problem = blobs.check(item.sha256)
        if problem:
            raise ValueError(f"evidence item {item.item} cannot be exported: {problem}")
    audit.append(session, actor=actor, action="evidence.exported", subject_type="case", subject_id=case.id,
                 details={"number": case.number, "items": [i.item for i in items], "file": out.name})
    session.flush()
    manifest = {
        "case": case.number,
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
    custody = _custody(session, case, items)
    sums = "".join(f"{i.sha256}  files/{i.stored_name}\n" for i in items)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for item in items:
                bundle.writestr(f"files/{item.stored_name}", blobs.read(item.sha256))
            bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            bundle.writestr("custody.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in custody))
            bundle.writestr("SHA256SUMS", sums)
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
         "subject_id": e.subject_id, "details": e.details, "prev_hash": e.prev_hash, "hash": e.hash}
        for e in events
    ]


def _parent_item(items: list[Evidence], item: Evidence) -> int | None:
    for other in items:
        if other.id == item.parent_id:
            return other.item
    return None


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat()
