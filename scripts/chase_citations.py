"""Snakemake entry point: rule chase_citations (logic: reviewflow.citations.stage)."""

from typing import TYPE_CHECKING

from reviewflow.citations.stage import CitationSettings, run_citation_stage
from reviewflow.logs import log_to_file
from reviewflow.sources.base import SourcesSettings

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_citation_stage(
        settings=CitationSettings.from_config(snakemake.params.citations),
        sources=SourcesSettings.from_config(snakemake.params.sources),
        replay=snakemake.params.replay,
        decision_paths=list(snakemake.input.decisions),
        record_tables=list(snakemake.input.tables),
        previous_seeds=list(snakemake.input.previous_seeds),
        archive_dir=snakemake.params.archive,
        out_records=snakemake.output.records,
        out_seeds=snakemake.output.seeds,
        audit_path=snakemake.output.audit,
    )
