"""The dedup stage: read records, deduplicate, write studies, clusters, merges, review files.

Also reads the bibliographic CSVs other tools use (``ID``, ``ENTRYTYPE``, ``author``,
``number``, ``booktitle``: the bib-dedupe / ASySD labelled sets) so that ``reviewflow dedup``
works on any such file as well as on a reviewflow record table.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.dedup.decisions import DECISION_COLUMNS, read_decisions
from reviewflow.dedup.engine import DedupResult, deduplicate
from reviewflow.dedup.model import default_model
from reviewflow.dedup.prepare import fix_mojibake, split_authors
from reviewflow.dedup.settings import DedupSettings
from reviewflow.errors import DataError
from reviewflow.importers.base import read_export_text
from reviewflow.io import save_workbook, unescape_frame, write_csv
from reviewflow.normalize import clean_text, normalize_authors, normalize_issn
from reviewflow.paths import DEDUP, previous_run_file
from reviewflow.records import _NORMALISERS as _RECORD_NORMALISERS
from reviewflow.records import records_frame
from reviewflow.vocab import RECORD_FIELDS, PrismaCount, Stage

__all__ = [
    "COLLISION_COLUMNS",
    "DEDUP_COUNTS",
    "DEDUP_UPDATE_COUNTS",
    "UNCERTAIN_COLUMNS",
    "newest_previous_clusters",
    "read_dedup_input",
    "run_dedup_stage",
    "write_uncertain_xlsx",
]

log = logging.getLogger(__name__)

#: The audit counts rule ``deduplicate_records`` writes for PRISMA ("Duplicate records
#: removed"), and in an update the studies none of whose records an earlier run had.
DEDUP_COUNTS = (PrismaCount.DUPLICATES_REMOVED,)
DEDUP_UPDATE_COUNTS = (PrismaCount.STUDIES_NEW,)

#: Bibliographic CSV column -> record-model field.
_BIB_COLUMNS = {
    "ID": "record_id",
    "ENTRYTYPE": "entry_type",
    "author": "authors",
    "number": "issue",
}

#: Columns of uncertain_pairs.csv/.xlsx, ranked (``rank`` 1 is the answer that removes most
#: doubt, :mod:`reviewflow.dedup.review`); ``score`` is the match probability, ``evidence``
#: the comparisons that weighed most. A person fills in ``decision`` (duplicate / distinct)
#: and the file, or the rows decided, serves as the decisions file of the next run.
UNCERTAIN_COLUMNS = (
    "rank",
    "record_id_a",
    "record_id_b",
    "score",
    "reason",
    "evidence",
    *(
        f"{name}_{side}"
        for name in (
            "title",
            "authors",
            "year",
            "journal",
            "volume",
            "issue",
            "pages",
            "doi",
            "pmid",
        )
        for side in ("a", "b")
    ),
    "decision",
    "reviewer",
    "date",
    "note",
)


#: Columns of a DOI collision report: pairs that share a DOI whose titles or pages differ.
COLLISION_COLUMNS = (
    "doi",
    "record_id_a",
    "record_id_b",
    "title_a",
    "title_b",
    "pages_a",
    "pages_b",
)


def read_dedup_input(path: str | os.PathLike[str], *, matching_only: bool = False) -> pd.DataFrame:
    """A record table from a reviewflow ``records.csv`` or a bibliographic CSV with ``ID``.

    The bytes are decoded as the importers decode exports (UTF-8, UTF-16 with a BOM, else
    Windows-1252 with a warning): ASySD's labelled test set, for one, is Windows-1252.
    ``matching_only``: the table only feeds matching (``reviewflow dedup``), which reads an
    abstract's first 120 words, so longer abstracts are cut before they are normalised.
    """
    text = read_export_text(Path(path))
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot read records: {exc}", path=str(path)) from exc
    header = [str(c) for c in raw.columns]
    if "record_id" in header and "authors" in header:
        return _record_table(raw, path)
    if "record_id" not in header and "ID" not in header:
        raise DataError("no record id column: expected 'record_id' or 'ID'", path=str(path), line=1)
    if "record_id" in header and "ID" in header:
        raw = raw.drop(columns=["ID"])
    raw = raw.rename(columns={c: _BIB_COLUMNS.get(str(c), str(c)) for c in raw.columns})
    raw = raw.loc[:, ~raw.columns.duplicated()]
    if "booktitle" in raw.columns:  # proceedings: the book title is where it appeared
        journal = raw["journal"] if "journal" in raw.columns else raw["booktitle"]
        raw["journal"] = journal.where(journal != "", raw["booktitle"])
    raw = raw.map(_missing_marker)
    empty = (raw["record_id"].str.strip() == "").to_numpy().nonzero()[0]
    if len(empty):
        raise DataError(
            "empty record id", path=str(path), line=int(empty[0]) + 2, field="record_id"
        )
    columns: dict[str, list[str]] = {}
    for name in RECORD_FIELDS:
        if name not in raw.columns:
            continue
        values = raw[name].astype(str)
        if name == "abstract" and matching_only:
            values = values.str.slice(0, _MATCHED_ABSTRACT)
        # one normalisation per distinct value: journals, years and authors repeat a lot
        mapping = {value: _normalise_cell(name, value) for value in values.unique()}
        columns[name] = values.map(mapping).tolist()
    isbn = columns.get("isbn")
    if isbn is not None and "issn" not in columns and "isbn" in raw.columns:
        # EndNote exports put ISSNs in the ISBN field
        columns["issn"] = [normalize_issn(v) for v in raw["isbn"].astype(str)]
    rows = [dict(zip(columns, cells, strict=True)) for cells in zip(*columns.values(), strict=True)]
    frame = records_frame(rows)
    duplicated = frame["record_id"].duplicated()
    if duplicated.any():
        first = int(duplicated.to_numpy().nonzero()[0][0])
        raise DataError(
            f"record id {frame.at[first, 'record_id']!r} appears twice",
            path=str(path),
            line=first + 2,
            field="record_id",
        )
    return frame


def _record_table(raw: pd.DataFrame, path: str | os.PathLike[str]) -> pd.DataFrame:
    """A reviewflow record table, every record-model column present, escaped cells undone."""
    unescape_frame(raw)  # written by write_csv: no cell stays a live formula
    for name in RECORD_FIELDS:
        if name not in raw.columns:
            raw[name] = ""
    extra = [c for c in raw.columns if c not in RECORD_FIELDS]
    return raw[list(RECORD_FIELDS) + extra].astype(object)


#: Characters of an abstract that matching can use (it compares the first 120 words).
_MATCHED_ABSTRACT = 2000

#: Cells that R and spreadsheet exports write for a missing value (ASySD's files say ``NA``).
_MISSING = frozenset({"NA", "N/A", "NULL", "nan", "NaN", "None"})


def _missing_marker(value: str) -> str:
    return "" if value.strip() in _MISSING else value


def _normalise_cell(name: str, value: str) -> str:
    if not value:
        return ""
    if name == "authors":
        return normalize_authors(split_authors(value))
    if name in ("title", "journal", "abstract"):
        value = fix_mojibake(value)
    # the record model's own normaliser of the field (what normalize_record applies), called
    # directly: building a whole record per distinct cell adds up on large files
    return _RECORD_NORMALISERS.get(name, clean_text)(value)


def write_uncertain_xlsx(rows: Sequence[Mapping[str, str]], path: str | os.PathLike[str]) -> None:
    """The uncertain pairs as a workbook, pair side by side, every cell written as text.

    Written in openpyxl's streaming mode: a large search can leave tens of thousands of
    pairs, and the ordinary mode holds every cell object in memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("uncertain_pairs")
    sheet.freeze_panes = "C2"
    bold = Font(bold=True)

    def text_cell(value: str, font: Font | None = None) -> Cell:
        # stored as a text cell, never a formula, and shown without an apostrophe
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        if value[:1] in ("=", "+", "-", "@"):
            cell.quotePrefix = True
        if font is not None:
            cell.font = font
        return cell

    sheet.append([text_cell(c, bold) for c in UNCERTAIN_COLUMNS])
    for row in rows:
        sheet.append([text_cell(str(row.get(c, ""))) for c in UNCERTAIN_COLUMNS])
    save_workbook(book, path)


