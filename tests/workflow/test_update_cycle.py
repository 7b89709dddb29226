"""Updating the demo review: a later search window, only new records to screen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from reviewflow import cli


def _audit(results: Path, name: str) -> dict:
    return json.loads((results / f"{name}.audit.json").read_text(encoding="utf-8"))


def test_update_screens_only_new_records_and_draws_the_updated_prisma(
    demo_run: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    review = tmp_path / "review"
    shutil.copytree(demo_run, review, symlinks=True)
    first_batch = (review / "results" / "screening" / "next_batch.csv").read_bytes()
    code = cli.main(
        [
            "update",
            "--review",
            str(review),
            "--today",
            "2027-05-31",
            "--extra-config",
            str(review / "config" / "demo" / "update" / "update.yaml"),
        ]
    )
    assert code == 0
    frozen = next((review / "runs").iterdir())
    # the earlier run is kept untouched and addressable
    assert (frozen / "results" / "screening" / "next_batch.csv").read_bytes() == first_batch
    assert (frozen / "config.yaml").is_file() and (frozen / "decisions").is_dir()

    results = review / "results"
    collect = _audit(results, "records/collect_records")["counts"]
    assert collect["records_new"] == 25  # the Europe PMC records of the later window
    assert collect["records_seen_before"] == 22  # OpenAlex and Crossref records found again
    screening = _audit(results, "screening/screen_records")["counts"]
    assert screening["screened"] == 400  # every earlier decision carried forward
    assert screening["new_studies"] == 25
    batch = pd.read_csv(results / "screening" / "next_batch.csv", dtype=str)
    studies = pd.read_csv(results / "dedup" / "studies.csv", dtype=str, keep_default_na=False)
    new = set(studies.loc[studies["first_seen"] == "2027-05-31", "study_id"])
    assert set(batch["study_id"]) == new  # only new records go to screening

    counts = json.loads((results / "prisma" / "counts.json").read_text(encoding="utf-8"))
    boxes = counts["boxes"]
    assert boxes["previous_studies"]["n"] == 22
    assert boxes["database_results"]["n"] == 47
    assert boxes["duplicates"]["n"] == 22
    assert boxes["records_awaiting"]["n"] == 25
    assert boxes["total_studies"]["n"] == 22
    assert (results / "prisma" / "prisma.svg").stat().st_size > 5_000

    monkeypatch.chdir(review)
    capsys.readouterr()
    assert cli.main(["audit", "--runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["records_new"] for r in runs] == [5279, 25]
