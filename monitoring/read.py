"""Reading a notification's table, whatever it came as: CSV (UTF-8, with or without its mark, or
GB18030), XLSX or JSON. Rows are produced one at a time, never the whole file at once; an XLSX
sheet is read as stored values (no formula is evaluated, its XML parsed by defusedxml), and every
file is limited in size and rows."""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

MAX_ROWS = 500_000
CHUNK = 1 << 20
MAX_CELL = 1000
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


class Unreadable(ValueError):
    """The file cannot be read as a table (the reply says why)."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[list[str]]          # each row's cells as text, in the header's order


def open_table(data: bytes, name: str | None, media_type: str | None) -> Table:
    """The table in DATA (a file's bytes, NAME and MEDIA_TYPE saying what it claims to be)."""
    lowered = (name or "").lower()
    if data[:2] == b"PK" and (lowered.endswith(".xlsx") or media_type in XLSX or not lowered):
        return _xlsx(data)
    if lowered.endswith(".json") or media_type == "application/json" or data.lstrip()[:1] in (b"[", b"{"):
        return _json(data)
    return _csv(data)


def _encoding(data: bytes) -> str:
    """utf-8-sig or gb18030, whichever decodes DATA, checked a megabyte at a time (no copy of
    the whole file is made to find out)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), CHUNK):
                decoder.decode(data[start:start + CHUNK])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise Unreadable("the file is neither UTF-8 nor GB18030 text")


def _text(data: bytes) -> str:
    return data.decode(_encoding(data))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)[:MAX_CELL].strip()


def _limited(rows: Iterator[list], width: int) -> Iterator[list[str]]:
    for n, row in enumerate(rows, start=1):
        if n > MAX_ROWS:
            raise Unreadable(f"more than {MAX_ROWS} rows")
        cells = [_cell(v) for v in list(row)[:width]]
        if any(cells):
            yield cells + [""] * (width - len(cells))


def _csv(data: bytes) -> Table:
    encoding = _encoding(data)
    try:
        dialect = csv.Sniffer().sniff(data[:4096].decode(encoding, errors="ignore"), delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # Decoded as it is read: the text of the whole file is never held at once.
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Unreadable("the file is empty") from None
    except csv.Error as exc:
        raise Unreadable(f"not a CSV table: {exc}") from None
    return Table(header, _limited(_csv_rows(reader), len(header)))


def _csv_rows(reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise Unreadable(f"not a CSV table at line {reader.line_num}: {exc}") from None


def _json(data: bytes) -> Table:
    try:
        value = json.loads(_text(data))
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(value, dict):
        value = value.get("rows")
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise Unreadable('JSON must be a list of objects (or {"rows": [...]})')
    header: list[str] = []
    for row in value[:1000]:
        header += [str(k).strip().lower() for k in row if str(k).strip().lower() not in header]
    rows = ([row.get(h, row.get(h.upper())) for h in header] for row in value)
    return Table(header, _limited(rows, len(header)))


def _xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
        if unpacked > 50 * len(data) + 10_000_000:
            raise Unreadable("the workbook unpacks to far more than its size (a zip bomb?)")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Unreadable:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook: all mean unreadable
        raise Unreadable(f"not a readable XLSX workbook: {type(exc).__name__}") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(v).lower() for v in next(rows)]
    except StopIteration:
        raise Unreadable("the workbook's first sheet is empty") from None
    while header and not header[-1]:
        header.pop()
    return Table(header, _limited(rows, len(header)))
