"""A small review folder of real records, shaped as the app finds one after the pipeline ran.

The studies are the first 300 records of Nagtegaal et al. (2019) with the two duplicate
pairs the review's authors marked (168/169, 276/277) merged into one study each, written
as the dedup stage writes them; the first decisions are the authors' published labels.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from reviewflow.records import normalize_record, records_frame, write_records

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "screening"
NAGTEGAAL = FIXTURES / "Nagtegaal_2019_first300.csv"
PUBLISHED = "Nagtegaal et al. 2019 (published labels)"
HEADER = "record_id,decision,reviewer,date,note\n"
FULLTEXT_HEADER = "record_id,decision,reason,reviewer,date,note\n"


def nagtegaal() -> pd.DataFrame:
    return pd.read_csv(NAGTEGAAL, dtype=str, keep_default_na=False)


def write_config(root: Path, **screening: object) -> Path:
    config = {
        "review": {
            "id": "app-test",
            "title": "Nudges for professionals (first 300 records)",
            "question": "Which nudges change professionals' behaviour?",
            "eligibility": {"include": ["a nudge"], "exclude": ["patients only"]},
        },
        "screening": {
            "decisions": ["decisions/screening.csv"],
            "seed": 42,
            "batch_size": 25,
            "stopping": {"switch_after_consecutive_irrelevant": 30},
            "highlight": {"include": ["remind*", "physician*"], "exclude": ["mice"]},
            **screening,
        },
        "fulltext": {
            "decisions": "decisions/fulltext.csv",
            "exclusion_reasons": [
                {"code": "wrong_population", "label": "Population not professionals"},
                {"code": "wrong_design", "label": "Design not eligible"},
            ],
            "pdf_dir": "fulltexts",
        },
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def published_rows(first: int, reviewer: str = PUBLISHED) -> list[list[str]]:
    data = nagtegaal().iloc[:first]
    return [
        [f"demo:{r}", "include" if lab == "1" else "exclude", reviewer, "2019-01-01", ""]
        for r, lab in zip(data["record_id"], data["label_abstract_screening"], strict=True)
    ]


def write_decisions(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["record_id", "decision", "reviewer", "date", "note"])
        writer.writerows(rows)
    return path


@pytest.fixture
def review_dir(tmp_path: Path) -> Path:
    """config.yaml, results/dedup/{studies,clusters}.csv and decision files."""
    data = nagtegaal()
    rid = {r: f"demo:{r}" for r in data["record_id"]}
    first_of = {r: int(r) for r in data["record_id"]}
    for r, dup in zip(data["record_id"], data["duplicate_record_id"], strict=True):
        if dup:
            first_of[r] = first_of[dup] = min(int(r), int(dup))
    study_of = {rid[r]: rid[str(first_of[r])] for r in data["record_id"]}
    records = records_frame(
        normalize_record({"record_id": rid[r], "title": t, "abstract": a, "source": "demo"})
        for r, t, a in zip(data["record_id"], data["title"], data["abstract"], strict=True)
    )
    records["study_id"] = [study_of[r] for r in records["record_id"]]
    members = records.groupby("study_id")["record_id"].agg("; ".join)
    studies = records.drop_duplicates("study_id").reset_index(drop=True)
    studies["source_record_ids"] = [members[s] for s in studies["study_id"]]
    studies["sources"] = "demo"
    dedup = tmp_path / "results" / "dedup"
    write_records(studies, dedup / "studies.csv")
    pd.DataFrame({"record_id": list(study_of), "study_id": list(study_of.values())}).to_csv(
        dedup / "clusters.csv", index=False
    )
    write_decisions(tmp_path / "decisions" / "screening.csv", published_rows(40))
    (tmp_path / "decisions" / "fulltext.csv").write_text(FULLTEXT_HEADER, encoding="utf-8")
    write_config(tmp_path)
    return tmp_path


def wait_until(condition, timeout: float = 60.0, step: float = 0.05) -> None:
    """Poll ``condition()`` until true (background refits take a moment)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(step)
