"""Manual dedup decisions: a person's verdict on uncertain pairs, read back on every run.

The file is a CSV under version control (config ``dedup.decisions``) with columns
``record_id_a, record_id_b, decision, reviewer, date, note``; ``decision`` is ``duplicate``
or ``distinct``. Rows are validated against the records of the run, so a typo in a record id
fails loudly (file, line, field) instead of silently not applying. Lines starting with ``#``
are comments. ``uncertain_pairs.csv`` or ``.xlsx`` itself, partly filled in, is a valid
decisions file: other columns are ignored and rows whose ``decision`` is still empty are
pairs nobody has answered yet, skipped.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from reviewflow.errors import DecisionFileError

__all__ = ["DECISION_COLUMNS", "ManualDecision", "read_decisions", "write_decisions_template"]

DECISION_COLUMNS = ("record_id_a", "record_id_b", "decision", "reviewer", "date", "note")
_VALUES = ("duplicate", "distinct")


@dataclass(frozen=True, slots=True)
class ManualDecision:
    record_id_a: str
    record_id_b: str
    decision: str
    reviewer: str
    date: str
    note: str
    line: int


def read_decisions(
    path: str | os.PathLike[str], known_ids: Collection[str] | None = None
) -> list[ManualDecision]:
    """Read and validate a decisions file; a later row for the same pair overrides an earlier."""
    where = str(path)
    try:
        if Path(path).suffix.lower() == ".xlsx":
            text = _xlsx_as_csv(path)
        else:
            text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise DecisionFileError(f"cannot read dedup decisions: {exc}", path=where) from exc
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, 1) if not line.lstrip().startswith("#")]
    if not numbered or not numbered[0][1].strip():
        raise DecisionFileError(
            f"empty file; the header must be {','.join(DECISION_COLUMNS)}", path=where, line=1
        )
    reader = csv.reader(line for _, line in numbered)
    header = [h.strip() for h in next(reader)]
    missing = [c for c in DECISION_COLUMNS if c not in header]
    if missing:
        raise DecisionFileError(
            f"missing column(s) {', '.join(missing)}; the header must be "
            f"{','.join(DECISION_COLUMNS)}",
            path=where,
            line=numbered[0][0],
        )
    index = {name: header.index(name) for name in DECISION_COLUMNS}
    found: dict[tuple[str, str], ManualDecision] = {}
    for (line_no, _), row in zip(numbered[1:], reader, strict=False):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(header) - len(row))
        values = {name: row[i].strip() for name, i in index.items()}
        if not values["decision"]:
            continue  # a listed pair nobody has answered yet
        for name in ("record_id_a", "record_id_b"):
            if not values[name]:
                raise DecisionFileError("record id is empty", path=where, line=line_no, field=name)
            if known_ids is not None and values[name] not in known_ids:
                raise DecisionFileError(
                    f"unknown record id {values[name]!r} (not in this run's records)",
                    path=where,
                    line=line_no,
                    field=name,
                )
        if values["record_id_a"] == values["record_id_b"]:
            raise DecisionFileError(
                "a record cannot be paired with itself",
                path=where,
                line=line_no,
                field="record_id_b",
            )
        decision = values["decision"].lower()
        if decision not in _VALUES:
            raise DecisionFileError(
                f"decision {values['decision']!r} is not one of: {', '.join(_VALUES)}",
                path=where,
                line=line_no,
                field="decision",
            )
        a, b = sorted((values["record_id_a"], values["record_id_b"]))
        found[(a, b)] = ManualDecision(
            a, b, decision, values["reviewer"], values["date"], values["note"], line_no
        )
    return list(found.values())


def _xlsx_as_csv(path: str | os.PathLike[str]) -> str:
    """The first sheet of a workbook as CSV text, every cell as written (no formulas run)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for cells in book.worksheets[0].iter_rows(values_only=True):
            writer.writerow([_unguarded("" if c is None else str(c)) for c in cells])
        return out.getvalue()
    finally:
        book.close()


def _unguarded(value: str) -> str:
    """Undo the ``'`` that keeps a cell starting with ``=``, ``+``, ``-`` or ``@`` from being
    read as a formula when the pairs were written (``stage.write_uncertain_xlsx``)."""
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


def write_decisions_template(path: str | os.PathLike[str]) -> None:
    """A decisions file with only the header row (what a new review starts from)."""
    from reviewflow.io import atomic_write_text

    atomic_write_text(path, ",".join(DECISION_COLUMNS) + "\n")
