"""Writing the extraction workbook (and CSV copies) that reviewers fill in.

One ``.xlsx`` with a "Read me" sheet, one sheet per form group (one row per study, or per
CMO configuration), bibliographic columns pre-filled, drop-down lists on coded fields,
frozen headers, help text as header comments, and a hidden "lists" sheet holding long
lists. Rows already extracted in the previous filled workbook are carried over, so
re-exporting after new studies were included never loses work; new studies are appended.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.extraction.form import CMO_ID, Field, Form, Group
from reviewflow.extraction.sheets import (
    RawSheet,
    csv_text,
    read_filled,
    set_text_safely,
)
from reviewflow.io import newest_time, save_workbook, write_csv
from reviewflow.normalize import split_list

__all__ = ["ExportSummary", "bibliographic_rows", "carry_over", "export_form", "first_author"]

log = logging.getLogger(__name__)

#: Inline drop-down lists longer than this go to the hidden "lists" sheet (Excel's limit
#: for a list typed into a validation rule is 255 characters).
_INLINE_LIMIT = 250

#: Extra empty rows with validation on CMO sheets, where extractors add rows.
_CMO_SPARE_ROWS = 300

_HEADER_FILL = "FFD9E1F2"
_BIB_FILL = "FFEDEDED"
_REQUIRED_FILL = "FFFCE4D6"


def first_author(authors: str) -> str:
    """The family name of the first author (``"Smith, J; Doe, A"`` -> ``"Smith"``)."""
    names = split_list(authors)
    if not names:
        return ""
    return names[0].split(",")[0].strip()


def bibliographic_rows(included: pd.DataFrame) -> list[dict[str, str]]:
    """The pre-filled columns of each included study, in the table's order."""
    rows = []
    for _, row in included.iterrows():
        rows.append(
            {
                "study_id": str(row.get("study_id", "")),
                "record_id": str(row.get("record_id", "")),
                "first_author": first_author(str(row.get("authors", ""))),
                "year": str(row.get("year", "")),
                "title": str(row.get("title", "")),
                "doi": str(row.get("doi", "")),
            }
        )
    return rows


@dataclass
class ExportSummary:
    studies: int = 0
    carried_rows: dict[str, int] = field(default_factory=dict)
    new_studies: int = 0
    dropped_rows: int = 0
    sheets: list[str] = field(default_factory=list)


def _resolve(row_values: Mapping[str, Any], mapping: Mapping[str, str]) -> str:
    for column in ("study_id", "record_id"):
        value = row_values.get(column)
        if value is not None and str(value).strip() in mapping:
            return mapping[str(value).strip()]
    return ""


def carry_over(
    previous: Mapping[str, RawSheet], form: Form, mapping: Mapping[str, str]
) -> tuple[dict[str, dict[str, list[dict[str, Any]]]], list[str], int]:
    """Rows of a previous filled workbook: {group: {study: [values]}}, study order, dropped.

    Rows are matched to studies through ``mapping`` (study and record ids -> current study
    id), so a study whose id changed after an update keeps its extraction. Rows of studies
    no longer included are dropped (they stay in the previous file, under version control).
    """
    carried: dict[str, dict[str, list[dict[str, Any]]]] = {}
    order: list[str] = []
    dropped = 0
    for group in form.groups:
        sheet = previous.get(group.id)
        if sheet is None:
            continue
        by_study: dict[str, list[dict[str, Any]]] = {}
        for raw in sheet.rows:
            values = {name: cell.value for name, cell in raw.cells.items()}
            study_id = _resolve(values, mapping)
            if not study_id:
                dropped += 1
                continue
            data = {f.name: values.get(f.name) for f in group.fields}
            if group.per == "cmo":
                data[CMO_ID] = values.get(CMO_ID)
            if study_id not in order:
                order.append(study_id)  # blank rows keep their place too
            if all(v is None or str(v).strip() == "" for v in data.values()):
                continue
            by_study.setdefault(study_id, []).append(data)
        carried[group.id] = by_study
    return carried, order, dropped


def _comment_text(form: Form, f: Field) -> str:
    lines = [f.label or f.name, f"type: {f.type}" + (" (required)" if f.required else "")]
    allowed = form.allowed(f)
    if f.type == "multichoice":
        lines.append(f"one or more of (separate with '{form.list_separator} '):")
    if allowed and f.type in ("choice", "multichoice"):
        lines.append(", ".join(allowed))
    if f.type == "date":
        lines.append("YYYY-MM-DD (or YYYY-MM, YYYY)")
    if f.minimum is not None or f.maximum is not None:
        lines.append(f"range: {f.minimum if f.minimum is not None else ''}..{f.maximum or ''}")
    if f.help:
        lines.append(f.help)
    lines.append(f"'{form.not_reported}' if the study does not report it")
    return "\n".join(lines)


