"""Importers of database export files: one module per format, one entry point.

:func:`import_file` reads an export (RIS, MEDLINE ``.nbib``, BibTeX, EndNote XML, EndNote
tagged, Web of Science tagged or tab-delimited, Ovid tagged or labelled text, ProQuest text,
CSV), detects its format from the content when asked, and returns a record table in the record model: ids stable across reruns
(``<search_id>:<accession number / PMID / WoS UT / DOI>`` or a content hash), provenance
pointing at ``<file>#<record number>``, and nothing that depends on the clock.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from reviewflow.errors import ImportFormatError
from reviewflow.importers.base import Importer, ImportWarning, ParsedExport, read_export_text
from reviewflow.importers.bibtex import BibtexImporter
from reviewflow.importers.csv_table import CsvImporter
from reviewflow.importers.detect import detect_format
from reviewflow.importers.endnote_tagged import EndnoteTaggedImporter
from reviewflow.importers.endnote_xml import EndnoteXmlImporter
from reviewflow.importers.nbib import NbibImporter
from reviewflow.importers.ovid import OvidLabelledImporter, OvidTaggedImporter
from reviewflow.importers.proquest import ProQuestImporter
from reviewflow.importers.ris import RisImporter
from reviewflow.importers.wos import WosImporter, WosTabDelimitedImporter
from reviewflow.records import make_record_id, normalize_record, records_frame
from reviewflow.vocab import FoundBy

__all__ = [
    "FORMATS",
    "IMPORTERS",
    "Importer",
    "ParsedExport",
    "detect_format",
    "get_importer",
    "import_file",
    "log_warnings",
    "read_export",
    "records_from_export",
]

logger = logging.getLogger(__name__)

#: Every importer by format name (the ``format`` key of an ``imports`` config entry).
IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        RisImporter(),
        NbibImporter(),
        BibtexImporter(),
        EndnoteXmlImporter(),
        EndnoteTaggedImporter(),
        WosImporter(),
        WosTabDelimitedImporter(),
        OvidTaggedImporter(),
        OvidLabelledImporter(),
        ProQuestImporter(),
        CsvImporter(),
    )
}

#: Accepted values of ``format``: every importer, plus ``auto`` (detect from content).
FORMATS: tuple[str, ...] = ("auto", *IMPORTERS)


def get_importer(name: str) -> Importer:
    try:
        return IMPORTERS[name]
    except KeyError:
        raise ImportFormatError(
            f"unknown export format {name!r}. Available options: {', '.join(FORMATS)}"
        ) from None


def read_export(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
) -> ParsedExport:
    """Parse an export file into :class:`ParsedExport` (records before ids and provenance)."""
    path_str = os.fspath(path)
    text = read_export_text(path_str)
    if not text.strip():  # a search without hits, saved as it is
        parsed = ParsedExport(
            [],
            "empty" if format == "auto" else format,
            warnings=[ImportWarning(None, "the file is empty: no records")],
        )
        log_warnings(parsed, path_str)
        return parsed
    name = detect_format(text, path_str) if format == "auto" else format
    importer = get_importer(name)
    if isinstance(importer, CsvImporter):
        parsed = importer.parse(text, path_str, column_map=column_map)
    else:
        if column_map:
            logger.warning("column_map is only used for CSV exports; ignored for %s", name)
        parsed = importer.parse(text, path_str)
    log_warnings(parsed, path_str)
    return parsed


#: Warnings logged per file; the rest are counted (all of them are in the import audit).
_LOGGED_WARNINGS = 20


def log_warnings(parsed: ParsedExport, path: str) -> None:
    """Log what the importer read against the letter of the format, line by line."""
    for warning in parsed.warnings[:_LOGGED_WARNINGS]:
        logger.warning("%s", warning.describe(path))
    hidden = len(parsed.warnings) - _LOGGED_WARNINGS
    if hidden > 0:
        logger.warning("%s: %d more warnings (all listed in the import audit)", path, hidden)


def _hash_content(fields: Mapping[str, str]) -> list[str]:
    keys = ("title", "authors", "year", "journal", "volume", "pages", "doi", "abstract")
    return [fields.get(k, "") for k in keys]


def records_from_export(
    parsed: ParsedExport,
    *,
    path: str | os.PathLike[str],
    search_id: str,
    database: str | None = None,
    retrieved_at: str | None = None,
) -> pd.DataFrame:
    """The record table of a parsed export: normalised rows, unique ids, provenance."""
    file_name = Path(path).name
    seen: dict[str, int] = {}
    rows = []
    for index, parsed_record in enumerate(parsed.records, start=1):
        row = normalize_record(parsed_record.fields)
        native = parsed_record.native_id.strip()
        record_id = make_record_id(search_id, native, content=_hash_content(row))
        seen[record_id] = seen.get(record_id, 0) + 1
        if seen[record_id] > 1:  # the same record twice in one export: keep both, apart
            record_id = f"{record_id}~{seen[record_id]}"
        row["record_id"] = record_id
        row["source"] = database or parsed_record.database or parsed.database or file_name
        row["search_id"] = search_id
        row["retrieved_at"] = (
            retrieved_at
            if retrieved_at is not None
            else (parsed_record.retrieved_at or parsed.exported_at)
        )
        row["raw_ref"] = f"{file_name}#{index}"
        row["found_by"] = FoundBy.IMPORT.value
        rows.append(row)
    return records_frame(rows)


def import_file(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    search_id: str,
    column_map: Mapping[str, str] | None = None,
    retrieved_at: str | None = None,
    database: str | None = None,
) -> pd.DataFrame:
    """Read one export file into a record table (one row per record in the file).

    ``database`` overrides the database name read from the file (it is what PRISMA shows);
    ``retrieved_at`` overrides the export date the file states (if any). The result depends
    only on the file and these arguments, so rerunning gives byte-identical output.
    """
    parsed = read_export(path, format=format, column_map=column_map)
    return records_from_export(
        parsed, path=path, search_id=search_id, database=database, retrieved_at=retrieved_at
    )
