"""Snakemake entry point: rule chase_citations (logic: reviewflow.citations.stage)."""

from typing import TYPE_CHECKING

from reviewflow.citations.stage import run_citation_stage
from reviewflow.logs import log_to_file

if TYPE_CHECKING:
    from snakemake.iocontainers import snakemake

with log_to_file(snakemake.log[0]):
    run_citation_stage(
        seeds=snakemake.params.seeds,
        decision_paths=list(snakemake.input.decisions),
        record_tables=list(snakemake.input.tables),
        params=snakemake.params.settings,
        archive_dir=snakemake.params.archive,
        replay=snakemake.params.replay,
        out_records=snakemake.output.records,
        out_seeds=snakemake.output.seeds,
        audit_path=snakemake.output.audit,
    )
