"""The import stage: one export file from one ``imports`` config entry to one record table.

Called by the Snakemake rule ``import_records`` (one job per ``imports[].id``). The audit
keeps what PRISMA-S asks to report for each database searched without an API: the database
and platform, the date searched and the strategy as run, beside the counts.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.importers import ParsedExport, read_export, records_from_export
from reviewflow.importers.settings import ImportLine
from reviewflow.records import write_records
from reviewflow.vocab import EXTRA_FIELD, PrismaCount, Stage

__all__ = ["IMPORT_COUNTS", "run_import_stage", "unmapped_fields"]

#: Warnings listed in the audit (their total is always counted).
_AUDITED_WARNINGS = 500


def unmapped_fields(records: pd.DataFrame) -> Counter[str]:
    """How many records carry each source field that no record field was read from."""
    counts: Counter[str] = Counter()
    for cell in records[EXTRA_FIELD]:
        if cell:
            counts.update(json.loads(cell).keys())
    return counts


def warnings_audit(parsed: ParsedExport, path: str) -> list[str]:
    return [w.describe(path) for w in parsed.warnings[:_AUDITED_WARNINGS]]


logger = logging.getLogger(__name__)

#: The audit counts rule ``import_records`` writes for PRISMA (its database's records).
IMPORT_COUNTS = (PrismaCount.RECORDS_IDENTIFIED,)


def run_import_stage(
    *,
    export_path: str | os.PathLike[str],
    entry: ImportLine,
    out_records: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> None:
    """Import the export named by one ``imports`` entry; write records and audit.

    ``entry`` is the config entry (:class:`ImportLine`). Records carry the entry's
    ``database`` as their source when it is given, the database named in the file
    otherwise.
    """
    import_id = entry.id
    fmt = entry.format
    column_map = dict(entry.column_map) or None
    parameters = {
        "format": fmt,
        "column_map": dict(column_map or {}),
        "database": entry.database,
    }
    with StageAudit(
        audit_path,
        stage=Stage.IMPORT.value,
        rule="import_records",
        inputs=[export_path],
        outputs=[out_records],
        parameters=parameters,
        declares=IMPORT_COUNTS,
    ) as audit:
        parsed = read_export(export_path, format=fmt, column_map=column_map)
        records = records_from_export(
            parsed,
            path=export_path,
            search_id=import_id,
            database=entry.database or None,
        )
        write_records(records, out_records)
        without_abstract = int((records["abstract"] == "").sum())
        without_doi = int((records["doi"] == "").sum())
        unmapped = unmapped_fields(records)
        audit.counts.update(
            {
                "records_in_file": len(parsed.records),
                PrismaCount.RECORDS_IDENTIFIED: len(records),
                "without_abstract": without_abstract,
                "without_doi": without_doi,
                "records_with_unmapped_fields": int((records[EXTRA_FIELD] != "").sum()),
                "warnings": len(parsed.warnings),
            }
        )
        audit.details.update(
            {
                "import_id": import_id,
                "database": entry.database or parsed.database,
                "database_in_file": parsed.database,
                "platform": entry.platform,
                "file": os.fspath(export_path),
                "format": parsed.format,
                "format_given": fmt,
                "date_searched": entry.date_searched,
                "exported_at": parsed.exported_at,
                "query": entry.query,
                "notes": entry.notes,
                # source field -> records holding it, kept in the 'extra' column
                "unmapped_fields": dict(sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0]))),
                "warnings": warnings_audit(parsed, os.fspath(export_path)),
            }
        )
        logger.info(
            "%s: %d records from %s (%s); %d without abstract, %d without DOI",
            import_id,
            len(records),
            os.fspath(export_path),
            parsed.format,
            without_abstract,
            without_doi,
        )
