"""Deduplication across all sources that never merges two distinct studies.

Entry points: :func:`run_dedup_stage` (the Snakemake rule ``deduplicate_records``),
:func:`deduplicate` (a record table in, clusters and studies out), :func:`match_new_records`
(an update matched against earlier clusters) and :func:`read_dedup_input`.
"""

from __future__ import annotations

from reviewflow.dedup.decisions import DECISION_COLUMNS, ManualDecision, read_decisions
from reviewflow.dedup.engine import DedupResult, deduplicate, match_new_records
from reviewflow.dedup.stage import read_dedup_input, run_dedup_stage

__all__ = [
    "DECISION_COLUMNS",
    "DedupResult",
    "ManualDecision",
    "deduplicate",
    "match_new_records",
    "read_decisions",
    "read_dedup_input",
    "run_dedup_stage",
]
