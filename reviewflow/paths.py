"""Where every stage reads and writes: one frozen object per stage, relative to the review folder.

The rules take their file names from here (``rules/common.smk`` imports the objects, a rule
writes ``records=SEARCH.records``) and so do the ``reviewflow`` subcommands of the same
stages, so a subcommand and its rule can never write different files. An input a stage
reads from an earlier stage is that stage's output attribute (``FULLTEXT.screened`` is
``SCREENING.included``), so renaming an output renames every reader's input with it.
Paths with ``{search_id}``/``{import_id}`` are Snakemake wildcard patterns; ``for_id``
fills them in. ``under(results)`` moves an object to another results folder (a frozen
earlier run, a scratch copy).

Files of an earlier run (an update's ``update.previous_runs``) are named by
:func:`previous_run_file`; the rules declare them as inputs, so Snakemake tracks them too.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

__all__ = [
    "CITATIONS",
    "COLLECT",
    "DEDUP",
    "EXTRACTION",
    "FULLTEXT",
    "IMPORT",
    "PRISMA",
    "REPORT",
    "REPRODUCTION",
    "RESULTS",
    "SCREENING",
    "SEARCH",
    "SYNTHESIS",
    "CitationPaths",
    "CollectPaths",
    "DedupPaths",
    "ExtractionPaths",
    "FulltextPaths",
    "ImportPaths",
    "PrismaPaths",
    "ReportPaths",
    "ReproductionPaths",
    "ScreeningPaths",
    "SearchPaths",
    "StagePaths",
    "SynthesisPaths",
    "previous_run_file",
    "stage_audit_files",
    "stage_audit_records",
]

#: The results folder of a review, relative to the review folder.
RESULTS = "results"


class StagePaths:
    """What every paths object can do: be moved to another results folder, list its files."""

    def under(self, results: str | os.PathLike[str]) -> Self:
        """The same files under ``results`` instead of ``results/`` (paths outside it stay)."""
        root = Path(results).as_posix().rstrip("/")
        moved = {}
        for spec in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, spec.name)
            if value == RESULTS or value.startswith(f"{RESULTS}/"):
                value = root + value[len(RESULTS) :]
            moved[spec.name] = value
        return dataclasses.replace(self, **moved)  # type: ignore[type-var]

    def files(self) -> dict[str, str]:
        return {spec.name: getattr(self, spec.name) for spec in dataclasses.fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class ImportPaths(StagePaths):
    """Rule import_records, one job per ``imports[].id`` (the export file is named in config)."""

    records: str = "results/import/{import_id}/records.csv"
    audit: str = "results/import/{import_id}/import_records.audit.json"

    def for_id(self, import_id: str) -> ImportPaths:
        return ImportPaths(**{k: v.format(import_id=import_id) for k, v in self.files().items()})


@dataclass(frozen=True)
class SearchPaths(StagePaths):
    """Rule search_database, one job per ``searches[].id``."""

    records: str = "results/search/{search_id}/records.csv"
    archive: str = "results/search/{search_id}/archive"
    audit: str = "results/search/{search_id}/search_database.audit.json"

    def for_id(self, search_id: str) -> SearchPaths:
        return SearchPaths(**{k: v.format(search_id=search_id) for k, v in self.files().items()})


@dataclass(frozen=True)
class CitationPaths(StagePaths):
    """Rule chase_citations (seeds from config, decision files and the record tables of
    searches and imports, never later stages: the workflow graph stays acyclic)."""

    records: str = "results/citations/records.csv"
    seeds: str = "results/citations/seeds.csv"
    archive: str = "results/citations/archive"
    audit: str = "results/citations/chase_citations.audit.json"


@dataclass(frozen=True)
class CollectPaths(StagePaths):
    """Rule collect_records: every source's record table in one."""

    records: str = "results/records/all_records.csv"
    audit: str = "results/records/collect_records.audit.json"


@dataclass(frozen=True)
class DedupPaths(StagePaths):
    """Rules check_dedup_decisions and deduplicate_records."""

    records: str = CollectPaths.records
    decisions_checked: str = "results/dedup/decisions_checked.txt"
    studies: str = "results/dedup/studies.csv"
    clusters: str = "results/dedup/clusters.csv"
    merges: str = "results/dedup/merges.csv"
    uncertain_csv: str = "results/dedup/uncertain_pairs.csv"
    uncertain_xlsx: str = "results/dedup/uncertain_pairs.xlsx"
    audit: str = "results/dedup/deduplicate_records.audit.json"


@dataclass(frozen=True)
class ScreeningPaths(StagePaths):
    """Rules check_screening_decisions and screen_records."""

    studies: str = DedupPaths.studies
    clusters: str = DedupPaths.clusters
    decisions_checked: str = "results/screening/decisions_checked.txt"
    ranking: str = "results/screening/ranking.csv"
    next_batch_csv: str = "results/screening/next_batch.csv"
    next_batch_xlsx: str = "results/screening/next_batch.xlsx"
    progress: str = "results/screening/progress.csv"
    thresholds: str = "results/screening/thresholds.csv"
    conflicts: str = "results/screening/conflicts.csv"
    included: str = "results/screening/included.csv"
    audit: str = "results/screening/screen_records.audit.json"


@dataclass(frozen=True)
class FulltextPaths(StagePaths):
    """Rules locate_fulltexts, check_fulltext_decisions and assess_fulltexts."""

    screened: str = ScreeningPaths.included
    clusters: str = DedupPaths.clusters
    availability: str = "results/fulltext/availability.csv"
    archive: str = "results/fulltext/archive"
    pdfs: str = "results/fulltext/pdfs"
    locate_audit: str = "results/fulltext/locate_fulltexts.audit.json"
    decisions_checked: str = "results/fulltext/decisions_checked.txt"
    decisions_applied: str = "results/fulltext/decisions_applied.csv"
    included: str = "results/fulltext/included.csv"
    assess_audit: str = "results/fulltext/assess_fulltexts.audit.json"


