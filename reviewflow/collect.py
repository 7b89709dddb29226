"""Gathering every source's record table into the one table deduplication reads."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.errors import DataError
from reviewflow.io import table_rows
from reviewflow.records import read_records, records_frame, write_records
from reviewflow.vocab import Stage

__all__ = ["carry_forward", "collect_records", "run_collect_stage"]

#: Extra column of the collected table: the run in which a record was first seen
#: (``runs/<date>`` folder name of an earlier run, or this run's label).
FIRST_SEEN = "first_seen"


def collect_records(paths: Sequence[str | os.PathLike[str]]) -> pd.DataFrame:
    """Concatenate record tables, refusing a record id that two tables both claim.

    Two tables with the same record id mean two search lines share an id in config; merging
    them silently would attach one source's decisions to another's record.
    """
    frames = []
    seen: dict[str, str] = {}
    for path in paths:
        frame = read_records(path)
        for line, record_id in enumerate(frame["record_id"], start=2):
            if not record_id:
                raise DataError("empty record id", path=str(path), line=line, field="record_id")
            if record_id in seen:
                raise DataError(
                    f"record id {record_id!r} also appears in {seen[record_id]}; "
                    "search and import ids must be unique",
                    path=str(path),
                    line=line,
                    field="record_id",
                )
            seen[record_id] = str(path)
        frames.append(frame)
    if not frames:
        return records_frame([])
    return pd.concat(frames, ignore_index=True).fillna("")


def _run_label(previous_results: str) -> str:
    """``runs/2026-11-24/results`` -> ``2026-11-24``."""
    path = Path(previous_results)
    return path.parent.name if path.name == "results" else path.name


def carry_forward(
    current: pd.DataFrame, previous: Sequence[tuple[str, pd.DataFrame]], run_label: str
) -> pd.DataFrame:
    """Every record seen in this run or an earlier one, each once, with ``first_seen``.

    An update's searches cover only the new date window, but the review still consists of
    every record found before: earlier records are carried forward (with their decisions),
    a record found again keeps this run's metadata and its first-seen run, and only records
    never seen before count as new. Earlier runs are given oldest first.
    """
    first_seen: dict[str, str] = {}
    carried: dict[str, dict[str, str]] = {}
    for label, frame in previous:
        for row in table_rows(frame):
            record_id = row["record_id"]
            first_seen.setdefault(record_id, row.get(FIRST_SEEN) or label)
            carried[record_id] = row
    current = current.copy()
    current[FIRST_SEEN] = [first_seen.get(r, run_label) for r in current["record_id"]]
    in_current = set(current["record_id"])
    old = [
        {**row, FIRST_SEEN: first_seen[record_id]}
        for record_id, row in carried.items()
        if record_id not in in_current
    ]
    if not old:
        return current
    return pd.concat([current, pd.DataFrame(old)], ignore_index=True).fillna("")


def run_collect_stage(
    *,
    record_tables: Sequence[str],
    out_records: str,
    audit_path: str,
    previous_tables: Sequence[str] = (),
    run_label: str = "",
) -> None:
    """Rule ``collect_records``: every source's records in one table; in an update the
    earlier runs' tables (``runs/<date>/results/records/all_records.csv``, oldest first)
    are carried forward and each record marked with the run that first saw it."""
    with StageAudit(
        audit_path,
        stage=Stage.COLLECT,
        rule="collect_records",
        inputs=[*record_tables, *previous_tables],
        outputs=[out_records],
        parameters={"previous_tables": list(previous_tables), "run_label": run_label},
    ) as audit:
        current = collect_records(record_tables)
        label = run_label or "initial"
        previous = [
            (_run_label(str(Path(p).parent.parent)), read_records(p)) for p in previous_tables
        ]
        records = carry_forward(current, previous, label)
        write_records(records, out_records)
        audit.counts["records_this_run"] = len(current)
        if previous_tables:
            new = int((records[FIRST_SEEN] == label).sum())
            audit.counts["records_new"] = new
            audit.counts["records_seen_before"] = len(current) - new
            audit.counts["records_carried_forward"] = len(records) - len(current)
        audit.counts["records_out"] = len(records)
        for found_by, n in Counter(records["found_by"]).items():
            audit.counts[f"found_by_{found_by or 'unknown'}"] = n
        audit.details["records_per_source"] = dict(Counter(records["source"]))
        audit.details["records_per_search"] = dict(Counter(records["search_id"]))
