"""Snakemake entry points of the extraction stage: sheets out, filled sheets back in.

``run_export_stage`` (rule ``export_extraction_sheets``) writes the workbook and CSV copies
for the studies included at full text, carrying over a previous filled workbook.
``run_import_stage`` (rule ``import_extraction``) checks the filled workbook and, only when
nothing is wrong, writes ``dataset.json`` and one tidy CSV per group for the synthesis
stage. A workbook with problems writes ``validation.txt`` listing all of them and fails.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.clusters import record_study_map
from reviewflow.errors import DataError
from reviewflow.extraction.export import bibliographic_rows, export_form
from reviewflow.extraction.form import ExtractionSettings, Form
from reviewflow.extraction.sheets import read_filled
from reviewflow.extraction.validate import ValidationResult, format_report, validate_sheets
from reviewflow.fulltext.stage import read_included
from reviewflow.io import atomic_write_json, atomic_write_text, sha256_file, write_csv
from reviewflow.vocab import Stage

__all__ = ["check_filled", "run_export_stage", "run_import_stage"]

log = logging.getLogger(__name__)


def run_export_stage(
    *,
    settings: ExtractionSettings,
    included_path: str,
    out_xlsx: str,
    out_csv_dir: str,
    audit_path: str,
    title: str,
    clusters_path: str | None = None,
    previous_path: str | None = None,
) -> None:
    """Rule ``export_extraction_sheets``: the workbook and CSVs, carrying over the rows of
    ``previous_path`` (the filled workbook) when it exists."""
    previous = previous_path if previous_path and Path(previous_path).exists() else None
    inputs = [included_path] + [p for p in (clusters_path, previous) if p]
    with StageAudit(
        audit_path,
        stage=Stage.EXTRACTION,
        rule="export_extraction_sheets",
        inputs=inputs,
        outputs=[out_xlsx, out_csv_dir],
        parameters={"form": settings.form.to_dict(), "previous": previous or ""},
    ) as audit:
        form = settings.form
        included = read_included(included_path)
        mapping = record_study_map(clusters_path, included)
        summary = export_form(
            form,
            included,
            out_xlsx=out_xlsx,
            out_csv_dir=out_csv_dir,
            previous_path=previous,
            mapping=mapping,
            title=title,
        )
        audit.counts.update(
            {
                "studies": summary.studies,
                "new_studies": summary.new_studies,
                "rows_dropped_not_included": summary.dropped_rows,
            }
        )
        for group_id, n in summary.carried_rows.items():
            audit.counts[f"rows_carried_over_{group_id}"] = n


def check_filled(
    *,
    settings: ExtractionSettings,
    filled_path: str,
    included_path: str,
    clusters_path: str | None = None,
) -> tuple[Form, ValidationResult, list[dict[str, str]]]:
    """Validate a filled workbook (or CSV folder) against the form and included studies."""
    form = settings.form
    included = read_included(included_path)
    bib = bibliographic_rows(included)
    mapping = record_study_map(clusters_path, included)
    sheets = read_filled(filled_path, [g.id for g in form.groups])
    return form, validate_sheets(sheets, form, included=bib, mapping=mapping), bib


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _dataset(
    form: Form,
    result: ValidationResult,
    bib: list[dict[str, str]],
    source: Mapping[str, str],
) -> dict[str, Any]:
    """The dataset synthesis reads, in two views of the same values.

    ``studies``: one object per extracted study (bibliographic columns, then one object per
    per-study group). ``groups``: every group as a flat list of rows, each with
    ``study_id`` (and ``cmo_id`` for CMO groups). Studies not extracted yet are listed in
    ``awaiting_extraction`` only, so no synthesis counts a study without data.
    """
    extracted = set(result.extracted)
    by_study: dict[str, dict[str, Any]] = {
        row["study_id"]: dict(row) for row in bib if row["study_id"] in extracted
    }
    groups: dict[str, list[dict[str, Any]]] = {}
    for group in form.groups:
        rows = groups.setdefault(group.id, [])
        for values in result.rows.get(group.id, []):
            rows.append(dict(values))
            if group.per == "study":
                fields = {f.name: values.get(f.name) for f in group.fields}
                by_study[values["study_id"]][group.id] = fields
    for study in by_study.values():
        for group in form.groups:
            if group.per == "study":
                study.setdefault(group.id, None)
    n_cmo = sum(len(groups[g.id]) for g in form.groups if g.per == "cmo")
    return {
        "source": dict(source),
        "form": form.to_dict(),
        "theory_components": [dict(c) for c in form.theory_components],
        "studies": list(by_study.values()),
        "groups": groups,
        "awaiting_extraction": [row for row in bib if row["study_id"] not in extracted],
        "counts": {
            "studies_included": len(bib),
            "studies_extracted": len(result.extracted),
            "studies_awaiting_extraction": len(result.awaiting),
            "cmo_configurations": n_cmo,
        },
    }


def _write_tables(
    form: Form, result: ValidationResult, bib: list[dict[str, str]], out_dir: str
) -> None:
    by_id = {row["study_id"]: row for row in bib}
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for group in form.groups:
        columns = list(group.columns)
        rows = []
        for values in result.rows.get(group.id, []):
            merged = {**by_id.get(values["study_id"], {}), **values}
            rows.append({c: _cell(merged.get(c)) for c in columns})
        write_csv(pd.DataFrame(rows, columns=columns, dtype=object), folder / f"{group.id}.csv")


def run_import_stage(
    *,
    settings: ExtractionSettings,
    included_path: str,
    out_dataset: str,
    out_report: str,
    out_tables_dir: str,
    audit_path: str,
    filled_path: str | None = None,
    clusters_path: str | None = None,
) -> dict[str, Any]:
    """Validate the filled workbook; write the dataset, or the report of problems and fail.

    Without a filled workbook (none configured yet) every included study is "awaiting
    extraction" and the dataset holds no extracted data: that is a state of the review,
    not an error.
    """
    filled = filled_path if filled_path else None
    inputs = [included_path] + [p for p in (filled, clusters_path) if p]
    with StageAudit(
        audit_path,
        stage=Stage.EXTRACTION,
        rule="import_extraction",
        inputs=inputs,
        outputs=[out_dataset, out_report, out_tables_dir],
        parameters={"filled": filled or ""},
    ) as audit:
        if filled is None:
            form = settings.form
            bib = bibliographic_rows(read_included(included_path))
            result = ValidationResult(awaiting=[row["study_id"] for row in bib])
            source = {"path": "", "sha256": ""}
        else:
            form, result, bib = check_filled(
                settings=settings,
                filled_path=filled,
                included_path=included_path,
                clusters_path=clusters_path,
            )
            digest = sha256_file(filled) if Path(filled).is_file() else ""
            source = {"path": Path(filled).as_posix(), "sha256": digest}
        report = format_report(result, source=filled or "(no filled workbook)", studies=len(bib))
        atomic_write_text(out_report, report)
        if not result.ok:
            for line in report.splitlines():
                log.error("%s", line)
            raise DataError(report.rstrip("\n"))
        dataset = _dataset(form, result, bib, source)
        _write_tables(form, result, bib, out_tables_dir)
        atomic_write_json(out_dataset, dataset)
        audit.counts.update(dataset["counts"])
        for group in form.groups:
            audit.counts[f"rows_{group.id}"] = len(result.rows.get(group.id, []))
        audit.counts["rows_ignored_not_included"] = result.ignored_not_included
        audit.details["awaiting_extraction"] = list(result.awaiting)
    log.info(
        "extraction: %d studies extracted, %d awaiting",
        len(result.extracted),
        len(result.awaiting),
    )
    return dataset


def dataset_tables(out_tables_dir: str | os.PathLike[str], form: Form) -> list[Path]:
    """The tidy CSV written for each group (for callers that need the file list)."""
    return [Path(out_tables_dir) / f"{group.id}.csv" for group in form.groups]
