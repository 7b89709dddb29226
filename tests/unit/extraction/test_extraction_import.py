"""Reading filled workbooks back: the demo's is valid, a tampered one fails with one report."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from reviewflow.errors import DataError
from reviewflow.extraction.sheets import RawCell
from reviewflow.extraction.stage import check_filled, run_import_stage
from reviewflow.extraction.validate import parse_value

from .conftest import CLUSTERS, FILLED, TAMPERED


def _import(tmp_path, extraction_settings, included, filled):
    return run_import_stage(
        settings=extraction_settings,
        included_path=str(included),
        clusters_path=str(CLUSTERS),
        filled_path=str(filled) if filled else None,
        out_dataset=str(tmp_path / "dataset.json"),
        out_report=str(tmp_path / "validation.txt"),
        out_tables_dir=str(tmp_path / "tables"),
        audit_path=str(tmp_path / "import_extraction.audit.json"),
    )


def test_demo_filled_workbook_becomes_the_dataset(tmp_path, extraction_settings, included):
    dataset = _import(tmp_path, extraction_settings, included, FILLED)
    assert dataset["counts"] == {
        "studies_included": 22,
        "studies_extracted": 21,
        "studies_awaiting_extraction": 1,
        "cmo_configurations": 22,
    }
    awaiting = dataset["awaiting_extraction"]
    assert [s["study_id"] for s in awaiting] == ["nagtegaal_records:1210"]
    assert awaiting[0]["title"].startswith("Medical admission order sets")
    by_id = {s["study_id"]: s for s in dataset["studies"]}
    assert len(by_id) == 21 and "nagtegaal_records:1210" not in by_id
    social = by_id["nagtegaal_records:1496"]
    assert social["study"]["country"] == "England"
    assert social["study"]["n_practices"] == 1581
    assert social["nudge"]["nudge_type"] == ["social norm feedback"]
    assert {len(rows) for rows in dataset["groups"].values()} == {21, 22}
    components = {c["theory_component"] for c in dataset["groups"]["cmo"]}
    assert components == {"T1", "T2", "T3", "T4"}
    assert dataset["groups"]["cmo"][0]["cmo_id"] == "1"
    judgements = [row["judgement"] for row in dataset["groups"]["cmo"]]
    assert judgements.count("refutes") == 1 and judgements.count("refines") == 4
    assert json.loads((tmp_path / "dataset.json").read_text()) == dataset
    cmo = pd.read_csv(tmp_path / "tables" / "cmo.csv", dtype=str, keep_default_na=False)
    assert len(cmo) == 22 and set(cmo["page"]) == {"abstract"}
    assert "OK: 21 of 22" in (tmp_path / "validation.txt").read_text()


def test_demo_quotes_are_verbatim_from_the_abstracts(extraction_settings, included):
    abstracts = dict(
        pd.read_csv(included, dtype=str, keep_default_na=False)[["study_id", "abstract"]].values
    )
    _, result, _ = check_filled(
        settings=extraction_settings, filled_path=str(FILLED), included_path=str(included)
    )
    squash = lambda text: re.sub(r"\s+", " ", text)  # noqa: E731
    assert len(result.rows["cmo"]) == 22
    for row in result.rows["cmo"]:
        assert squash(row["quote"]) in squash(abstracts[row["study_id"]]), row["study_id"]


def test_tampered_workbook_fails_with_one_report_and_no_dataset(
    tmp_path, extraction_settings, included, caplog
):
    with pytest.raises(DataError) as caught:
        _import(tmp_path, extraction_settings, included, TAMPERED)
    message = str(caught.value)
    report = (tmp_path / "validation.txt").read_text()
    for text in (message, report):
        assert "FAILED: 4 problem(s)" in text
        assert "sheet 'study', row 6, column 'design': 'case series' is not in the list" in text
        assert "sheet 'study', row 3, column 'population': required field empty" in text
        assert "sheet 'study', row 12, column 'n_professionals': a formula (=300+54)" in text
        assert "sheet 'nudge', row 17, column 'study_id': unknown study id" in text
    assert not (tmp_path / "dataset.json").exists()
    assert not (tmp_path / "import_extraction.audit.json").exists()
    assert "required field empty" in caplog.text


def test_unknown_theory_component_and_formula_text(tmp_path, extraction_settings, included):
    copy = tmp_path / "filled.xlsx"
    shutil.copy(FILLED, copy)
    workbook = load_workbook(copy)
    cmo = workbook["cmo"]
    header = [c.value for c in cmo[1]]
    cmo.cell(2, header.index("theory_component") + 1).value = "T9"
    text = cmo.cell(3, header.index("note") + 1)
    text.value, text.data_type = "=cmd|' /C calc'!A0", "s"
    workbook.save(copy)
    _, result, _ = check_filled(
        settings=extraction_settings, filled_path=str(copy), included_path=str(included)
    )
    found = [str(p) for p in result.problems]
    assert found[0].startswith("sheet 'cmo', row 2, column 'theory_component': unknown theory")
    assert found[1].startswith("sheet 'cmo', row 3, column 'note': text starting with '='")
    assert len(found) == 2


def test_without_a_filled_workbook_every_study_awaits(tmp_path, extraction_settings, included):
    dataset = _import(tmp_path, extraction_settings, included, None)
    assert dataset["counts"]["studies_awaiting_extraction"] == 22
    assert dataset["groups"]["cmo"] == [] and dataset["studies"] == []


@pytest.mark.parametrize(
    ("group", "field", "raw", "expected", "error"),
    [
        ("study", "n_professionals", "71", 71, ""),
        ("study", "n_professionals", 71.0, 71, ""),
        ("study", "n_professionals", "12.5", None, "not a whole number"),
        ("study", "n_professionals", -3, None, "below the minimum"),
        ("study", "n_professionals", "Not reported", "not reported", ""),
        ("nudge", "multicomponent", "Yes", True, ""),
        ("nudge", "multicomponent", "maybe", None, "not yes or no"),
        ("nudge", "nudge_type", "default option; Standing order", ["default option", "standing order"], ""),
        ("nudge", "nudge_type", "default option; nagging", None, "'nagging' not in the list"),
        ("cmo", "theory_component", "not reported", None, "unknown theory component"),
    ],
)  # fmt: skip
def test_values_are_typed(extraction_settings, group, field, raw, expected, error):
    form = extraction_settings.form
    value, problem = parse_value(form, form.group(group).field(field), RawCell(raw))
    assert value == expected
    assert error in problem if error else problem == ""
