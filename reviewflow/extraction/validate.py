"""Reading a filled extraction workbook back and checking every cell against the form.

Every problem is collected, not just the first, each with sheet, row, column and what is
wrong: unknown study ids, values outside a list, required fields left empty in a row that
has been started, CMO rows linked to an unknown theory component, formulas, wrong types. A
workbook with no problem becomes the extraction dataset the synthesis stage reads.

Rows whose form fields are all empty are "awaiting extraction", not errors: a study can be
included before anyone has extracted it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewflow.extraction.form import BIB_COLUMNS, CMO_ID, Field, Form, Group
from reviewflow.extraction.sheets import RawCell, RawSheet

__all__ = ["Problem", "ValidationResult", "format_report", "validate_sheets"]

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a filled workbook, where a reviewer can find it."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"sheet '{self.sheet}'"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ValidationResult:
    """Typed rows per group (only rows with data) and every problem found."""

    problems: list[Problem] = field(default_factory=list)
    #: group id -> list of {study_id, [cmo_id], field: typed value}
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    extracted: list[str] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)
    ignored_not_included: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _is_blank(cell: RawCell | None) -> bool:
    return cell is None or (isinstance(cell.value, str) and not cell.value.strip())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_value(form: Form, f: Field, cell: RawCell) -> tuple[Any, str]:
    """(typed value, "" ) or (None, what is wrong) for one non-empty cell."""
    value = cell.value
    reported = value.strip().casefold() if isinstance(value, str) else None
    if reported == form.not_reported.casefold() and not f.values_from:
        return form.not_reported, ""
    if f.type == "text":
        return _text(value), ""
    if f.type == "integer":
        number: Any = value
        if isinstance(value, str):
            try:
                number = int(value.strip())
            except ValueError:
                return None, f"{value!r} is not a whole number"
        if isinstance(number, bool) or not isinstance(number, int | float):
            return None, f"{value!r} is not a whole number"
        if isinstance(number, float):
            if not number.is_integer():
                return None, f"{value!r} is not a whole number"
            number = int(number)
        return _check_range(f, number)
    if f.type == "number":
        if isinstance(value, str):
            try:
                return _check_range(f, float(value.strip()))
            except ValueError:
                return None, f"{value!r} is not a number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{value!r} is not a number"
        return _check_range(f, value)
    if f.type == "boolean":
        if isinstance(value, bool):
            return value, ""
        lowered = _text(value).casefold()
        if lowered in _TRUE:
            return True, ""
        if lowered in _FALSE:
            return False, ""
        return None, f"{value!r} is not yes or no"
    if f.type == "date":
        if isinstance(value, dt.datetime | dt.date):
            return _text(value), ""
        text = _text(value)
        try:
            return dt.date.fromisoformat(text).isoformat(), ""
        except ValueError:
            if _PARTIAL_DATE.match(text):
                return text, ""
            return None, f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    allowed = form.allowed(f)
    by_fold = {v.casefold(): v for v in allowed}
    if f.type == "choice":
        text = _text(value)
        if text.casefold() in by_fold:
            return by_fold[text.casefold()], ""
        if f.values_from == "theory_components":
            return None, f"unknown theory component {text!r} (known: {', '.join(allowed)})"
        return None, f"{text!r} is not in the list (allowed: {', '.join(allowed)})"
    if f.type == "multichoice":
        parts = [p.strip() for p in re.split(r"[;\n]", _text(value)) if p.strip()]
        bad = [p for p in parts if p.casefold() not in by_fold]
        if bad:
            return None, (
                f"{', '.join(repr(b) for b in bad)} not in the list "
                f"(allowed: {', '.join(allowed)}; separate values with ';')"
            )
        return [by_fold[p.casefold()] for p in dict.fromkeys(parts)], ""
    return None, f"unknown field type {f.type!r}"


def _check_range(f: Field, number: float) -> tuple[Any, str]:
    if f.minimum is not None and number < f.minimum:
        return None, f"{number} is below the minimum {f.minimum:g}"
    if f.maximum is not None and number > f.maximum:
        return None, f"{number} is above the maximum {f.maximum:g}"
    return number, ""


def _looks_like_formula(cell: RawCell) -> str:
    if cell.data_type == "f":
        return f"a formula ({str(cell.value)[:40]}); type the value itself"
    if isinstance(cell.value, str) and cell.value.lstrip().startswith("="):
        return f"text starting with '=' looks like a formula ({cell.value[:40]!r})"
    return ""


def _resolve_study(raw: Mapping[str, RawCell], mapping: Mapping[str, str]) -> tuple[str, str]:
    """(study id, the id written in the row) through study ids and member record ids."""
    written = ""
    for column in ("study_id", "record_id"):
        cell = raw.get(column)
        if cell is None:
            continue
        text = _text(cell.value)
        written = written or text
        if text in mapping:
            return mapping[text], text
    return "", written


def _check_group(
    form: Form,
    group: Group,
    sheet: RawSheet,
    *,
    included: Mapping[str, Mapping[str, str]],
    mapping: Mapping[str, str],
    result: ValidationResult,
) -> None:
    problems = result.problems
    for number, name in sheet.bad_headers:
        problems.append(Problem(group.id, 1, name, f"column {number} repeats this header"))
    missing = [c for c in group.columns if c not in sheet.columns]
    if "study_id" in missing:
        problems.append(Problem(group.id, 1, "study_id", "column missing"))
    for name in missing:
        if name not in BIB_COLUMNS and name != CMO_ID:
            problems.append(Problem(group.id, 1, name, "column missing"))
    for name in sheet.columns:
        if name and name not in group.columns:
            problems.append(Problem(group.id, 1, name, "unknown column (not in the form)"))
    seen: dict[tuple[str, str], int] = {}
    rows: list[dict[str, Any]] = []
    numbering: dict[str, int] = {}
    for raw in sheet.rows:
        cells = raw.cells
        for name, cell in cells.items():
            if name.startswith("(column "):
                problems.append(
                    Problem(group.id, raw.number, name, "value outside the form's columns")
                )
                continue
            formula = _looks_like_formula(cell)
            if formula and name in group.key_columns and cell.data_type != "f":
                expected = _expected_bib(name, cells, included, mapping)
                if expected is not None and _text(cell.value) == expected:
                    formula = ""  # the exported value itself (a title starting with '=')
            if formula:
                problems.append(Problem(group.id, raw.number, name, formula))
        form_cells = {f.name: cells.get(f.name) for f in group.fields}
        blank = all(_is_blank(c) for c in form_cells.values())
        study_id, written = _resolve_study(cells, mapping)
        if not study_id:
            problems.append(
                Problem(
                    group.id,
                    raw.number,
                    "study_id",
                    f"unknown study id {written!r}" if written else "no study id",
                )
            )
            continue
        if study_id not in included:
            if not blank:
                result.ignored_not_included += 1
            continue
        if blank:
            continue
        typed: dict[str, Any] = {"study_id": study_id}
        if group.per == "cmo":
            cmo_cell = cells.get(CMO_ID)
            if _is_blank(cmo_cell):
                numbering[study_id] = numbering.get(study_id, 0) + 1
                cmo_id = str(numbering[study_id])
            else:
                cmo_id = _text(cmo_cell.value)  # type: ignore[union-attr]
                if cmo_id.isdigit():
                    numbering[study_id] = max(numbering.get(study_id, 0), int(cmo_id))
            typed[CMO_ID] = cmo_id
            key = (study_id, cmo_id)
        else:
            key = (study_id, "")
        if key in seen:
            what = f"CMO {key[1]!r} of study" if group.per == "cmo" else "study"
            problems.append(
                Problem(
                    group.id,
                    raw.number,
                    CMO_ID if group.per == "cmo" else "study_id",
                    f"{what} {study_id!r} already has row {seen[key]}",
                )
            )
        seen[key] = raw.number
        for f in group.fields:
            field_cell = form_cells[f.name]
            if field_cell is None or _is_blank(field_cell):
                if f.required:
                    problems.append(Problem(group.id, raw.number, f.name, "required field empty"))
                typed[f.name] = None
                continue
            if _looks_like_formula(field_cell):
                typed[f.name] = None
                continue
            value, error = parse_value(form, f, field_cell)
            if error:
                problems.append(Problem(group.id, raw.number, f.name, error))
            typed[f.name] = value
        rows.append(typed)
    result.rows[group.id] = rows


def _expected_bib(
    column: str,
    cells: Mapping[str, RawCell],
    included: Mapping[str, Mapping[str, str]],
    mapping: Mapping[str, str],
) -> str | None:
    study_id, _ = _resolve_study(cells, mapping)
    row = included.get(study_id)
    return None if row is None else str(row.get(column, ""))


def validate_sheets(
    sheets: Mapping[str, RawSheet],
    form: Form,
    *,
    included: Sequence[Mapping[str, str]],
    mapping: Mapping[str, str],
) -> ValidationResult:
    """Check every group's sheet; typed rows and every problem found.

    ``included`` are the bibliographic rows of the included studies (``study_id`` first);
    ``mapping`` maps study and record ids to current study ids.
    """
    result = ValidationResult()
    by_id = {str(row["study_id"]): row for row in included}
    full_mapping = dict(mapping)
    for study_id, row in by_id.items():
        full_mapping.setdefault(study_id, study_id)
        if row.get("record_id"):
            full_mapping.setdefault(str(row["record_id"]), study_id)
    for group in form.groups:
        sheet = sheets.get(group.id)
        if sheet is None:
            result.problems.append(Problem(group.id, None, None, "sheet missing"))
            result.rows[group.id] = []
            continue
        _check_group(form, group, sheet, included=by_id, mapping=full_mapping, result=result)
    extracted = {row["study_id"] for rows in result.rows.values() for row in rows}
    result.extracted = [s for s in by_id if s in extracted]
    result.awaiting = [s for s in by_id if s not in extracted]
    return result


def format_report(result: ValidationResult, *, source: str, studies: int) -> str:
    """The text of ``validation.txt``: a verdict, then every problem, one per line."""
    lines = [f"Extraction check of {source}"]
    if result.ok:
        lines.append(
            f"OK: {len(result.extracted)} of {studies} included studies extracted; "
            f"{len(result.awaiting)} awaiting extraction."
        )
    else:
        lines.append(f"FAILED: {len(result.problems)} problem(s); nothing was imported.")
        lines += [f"  {source}, {problem}" for problem in result.problems]
    if result.awaiting:
        lines.append("Awaiting extraction (not an error): " + ", ".join(result.awaiting))
    if result.ignored_not_included:
        lines.append(
            f"Ignored {result.ignored_not_included} row(s) of studies that are no longer included."
        )
    return "\n".join(lines) + "\n"
