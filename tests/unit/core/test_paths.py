"""The rules take every file name from reviewflow.paths; paths move with the results folder."""

from __future__ import annotations

import re

from reviewflow.config import REPO_ROOT
from reviewflow.paths import (
    FULLTEXT,
    REPORT,
    SCREENING,
    SEARCH,
    previous_run_file,
    stage_audit_files,
)


def test_rules_write_no_results_path_of_their_own() -> None:
    """Apart from the log and the timing of each job (mirroring the rule's name), every path
    a rule names comes from a paths object, so a subcommand cannot write elsewhere."""
    rules = [p for p in sorted((REPO_ROOT / "rules").glob("*.smk")) if p.name != "common.smk"]
    assert len(rules) >= 12
    for smk in rules:
        text = smk.read_text(encoding="utf-8")
        assert "log:" in text and "benchmark:" in text, smk.name
        literals = re.findall(r'"results/([^"]*)"', text)
        assert all(p.startswith(("logs/", "benchmarks/")) for p in literals), smk.name


def test_an_input_is_the_output_it_reads() -> None:
    assert FULLTEXT.screened == SCREENING.included
    assert REPORT.progress == SCREENING.progress


def test_paths_move_with_the_results_folder() -> None:
    moved = FULLTEXT.under("runs/2026-11-24/results")
    assert moved.availability == "runs/2026-11-24/results/fulltext/availability.csv"
    assert moved.screened == "runs/2026-11-24/results/screening/included.csv"
    assert SEARCH.for_id("pubmed").records == "results/search/pubmed/records.csv"
    assert previous_run_file("runs/x/results", FULLTEXT.assess_audit) == (
        "runs/x/results/fulltext/assess_fulltexts.audit.json"
    )


def test_stage_audits_in_process_order() -> None:
    audits = stage_audit_files(["embase"], ["pubmed"], citations=False)
    assert audits[:2] == [
        "results/import/embase/import_records.audit.json",
        "results/search/pubmed/search_database.audit.json",
    ]
    assert "results/citations/chase_citations.audit.json" not in audits
    assert audits[-1] == FULLTEXT.assess_audit
