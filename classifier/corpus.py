"""The labelled corpus: reading and checking its JSON lines, and where the split files live."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from .labels import AREAS, KINDS, VIOLATIONS

DATA_DIR = Path(__file__).resolve().parent / "data"
SPLITS = ("train", "dev", "test")
KEYS = ("id", "lang", "subject", "text", "kind", "area", "violation", "priority", "real_name")


class CorpusError(ValueError):
    """A corpus file that does not follow the label guide."""


def split_path(split: str, data_dir: Path = DATA_DIR) -> Path:
    return data_dir / f"{split}.jsonl"


def corpus_digest(splits: Iterable[str], data_dir: Path = DATA_DIR) -> str:
    """One SHA-256 over the given split files, as a model records what it was trained on."""
    digest = hashlib.sha256()
    for split in splits:
        digest.update(split_path(split, data_dir).read_bytes())
    return digest.hexdigest()


def check_example(row: dict, where: str) -> None:
    """Raise CorpusError when one example breaks the label guide's format."""
    missing = [key for key in KEYS if key not in row]
    if missing:
        raise CorpusError(f"{where}: missing keys {missing}")
    if row["lang"] not in ("zh", "en"):
        raise CorpusError(f"{where}: lang {row['lang']!r}")
    if row["kind"] not in KINDS:
        raise CorpusError(f"{where}: kind {row['kind']!r}")
    if row["kind"] == "report":
        if row["area"] not in AREAS or row["violation"] not in VIOLATIONS:
            raise CorpusError(f"{where}: area/violation {row['area']!r}/{row['violation']!r}")
    elif row["area"] is not None or row["violation"] is not None:
        raise CorpusError(f"{where}: area and violation must be null for kind {row['kind']}")
    if row["priority"] not in (1, 2, 3, 4) or not isinstance(row["real_name"], bool):
        raise CorpusError(f"{where}: priority {row['priority']!r} / real_name {row['real_name']!r}")


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            check_example(row, f"{path}:{number}")
            rows.append(row)
    return rows


def read_split(split: str, data_dir: Path = DATA_DIR) -> list[dict]:
    path = split_path(split, data_dir)
    if not path.exists():
        raise CorpusError(f"corpus split {path} is missing")
    return read_jsonl(path)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({key: row[key] for key in KEYS}, ensure_ascii=False) + "\n")


def model_text(subject: str, text: str) -> str:
    """The one string the models and the rules read, and that entity offsets point into."""
    return f"{subject or ''}\n{text or ''}"