@dataclass(frozen=True)
class ExtractionPaths(StagePaths):
    """Rules export_extraction_sheets and import_extraction (the filled workbook is named in
    config, ``extraction.filled``)."""

    included: str = FulltextPaths.included
    clusters: str = DedupPaths.clusters
    workbook: str = "results/extraction/extraction_form.xlsx"
    csv: str = "results/extraction/csv"
    export_audit: str = "results/extraction/export_extraction_sheets.audit.json"
    dataset: str = "results/extraction/dataset.json"
    validation: str = "results/extraction/validation.txt"
    tables: str = "results/extraction/tables"
    import_audit: str = "results/extraction/import_extraction.audit.json"


@dataclass(frozen=True)
class SynthesisPaths(StagePaths):
    """Rule synthesise_evidence."""

    dataset: str = ExtractionPaths.dataset
    cmo: str = "results/synthesis/realist_cmo.csv"
    components: str = "results/synthesis/programme_theory.csv"
    framework_coding: str = "results/synthesis/framework_coding.csv"
    framework_themes: str = "results/synthesis/framework_themes.csv"
    narrative: str = "results/synthesis/narrative.csv"
    logic_model_edges: str = "results/synthesis/logic_model_edges.csv"
    logic_model_svg: str = "results/synthesis/logic_model.svg"
    logic_model_png: str = "results/synthesis/logic_model.png"
    summary: str = "results/synthesis/synthesis.json"
    audit: str = "results/synthesis/synthesise_evidence.audit.json"


@dataclass(frozen=True)
class PrismaPaths(StagePaths):
    """Rules count_prisma and draw_prisma (the stage audits they read are listed by
    ``rules/common.smk``'s ``stage_audit_files``)."""

    counts: str = "results/prisma/counts.json"
    count_audit: str = "results/prisma/count_prisma.audit.json"
    svg: str = "results/prisma/prisma.svg"
    pdf: str = "results/prisma/prisma.pdf"
    png: str = "results/prisma/prisma.png"


@dataclass(frozen=True)
class ReproductionPaths(StagePaths):
    """Rule trace_known_includes."""

    records: str = CollectPaths.records
    clusters: str = DedupPaths.clusters
    screening_included: str = ScreeningPaths.included
    fulltext_decisions: str = FulltextPaths.decisions_applied
    dataset: str = ExtractionPaths.dataset
    counts: str = PrismaPaths.counts
    out_trace: str = "results/reproduction/known_includes.csv"
    out_summary: str = "results/reproduction/summary.json"
    audit: str = "results/reproduction/trace_known_includes.audit.json"


@dataclass(frozen=True)
class ReportPaths(StagePaths):
    """Rule write_report: the report and the run's files it reads besides the audits."""

    counts: str = PrismaPaths.counts
    prisma: str = PrismaPaths.svg
    synthesis: str = SynthesisPaths.summary
    logic_model: str = SynthesisPaths.logic_model_png
    included: str = FulltextPaths.included
    progress: str = ScreeningPaths.progress
    thresholds: str = ScreeningPaths.thresholds
    dataset: str = ExtractionPaths.dataset
    extraction_audit: str = ExtractionPaths.import_audit
    records: str = CollectPaths.records
    reproduction: str = ReproductionPaths.out_summary
    known_includes: str = ReproductionPaths.out_trace
    seeds: str = CitationPaths.seeds
    html: str = "results/report/report.html"
    pdf: str = "results/report/report.pdf"
    audit: str = "results/report/write_report.audit.json"


IMPORT = ImportPaths()
SEARCH = SearchPaths()
CITATIONS = CitationPaths()
COLLECT = CollectPaths()
DEDUP = DedupPaths()
SCREENING = ScreeningPaths()
FULLTEXT = FulltextPaths()
EXTRACTION = ExtractionPaths()
SYNTHESIS = SynthesisPaths()
PRISMA = PrismaPaths()
REPRODUCTION = ReproductionPaths()
REPORT = ReportPaths()


def previous_run_file(run: str | os.PathLike[str], current: str) -> str:
    """An earlier run's copy of a results file: ``runs/<date>/results`` + the part of
    ``current`` below ``results/`` (``previous_run_file(run, COLLECT.records)``)."""
    relative = Path(current).relative_to(RESULTS)
    return (Path(run) / relative).as_posix()


def stage_audit_files(
    import_ids: Sequence[str], search_ids: Sequence[str], *, citations: bool
) -> list[str]:
    """Every stage audit the PRISMA counts and the report read, in process order.

    Listed explicitly (not globbed) so Snakemake orders count_prisma after every stage and
    reruns it when any audit changes; a stage not configured has no file here and no box.
    """
    audits = [IMPORT.for_id(i).audit for i in import_ids]
    audits += [SEARCH.for_id(s).audit for s in search_ids]
    if citations:
        audits.append(CITATIONS.audit)
    return audits + [
        COLLECT.audit,
        DEDUP.audit,
        SCREENING.audit,
        FULLTEXT.locate_audit,
        FULLTEXT.assess_audit,
    ]


def stage_audit_records(results: str | os.PathLike[str]) -> list[str]:
    """The stage audits (as :func:`stage_audit_files` names them) found under a results
    folder: what ``reviewflow prisma`` and ``reviewflow report`` read, as their rules do."""
    names = {Path(a).name for a in stage_audit_files(["i"], ["s"], citations=True)}
    found = sorted(Path(results).rglob("*.audit.json"))
    return [p.as_posix() for p in found if p.name in names]
