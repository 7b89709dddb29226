"""A stage switched off in config passes its records on unchanged, and says so.

``dedup.enabled: false`` (a single-source review with nothing to deduplicate) and
``screening.enabled: false`` (every study goes on to full text) still write every output
their rule declares, so the stages after them run as usual; their audit records say
``details.disabled`` and count what PRISMA needs, so the diagram and the report state that
the stage was switched off instead of showing numbers it never produced.
The rules' scripts call these functions in place of the stage (``scripts/*.py``), with the
same keyword arguments.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.io import save_workbook, write_csv
from reviewflow.records import read_records, write_records
from reviewflow.vocab import PrismaCount, Stage

__all__ = ["pass_records_through_dedup", "pass_studies_through_screening"]

#: What the disabled stage's audit says, word for word in the report.
DISABLED = {"disabled": True, "why": "switched off in config (enabled: false)"}


def _empty_workbook(columns: Sequence[str], path: str | os.PathLike[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on one empty worksheet
    sheet.append(list(columns))
    save_workbook(book, path)


def pass_records_through_dedup(
    *,
    records_paths: Sequence[str],
    out_studies: str,
    out_clusters: str,
    out_merges: str,
    out_uncertain_csv: str,
    out_uncertain_xlsx: str,
    audit_path: str,
    run_label: str = "",
    **_: Any,
) -> None:
    """Rule ``deduplicate_records`` with ``dedup.enabled: false``: every record a study of
    its own (``study_id`` = its record id), no merges, no pairs to check."""
    from reviewflow.dedup.stage import UNCERTAIN_COLUMNS

    declares = (PrismaCount.DUPLICATES_REMOVED,) + ((PrismaCount.STUDIES_NEW,) if run_label else ())
    with StageAudit(
        audit_path,
        stage=Stage.DEDUP,
        rule="deduplicate_records",
        inputs=records_paths,
        outputs=[out_studies, out_clusters, out_merges, out_uncertain_csv, out_uncertain_xlsx],
        parameters={"enabled": False},
        declares=declares,
    ) as audit:
        records = pd.concat([read_records(p) for p in records_paths], ignore_index=True)
        studies = records.copy()
        studies["study_id"] = studies["record_id"]
        studies["source_record_ids"] = studies["record_id"]
        studies["sources"] = studies["source"]
        studies["n_records"] = "1"
        write_records(studies, out_studies)
        write_csv(records[["record_id"]].assign(study_id=records["record_id"]), out_clusters)
        write_csv(
            pd.DataFrame(columns=["study_id", "record_id_a", "record_id_b", "reason", "score"]),
            out_merges,
        )
        write_csv(pd.DataFrame(columns=list(UNCERTAIN_COLUMNS)), out_uncertain_csv)
        _empty_workbook(UNCERTAIN_COLUMNS, out_uncertain_xlsx)
        audit.counts.update(
            {
                "records_in": len(records),
                "studies_out": len(studies),
                PrismaCount.DUPLICATES_REMOVED: 0,
                "uncertain_pairs": 0,
            }
        )
        if run_label:
            new = (studies["first_seen"] == run_label).sum() if "first_seen" in studies else 0
            audit.counts[PrismaCount.STUDIES_NEW] = int(new)
        audit.details.update(DISABLED)


#: Headers of the screening tables a disabled stage writes empty (as screen_records does).
_SCREENING_TABLES = {
    "ranking": ("study_id", "title", "year", "score", "rank", "decision", "score_basis"),
    "conflicts": ("study_id", "title", "decisions", "status", "final"),
    "progress": ("batch", "records_screened", "records_total", "included_so_far", "phase"),
    "thresholds": ("recall_target", "confidence", "phase", "stop_criterion_met"),
}


def pass_studies_through_screening(
    *,
    studies_path: str,
    out_ranking: str,
    out_next_batch_csv: str,
    out_next_batch_xlsx: str,
    out_progress: str,
    out_thresholds: str,
    out_conflicts: str,
    out_included: str,
    audit_path: str,
    run_label: str,
    **_: Any,
) -> None:
    """Rule ``screen_records`` with ``screening.enabled: false``: every study goes on to
    full text unscreened; no ranking, no batch, nothing to stop."""
    from reviewflow.screening.stage import (
        BATCH_COLUMNS,
        SCREENING_COUNTS,
        SCREENING_UPDATE_COUNTS,
    )

    counted = SCREENING_COUNTS + (SCREENING_UPDATE_COUNTS if run_label else ())

    with StageAudit(
        audit_path,
        stage=Stage.SCREENING,
        rule="screen_records",
        inputs=[studies_path],
        outputs=[
            out_ranking,
            out_next_batch_csv,
            out_next_batch_xlsx,
            out_progress,
            out_thresholds,
            out_conflicts,
            out_included,
        ],
        parameters={"enabled": False},
        declares=counted,
    ) as audit:
        studies = read_records(studies_path)
        included = studies.assign(
            screening_decision="", screening_note="screening switched off in config"
        )
        write_records(included, out_included)
        for name, path in (
            ("ranking", out_ranking),
            ("conflicts", out_conflicts),
            ("progress", out_progress),
            ("thresholds", out_thresholds),
        ):
            write_csv(pd.DataFrame(columns=list(_SCREENING_TABLES[name])), path)
        write_csv(pd.DataFrame(columns=list(BATCH_COLUMNS)), out_next_batch_csv)
        _empty_workbook(BATCH_COLUMNS, out_next_batch_xlsx)
        audit.counts.update({key: 0 for key in counted})
        audit.counts.update({"studies_in": len(studies), "included": len(studies), "next_batch": 0})
        audit.details.update(DISABLED)
