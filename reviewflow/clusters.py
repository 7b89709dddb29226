"""The one reader of ``results/dedup/clusters.csv``: which study each record belongs to.

Deduplication writes one row per record (``record_id``, ``study_id``); every later stage
lets a person name a study by any of its records (a screening or full-text decision, an
extraction row), so each of them needs the same map. :func:`read_clusters` reads the rows
(with the line each came from, for errors), :func:`record_study_map` turns them into the
map, and ``studies`` (a table with ``study_id`` and ``record_id``) adds a table's own ids.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reviewflow.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CLUSTER_COLUMNS", "read_clusters", "record_study_map"]

#: The columns every reader needs; clusters.csv may carry more (match scores, runs).
CLUSTER_COLUMNS = ("record_id", "study_id")


def read_clusters(path: str | os.PathLike[str]) -> Iterator[tuple[int, str, str]]:
    """``(line, record_id, study_id)`` for every row of a clusters table (header = line 1)."""
    import pandas as pd

    try:
        clusters = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read clusters: {exc}", path=os.fspath(path)) from exc
    for column in CLUSTER_COLUMNS:
        if column not in clusters.columns:
            raise DataError(f"no {column!r} column", path=os.fspath(path), line=1, field=column)
    rows = zip(clusters["record_id"], clusters["study_id"], strict=True)
    for line, (record_id, study_id) in enumerate(rows, start=2):
        yield line, record_id, study_id


def record_study_map(
    clusters_path: str | os.PathLike[str] | None,
    studies: pd.DataFrame | None = None,
) -> dict[str, str]:
    """Record id -> study id from a clusters table, each study id mapping to itself.

    ``clusters_path`` None (or "") reads no table: the map then holds ``studies`` alone.
    """
    mapping: dict[str, str] = {}
    if clusters_path is not None and os.fspath(clusters_path):
        for _, record_id, study_id in read_clusters(clusters_path):
            if record_id and study_id:
                mapping[record_id] = study_id
                mapping.setdefault(study_id, study_id)
    if studies is not None and "study_id" in studies.columns:
        record_ids = studies["record_id"] if "record_id" in studies.columns else studies["study_id"]
        for study_id, record_id in zip(studies["study_id"], record_ids, strict=True):
            if study_id:
                mapping[study_id] = study_id
                if record_id:
                    mapping.setdefault(record_id, study_id)
    return mapping