def _write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    write_csv(frame, path)


def _read_previous(path: str | os.PathLike[str] | None) -> dict[str, str]:
    if not path or not Path(path).is_file():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {"record_id", "study_id"} <= set(frame.columns):
        raise DataError("previous clusters need columns record_id, study_id", path=str(path))
    return dict(zip(frame["record_id"], frame["study_id"], strict=True))


def newest_previous_clusters(previous_runs: Sequence[str]) -> str:
    """The clusters table of the newest earlier run that has one ("" when none has)."""
    for run in reversed(list(previous_runs)):
        candidate = previous_run_file(run, DEDUP.clusters)
        if Path(candidate).is_file():
            return candidate
    return ""


def run_dedup_stage(
    records_paths: list[str],
    decisions_path: str | None,
    settings: DedupSettings,
    out_studies: str,
    out_clusters: str,
    out_merges: str,
    out_uncertain_csv: str,
    out_uncertain_xlsx: str,
    audit_path: str,
    previous_runs: Sequence[str] = (),
    run_label: str = "",
) -> DedupResult:
    """Run the stage on record tables and write every output (atomically) plus the audit.

    ``settings`` is the config's ``dedup`` block (:class:`DedupSettings`). ``previous_runs``:
    results folders of earlier runs (an update); the newest one with a clusters table
    supplies the previous clusters unless ``dedup.previous_clusters`` names one.
    ``run_label`` marks the studies first seen in this run (an update; "" otherwise).
    """
    previous_clusters = settings.previous_clusters or newest_previous_clusters(previous_runs)
    outputs = [out_studies, out_clusters, out_merges, out_uncertain_csv, out_uncertain_xlsx]
    inputs = list(records_paths) + ([decisions_path] if decisions_path else [])
    if previous_clusters:
        inputs.append(previous_clusters)
    with StageAudit(
        audit_path,
        stage=Stage.DEDUP,
        rule="deduplicate_records",
        inputs=inputs,
        outputs=outputs,
        parameters=settings.parameters(previous_clusters=previous_clusters, run_label=run_label),
        declares=DEDUP_COUNTS + (DEDUP_UPDATE_COUNTS if run_label else ()),
    ) as audit:
        frames = [read_dedup_input(p) for p in records_paths]
        records = pd.concat(frames, ignore_index=True) if frames else records_frame([])
        duplicated = records["record_id"].duplicated()
        if duplicated.any():
            rid = records.loc[duplicated, "record_id"].iloc[0]
            raise DataError(
                f"record id {rid!r} appears in more than one row", path=records_paths[0]
            )
        known = set(records["record_id"])
        decisions = read_decisions(decisions_path, known) if decisions_path else []
        model_info = default_model()
        previous = _read_previous(previous_clusters)
        result = deduplicate(
            records,
            thresholds=settings.thresholds,
            decisions=decisions,
            source_priority=settings.source_priority,
            previous_clusters=previous,
            incremental=settings.incremental and bool(previous),
        )
        assert result.studies is not None
        _write_csv(result.studies, out_studies)
        _write_csv(result.clusters_frame(), out_clusters)
        _write_csv(
            pd.DataFrame(
                result.merges, columns=["study_id", "record_id_a", "record_id_b", "reason", "score"]
            ),
            out_merges,
        )
        uncertain = pd.DataFrame(result.uncertain, columns=list(UNCERTAIN_COLUMNS)).fillna("")
        _write_csv(uncertain, out_uncertain_csv)
        write_uncertain_xlsx(result.uncertain, out_uncertain_xlsx)
        n_in, n_out = len(records), len(result.studies)
        audit.counts.update(
            {
                "records_in": n_in,
                "studies_out": n_out,
                PrismaCount.DUPLICATES_REMOVED: n_in - n_out,
                "uncertain_pairs": len(result.uncertain),
                "manual_decisions_applied": result.manual_applied,
                "pairs_compared": result.pairs_compared,
                "doi_collisions": len(result.doi_collisions),
            }
        )
        for reason, n in sorted(result.reasons.items()):
            audit.add_reason(reason, n)
        if run_label and "first_seen" in result.studies.columns:
            # An update: studies none of whose records an earlier run had seen.
            new = result.studies["first_seen"] == run_label
            audit.counts[PrismaCount.STUDIES_NEW] = int(new.sum())
        audit.details["decision_columns"] = list(DECISION_COLUMNS)
        # a DOI on records whose titles or pages differ names none of them: reported, not merged
        audit.details["doi_collisions"] = result.doi_collisions[:500]
        audit.details["model"] = {
            "trained_on": list(model_info.trained_on),
            "merge_at": model_info.merge_at,
            "review_at": model_info.review_at,
        }
        log.info("dedup: %d records -> %d studies", n_in, n_out)
    return result
