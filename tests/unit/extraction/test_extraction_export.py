"""The extraction workbook: layout, drop-downs, text never a formula, carry-over of rows."""

from __future__ import annotations

import json

import pandas as pd
from openpyxl import load_workbook

from reviewflow.extraction.stage import check_filled, run_export_stage
from reviewflow.records import read_records, write_records

from .conftest import CLUSTERS, FILLED, FULLTEXT


def _export(tmp_path, extraction_settings, included, previous=None, name="form"):
    out = tmp_path / f"{name}.xlsx"
    run_export_stage(
        settings=extraction_settings,
        included_path=str(included),
        clusters_path=str(CLUSTERS),
        previous_path=str(previous) if previous else None,
        out_xlsx=str(out),
        out_csv_dir=str(tmp_path / f"{name}_csv"),
        audit_path=str(tmp_path / f"{name}.audit.json"),
        title="demo",
    )
    return out


def test_workbook_layout(tmp_path, extraction_settings, included):
    out = _export(tmp_path, extraction_settings, included)
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Read me", "study", "nudge", "cmo", "lists"]
    assert workbook["lists"].sheet_state == "hidden"
    study = workbook["study"]
    assert study.freeze_panes == "C2"
    assert study.max_row == 23  # header + 22 studies
    titles = {row[0].value: row[4].value for row in study.iter_rows(min_row=2)}
    assert titles["nagtegaal_records:487"].startswith("Default settings of computerized")
    header = {cell.value: cell for cell in study[1]}
    assert "Study design" in header["design"].comment.text
    assert "(required)" in header["design"].comment.text
    formulas = {dv.formula1 for dv in workbook["nudge"].data_validations.dataValidation}
    # a list with a comma in a value lives on the hidden lists sheet
    assert any(f.startswith("lists!$") for f in formulas)
    assert '"strong,moderate,weak,not reported"' in {
        dv.formula1 for dv in workbook["cmo"].data_validations.dataValidation
    }
    csv = pd.read_csv(tmp_path / "form_csv" / "study.csv", dtype=str, keep_default_na=False)
    assert len(csv) == 22 and list(csv.columns[:2]) == ["study_id", "record_id"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path, extraction_settings, included):
    frame = read_records(included)
    frame.loc[0, "title"] = '=HYPERLINK("http://example.org") ' + frame.loc[0, "title"]
    frame.loc[1, "title"] = "-" + frame.loc[1, "title"]
    tampered = tmp_path / "included.csv"
    write_records(frame, tampered)
    out = _export(tmp_path, extraction_settings, tampered)
    cell = load_workbook(out)["study"]["E2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    csv = (tmp_path / "form_csv" / "study.csv").read_text(encoding="utf-8")
    assert ",'=HYPERLINK(" in csv.replace('"', "")
    assert ",'-" in csv
    # the exported title is not mistaken for a formula typed by a reviewer
    _, result, _ = check_filled(
        settings=extraction_settings, filled_path=str(out), included_path=str(tampered)
    )
    assert result.ok, result.problems


def test_reexport_keeps_extracted_rows_and_appends_new_studies(
    tmp_path, extraction_settings, included
):
    grown = read_records(included)
    extra = read_records(FULLTEXT / "screening_included.csv")
    new_study = extra[extra["study_id"] == "nagtegaal_records:1"]
    grown = pd.concat([grown, new_study], ignore_index=True)
    grown_path = tmp_path / "included.csv"
    write_records(grown, grown_path)
    out = _export(tmp_path, extraction_settings, grown_path, previous=FILLED)
    audit = json.loads((tmp_path / "form.audit.json").read_text())
    assert audit["counts"]["new_studies"] == 1
    assert audit["counts"]["rows_carried_over_cmo"] == 22
    study = load_workbook(out)["study"]
    ids = [row[0].value for row in study.iter_rows(min_row=2)]
    assert ids[-1] == "nagtegaal_records:1"
    _, result, _ = check_filled(
        settings=extraction_settings, filled_path=str(out), included_path=str(grown_path)
    )
    assert result.ok, result.problems
    assert len(result.extracted) == 21
    assert set(result.awaiting) == {"nagtegaal_records:1210", "nagtegaal_records:1"}
    # the CSV copies carry the same extraction, and read back the same
    _, from_csv, _ = check_filled(
        settings=extraction_settings,
        filled_path=str(tmp_path / "form_csv"),
        included_path=str(grown_path),
    )
    assert from_csv.ok, from_csv.problems
    assert from_csv.rows == result.rows
