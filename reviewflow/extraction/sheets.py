"""Reading and writing extraction sheets cell by cell, without ever creating a formula.

An extraction workbook travels to people and comes back; a cell that starts with ``=``
(``+``, ``-`` or ``@`` for some spreadsheet programs) could run as a formula when opened
(CSV/formula injection, OWASP). Every text value reviewflow writes therefore goes through
:func:`set_text_safely` (stored as a string, shown with a quote prefix) or, in CSV files,
the one CSV writer :func:`reviewflow.io.write_csv` (a leading apostrophe, removed again by
:func:`reviewflow.io.unescape_cell` on import).
The readers keep each cell's openpyxl ``data_type`` so validation can refuse formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.errors import DataError
from reviewflow.io import FORMULA_PREFIXES, unescape_cell

__all__ = [
    "RawCell",
    "RawRow",
    "RawSheet",
    "csv_text",
    "read_csv_folder",
    "read_workbook",
    "set_text_safely",
]


@dataclass
class RawCell:
    value: Any
    data_type: str = "s"  # openpyxl: s(tring) n(umber) b(ool) d(ate) f(ormula) e(rror)


@dataclass
class RawRow:
    number: int  # 1-based spreadsheet row (header = 1) or CSV line
    cells: dict[str, RawCell] = field(default_factory=dict)

    def value(self, column: str) -> Any:
        cell = self.cells.get(column)
        return None if cell is None else cell.value


@dataclass
class RawSheet:
    name: str
    path: str
    columns: list[str]
    rows: list[RawRow]
    #: (column number, header text) of headers that appear twice or are empty
    bad_headers: list[tuple[int, str]] = field(default_factory=list)


def set_text_safely(cell: Any, value: Any) -> None:
    """Put a value in an openpyxl cell; text is always text, never a formula."""
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    cell.value = value
    if isinstance(value, dt.datetime | dt.date):
        cell.number_format = "yyyy-mm-dd"


def csv_text(value: Any) -> str:
    """A cell of the extraction CSVs as text (yes/no, ISO dates, whole numbers without
    ``.0``); :func:`reviewflow.io.write_csv` then makes it safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _header(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_workbook(path: str | os.PathLike[str]) -> dict[str, RawSheet]:
    """Every sheet of an ``.xlsx`` by name, formulas kept as formulas (not evaluated)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=False)
    except FileNotFoundError as exc:
        raise DataError("extraction workbook not found", path=str(path)) from exc
    except Exception as exc:  # openpyxl raises many types for a file that is not xlsx
        raise DataError(f"not a readable .xlsx workbook: {exc}", path=str(path)) from exc
    sheets: dict[str, RawSheet] = {}
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows()
        header_cells = next(rows, ())
        columns = [_header(c.value) for c in header_cells]
        sheet = RawSheet(worksheet.title, str(path), columns, [])
        seen: set[str] = set()
        for number, name in enumerate(columns, start=1):
            if name and name in seen:
                sheet.bad_headers.append((number, name))
            seen.add(name)
        for row in rows:
            raw = RawRow((row[0].row or 0) if row else 0)
            for cell, name in zip(row, columns, strict=False):
                if not name or cell.value is None:
                    continue
                if name in raw.cells:
                    continue
                raw.cells[name] = RawCell(cell.value, cell.data_type)
            extra = [c for c in row[len(columns) :] if c.value is not None]
            for cell in extra:
                raw.cells[f"(column {cell.column})"] = RawCell(cell.value, cell.data_type)
            if raw.cells:
                sheet.rows.append(raw)
        sheets[worksheet.title] = sheet
    workbook.close()
    return sheets


def read_csv_folder(folder: str | os.PathLike[str], names: Sequence[str]) -> dict[str, RawSheet]:
    """``<folder>/<name>.csv`` for each sheet name that has a file (all cells text)."""
    sheets: dict[str, RawSheet] = {}
    base = Path(folder)
    if not base.is_dir():
        raise DataError("extraction CSV folder not found", path=str(folder))
    for name in names:
        path = base / f"{name}.csv"
        if not path.is_file():
            continue
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                columns = [c.strip() for c in next(reader, [])]
                sheet = RawSheet(name, path.as_posix(), columns, [])
                for values in reader:
                    raw = RawRow(reader.line_num)
                    for column, text in zip(columns, values, strict=False):
                        if column and text.strip():
                            raw.cells[column] = RawCell(unescape_cell(text), "s")
                    for n, text in enumerate(values[len(columns) :], start=len(columns) + 1):
                        if text.strip():
                            raw.cells[f"(column {n})"] = RawCell(text, "s")
                    if raw.cells:
                        sheet.rows.append(raw)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"cannot read CSV: {exc}", path=path.as_posix()) from exc
        sheets[name] = sheet
    return sheets


def read_filled(path: str | os.PathLike[str], names: Sequence[str]) -> dict[str, RawSheet]:
    """A filled workbook (``.xlsx``) or a folder of CSV files, one per sheet."""
    if Path(path).is_dir():
        return read_csv_folder(path, names)
    return read_workbook(path)
