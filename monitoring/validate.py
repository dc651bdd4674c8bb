"""Every cell of a notification checked against its column before anything is used: present when
required, of its type, in its range, an identity number with a valid GB 11643 check digit. Rows
come out as records (typed values) with their row numbers; problems as (row, column, what)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from monitoring.columns import TYPES, Column

MAX_PROBLEMS = 200          # a reply lists this many; the count says how many there were
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
MONEY = re.compile(r"^-?\d{1,15}(\.\d{1,2})?$")


def id_number_ok(value: str) -> bool:
    """A resident identity number: 18 characters, a real birth date, the GB 11643 check digit."""
    value = value.upper()
    if not ID_NUMBER.match(value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return CHECK[sum(int(d) * w for d, w in zip(value[:17], WEIGHTS, strict=True)) % 11] == value[17]


@dataclass
class Problems:
    items: list[tuple[int, str, str]] = field(default_factory=list)   # (row, column, what)
    count: int = 0

    def add(self, row: int, column: str, what: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append((row, column, what))


def value_of(column: Column, cell: str):
    """CELL as COLUMN's type, or raise ValueError saying what is wrong."""
    cell = cell.strip()
    if column.kind == "text":
        return cell
    if column.kind == "choice":
        if cell.lower() not in column.choices:
            raise ValueError(f"not one of {', '.join(column.choices)}")
        return cell.lower()
    if column.kind == "date":
        try:
            return date.fromisoformat(cell)
        except ValueError:
            raise ValueError("not a date YYYY-MM-DD") from None
    if column.kind == "id_number":
        if not id_number_ok(cell):
            raise ValueError("not a valid identity number (length, birth date or check digit)")
        return cell.upper()
    if column.kind == "int":
        if not re.fullmatch(r"-?\d{1,9}", cell):
            raise ValueError("not a whole number")
        number = int(cell)
    else:
        text = cell.replace(",", "")
        if not MONEY.match(text):
            raise ValueError("not an amount in yuan (digits, at most two decimals)")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError("not an amount in yuan") from None
    if column.minimum is not None and number < column.minimum:
        raise ValueError(f"below {column.minimum}")
    return number


def records(kind: str, header: list[str], rows, problems: Problems) -> Iterator[tuple[int, dict]]:
    """(row number, record) of each row without a problem; problems are added to PROBLEMS. Row
    numbers count the header as row 1, as a spreadsheet shows them."""
    columns = TYPES[kind]
    where = {name: i for i, name in enumerate(header)}
    for column in columns:
        if column.required and column.name not in where:
            problems.add(1, column.name, "missing column")
    if problems.count:
        return
    for number, row in enumerate(rows, start=2):
        record, bad = {}, False
        for column in columns:
            cell = row[where[column.name]] if column.name in where else ""
            if not cell.strip():
                if column.required:
                    problems.add(number, column.name, "empty")
                    bad = True
                else:
                    record[column.name] = None
                continue
            try:
                record[column.name] = value_of(column, cell)
            except ValueError as exc:
                problems.add(number, column.name, str(exc))
                bad = True
        if not bad:
            yield number, record
