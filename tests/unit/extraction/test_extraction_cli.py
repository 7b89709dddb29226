"""``reviewflow extraction`` and ``reviewflow fulltext`` from the command line."""

from __future__ import annotations

from openpyxl import load_workbook

from reviewflow.cli import main

from .conftest import CLUSTERS, FILLED, FULLTEXT, REPO, TAMPERED

CONFIG = str(REPO / "config" / "config.yaml")


def test_check_prints_every_problem_and_fails(capsys, included):
    code = main(
        ["extraction", "check", str(TAMPERED), "--config", CONFIG, "--included", str(included)]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED: 4 problem(s)" in out
    assert (
        main(["extraction", "check", str(FILLED), "--config", CONFIG, "--included", str(included)])
        == 0
    )


def test_export_writes_workbook_and_csvs(tmp_path, capsys, included):
    code = main(
        ["extraction", "export", "--config", CONFIG, "--included", str(included),
         "--results", str(tmp_path), "--previous", str(FILLED), "--clusters", str(CLUSTERS)]
    )  # fmt: skip
    assert code == 0
    # the files rule export_extraction_sheets writes, under the results folder given
    out = tmp_path / "extraction"
    assert (out / "csv" / "cmo.csv").is_file()
    assert (out / "export_extraction_sheets.audit.json").is_file()
    assert load_workbook(out / "extraction_form.xlsx")["study"]["G2"].value == (
        "randomised controlled trial"
    )


def test_fulltext_assess(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code = main(
        ["fulltext", "assess", "--config", CONFIG,
         "--included", str(FULLTEXT / "screening_included.csv"),
         "--clusters", str(CLUSTERS), "--results", str(tmp_path)]
    )  # fmt: skip
    assert code == 0
    assert "22 studies included at full text" in capsys.readouterr().out
    # the files rule assess_fulltexts writes, under the results folder given
    for name in ("decisions_applied.csv", "included.csv", "assess_fulltexts.audit.json"):
        assert (tmp_path / "fulltext" / name).is_file()
