"""Gathering every source's record table into the one table deduplication reads."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.errors import DataError
from reviewflow.records import read_records, records_frame, write_records
from reviewflow.vocab import Stage

__all__ = ["collect_records", "run_collect_stage"]


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


def run_collect_stage(*, record_tables: Sequence[str], out_records: str, audit_path: str) -> None:
    with StageAudit(
        audit_path,
        stage=Stage.COLLECT,
        rule="collect_records",
        inputs=record_tables,
        outputs=[out_records],
    ) as audit:
        records = collect_records(record_tables)
        write_records(records, out_records)
        audit.counts["records_out"] = len(records)
        for found_by, n in Counter(records["found_by"]).items():
            audit.counts[f"found_by_{found_by or 'unknown'}"] = n
        audit.details["records_per_source"] = dict(Counter(records["source"]))
        audit.details["records_per_search"] = dict(Counter(records["search_id"]))
