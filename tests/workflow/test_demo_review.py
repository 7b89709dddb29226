"""The demo review, run as a user runs it: end to end, audited, and incremental."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from workflow_support import copy_workflow, snakemake

from reviewflow import cli

STAGES = ("import", "search", "citations", "collect", "dedup", "screening", "fulltext")


def test_demo_runs_end_to_end_with_an_audit_per_stage(demo_run: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(demo_run)
    assert cli.main(["audit", "--json"]) == 0
    audits = json.loads(capsys.readouterr().out)
    stages = {a["stage"] for a in audits}
    for stage in STAGES:
        assert stage in stages, f"no audit record for stage {stage}"
    for audit in audits:
        for key in ("stage", "started", "finished", "inputs", "outputs", "counts", "parameters"):
            assert key in audit
        assert all(len(entry["sha256"]) == 64 for entry in audit["inputs"] if entry["sha256"])
        assert all(isinstance(v, int) for v in audit["counts"].values())
    assert (demo_run / "results" / "report" / "report.html").stat().st_size > 10_000
    assert cli.main(["audit"]) == 0
    table = capsys.readouterr().out
    assert "dedup" in table and "screening" in table


def test_rerun_with_nothing_changed_does_no_work(demo_run: Path) -> None:
    result = snakemake(demo_run, "-n")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_editing_decisions_reruns_only_what_depends_on_them(demo_run: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "edited"
    shutil.copytree(demo_run, workdir, symlinks=True)
    decisions = workdir / "config" / "demo" / "decisions" / "screening_nagtegaal.csv"
    with open(decisions, "a", encoding="utf-8") as handle:
        handle.write("nagtegaal_records:1,exclude,Test reviewer,2026-11-24,edited\n")
    result = snakemake(workdir, "-n")
    assert result.returncode == 0, result.stderr
    # Rules of a group job (group: in rules/*.smk) are listed indented under it.
    planned = set(re.findall(r"^\s*(?:local)?rule (\w+):", result.stdout + result.stderr, re.M))
    assert "screen_records" in planned
    for upstream in ("search_database", "import_records", "deduplicate_records", "collect_records"):
        assert upstream not in planned, f"{upstream} should not rerun after a decision edit"


def test_a_config_that_fails_the_schema_stops_before_any_job(tmp_path: Path) -> None:
    workdir = tmp_path / "bad"
    workdir.mkdir()
    copy_workflow(workdir)
    config = workdir / "config" / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("replay: true", "replay: sometimes"),
        encoding="utf-8",
    )
    result = snakemake(workdir, "-n")
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "replay: 'sometimes' is not of type 'boolean'" in message
    assert "Traceback" not in message
    assert not (workdir / "results").exists()


def test_a_bad_decision_stops_the_run_and_keeps_the_batch_being_screened(
    demo_run: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "typo"
    shutil.copytree(demo_run, workdir, symlinks=True)
    batch = workdir / "results" / "screening" / "next_batch.xlsx"
    before = batch.read_bytes()
    decisions = workdir / "config" / "demo" / "decisions" / "screening_nagtegaal.csv"
    with open(decisions, "a", encoding="utf-8") as handle:
        handle.write("nagtegaal_records:99999,include,Test reviewer,2026-11-24,typo\n")
    result = snakemake(workdir)
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "screening_nagtegaal.csv, line 402, field 'record_id': unknown record id "
        "'nagtegaal_records:99999'" in message
    )
    assert batch.read_bytes() == before  # the batch the reviewer is working on survives
