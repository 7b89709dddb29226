"""Real screening data shaped as the stage's inputs (studies, clusters, decision files).

The studies are the first 300 records of Nagtegaal et al. (2019) with the two duplicate
pairs the review's authors marked (168/169, 276/277) merged into one study each; the
decisions are the authors' published title/abstract labels.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from reviewflow.records import normalize_record, records_frame, write_records

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "screening"
NAGTEGAAL = FIXTURES / "Nagtegaal_2019_first300.csv"
COHEN_UI = FIXTURES / "Cohen_2006_UrinaryIncontinence.csv"
REVIEWER = "Nagtegaal et al. 2019 (published labels)"


def nagtegaal_rows() -> pd.DataFrame:
    return pd.read_csv(NAGTEGAAL, dtype=str, keep_default_na=False)


@pytest.fixture
def review(tmp_path: Path) -> dict[str, Path]:
    """studies.csv, clusters.csv and a decision file of real labels, in a temp folder."""
    data = nagtegaal_rows()
    rid = {r: f"demo:{r}" for r in data["record_id"]}
    first_of = {r: int(r) for r in data["record_id"]}
    for r, dup in zip(data["record_id"], data["duplicate_record_id"], strict=True):
        if dup:
            first_of[r] = first_of[dup] = min(int(r), int(dup))
    study_of = {rid[r]: f"S{first_of[r]}" for r in data["record_id"]}
    records = records_frame(
        normalize_record({"record_id": rid[r], "title": t, "abstract": a})
        for r, t, a in zip(data["record_id"], data["title"], data["abstract"], strict=True)
    )
    records["study_id"] = [study_of[r] for r in records["record_id"]]
    studies = records.drop_duplicates("study_id").reset_index(drop=True)
    write_records(studies, tmp_path / "studies.csv")
    pd.DataFrame({"record_id": list(study_of), "study_id": list(study_of.values())}).to_csv(
        tmp_path / "clusters.csv", index=False
    )
    return {
        "dir": tmp_path,
        "studies": tmp_path / "studies.csv",
        "clusters": tmp_path / "clusters.csv",
    }


def write_decisions(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """rows of (record_id, decision, reviewer, date)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "decision", "reviewer", "date", "note"])
        for record_id, decision, reviewer, date in rows:
            writer.writerow([record_id, decision, reviewer, date, ""])
    return path


def published_decisions(first: int, *, member_ids: bool = True) -> list[tuple[str, str, str, str]]:
    """The authors' title/abstract labels of the first ``first`` records, in file order."""
    data = nagtegaal_rows().iloc[:first]
    return [
        (f"demo:{r}", "include" if lab == "1" else "exclude", REVIEWER, "2019-01-01")
        for r, lab in zip(data["record_id"], data["label_abstract_screening"], strict=True)
    ]
