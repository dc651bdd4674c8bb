"""Messages from files: single .eml files, folders of them, and mbox files."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileMessage:
    origin: str   # path, with "#N" for the N-th message of an mbox
    raw: bytes


def expand(paths: list[Path]) -> list[Path]:
    """Every file named or found below a named folder, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        else:
            files.append(path)
    return files


def is_mbox(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(5)
    if head != b"From ":
        return False
    with open(path, "rb") as handle:
        first_line = handle.readline(1000)
    # "From " alone also starts a header-less message body; an mbox separator names a sender
    # and a date after it.
    return len(first_line.split()) >= 3


def messages(files: list[Path]) -> Iterator[FileMessage]:
    for path in files:
        if is_mbox(path):
            box = mailbox.mbox(path, create=False)
            try:
                for index, key in enumerate(box.keys()):
                    yield FileMessage(f"{path}#{index + 1}", box.get_bytes(key))
            finally:
                box.close()
        else:
            yield FileMessage(str(path), path.read_bytes())


def count(files: list[Path]) -> int:
    total = 0
    for path in files:
        if is_mbox(path):
            box = mailbox.mbox(path, create=False)
            try:
                total += len(box)
            finally:
                box.close()
        else:
            total += 1
    return total