def _bib_comment(column: str) -> str:
    if column == "study_id":
        return "Pre-filled: the study this row belongs to. Do not change."
    if column == CMO_ID:
        return (
            "Number of this CMO configuration within the study (1, 2, ...). Copy a row to "
            "add another configuration for the same study; blank = numbered on import."
        )
    return "Pre-filled from the included studies; not read back."


class _Lists:
    """The hidden "lists" sheet: one column per long list, referenced by validations."""

    def __init__(self, workbook: Any) -> None:
        self.sheet = workbook.create_sheet("lists")
        self.sheet.sheet_state = "hidden"
        self.columns: dict[tuple[str, ...], str] = {}

    def reference(self, name: str, values: Sequence[str]) -> str:
        from openpyxl.utils import get_column_letter

        key = tuple(values)
        if key not in self.columns:
            column = len(self.columns) + 1
            letter = get_column_letter(column)
            set_text_safely(self.sheet.cell(row=1, column=column), name)
            for n, value in enumerate(values, start=2):
                set_text_safely(self.sheet.cell(row=n, column=column), value)
            self.columns[key] = f"lists!${letter}$2:${letter}${len(values) + 1}"
        return self.columns[key]


def _validation(form: Form, f: Field, lists: _Lists, sheet_name: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if f.type in ("choice", "boolean"):
        values = list(form.allowed(f))
        if not f.values_from:
            values.append(form.not_reported)
        inline = ",".join(values)
        if len(inline) <= _INLINE_LIMIT and not any(("," in v or '"' in v) for v in values):
            formula = f'"{inline}"'
        else:
            formula = lists.reference(f"{sheet_name}.{f.name}", values)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.showErrorMessage = True
        dv.error = "Choose a value from the list."
        dv.errorTitle = f.name
        return dv
    if f.type in ("integer", "number"):
        low = f.minimum if f.minimum is not None else -1e12
        high = f.maximum if f.maximum is not None else 1e12
        dv = DataValidation(
            type="whole" if f.type == "integer" else "decimal",
            operator="between",
            formula1=str(int(low) if f.type == "integer" else low),
            formula2=str(int(high) if f.type == "integer" else high),
            allow_blank=True,
        )
        # a warning, not a stop: "not reported" must stay possible in a number column
        dv.errorStyle = "warning"
        dv.showErrorMessage = True
        dv.error = f"Expected {'a whole number' if f.type == 'integer' else 'a number'}."
        return dv
    return None


def _write_group_sheet(
    workbook: Any,
    form: Form,
    group: Group,
    rows: list[dict[str, Any]],
    lists: _Lists,
) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(group.id)
    columns = group.columns
    bold = Font(bold=True)
    for n, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=n)
        set_text_safely(cell, name)
        cell.font = bold
        if name in group.key_columns:
            fill, text = _BIB_FILL, _bib_comment(name)
        else:
            f = group.field(name)
            fill = _REQUIRED_FILL if f.required else _HEADER_FILL
            text = _comment_text(form, f)
        cell.fill = PatternFill("solid", fgColor=fill)
        comment = Comment(text, "reviewflow")
        comment.width, comment.height = 320, 180
        cell.comment = comment
        width = 14 if name in ("study_id", "record_id", "year", CMO_ID) else 22
        if name in ("title",) or (
            name not in group.key_columns and group.field(name).type == "text"
        ):
            width = 40
        sheet.column_dimensions[get_column_letter(n)].width = width
    for r, row in enumerate(rows, start=2):
        for n, name in enumerate(columns, start=1):
            value = row.get(name)
            if value is None or value == "":
                continue
            cell = sheet.cell(row=r, column=n)
            set_text_safely(cell, value)
            if isinstance(value, str) and len(value) > 60:
                cell.alignment = Alignment(wrap_text=False, vertical="top")
    last_row = len(rows) + 1 + (_CMO_SPARE_ROWS if group.per == "cmo" else 0)
    for n, name in enumerate(columns, start=1):
        if name in group.key_columns:
            continue
        dv = _validation(form, group.field(name), lists, group.id)
        if dv is None or last_row < 2:
            continue
        letter = get_column_letter(n)
        sheet.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{last_row}")
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"


