"""Key rotation: a new key becomes current, everything sealed (columns and files) is sealed again
under it, then the old keys are dropped from the key file.

Crash-safe by order: the key file holds old and new keys until every value is re-wrapped, so a
rotation stopped half-way leaves a store that opens, and running it again finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import SQLModel, select

from store import audit, sealed
from store.keys import Keyring
from store.models import Inbound, Outbox, Reporter
from store.reporters import address_key
from store.store import Store

BATCH = 500


def sealed_columns() -> dict[type, list[str]]:
    """Every table model with the names of its sealed columns."""
    found: dict[type, list[str]] = {}
    for mapper in SQLModel._sa_registry.mappers:
        names = [attr.key for attr in mapper.column_attrs if isinstance(attr.columns[0].type, sealed.Sealed)]
        if names:
            found[mapper.class_] = names
    return found


def rotate(store: Store, actor: str, say: Callable[[str], None] = print) -> Keyring:
    """Make a new key current and re-wrap the store under it; returns the new keyring."""
    old = store.keyring
    ring = old.with_new_key()
    ring.save()                 # both keys now: what is sealed under either still opens
    _use(store, ring)
    rows = rewrap_rows(store)
    files = rewrap_files(store, ring.current)
    with store.transaction() as session:
        audit.append(session, actor=actor, action="keys.rotated", subject_type="store", subject_id="keys",
                     details={"from": sorted(old.keys), "to": ring.current, "rows": rows, "files": files})
    final = ring.only_current()
    final.save()
    _use(store, final)
    say(f"keys rotated: {', '.join(sorted(old.keys))} -> {ring.current}; {rows} rows and {files} files re-wrapped")
    return final


def _use(store: Store, ring: Keyring) -> None:
    store.keyring = ring
    store.blobs.keyring = ring
    sealed.attach(store.engine, ring)


def rewrap_rows(store: Store) -> int:
    """Seal every sealed column again under the current key, and give rows written before keyed
    hashes began theirs. Returns how many rows were written."""
    written = 0
    for model, names in sealed_columns().items():
        key = model.__mapper__.primary_key[0]
        after = None
        while True:
            with store.transaction() as session:
                query = select(model).order_by(key).limit(BATCH)
                if after is not None:
                    query = query.where(key > after)
                batch = list(session.exec(query))
                for row in batch:
                    for name in names:
                        flag_modified(row, name)
                    _fill_keys(session, row)
                    session.add(row)
                written += len(batch)
            if len(batch) < BATCH:
                break
            after = getattr(batch[-1], key.name)
    return written


def _fill_keys(session, row) -> None:
    if isinstance(row, Reporter) and not row.address_key:
        row.address_key = address_key(session, row.channel, row.address)
    elif isinstance(row, Inbound) and row.sender and not row.sender_key:
        row.sender_key = address_key(session, row.channel, row.sender)
    elif isinstance(row, Outbox) and not row.recipient_key:
        row.recipient_key = address_key(session, row.channel, row.recipient)


def rewrap_files(store: Store, current: str) -> int:
    resealed = 0
    for name in list(store.blobs.names()):
        if store.blobs.sealed_under(name) != current:
            store.blobs.reseal(name)
            resealed += 1
    return resealed
