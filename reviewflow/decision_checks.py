"""Checking human decision files before the stage that applies them runs.

Snakemake deletes a job's old outputs before it starts the job. If a reviewer's edit to a
decision file has a typo, the stage would fail with its outputs already gone: the batch the
reviewer was screening, the uncertain-pairs sheet. A small check rule runs first, with the
same readers the stages use, so a bad file stops the run before anything is deleted.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from reviewflow.clusters import record_study_map
from reviewflow.io import atomic_write_text

__all__ = [
    "check_dedup_decisions",
    "check_fulltext_decisions",
    "check_screening_decisions",
]


def check_screening_decisions(
    *,
    clusters_path: str | os.PathLike[str],
    decision_paths: Sequence[str],
    out_report: str | os.PathLike[str],
) -> None:
    """Title/abstract decision files (one per reviewer), checked against the studies."""
    from reviewflow.screening.decisions import read_decision_file

    mapping = record_study_map(clusters_path)
    lines = []
    for index, path in enumerate(decision_paths):
        rows = read_decision_file(path, mapping, file_index=index)
        lines.append(f"{path}: {len(rows)} screening decisions, all valid")
    atomic_write_text(out_report, "\n".join(lines) + "\n")


def check_fulltext_decisions(
    *,
    clusters_path: str | os.PathLike[str],
    decision_paths: Sequence[str],
    reason_codes: Sequence[str],
    out_report: str | os.PathLike[str],
) -> None:
    """Full-text decision files, checked against the studies and the exclusion reasons."""
    from reviewflow.fulltext.decisions import read_fulltext_decisions

    codes = list(reason_codes)
    rows = read_fulltext_decisions(
        list(decision_paths), record_to_study=record_study_map(clusters_path), reason_codes=codes
    )
    atomic_write_text(
        out_report, f"{', '.join(decision_paths)}: {len(rows)} full-text decisions, all valid\n"
    )


def check_dedup_decisions(
    *,
    records_path: str | os.PathLike[str],
    decision_paths: Sequence[str],
    out_report: str | os.PathLike[str],
) -> None:
    """Manual deduplication calls, checked against every collected record id."""
    from reviewflow.dedup.decisions import read_decisions

    known = set(pd.read_csv(records_path, dtype=str, usecols=["record_id"])["record_id"])
    lines = []
    for path in decision_paths:
        rows = read_decisions(path, known)
        lines.append(f"{path}: {len(rows)} manual deduplication decisions, all valid")
    atomic_write_text(out_report, "\n".join(lines) + "\n")