def _write_readme(workbook: Any, form: Form, title: str, summary: ExportSummary) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet("Read me", 0)
    bold = Font(bold=True)
    lines: list[list[Any]] = [
        [f"Data extraction: {title}" if title else "Data extraction"],
        [],
        ["How to fill this workbook"],
        ["1. One sheet per group of fields. Grey columns are pre-filled: do not change them."],
        ["2. Per-study sheets have one row per included study; fill the row across."],
        [
            "3. CMO sheets have one row per context-mechanism-outcome configuration: copy a "
            "study's row to add another configuration, number them in cmo_id."
        ],
        [
            "4. Coded columns have drop-down lists; multi-choice cells take several values "
            f"separated by '{form.list_separator} '. Hover a header for its help text."
        ],
        [
            f"5. Type '{form.not_reported}' when a study does not report something; leave a "
            "row empty if the study is not extracted yet (reported as awaiting extraction)."
        ],
        ["6. Never type formulas: cells starting with '=' are refused on import."],
        [
            "7. Check it with: reviewflow extraction check <this file> --config <config>; "
            "every problem is listed with sheet, row and column."
        ],
        [],
        [f"Studies: {summary.studies}; new since the previous workbook: {summary.new_studies}."],
        [],
        ["sheet", "column", "label", "type", "required", "allowed values", "help"],
    ]
    for group in form.groups:
        for f in group.fields:
            allowed = form.allowed(f) if f.type in ("choice", "multichoice") else ()
            lines.append(
                [
                    group.id,
                    f.name,
                    f.label or f.name,
                    f.type,
                    "yes" if f.required else "",
                    "; ".join(allowed),
                    f.help,
                ]
            )
    if form.theory_components:
        lines += [[], ["Programme theory components (CMO sheets link to these ids)"]]
        lines.append(["id", "name", "description"])
        for component in form.theory_components:
            lines.append([component["id"], component["name"], component["description"]])
    for r, values in enumerate(lines, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            set_text_safely(cell, value)
            cell.alignment = Alignment(wrap_text=False, vertical="top")
    for r in (1, 3, 14):
        sheet.cell(row=r, column=1).font = bold
    for c in range(1, 8):
        sheet.cell(row=14, column=c).font = bold
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 24


def export_form(
    form: Form,
    included: pd.DataFrame,
    *,
    out_xlsx: str | os.PathLike[str],
    out_csv_dir: str | os.PathLike[str],
    previous_path: str | os.PathLike[str] | None = None,
    mapping: Mapping[str, str] | None = None,
    title: str = "",
) -> ExportSummary:
    """Write the workbook and one CSV per group; carry over a previous filled workbook."""
    from openpyxl import Workbook

    bib = bibliographic_rows(included)
    by_id = {row["study_id"]: row for row in bib}
    mapping = dict(mapping or {})
    for row in bib:
        mapping.setdefault(row["study_id"], row["study_id"])
        if row["record_id"]:
            mapping.setdefault(row["record_id"], row["study_id"])
    carried: dict[str, dict[str, list[dict[str, Any]]]] = {}
    order: list[str] = []
    summary = ExportSummary(studies=len(bib))
    if previous_path and Path(previous_path).exists():
        previous = read_filled(previous_path, [g.id for g in form.groups])
        carried, order, summary.dropped_rows = carry_over(previous, form, mapping)
        kept = [s for s in order if s in by_id]
        summary.dropped_rows += sum(
            len(rows) for g in carried.values() for s, rows in g.items() if s not in by_id
        )
        order = kept
    new = [row["study_id"] for row in bib if row["study_id"] not in order]
    summary.new_studies = len(new) if order else 0
    study_order = order + new

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook opens on
    lists = _Lists(workbook)
    for group in form.groups:  # every coded list, for reference and for long drop-downs
        for f in group.fields:
            if f.type in ("choice", "multichoice"):
                extra = () if f.values_from else (form.not_reported,)
                lists.reference(f"{group.id}.{f.name}", [*form.allowed(f), *extra])
    tables: dict[str, list[dict[str, Any]]] = {}
    for group in form.groups:
        rows: list[dict[str, Any]] = []
        group_carried = carried.get(group.id, {})
        for study_id in study_order:
            base = dict(by_id[study_id])
            previous_rows = group_carried.get(study_id) or [{}]
            if group.per == "study":
                previous_rows = previous_rows[:1]
            for values in previous_rows:
                rows.append({**base, **values})
        summary.carried_rows[group.id] = sum(len(v) for s, v in group_carried.items() if s in by_id)
        tables[group.id] = rows
        _write_group_sheet(workbook, form, group, rows, lists)
        summary.sheets.append(group.id)
    _write_readme(workbook, form, title, summary)
    lists_sheet = workbook["lists"]
    workbook.move_sheet(lists_sheet, offset=len(workbook.sheetnames))
    workbook.active = 0
    retrieved = included["retrieved_at"] if "retrieved_at" in included.columns else ()
    save_workbook(workbook, out_xlsx, as_of=newest_time(retrieved))

    csv_dir = Path(out_csv_dir)
    csv_dir.mkdir(parents=True, exist_ok=True)
    for group in form.groups:
        frame = pd.DataFrame(
            [[csv_text(row.get(c)) for c in group.columns] for row in tables[group.id]],
            columns=list(group.columns),
        )
        write_csv(frame, csv_dir / f"{group.id}.csv")
    log.info(
        "extraction workbook: %d studies, %d new, rows carried over %s",
        summary.studies,
        summary.new_studies,
        summary.carried_rows,
    )
    return summary
